from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboards import queries
from nps.roles import Role
from tests.factories import make_answer, make_campaign, make_invitation, make_user

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
    points = queries.trend(queries.Filters(), "week")
    assert [(day.isoformat(), s.promoters, s.detractors) for day, s in points] == [
        ("2026-02-23", 0, 1),
        ("2026-03-02", 1, 0),
    ]


def test_previous_period_has_the_same_length():
    filters = queries.Filters(start=timezone.now().date() - timedelta(days=29), end=timezone.now().date())
    previous = filters.previous()
    assert (previous.end - previous.start) == (filters.end - filters.start)
    assert previous.end == filters.start - timedelta(days=1)


def test_a_changed_score_counts_once(client):
    invitation = make_invitation()
    answer = make_answer(score=2, invitation=invitation)
    answer.score = 10
    answer.save()
    assert queries.split(queries.Filters()).total == 1
    assert queries.split(queries.Filters()).nps == 100
