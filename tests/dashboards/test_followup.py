"""Measuring the loop: follow-up figures from case rows, on the dashboard, in the digest and the API."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from dashboards import rollups
from dashboards.digest import send_due_digests
from dashboards.filters import Filters
from dashboards.followup import loop_figures
from dashboards.metrics import Proportion, Split, group_of, proportion_interval
from dashboards.models import DigestSubscription
from nps.accounts.roles import Role
from nps.api import keys
from responses.cases import services as case_services
from responses.models import Case
from tests.api.conftest import ApiClient
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)  # the workspace time zone of the tests is UTC
LAST_30 = {"start": date(2026, 10, 26), "end": date(2026, 11, 24)}


@pytest.fixture(autouse=True)
def frozen_clock(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client):
    _key, raw = keys.create_api_key(name="Reporting", read_only=True)
    return ApiClient(client, raw)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def make_case(answer, **fields) -> Case:
    """A case as the services leave it: copied from its answer, opened when it was answered."""
    fields.setdefault("opened_at", answer.answered_at)
    return Case.objects.create(
        answer=answer,
        campaign=answer.campaign,
        contact=answer.contact,
        score=answer.score,
        group=group_of(answer.score),
        **fields,
    )


def loop_world():
    """Campaign A's detractors of the last 30 days, their cases and what they answered next (on another
    survey); a case of 60 days ago and one on campaign B around them."""
    a, b, later = (
        make_campaign(name="Support NPS"),
        make_campaign(name="Other"),
        make_campaign(name="Relationship"),
    )
    c1, c2, c3, c4, c5, c6 = (
        make_contact(properties={"plan": "pro" if n == 1 else "free"}) for n in range(1, 7)
    )

    def answer(contact, score, when, campaign=a, **fields):
        saved = make_answer(score=score, campaign=campaign, contact=contact, answered_at=when, **fields)
        if campaign is later:  # answering again: what the answer fan-out does (responses.cases.intake)
            case_services.note_answered_again(saved)
        return saved

    # c1: replied within 2 h, resolved after a day; answered 9 next (then 2: only the next one counts).
    make_case(
        answer(c1, 3, ago(10)),
        first_response_at=ago(10) + timedelta(hours=2),
        status="resolved",
        closed_at=ago(9),
    )
    answer(c1, 9, ago(3), later)
    answer(c1, 2, ago(1), later)
    # c2: replied within 4 h, still in progress and overdue; answered 8 next (a rise from 5).
    make_case(
        answer(c2, 5, ago(9)),
        first_response_at=ago(9) + timedelta(hours=4),
        status="in_progress",
        due_at=ago(8),
    )
    answer(c2, 8, ago(2), later)
    # c3 (by SMS): never answered, due tomorrow; answered 2 next (lower than 3).
    make_case(answer(c3, 3, ago(8), channel="sms"), status="new", due_at=ago(-1))
    answer(c3, 2, ago(2), later)
    # c4: answered 10 again after 2 days, but the first response came only after that: not followed up.
    make_case(answer(c4, 6, ago(7)), first_response_at=ago(1), status="wont_fix", closed_at=ago(1))
    answer(c4, 10, ago(5), later)
    # c5: a detractor no rule opened a case for.
    answer(c5, 2, ago(6))
    # c6: a promoter's case (a comment rule), replied within 6 h, resolved in 2 days.
    make_case(
        answer(c6, 9, ago(5)),
        first_response_at=ago(5) + timedelta(hours=6),
        status="resolved",
        closed_at=ago(3),
    )
    # Outside the period: c1's older case, still new and long overdue.
    make_case(answer(c1, 1, ago(60)), status="new", due_at=ago(50))
    # Campaign B: followed up, open, not due yet.
    make_case(
        answer(make_contact(), 1, ago(4), b), first_response_at=ago(4), status="in_progress", due_at=ago(-2)
    )
    rollups.refresh()
    return a, b


def test_loop_figures_from_case_rows():
    a, _ = loop_world()
    figures = loop_figures(Filters(campaign_ids=(a.pk,), **LAST_30))

    # c1…c5 answered 0–6 on campaign A in the period; c1, c2 and c4 got a first response.
    assert figures.detractors == 5
    assert figures.detractors_followed_up == Proportion(3, 5)
    assert figures.cases == 5
    # First responses after 2 h, 4 h, 6 h and 6 days: the median is between 4 h and 6 h.
    assert (figures.first_responses, figures.median_first_response) == (4, timedelta(hours=5))
    # Resolved after 1 and 2 days (the won't-fix case is left out).
    assert (figures.resolved, figures.median_resolution) == (2, timedelta(days=1, hours=12))
    # Now, whatever the period: c2's (overdue), c3's (due tomorrow) and c1's old one (overdue).
    assert (figures.open_cases, figures.overdue_cases) == (3, 2)
    # Next answers: followed up c1 → 9, c2 → 8; not followed up (before answering again) c3 → 2, c4 → 10.
    assert figures.nps_followed_up == Split(promoters=1, passives=1, detractors=0)
    assert figures.nps_not_followed_up == Split(promoters=1, passives=0, detractors=1)
    assert figures.resurveyed == 4
    assert figures.rose_followed_up == Proportion(2, 2)
    assert figures.rose_not_followed_up == Proportion(1, 2)
    assert figures.rose == Proportion(3, 4)
    assert not figures.outcome_differs  # four answers tell nothing yet

    everything = loop_figures(Filters(**LAST_30))
    # Campaign B's detractor joins (followed up); the next answers on "Relationship" are detractors too
    # (c1's 2, c3's 2).
    assert everything.detractors == 8
    assert everything.detractors_followed_up == Proportion(4, 8)
    assert (everything.open_cases, everything.overdue_cases) == (4, 2)
    assert everything.resurveyed == 4  # campaign B's customer never answered again

    sms = loop_figures(Filters(channels=("sms",), **LAST_30))
    assert (sms.detractors, sms.detractors_followed_up, sms.open_cases, sms.overdue_cases) == (
        1,
        Proportion(0, 1),
        1,
        0,
    )
    assert sms.nps_not_followed_up == Split(detractors=1) and sms.nps_followed_up.total == 0

    pro = loop_figures(Filters(segment=("plan", "pro"), **LAST_30))
    # c1: the 3 (followed up) and the later 2 in the period; the old case is open and overdue.
    assert (pro.detractors, pro.detractors_followed_up) == (2, Proportion(1, 2))
    assert (pro.open_cases, pro.overdue_cases) == (1, 1)
    assert pro.nps_followed_up == Split(promoters=1)


def test_no_case_at_all_is_none_not_zero():
    make_answer(score=3)
    rollups.refresh()
    figures = loop_figures(Filters())
    assert figures.detractors == 1 and figures.detractors_followed_up.percent == 0
    assert figures.median_first_response is None and figures.median_resolution is None
    assert (
        figures.nps_followed_up.nps is None and figures.rose.percent is None and figures.rose.margin is None
    )
    assert not figures.has_cases


def test_a_case_ahead_of_the_rollups_still_counts_as_a_detractor():
    make_case(make_answer(score=2), first_response_at=NOW)  # no rollups.refresh(): a minute old at most
    assert loop_figures(Filters()).detractors_followed_up == Proportion(1, 1)


def test_proportion_margin_is_the_adjusted_wald_interval():
    low, high = proportion_interval(3, 5)
    assert (round(low, 1), round(high, 1)) == (
        22.9,
        88.4,
    )  # Agresti–Coull by hand: p̃ = 4.92 / 8.84, ± 1.96 √(p̃(1 − p̃) / 8.84)
    assert Proportion(3, 5).margin == pytest.approx((high - low) / 2)
    assert proportion_interval(0, 4)[0] == 0 and proportion_interval(4, 4)[1] == 100
    assert proportion_interval(0, 0) is None and Proportion().percent is None
    with pytest.raises(ValueError):
        proportion_interval(6, 5)
    # The margin narrows as the sample grows.
    assert Proportion(50, 100).margin < Proportion(5, 10).margin


def many_followed_up_detractors(campaign, *, answered_again: bool):
    """13 detractors of 3 days ago: 10 followed up (replied within 3 h, resolved in a day), 3 not (overdue);
    answering again on another survey: 9 after a follow-up, 4 without."""
    relationship = make_campaign(name="Relationship")
    for n in range(13):
        contact = make_contact()
        followed = n < 10
        make_case(
            make_answer(score=n % 7, campaign=campaign, contact=contact, answered_at=ago(3)),
            first_response_at=ago(3) + timedelta(hours=3) if followed else None,
            status="resolved" if followed else "new",
            closed_at=ago(2) if followed else None,
            due_at=None if followed else ago(1),
        )
        if answered_again:
            again = make_answer(
                score=9 if followed else 4, campaign=relationship, contact=contact, answered_at=ago(1)
            )
            case_services.note_answered_again(again)
    rollups.refresh()


def test_dashboard_shows_the_figures_with_margins_and_not_enough_data_states(client):
    campaign = make_campaign(name="Support NPS")
    many_followed_up_detractors(campaign, answered_again=True)
    client.force_login(make_user(role=Role.VIEWER))

    response = client.get("/", {"period": "30d", "campaign": campaign.pk})
    assert response.status_code == 200
    text = response.text
    share = Proportion(10, 13)
    assert '<h2 id="followup-h">Follow-up</h2>' in text
    assert f'77%</p>\n      <p class="muted">± {share.margin:.0f} · 10 of 13 detractors' in text
    assert "3 h</p>" in text and "Median of 10 cases" in text  # first response
    assert "1 d</p>" in text and "Median of 10 resolved cases" in text
    assert 'overdue-count">3</p>' in text
    assert f'href="/cases/?view=overdue&amp;campaign={campaign.pk}">See overdue cases' in text
    # Followed up: ten promoters next (+100); not followed up: three answers, too few to read.
    assert f"NPS +100 ± {Split(promoters=10).margin:.0f} over 10 answers" in text
    assert "not enough data yet</span>: 3 answers (NPS −100 ±" in text
    # Next scores rose for all ten followed up and for one of the three others (a 4 after a 3).
    assert f"85% ± {Proportion(11, 13).margin:.0f} of 13 re-surveyed customers (11)" in text
    assert "followed up 100%, not followed up 33%" in text
    assert 'id="followup-fig"' in text
    assert "What do these figures mean?" in text


def test_dashboard_says_not_enough_data_yet_for_a_few_detractors(client):
    campaign = make_campaign()
    make_case(make_answer(score=2, campaign=campaign, answered_at=ago(2)), first_response_at=ago(1))
    make_answer(score=4, campaign=campaign, answered_at=ago(2))
    rollups.refresh()
    client.force_login(make_user(role=Role.LEAD))
    text = client.get("/", {"period": "30d"}).text
    assert "Not enough data yet</p>" in text
    assert f"1 of 2 detractors (50% ± {Proportion(1, 2).margin:.0f})" in text
    assert "nobody answered again yet" in text
    assert 'id="followup-fig"' not in text  # no chart without enough answers


def test_api_returns_the_follow_up_figures(api):
    a, _ = loop_world()
    response = api.get(
        "/api/v1/metrics/follow-up", {"since": "2026-10-26", "until": "2026-11-24", "campaign": a.pk}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["detractors"] == 5
    assert body["detractors_followed_up"] == {
        "count": 3,
        "of": 5,
        "percent": 60.0,
        "margin": pytest.approx(Proportion(3, 5).margin),
    }
    assert (body["median_first_response_seconds"], body["first_responses"]) == (5 * 3600, 4)
    assert (body["median_resolution_seconds"], body["resolved"]) == (36 * 3600, 2)
    assert (body["open_cases"], body["overdue_cases"], body["cases"]) == (3, 2, 5)
    followed = body["next_answer_followed_up"]
    assert (followed["nps"], followed["response_count"], followed["promoter_count"]) == (50.0, 2, 1)
    assert followed["rose"]["count"] == 2 and followed["enough_data"] is False
    assert body["next_answer_not_followed_up"]["nps"] == 0.0
    assert (body["resurveyed"], body["rose"]["count"], body["rose"]["percent"]) == (4, 3, 75.0)

    response = api.get("/api/v1/metrics/follow-up", {"since": "2026-05-02", "until": "2026-05-01"})
    assert (response.status_code, response.json()["detail"]) == (422, "`since` must be on or before `until`.")
    assert api.get("/api/v1/metrics/follow-up", {"segment": "campaign:x"}).status_code == 422
    assert api.get("/api/v1/metrics/follow-up", {"campaign": "99999999999999999999"}).status_code == 422
    assert api.client.get("/api/v1/metrics/follow-up").status_code == 401
    assert "/api/v1/metrics/follow-up" in api.get("/api/v1/openapi.json").json()["paths"]


def test_weekly_digest_has_a_follow_up_section(client):
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    campaign = make_campaign(name="Support NPS")
    many_followed_up_detractors(campaign, answered_again=False)
    DigestSubscription.objects.create(user=lead, weekday=1, hour=9, next_send_at=NOW)

    assert send_due_digests(NOW) == 1
    message = mail.outbox[0]
    text, html = message.body, message.alternatives[0][0]
    share = Proportion(10, 13)
    assert f"Detractors followed up: 77% (± {share.margin:.0f}), 10 of 13" in text
    assert "Median first response: 3 h (10 cases); resolution: 1 d (10 resolved)" in text
    assert "Open now: 3, overdue: 3" in text
    assert "Next answer" not in text  # nobody answered again
    assert "Follow-up</td>" in html and f"77% ± {share.margin:.0f} (10 of 13)" in html


def test_digest_leaves_follow_up_out_where_nobody_uses_cases():
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    make_answer(score=3, answered_at=ago(2))
    rollups.refresh()
    DigestSubscription.objects.create(user=lead, weekday=1, hour=9, next_send_at=NOW)
    assert send_due_digests(NOW) == 1
    assert "Follow-up" not in mail.outbox[0].body


SQLITE_SCRIPT = """
from datetime import timedelta
from django.utils import timezone
from dashboards.filters import Filters
from dashboards.followup import loop_figures
from responses.cases.services import note_answered_again
from responses.models import Case
from tests.factories import make_answer, make_contact
now = timezone.now()
for hours, next_score in ((2, 9), (4, 10), (9, None)):
    contact = make_contact()
    answer = make_answer(score=3, contact=contact, answered_at=now - timedelta(days=3))
    Case.objects.create(answer=answer, campaign=answer.campaign, contact=contact, score=3, group="detractor",
                        opened_at=answer.answered_at, first_response_at=answer.answered_at + timedelta(hours=hours))
    if next_score is not None:
        note_answered_again(make_answer(score=next_score, contact=contact, answered_at=now - timedelta(days=1)))
f = loop_figures(Filters())
print("FIGURES", f.detractors_followed_up.hits, f.median_first_response, f.nps_followed_up.nps, f.rose.hits)
"""


def test_figures_on_the_demos_sqlite(tmp_path):
    from tests.test_demo import demo_env, manage

    env = demo_env(tmp_path)
    assert manage(env, "migrate", "--no-input").returncode == 0
    result = manage(env, "shell", "-c", SQLITE_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "FIGURES 3 4:00:00 100.0 2" in result.stdout
