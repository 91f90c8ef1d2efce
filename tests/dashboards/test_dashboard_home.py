from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboards import queries, rollups
from nps.accounts.roles import Role
from responses.services import record_score
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db


def test_empty_dashboard_says_what_to_do_next(client):
    client.force_login(make_user(role=Role.ADMIN))
    response = client.get("/")
    assert response.status_code == 200
    assert "No answers yet" in response.text
    assert "Set up a campaign" in response.text


def test_viewer_sees_headline_split_and_comments(client):
    campaign = make_campaign(name="Support NPS")
    for score in (10, 9, 9, 8, 3):
        make_answer(score=score, campaign=campaign, comment="Great help" if score == 10 else "")
    for _ in range(10):
        make_invitation(campaign=campaign, state="sent", sent_at=timezone.now())
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/")
    assert response.status_code == 200
    # 3 promoters, 1 passive, 1 detractor of 5: 60% − 20% = +40
    assert '<p class="big-number" data-testid="nps">+40</p>' in response.text
    assert "50.0% of 10 surveys delivered" in response.text
    assert "Great help" in response.text
    assert 'id="trend-fig"' in response.text


def test_filters_narrow_every_panel_to_a_campaign(client):
    kept, other = make_campaign(name="Kept"), make_campaign(name="Other")
    make_answer(score=10, campaign=kept)
    make_answer(score=0, campaign=other, comment="Hidden comment")
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "30d", "campaign": kept.pk})
    assert 'data-testid="nps">+100<' in response.text
    assert "Hidden comment" not in response.text


def test_custom_range_with_start_after_end_is_a_clear_400(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "custom", "start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.text


def test_weeks_are_cut_in_the_workspace_time_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    campaign = make_campaign()
    # Sunday 2026-03-01 20:00 UTC is Monday 01:30 in India: it belongs to the week of Monday 2 March there.
    make_answer(score=10, campaign=campaign, answered_at=datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC")))
    make_answer(score=0, campaign=campaign, answered_at=datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("UTC")))
    rollups.refresh()
    points = queries.trend(queries.Filters(), "week")
    assert [(day.isoformat(), s.promoters, s.detractors) for day, s in points] == [
        ("2026-02-23", 0, 1),
        ("2026-03-02", 1, 0),
    ]


def test_previous_period_has_the_same_length():
    today = date(2026, 3, 1)
    filters = queries.Filters(start=today - timedelta(days=29), end=today)
    previous = filters.previous()
    assert (previous.end - previous.start) == (filters.end - filters.start)
    assert previous.end == filters.start - timedelta(days=1)


def nps_on_page(client, **params) -> str:
    response = client.get("/", {"period": "all", **params})
    assert response.status_code == 200
    text = response.text
    start = text.index('data-testid="nps">') + len('data-testid="nps">')
    return text[start : text.index("<", start)]


@pytest.mark.parametrize(
    ("scores", "shown"),
    [
        ([10, 9, 10], "+100"),  # all promoters
        ([0, 6, 3], "−100"),  # all detractors
        ([7], "0"),  # one passive
        ([9], "+100"),  # one response
        ([10, 7, 7, 7, 7, 7, 7, 7], "+13"),  # +12.5 rounds away from zero
        ([0, 7, 7, 7, 7, 7, 7, 7], "−13"),  # −12.5
        ([9, 9, 0], "+33"),  # +33.3
    ],
)
def test_hand_checked_scores(client, scores, shown):
    campaign = make_campaign()
    for score in scores:
        make_answer(score=score, campaign=campaign)
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    assert nps_on_page(client) == shown


def test_no_answer_in_the_filters_is_no_nps_not_zero(client):
    make_answer(score=10, answered_at=timezone.now() - timedelta(days=200))
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "30d"})
    assert "No answers match these filters" in response.text
    assert 'data-testid="nps"' not in response.text
    assert queries.split(queries.Filters(start=timezone.now().date(), end=timezone.now().date())).nps is None


def test_a_changed_score_counts_once_with_the_latest_score(client):
    invitation = make_invitation(state="sent", sent_at=timezone.now())
    record_score(invitation, score=2)
    rollups.refresh()
    record_score(invitation, score=10)
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    assert nps_on_page(client) == "+100"
    assert queries.split(queries.Filters()).total == 1


def test_weeks_start_on_monday_in_the_workspace_time_zone_across_daylight_saving(settings):
    settings.TIME_ZONE = "America/New_York"
    campaign = make_campaign()
    tz = ZoneInfo("America/New_York")
    # Sunday 8 March 2026 23:30 (clocks went forward that morning) and Monday 9 March 00:30.
    make_answer(score=10, campaign=campaign, answered_at=datetime(2026, 3, 8, 23, 30, tzinfo=tz))
    make_answer(score=0, campaign=campaign, answered_at=datetime(2026, 3, 9, 0, 30, tzinfo=tz))
    rollups.refresh()
    weeks = [
        (day.isoformat(), s.promoters, s.detractors) for day, s in queries.trend(queries.Filters(), "week")
    ]
    assert weeks == [("2026-03-02", 1, 0), ("2026-03-09", 0, 1)]
    days = queries.trend(queries.Filters(start=date(2026, 3, 9), end=date(2026, 3, 9)), "day")
    assert [(day.isoformat(), s.total) for day, s in days] == [("2026-03-09", 1)]


def segment_fixture():
    """Pro customers love it (20 × 10), free ones do not (20 × 2); one campaign each way."""
    support, sales = make_campaign(name="Support"), make_campaign(name="Sales")
    pro = make_contact(properties={"plan": "pro", "region": "EU"})
    free = make_contact(properties={"plan": "free", "region": "US"})
    for _ in range(20):
        make_answer(score=10, campaign=support, contact=pro, comment="Pro praise")
        make_answer(score=2, campaign=sales, contact=free, comment="Free complaint")
    make_answer(score=8, campaign=sales, contact=pro, language="hi")
    rollups.refresh()
    return support, sales


def test_segments_table_is_sorted_by_impact_and_marks_significant_differences(client):
    segment_fixture()
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/", {"period": "all", "by": "plan"})
    assert response.status_code == 200
    segments = response.context["segments"]
    # Overall: 20 promoters, 1 passive, 20 detractors of 41 → NPS 0. Both pull it by 2000/41 points,
    # pro up and free down; the tie goes to the larger segment.
    assert [(s.value, s.split.total, round(s.split.nps)) for s in segments] == [
        ("pro", 21, 95),
        ("free", 20, -100),
    ]
    assert segments[0].impact == pytest.approx(2000 / 41)
    assert segments[1].impact == pytest.approx(-2000 / 41)
    assert all(s.differs for s in segments)
    assert "▼ Lower" in response.text and "▲ Higher" in response.text
    assert '<a href="?period=all&amp;by=plan&amp;segment=plan%3Afree">free</a>' in response.text


def test_a_small_segment_within_the_noise_is_not_marked(client):
    campaign = make_campaign()
    for score in (10, 0, 10, 0, 9, 3):
        make_answer(score=score, campaign=campaign, contact=make_contact(properties={"plan": "pro"}))
    for score in (10, 0, 8):
        make_answer(score=score, campaign=campaign, contact=make_contact(properties={"plan": "free"}))
    rollups.refresh()
    segments = queries.segments(queries.Filters(), "plan")
    assert [s.differs for s in segments] == [False, False]
    client.force_login(make_user(role=Role.VIEWER))
    assert "Within the noise" in client.get("/", {"period": "all", "by": "plan"}).text


@pytest.mark.parametrize("segment", ["plan:pro", "region:EU"])
def test_a_segment_filters_every_panel(client, segment):
    support, _ = segment_fixture()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "all", "segment": segment, "by": "campaign"})
    assert response.status_code == 200
    context = response.context
    assert "Every panel shows only" in response.text
    assert context["split"].total == 21  # headline and split
    assert sum(counts.total for _, counts in queries.trend(context["filters"], "week")) == 21
    assert '"y":[0,0,0,0,0,0,0,0,1,0,20]' in context["distribution_json"].replace(" ", "")
    assert {s.label: s.split.total for s in context["segments"]} == {"Support": 20, "Sales": 1}
    assert "Pro praise" in response.text and "Free complaint" not in response.text  # comments


def test_a_language_segment_with_a_property_split_reads_the_answers(client):
    segment_fixture()
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", {"period": "all", "segment": "language:hi", "by": "plan"})
    assert response.context["split"].total == 1
    assert [(s.value, s.split.total) for s in response.context["segments"]] == [("pro", 1)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"segment": "plan"}, "A segment looks like plan:pro"),
        ({"segment": "campaign:abc"}, "A campaign segment is campaign: and the campaign"),
        ({"by": "favourite_colour"}, "Select a valid choice."),
    ],
)
def test_a_bad_segment_is_a_clear_400(client, params, message):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/", params)
    assert response.status_code == 400
    assert message in response.text


def test_a_property_too_varied_to_be_a_segment_still_filters_every_panel(client):
    # 60 distinct accounts: too many values for the rollups to hold, so the answers are read directly.
    for n in range(60):
        make_answer(score=10 if n else 0, contact=make_contact(properties={"account": f"acct-{n}"}))
    rollups.refresh()
    client.force_login(make_user(role=Role.VIEWER))
    assert nps_on_page(client, segment="account:acct-0") == "−100"
    filters = queries.Filters(segment=("account", "acct-3"))
    assert queries.split(filters).total == 1
    assert [s.total for _, s in queries.trend(filters, "week")] == [1]


@pytest.mark.parametrize("path", ["/", "/comments/", "/export.csv"])
@pytest.mark.parametrize(("start", "end"), [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_a_date_at_the_edge_of_the_calendar_is_a_400_not_a_crash(client, path, start, end):
    make_answer(score=9, comment="Fine")
    client.force_login(make_user(role=Role.LEAD))
    response = client.get(path, {"period": "custom", "start": start, "end": end})
    assert response.status_code == 400
    assert "Dates run from 1970 to 2999." in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/", {"segment": "plan:pro"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_dashboard_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    support, _ = segment_fixture()
    client.force_login(make_user(role=Role.VIEWER))
    for params in (
        {},
        {"period": "all", "by": "plan"},
        {"period": "30d", "segment": "plan:pro", "campaign": support.pk},
    ):
        # 11 for the panels, 4 for the follow-up panel (dashboards/followup.py), 1 for the cases badge,
        # 3 or 4 for the themes (dashboards/themes.py: counts — two under a property segment, which the
        # theme rollup does not hold — and the themes; the recent comments' tags).
        with django_assert_max_num_queries(20):
            assert client.get("/", params).status_code == 200


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.VIEWER, "Customer", ["nameless@example.com", "+919876543210"]),
        (Role.LEAD, "nameless@example.com", []),
    ],
)
def test_recent_comments_show_a_nameless_contacts_address_to_leads_only(client, role, shown, hidden):
    contact = make_contact(name="", email="nameless@example.com", phone="+919876543210")
    make_answer(score=3, contact=contact, comment="Took a week to reply")
    rollups.refresh()
    client.force_login(make_user(role=role))
    page = client.get("/").text
    start = page.index('id="comments-h"')
    comments = page[start : page.index("</section>", start)]
    assert "Took a week to reply" in comments
    assert shown in comments
    for address in hidden:
        assert address not in page
