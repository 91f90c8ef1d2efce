from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from dashboards import rollups
from dashboards.digest import next_digest_time, send_due_digests
from dashboards.models import DigestSubscription
from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture(autouse=True)
def workspace_in_india(settings):
    settings.TIME_ZONE = "Asia/Kolkata"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in the workspace time zone (23 November 2026 is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


def _answers():
    campaign = make_campaign(name="Support NPS")
    contact = make_contact(name="Asha Rao", email="asha@example.com")
    # Last week (16–22 Nov): 3 promoters, 1 passive, 1 detractor → +40. The week before: 1 detractor → −100.
    for score, comment in (
        (10, "Brilliant help"),
        (9, ""),
        (9, "Quick"),
        (7, "Fine I guess"),
        (2, "Never again"),
    ):
        make_answer(score=score, campaign=campaign, contact=contact, comment=comment, answered_at=at(18, 12))
    make_answer(score=0, campaign=campaign, comment="Old complaint", answered_at=at(10, 12))
    rollups.refresh()


def test_digest_is_sent_once_at_the_chosen_hour(client):
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    with time_machine.travel(at(22, 12), tick=False):
        _answers()
        client.force_login(lead)
        response = client.post(
            "/account/digest/", {"enabled": "on", "weekday": "0", "hour": "9"}, follow=True
        )
        assert "Weekly digest on. The next one arrives on Monday 23 November at 09:00." in response.text
    assert DigestSubscription.objects.get(user=lead).next_send_at == at(23, 9)

    with time_machine.travel(at(23, 8, 58), tick=False):
        assert send_due_digests() == 0
    assert mail.outbox == []

    with time_machine.travel(at(23, 9, 3), tick=False):
        assert send_due_digests() == 1
        assert send_due_digests() == 0  # the next dispatcher run finds nothing due
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.com"]
    assert message.subject == "Your weekly NPS: +40 (+140 vs the week before)"
    text = message.body
    assert "NPS: +40" in text and "5 responses" in text
    # 5 answers against 1: a swing of 140 points is still within the noise of such small samples.
    assert "Change: +140.0 vs the week before (−100), within the noise" in text
    assert "Promoters:  3 (60%)" in text and "Detractors: 1 (20%)" in text
    assert '"Brilliant help"' in text and '"Never again"' in text and '"Fine I guess"' in text
    assert "Old complaint" not in text
    html = message.alternatives[0][0]
    assert "Brilliant help" in html and "+40" in html
    assert "Asha Rao" not in text + html and "asha@example.com" not in text + html
    subscription = DigestSubscription.objects.get(user=lead)
    assert subscription.next_send_at == at(30, 9)
    assert subscription.last_sent_at is not None


def test_opted_out_and_never_subscribed_users_get_nothing(client):
    make_user(role=Role.VIEWER)  # never opted in
    leaver = make_user(role=Role.VIEWER)
    with time_machine.travel(at(22, 12), tick=False):
        _answers()
        client.force_login(leaver)
        client.post("/account/digest/", {"enabled": "on", "weekday": "0", "hour": "9"})
        response = client.post("/account/digest/", {"weekday": "0", "hour": "9"}, follow=True)
        assert "Weekly digest off." in response.text
    assert not DigestSubscription.objects.exists()
    with time_machine.travel(at(23, 10), tick=False):
        assert send_due_digests() == 0
    assert mail.outbox == []


def test_inactive_user_gets_nothing_but_the_schedule_moves_on():
    user = make_user(role=Role.VIEWER, is_active=False)
    DigestSubscription.objects.create(user=user, weekday=0, hour=9, next_send_at=at(23, 9))
    with time_machine.travel(at(23, 9, 5), tick=False):
        assert send_due_digests() == 0
    assert mail.outbox == []
    assert DigestSubscription.objects.get().next_send_at == at(30, 9)


def test_missed_weeks_send_one_digest_not_a_backlog():
    user = make_user(role=Role.VIEWER)
    DigestSubscription.objects.create(user=user, weekday=0, hour=9, next_send_at=at(2, 9))
    with time_machine.travel(at(23, 11), tick=False):
        assert send_due_digests() == 1
        assert send_due_digests() == 0
    assert DigestSubscription.objects.get().next_send_at == at(30, 9)


def test_a_week_without_answers_says_so():
    user = make_user(role=Role.VIEWER)
    DigestSubscription.objects.create(user=user, weekday=0, hour=9, next_send_at=at(23, 9))
    with time_machine.travel(at(23, 9, 1), tick=False):
        send_due_digests()
    assert mail.outbox[0].subject == "Your weekly NPS: no answers last week"
    assert "No customer answered last week." in mail.outbox[0].body


def test_next_time_is_in_the_workspace_time_zone():
    # Monday 23 Nov 03:00 UTC is 08:30 in India: 09:00 the same day is next.
    assert next_digest_time(0, 9, after=datetime(2026, 11, 23, 3, 0, tzinfo=ZoneInfo("UTC"))) == at(23, 9)
    # Exactly at the hour: the next week.
    assert next_digest_time(0, 9, after=at(23, 9)) == at(30, 9)
    assert next_digest_time(4, 18, after=at(23, 9)) == at(27, 18)


def test_bad_day_or_hour_is_refused_and_nothing_written(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.post("/account/digest/", {"enabled": "on", "weekday": "7", "hour": "24"})
    assert response.status_code == 400
    assert "Select a valid choice. 7 is not one of the available choices." in response.text
    assert not DigestSubscription.objects.exists()


def test_account_page_links_to_the_digest(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/account/")
    assert 'href="/account/digest/"' in response.text
