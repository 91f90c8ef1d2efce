"""Comment themes on the dashboard: the theme rollup against the answers, the theme filter on every panel,
the Themes panel (impact, rising, empty states), tags on comments, bad input. Real PostgreSQL."""

import csv
import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboards import queries, raw, rollups, theme_rollups, themes
from dashboards.filters import Filters
from dashboards.metrics import Split
from dashboards.models import SavedView, ShareLink, ThemeRollup
from nps.accounts.roles import Role
from responses.models import AnswerTheme, Theme
from responses.themes import assign
from tests.dashboards.test_rollups import filter_sets, seed_random
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def make_theme(name: str, **fields) -> Theme:
    return Theme.objects.create(name=name, **fields)


def tag(answer, theme, source=AnswerTheme.Source.AUTO) -> AnswerTheme:
    return AnswerTheme.objects.create(answer=answer, theme=theme, source=source)


def seed_themes(rng: random.Random) -> list[Theme]:
    """Themes on most commented answers, with every row that must not count: a hand removal, a hidden, a
    retired and a merged theme, and a tag left on an answer whose comment was emptied."""
    shown = [make_theme(f"Theme {n}") for n in range(4)]
    hidden = make_theme("Hidden", hidden=True)
    retired = make_theme("Retired", retired=True)
    merged = make_theme("Merged", merged_into=shown[0])
    from responses.models import Answer

    for answer in Answer.objects.order_by("pk"):
        if rng.random() < 0.75:
            answer.comment = rng.choice(["Late again", "Friendly", "Too dear", "ok"])
            answer.save(update_fields=["comment"])
        for theme in rng.sample([*shown, hidden, retired, merged], rng.randint(0, 3)):
            source = rng.choice(list(AnswerTheme.Source))
            tag(answer, theme, source)
    return shown


def counts_agree(filters: Filters) -> None:
    for grain in ("day", "week", "month"):
        fast = themes._from_rollup(filters, grain)
        assert fast is not None
        fast = {key: value for key, value in fast.items() if any(value.values())}
        assert fast == themes._from_answers(filters, grain), (filters, grain)


def theme_filter_agrees(filters: Filters) -> None:
    """Every panel under a theme filter: the theme rollup against the answers themselves."""
    totals = queries.totals(filters)
    assert totals.distribution == raw.distribution(filters), filters
    assert totals.sent == 0 and raw.delivered(filters) == 0
    for grain in ("day", "week", "month"):
        expected = [(day, Split.from_distribution(counts)) for day, counts in raw.trend(filters, grain)]
        assert queries.trend(filters, grain) == expected, (filters, grain)
    for by in ("campaign", "channel", "language", "plan"):
        fast = {s.value: s.split for s in queries.segments(filters, by)}
        reference = {
            value: Split.from_distribution(counts)
            for value, (counts, _) in raw.segments(filters, by).items()
            if sum(counts.values())
        }
        assert fast == reference, (filters, by)


@pytest.mark.parametrize(("seed", "zone"), [(11, "Asia/Kolkata"), (12, "America/New_York")])
def test_the_theme_rollup_and_the_answers_agree_exactly(settings, seed, zone):
    settings.TIME_ZONE = zone
    rng = random.Random(seed)  # noqa: S311
    campaigns, _ = seed_random(rng, ZoneInfo(zone), answers=160)
    shown = seed_themes(rng)
    rollups.rebuild()
    assert ThemeRollup.objects.filter(span="month").exists()
    assert ThemeRollup.objects.filter(span="week", theme=None).exists()
    for filters in filter_sets(rng, campaigns):
        if filters.property_segment:
            assert themes._from_rollup(filters, "week") is None  # the theme rollup holds no property
            continue
        counts_agree(filters)
        theme_filter_agrees(Filters(**{**filters.__dict__, "theme_id": rng.choice(shown).pk}))


def test_refresh_and_the_assign_hook_keep_the_theme_rollup_current(settings):
    rng = random.Random(5)  # noqa: S311
    campaigns, _ = seed_random(rng, UTC, answers=80)
    shown = seed_themes(rng)
    rollups.refresh()  # the first refresh is a rebuild
    from responses.models import Answer

    # A changed score moves its themes' counts at the minute refresh.
    for answer in rng.sample(list(Answer.objects.exclude(comment="")), 15):
        answer.score = (answer.score + 4) % 11
        answer.updated_at = timezone.now()
        answer.save()
    rollups.refresh()
    for filters in filter_sets(rng, campaigns)[:6]:
        if not filters.property_segment:
            counts_agree(filters)
    # Tagging and untagging by hand reach the rollup through responses.themes.assign.changed.
    answers = list(Answer.objects.exclude(comment="").order_by("pk")[:10])
    for answer in answers:
        AnswerTheme.objects.update_or_create(
            answer=answer, theme=shown[1], defaults={"source": AnswerTheme.Source.HAND}
        )
    AnswerTheme.objects.filter(answer=answers[0], theme=shown[1]).update(source=AnswerTheme.Source.REMOVED)
    assign.changed([a.pk for a in answers])
    counts_agree(Filters())
    # Hiding a theme: changed(None) rebuilds every theme row (in the worker; eager in tests).
    Theme.objects.filter(pk=shown[2].pk).update(hidden=True)
    assign.changed(None)
    assert not ThemeRollup.objects.filter(theme=shown[2]).exists()
    counts_agree(Filters())


def test_the_hook_is_registered_by_the_dashboards_app():
    from dashboards.tasks import theme_rollups_changed

    assert theme_rollups_changed in assign._listeners
    assert theme_rollups.refresh_answers([]) == 0


# ---- The panel ----


def hand_example():
    """50 promoters, 20 passives, 30 detractors (NPS 20), with comments; themes on some of them."""
    campaign = make_campaign(name="Support NPS")
    late, friendly, price = make_theme("Late delivery"), make_theme("Friendly staff"), make_theme("Price")
    when = timezone.now() - timedelta(days=3)
    answers = []
    for n in range(50):
        answers.append(make_answer(score=10, campaign=campaign, comment=f"Great {n}", answered_at=when))
    for n in range(20):
        answers.append(
            make_answer(score=8, campaign=campaign, comment="" if n % 2 else "Fine", answered_at=when)
        )
    for n in range(30):
        answers.append(make_answer(score=2, campaign=campaign, comment=f"Bad {n}", answered_at=when))
    promoters, detractors = answers[:50], answers[70:]
    for answer in detractors[:12]:
        tag(answer, late)
    for answer in promoters[:20]:
        tag(answer, friendly)
    for answer in detractors[12:15]:
        tag(answer, price)
    tag(promoters[30], price)
    rollups.refresh()
    return campaign, late, friendly, price


def test_impact_on_a_hand_computed_example():
    _, late, friendly, price = hand_example()
    overall = queries.split(Filters())
    panel = themes.panel(Filters(), overall)
    assert [row.name for row in panel.detractors] == ["Late delivery", "Price"]
    late_row = panel.detractors[0]
    assert (late_row.comments, late_row.share) == (12, 12 / 30)
    # NPS without Late delivery's 12 detractors: 50 promoters, 18 detractors of 88 answers.
    assert late_row.impact.points == pytest.approx(100 * 32 / 88 - 20)
    assert late_row.split.nps == -100
    assert late_row.impact.is_significant
    assert late_row.is_few  # 12 comments: fewer than 30
    friendly_row = panel.promoters[0]
    assert friendly_row.name == "Friendly staff"
    # Overall 20 − NPS without 20 promoters (30 promoters, 30 detractors of 80): 20 points earned.
    assert friendly_row.impact.points == pytest.approx(20.0)
    assert {row.name for row in panel.promoters} == {"Friendly staff", "Price"}
    assert panel.comments == Split(50, 10, 30)


def test_the_dashboard_shows_the_themes_panel(client):
    hand_example()
    client.force_login(make_user(role=Role.VIEWER))
    page = client.get("/").text
    start = page.index('id="themes-h"')
    panel = page[start : page.index("</section>", start)]
    assert "What detractors talk about" in panel and "What promoters talk about" in panel
    assert "30 detractor comments" in panel
    late = panel[panel.index(">Late delivery<") :]
    late = late[: late.index("</tr>")]
    assert "12 <small" in late and "(40%)" in late
    assert "16.4" in late  # costs 16.4 points
    assert "significant" in late
    assert "Few comments" in late
    assert "?period=90d&amp;grain=week&amp;window=1&amp;theme=" not in panel  # links keep only the URL's own
    assert 'href="?theme=' in panel
    assert "Manage themes" in panel


def test_pinned_themes_come_first_and_hidden_ones_never_show():
    _, late, friendly, price = hand_example()
    Theme.objects.filter(pk=price.pk).update(pinned=True)
    panel = themes.panel(Filters(), queries.split(Filters()))
    assert [row.name for row in panel.detractors] == ["Price", "Late delivery"]
    Theme.objects.filter(pk=late.pk).update(hidden=True)
    panel = themes.panel(Filters(), queries.split(Filters()))  # before the rollup rebuild: still left out
    assert "Late delivery" not in [row.name for row in panel.detractors]


def test_empty_states_say_what_to_do(client):
    client.force_login(make_user(role=Role.LEAD))
    make_answer(score=9, comment="")
    rollups.refresh()
    page = client.get("/").text
    assert "No answer under these filters has a comment" in page
    make_answer(score=3, comment="Slow")
    rollups.refresh()
    page = client.get("/").text
    assert "Themes are learned from comments every night" in page
    assert 'href="/themes/">Learn themes now</a>' in page


def test_a_theme_rising_in_the_last_complete_week(settings):
    settings.TIME_ZONE = "UTC"
    campaign = make_campaign()
    queue, other = make_theme("Queue"), make_theme("Other")
    today = date(2026, 6, 17)  # a Wednesday: the week of 15 June is still running
    weeks = [date(2026, 5, 4) + timedelta(weeks=n) for n in range(6)]  # 4 May … 8 June
    for week in weeks:
        rising_now = week == weeks[-1]
        for n in range(40):
            at = datetime(week.year, week.month, week.day, 12, tzinfo=UTC) + timedelta(hours=n)
            answer = make_answer(score=3, campaign=campaign, comment=f"c{n}", answered_at=at)
            if n < (20 if rising_now else 3):
                tag(answer, queue)
            if n < 5:
                tag(answer, other)
    rollups.refresh()
    filters = Filters(start=date(2026, 5, 1), end=today)
    panel = themes.panel(filters, queries.split(filters), grain="week", today=today)
    rows = {row.name: row for row in panel.detractors}
    assert rows["Queue"].rising and not rows["Other"].rising
    assert panel.trend.last_complete == weeks[-1]
    assert panel.trend.series[0].name == "Queue"
    assert panel.trend.series[0].shares[-1] == pytest.approx(50.0)
    # Under 10 comments in the last week, no mark however steep.
    AnswerTheme.objects.filter(theme=queue, answer__answered_at__gte=datetime(2026, 6, 8, tzinfo=UTC)).filter(
        answer__comment__in=[f"c{n}" for n in range(9, 20)]
    ).delete()
    rollups.rebuild()
    panel = themes.panel(filters, queries.split(filters), grain="week", today=today)
    assert not {row.name: row for row in panel.detractors}["Queue"].rising


def test_the_trend_chart_and_its_table(client):
    hand_example()
    client.force_login(make_user(role=Role.VIEWER))
    page = client.get("/", {"grain": "day"}).text
    assert 'id="theme-trend-h">Share of comments by theme</h2>' in page
    assert 'data-figure="theme-trend-fig"' in page
    assert "The figures as a table" in page


# ---- The theme filter ----


def test_the_theme_filter_narrows_every_panel(client):
    campaign, late, friendly, price = hand_example()
    for _ in range(10):
        make_invitation(campaign=campaign, state="sent", sent_at=timezone.now())
    rollups.refresh()
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/", {"theme": late.pk, "by": "campaign"})
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="responses">12<' in page
    assert 'data-testid="nps">−100<' in page
    assert "Theme = Late delivery" in page
    assert f'name="theme" value="{late.pk}"' in page  # Apply keeps it
    assert "not applicable to a theme" in page
    # Recent comments: only the theme's.
    start = page.index('id="comments-h"')
    comments = page[start : page.index("</section>", start)]
    assert comments.count("<blockquote>Bad ") == 8 and "Great" not in comments
    # The comments page and the export.
    page = client.get("/comments/", {"theme": late.pk, "period": "all"}).text
    assert page.count('class="comment comment-detractor"') == 12
    assert "Only comments about" in page and "Theme = Late delivery" in page
    rows = list(csv.reader(io.StringIO(client.get("/export.csv", {"theme": late.pk}).getvalue().decode())))
    assert len(rows) == 1 + 12
    # The panels' numbers from the rollup equal the answers'.
    filters = Filters(theme_id=late.pk)
    assert queries.totals(filters).distribution == raw.distribution(filters)


def test_the_theme_filter_on_a_property_segment_reads_the_answers():
    _, late, _, _ = hand_example()
    from responses.models import Answer

    contact = make_contact(properties={"plan": "pro"})
    Answer.objects.filter(theme_links__theme=late).update(contact=contact)
    rollups.rebuild()
    filters = Filters(segment=("plan", "pro"), theme_id=late.pk, rolled_up_keys=("plan",))
    assert queries._rollup(filters) is None
    assert queries.split(filters) == Split(0, 0, 12)


def test_the_follow_up_cases_are_narrowed_through_their_answer():
    from dashboards.followup import cases
    from responses.models import Case

    _, late, _, _ = hand_example()
    from responses.models import Answer

    case_answers = list(Answer.objects.filter(score=2).order_by("pk")[:14])
    for answer in case_answers:
        Case.objects.get_or_create(
            answer=answer, defaults={"campaign": answer.campaign, "score": 2, "group": "detractor"}
        )
    assert cases(Filters(theme_id=late.pk)).count() == 12
    assert cases(Filters()).count() == 14


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "A theme is given by its number"),
        ("99999999", "There is no theme number 99999999"),
        ("1" * 30, "A theme is given by its number"),
        ("-1", "A theme is given by its number"),
    ],
)
def test_a_bad_theme_is_a_clear_form_error(client, value, message):
    make_answer(score=9)
    client.force_login(make_user(role=Role.VIEWER))
    for url in ("/", "/comments/"):
        response = client.get(url, {"theme": value})
        assert response.status_code == 400
        assert message in response.text
    assert client.get("/export.csv", {"theme": value}).status_code == 400


def test_hidden_and_merged_themes_are_refused(client):
    target = make_theme("Delivery")
    hidden, merged = make_theme("Old", hidden=True), make_theme("Shipping", merged_into=target)
    make_answer(score=9)
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"theme": hidden.pk})
    assert response.status_code == 400 and "is hidden" in response.text
    response = client.get("/", {"theme": merged.pk})
    assert response.status_code == 400
    assert "was merged into “Delivery”" in response.text


def test_a_saved_view_and_its_share_page_carry_the_theme(client):
    _, late, _, _ = hand_example()
    view = SavedView.objects.create(name="Late ones", query=f"period=90d&theme={late.pk}")
    link = ShareLink.objects.create(saved_view=view, token="t" * 43)
    page = client.get(f"/s/{link.token}/").text
    assert "Theme = Late delivery" in page
    assert 'data-testid="responses">12<' in page
    assert 'href="?theme=' not in page  # a shared view changes no filter
    # The theme hidden since: the view still opens, without it.
    Theme.objects.filter(pk=late.pk).update(hidden=True)
    page = client.get(f"/s/{link.token}/").text
    assert "Theme = Late delivery" not in page
    assert 'data-testid="responses">100<' in page


# ---- Tags on comments ----


def test_comments_show_their_themes_as_tags(client, django_assert_max_num_queries):
    _, late, friendly, price = hand_example()
    client.force_login(make_user(role=Role.VIEWER))
    page = client.get("/comments/", {"period": "all", "group": "detractor"}).text
    # The page's 25 newest of 30 detractors: 7 of the 12 about late delivery and the 3 about the price.
    assert page.count('class="theme-tags"') == 10
    assert ">Late delivery</" in page and ">Price</" in page
    dashboard = client.get("/", {"theme": late.pk}).text
    start = dashboard.index('id="comments-h"')
    recent = dashboard[start : dashboard.index("</section>", start)]
    assert recent.count('class="theme-tags"') == 8 and ">Late delivery</" in recent
    # One query for the tags of a whole page, whatever its size.
    with django_assert_max_num_queries(8):
        client.get("/comments/", {"period": "all"})


def test_the_trend_figure_has_a_category_axis_written_on_the_server():
    import json

    from dashboards.charts import theme_trend_figure

    trend = themes.ThemeTrend(
        grain="week",
        periods=[date(2026, 3, 2), date(2026, 3, 9)],
        comments=[40, 5],
        series=[themes.TrendSeries(1, "Queue", [25.0, 60.0], [10, 3], True)],
        current=None,
        last_complete=date(2026, 3, 9),
    )
    figure = json.loads(theme_trend_figure(trend))
    assert figure["layout"]["xaxis"]["type"] == "category"
    assert figure["layout"]["xaxis"]["categoryarray"] == ["2 Mar", "9 Mar"]
    (line,) = figure["data"]
    assert line["name"] == "Queue ▲ rising"
    assert line["y"] == [25.0, 60.0]
    assert line["marker"]["opacity"] == [1.0, 0.35]  # 5 comments: a rough sign
