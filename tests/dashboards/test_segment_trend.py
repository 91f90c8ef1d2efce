"""Segments over time: one NPS line per value of a property, top values first, the rest as "Other"."""

import importlib
import json
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.models import Sum

from dashboards import charts, queries, raw, rollups
from dashboards.filters import Filters
from dashboards.metrics import Split
from dashboards.models import SCORE_FIELDS, DailyRollup, SavedView, SegmentRollup, ShareLink
from dashboards.queries import SegmentSeries, SegmentTrend
from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

WEEK_1, WEEK_2 = date(2026, 3, 2), date(2026, 3, 9)  # Mondays
EVERYTHING = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def fixture():
    """pro 5 answers, free 4, enterprise 2, team 1, over two weeks; enterprise answers in another
    campaign, one free answer by text."""
    main, other = make_campaign(name="Support"), make_campaign(name="Sales")
    pro, free, team, enterprise, none = (
        make_contact(properties={"plan": plan, "region": "EU" if plan == "pro" else "US"})
        for plan in ("pro", "free", "team", "enterprise", None)
    )
    for contact, day, score, campaign, channel in [
        (pro, WEEK_1, 10, main, "email"),
        (pro, WEEK_1, 10, main, "email"),
        (pro, WEEK_1, 10, main, "email"),
        (pro, WEEK_2, 10, main, "email"),
        (pro, WEEK_2, 0, main, "email"),
        (free, WEEK_1, 0, main, "email"),
        (free, WEEK_1, 0, main, "sms"),
        (free, WEEK_2, 10, main, "email"),
        (free, WEEK_2, 10, main, "email"),
        (team, WEEK_1, 10, main, "email"),
        (enterprise, WEEK_1, 0, other, "email"),
        (enterprise, WEEK_2, 8, other, "email"),
        (none, WEEK_1, 5, main, "email"),  # no plan: on no line
    ]:
        make_answer(score=score, campaign=campaign, contact=contact, channel=channel, answered_at=at(day))
    rollups.refresh()
    return main, other


def lines(trend: SegmentTrend) -> dict[str, dict[str, tuple[int, float]]]:
    """{label: {week: (answers, NPS)}}."""
    return {
        s.label: {day.isoformat(): (split.total, round(split.nps)) for day, split in sorted(s.points.items())}
        for s in trend.series
    }


def test_the_top_values_get_a_line_and_the_rest_are_summed_into_other():
    fixture()
    trend = queries.segment_trend(EVERYTHING, "plan", "week", top=2)
    assert trend.periods == [WEEK_1, WEEK_2]
    assert [s.value for s in trend.series] == ["pro", "free", None]
    assert trend.other_values == 2
    assert lines(trend) == {
        "pro": {"2026-03-02": (3, 100), "2026-03-09": (2, 0)},
        "free": {"2026-03-02": (2, -100), "2026-03-09": (2, 100)},
        # team 10 and enterprise 0 in week 1; enterprise 8 in week 2.
        "Other": {"2026-03-02": (2, 0), "2026-03-09": (1, 0)},
    }
    assert [s.total.total for s in trend.series] == [5, 4, 3]


def test_with_room_for_every_value_there_is_no_other_line():
    fixture()
    trend = queries.segment_trend(EVERYTHING, "plan", "week")
    assert [s.label for s in trend.series] == ["pro", "free", "enterprise", "team"]
    assert trend.other_values == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # The campaign filter leaves enterprise (the other campaign) out of Other.
        (
            "campaign",
            {
                "pro": {"2026-03-02": (3, 100), "2026-03-09": (2, 0)},
                "free": {"2026-03-02": (2, -100), "2026-03-09": (2, 100)},
                "Other": {"2026-03-02": (1, 100)},
            },
        ),
        # The channel filter drops the free answer by text.
        (
            "channel",
            {
                "pro": {"2026-03-02": (3, 100), "2026-03-09": (2, 0)},
                "free": {"2026-03-02": (1, -100), "2026-03-09": (2, 100)},
                "Other": {"2026-03-02": (2, 0), "2026-03-09": (1, 0)},
            },
        ),
        # The period: the second week only.
        (
            "period",
            {
                "pro": {"2026-03-09": (2, 0)},
                "free": {"2026-03-09": (2, 100)},
                "Other": {"2026-03-09": (1, 0)},
            },
        ),
        # A segment of another property (read from the answers: the rollup holds one property at a time).
        (
            "region",
            {
                "free": {"2026-03-02": (2, -100), "2026-03-09": (2, 100)},
                "team": {"2026-03-02": (1, 100)},
                "enterprise": {"2026-03-02": (1, -100), "2026-03-09": (1, 0)},
            },
        ),  # noqa: E501
        # A segment of the same property: its one line.
        ("plan", {"pro": {"2026-03-02": (3, 100), "2026-03-09": (2, 0)}}),
    ],
)
def test_every_dashboard_filter_narrows_the_lines(filters, expected):
    main, _ = fixture()
    narrowed = {
        "campaign": Filters(start=EVERYTHING.start, end=EVERYTHING.end, campaign_ids=(main.pk,)),
        "channel": Filters(start=EVERYTHING.start, end=EVERYTHING.end, channels=("email",)),
        "period": Filters(start=WEEK_2, end=date(2026, 3, 15)),
        "region": Filters(start=EVERYTHING.start, end=EVERYTHING.end, segment=("region", "US")),
        "plan": Filters(start=EVERYTHING.start, end=EVERYTHING.end, segment=("plan", "pro")),
    }[filters]
    trend = queries.segment_trend(narrowed, "plan", "week", top=2 if filters != "region" else 3)
    assert lines(trend) == expected


@pytest.mark.parametrize("grain", ["day", "week", "month"])
@pytest.mark.parametrize("by", ["plan", "region", "campaign", "channel", "language"])
def test_rollups_and_answers_agree(by, grain):
    main, _ = fixture()
    # Later answers mid-week and on a Sunday, through the minute's refresh (not a rebuild): week rows of
    # touched weeks are recomputed.
    for day, score in ((date(2026, 3, 4), 9), (date(2026, 3, 15), 3), (date(2026, 3, 19), 7)):
        make_answer(
            score=score, campaign=main, contact=make_contact(properties={"plan": "pro"}), answered_at=at(day)
        )
    assert rollups.refresh() > 0
    for filters in (
        EVERYTHING,
        Filters(),
        Filters(start=date(2026, 3, 3), end=date(2026, 3, 9)),
        # Whole weeks (9–15 March) from week rows, the days either side from day rows.
        Filters(start=date(2026, 3, 4), end=date(2026, 3, 19)),
        Filters(start=date(2026, 3, 9), end=date(2026, 3, 15)),
    ):
        fast = {
            (period, value): split
            for value, points in _by_value(filters, by, grain)
            for period, split in points
        }
        reference = {
            key: Split.from_distribution(counts)
            for key, counts in raw.segment_trend(filters, by, grain).items()
            if sum(counts.values())
        }
        assert fast == reference, (filters, by, grain)


def _by_value(filters, by, grain):
    trend = queries.segment_trend(filters, by, grain, top=100)
    return [(s.value, s.points.items()) for s in trend.series]


def test_week_rows_sum_the_day_rows_and_the_migration_builds_them():
    fixture()
    migration = importlib.import_module("dashboards.migrations.0006_segment_trend")
    built = {}
    for model in (DailyRollup, SegmentRollup):
        weeks = model.objects.filter(span="week")
        assert {row.day.weekday() for row in weeks} == {0}  # dated the Monday
        sums = {field: Sum(field) for field in ("sent", *SCORE_FIELDS)}
        assert weeks.aggregate(**sums) == model.objects.filter(span="day").aggregate(**sums)
        built[model] = sorted(weeks.values_list("day", "campaign_id", "channel", "n0", "n8", "n10"))
        weeks.delete()
    # The upgrade: rollups built before week rows existed get them from their day rows.
    with connection.schema_editor() as editor:
        migration.add_week_rows(None, editor)
    for model, rows in built.items():
        assert (
            sorted(
                model.objects.filter(span="week").values_list(
                    "day", "campaign_id", "channel", "n0", "n8", "n10"
                )
            )
            == rows
        )
    assert lines(queries.segment_trend(EVERYTHING, "plan", "week", top=2))["pro"] == {
        "2026-03-02": (3, 100),
        "2026-03-09": (2, 0),
    }


def test_one_query_over_the_rollup(django_assert_num_queries):
    fixture()
    with django_assert_num_queries(1):
        queries.segment_trend(EVERYTHING, "plan", "month")


def test_campaign_lines_are_named_after_the_campaigns():
    fixture()
    trend = queries.segment_trend(EVERYTHING, "campaign", "month")
    assert [(s.label, s.total.total) for s in trend.series] == [("Support", 11), ("Sales", 2)]


# ---- The chart ----


def figure(trend: SegmentTrend, **kwargs) -> dict:
    return json.loads(charts.segment_trend_figure(trend, **kwargs))


def test_the_chart_has_one_line_per_value_and_faint_unjoined_points_where_answers_are_few():
    d1, d2, d3 = date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)
    pro = {d1: Split(60, 20, 20), d2: Split(2, 0, 1), d3: Split(50, 30, 20)}
    free = {d1: Split(20, 20, 60), d3: Split(30, 30, 40)}
    other = {d2: Split(40, 40, 20)}
    trend = SegmentTrend(
        "plan",
        [d1, d2, d3],
        [
            SegmentSeries("pro", "pro", sum(pro.values(), Split()), pro),
            SegmentSeries("free", "free", sum(free.values(), Split()), free),
            SegmentSeries(None, "Other", sum(other.values(), Split()), other),
        ],
        3,
    )
    fig = figure(trend)
    shown = [t for t in fig["data"] if t.get("showlegend") is not False]
    assert [t["name"] for t in shown] == ["pro", "free", "Other"]
    pro_line, pro_faint = (t for t in fig["data"] if t["name"] == "pro")
    # Three answers in the second week: a margin far wider than ±25, so a gap in the line …
    assert pro_line["y"] == [40, None, 30]
    assert pro_line["connectgaps"] is False
    # … and a faint point of its own, with the same hover facts.
    assert pro_faint["x"] == ["2026-01-12"]
    assert pro_faint["y"] == [33.3]
    assert pro_faint["opacity"] < 0.5
    assert pro_faint["customdata"][0][0] == 3
    assert pro_faint["customdata"][0][1] > charts.SEGMENT_POINT_MAX_MARGIN
    assert "answers" in pro_line["hovertemplate"] and "±" in pro_line["hovertemplate"]
    assert pro_line["customdata"][0] == [100, round(Split(60, 20, 20).margin, 1)]
    assert next(t for t in fig["data"] if t["name"] == "free")["y"] == [-40, None, -10]
    assert fig["layout"]["yaxis"]["range"] == [-105, 105]  # whole markers at ±100
    # A line per colour and a marker shape each; Other grey and dotted.
    colours = [t["line"]["color"] for t in shown]
    assert len(set(colours)) == 3 and colours[2] == charts.OTHER_COLOUR
    assert shown[2]["line"]["dash"] == "dot"


def test_smoothing_sums_the_answers_of_the_last_periods():
    d1, d2 = date(2026, 1, 5), date(2026, 1, 12)
    points = {d1: Split(60, 0, 20), d2: Split(20, 0, 60)}
    trend = SegmentTrend("plan", [d1, d2], [SegmentSeries("pro", "pro", Split(80, 0, 80), points)], 0)
    assert figure(trend)["data"][0]["y"] == [50, -50]
    assert figure(trend, window=4)["data"][0]["y"] == [50, 0]  # (80 − 80) / 160 in the second week


def test_a_single_period_is_a_point_with_one_tick_not_an_axis_of_milliseconds():
    day = date(2026, 3, 9)
    trend = SegmentTrend("plan", [day], [SegmentSeries("pro", "pro", Split(1), {day: Split(1)})], 0)
    xaxis = figure(trend, grain="week")["layout"]["xaxis"]
    assert xaxis["range"] == ["2026-03-05", "2026-03-13"]
    assert xaxis["tickvals"] == ["2026-03-09"] and xaxis["ticktext"] == ["9 Mar"]


# ---- The pages ----


def test_dashboard_shows_the_chart_for_the_chosen_property(client):
    fixture()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "all", "trend_by": "plan", "grain": "week"})
    assert response.status_code == 200
    assert "NPS over time by plan" in response.text
    assert 'id="segment-trend-fig"' in response.text
    assert [s.label for s in response.context["segment_trend"].series] == [
        "pro",
        "free",
        "enterprise",
        "team",
    ]
    # The filter bar keeps the choice when other filters are applied.
    assert '<input type="hidden" name="trend_by" value="plan">' in response.text
    # The table: newest week first, NPS ± margin · answers.
    rows = response.context["segment_trend_rows"]
    assert [period for period, _ in rows] == [WEEK_2, WEEK_1]
    # A handful of answers a week: every point is faint, and the page says what would help.
    assert "Most points have few answers" in response.text
    assert "“Month” under Trend by" in response.text


def test_without_a_choice_the_panel_offers_the_properties(client):
    fixture()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "all"})
    assert "NPS over time by segment" in response.text
    assert 'id="segment-trend-fig"' not in response.text
    assert '<option value="plan">Plan</option>' in response.text
    assert '<option value="region">Region</option>' in response.text


def test_an_unknown_property_is_a_clear_400(client):
    fixture()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"trend_by": "shoe_size"})
    assert response.status_code == 400
    assert (
        "One line per: Select a valid choice. shoe_size is not one of the available choices." in response.text
    )


def test_a_shared_view_shows_the_chart_when_the_view_has_it(client):
    fixture()
    with_chart = SavedView.objects.create(name="Plans", query="period=all&trend_by=plan")
    without = SavedView.objects.create(name="Plain", query="period=all")
    for view, shown in ((with_chart, True), (without, False)):
        link = ShareLink.objects.create(saved_view=view, token=view.name * 10)
        page = client.get(f"/s/{link.token}/")
        assert page.status_code == 200
        assert ('id="segment-trend-fig"' in page.text) is shown
        assert ("NPS over time by plan" in page.text) is shown
        assert 'name="trend_by"' not in page.text  # no selector on a read-only page
