"""Queueing, scheduling, throttling, suppression, reminders and exactly-once sending (tasks run eagerly)."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from surveys import contacts, delivery
from surveys.models import Audience, Campaign, Invitation, Suppression
from tests.factories import make_answer, make_campaign, make_contact

pytestmark = pytest.mark.django_db

# A Wednesday, inside the default 9:00–18:00 window in UTC.
WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def running_campaign(**fields):
    fields.setdefault("status", Campaign.Status.RUNNING)
    return make_campaign(**fields)


def audience(campaign, *contacts):
    for contact in contacts:
        Audience.objects.create(campaign=campaign, contact=contact)
    return contacts


def states(campaign):
    return sorted(campaign.invitations.values_list("state", flat=True))


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_launch_sends_one_email_per_member_and_records_it():
    campaign = running_campaign()
    first, second = audience(campaign, make_contact(), make_contact(email="Mixed.Case@Example.com"))

    assert delivery.queue_campaign(campaign) == 2
    delivery.dispatch_due()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert states(campaign) == ["sent", "sent"]
    first.refresh_from_db()
    assert first.last_surveyed_at == WEDNESDAY_NOON
    invitation = campaign.invitations.get(contact=first)
    assert invitation.sent_at == WEDNESDAY_NOON
    assert invitation.provider_message_id != ""
    assert invitation.attempts == 1


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_queueing_twice_creates_nothing_new():
    campaign = running_campaign()
    audience(campaign, make_contact(), make_contact())

    assert delivery.queue_campaign(campaign) == 2
    assert delivery.queue_campaign(campaign) == 0
    assert campaign.invitations.count() == 2


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_contact_surveyed_by_another_campaign_is_throttled():
    recent = make_contact(last_surveyed_at=WEDNESDAY_NOON - timedelta(days=30))
    long_ago = make_contact(last_surveyed_at=WEDNESDAY_NOON - timedelta(days=91))
    campaign = running_campaign(throttle_days=90)
    audience(campaign, recent, long_ago)

    assert delivery.queue_campaign(campaign) == 1
    assert list(campaign.invitations.values_list("contact", flat=True)) == [long_ago.pk]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_two_campaigns_launched_together_survey_a_contact_once():
    contact = make_contact()
    first, second = running_campaign(name="Support"), running_campaign(name="Product")
    audience(first, contact)
    audience(second, contact)
    delivery.queue_campaign(first)
    delivery.queue_campaign(second)

    delivery.dispatch_due()

    assert len(mail.outbox) == 1
    throttled = Invitation.objects.get(state="suppressed")
    assert throttled.error.startswith("Throttled")


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_suppressed_address_is_never_queued_or_sent():
    campaign = running_campaign()
    listed = make_contact(email="Gone@Example.com")
    later = make_contact()
    audience(campaign, listed, later)
    Suppression.objects.create(address="gone@example.com", reason="unsubscribed")

    assert delivery.queue_campaign(campaign) == 1
    # Suppressed after queueing, before sending: the send re-checks.
    contacts.suppress(later.email.upper(), reason="bounced")
    delivery.dispatch_due()

    assert mail.outbox == []
    assert states(campaign) == ["suppressed"]


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        # Friday 20:00 UTC is Saturday 01:30 in Kolkata: weekdays only, so Monday 9:00 there.
        ("Asia/Kolkata", datetime(2026, 11, 30, 3, 30, tzinfo=UTC)),
        # Friday 15:00 in New York is inside the window: now.
        ("America/New_York", datetime(2026, 11, 27, 20, 0, tzinfo=UTC)),
        # Friday 21:00 in Berlin is after 18:00: Monday 9:00 there.
        ("Europe/Berlin", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        # An unknown zone falls back to the workspace's (UTC): after 18:00, so Monday 9:00 UTC.
        ("Mars/Olympus", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_send_window_is_in_the_contacts_time_zone(time_zone, expected):
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    campaign = running_campaign()
    contact = make_contact(time_zone=time_zone)
    audience(campaign, contact)

    with time_machine.travel(friday_evening, tick=False):
        delivery.queue_campaign(campaign)
        delivery.dispatch_due()

    invitation = campaign.invitations.get()
    assert invitation.scheduled_for == expected
    assert len(mail.outbox) == (1 if expected == friday_evening else 0)


def test_window_that_allows_weekends_and_a_custom_time():
    saturday_7am = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    campaign = running_campaign(weekdays_only=False, window_start=time(8), window_end=time(12))
    audience(campaign, make_contact(time_zone="UTC"))

    delivery.queue_campaign(campaign, now=saturday_7am)

    assert campaign.invitations.get().scheduled_for == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_invitation_waits_for_its_window_then_sends():
    campaign = running_campaign()
    audience(campaign, make_contact(time_zone="Asia/Tokyo"))
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=UTC), tick=False):  # 19:00 in Tokyo
        delivery.queue_campaign(campaign)
        delivery.dispatch_due()
        assert mail.outbox == []
    with time_machine.travel(datetime(2026, 11, 26, 0, 0, tzinfo=UTC), tick=False):  # 9:00 in Tokyo
        delivery.dispatch_due()
    assert len(mail.outbox) == 1


def test_schedule_at_waits_until_send_at():
    send_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    campaign = make_campaign(status=Campaign.Status.SCHEDULED, schedule=Campaign.Schedule.AT, send_at=send_at)
    audience(campaign, make_contact(time_zone="UTC"))

    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.queue_campaign(campaign)
        delivery.dispatch_due()
    assert campaign.invitations.get().scheduled_for == send_at
    assert mail.outbox == []

    with time_machine.travel(send_at + timedelta(minutes=1), tick=False):
        delivery.dispatch_due()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING
    assert len(mail.outbox) == 1


def test_recurring_campaign_surveys_each_member_again_every_n_days():
    campaign = running_campaign(schedule=Campaign.Schedule.RECURRING, recur_days=100, throttle_days=90)
    contact = make_contact(time_zone="UTC")
    audience(campaign, contact)

    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.dispatch_due()
        delivery.dispatch_due()
    with time_machine.travel(WEDNESDAY_NOON + timedelta(days=50), tick=False):
        delivery.dispatch_due()
    assert len(mail.outbox) == 1

    # 100 days later is a Saturday: the next round waits for Monday's window.
    with time_machine.travel(WEDNESDAY_NOON + timedelta(days=100, hours=1), tick=False):
        delivery.dispatch_due()
    with time_machine.travel(WEDNESDAY_NOON + timedelta(days=102), tick=False):
        delivery.dispatch_due()

    rounds = list(campaign.invitations.order_by("round").values_list("round", "state"))
    assert rounds == [(1, "sent"), (2, "sent")]
    assert len(mail.outbox) == 2


def test_recurring_round_is_throttled_by_another_campaign():
    campaign = running_campaign(schedule=Campaign.Schedule.RECURRING, recur_days=30, throttle_days=90)
    contact = make_contact(last_surveyed_at=WEDNESDAY_NOON - timedelta(days=10))
    audience(campaign, contact)

    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.dispatch_due()

    assert not campaign.invitations.exists()
    member = campaign.audience.get()
    assert member.next_due_at == contact.last_surveyed_at + timedelta(days=90)


def test_paused_campaign_sends_nothing_until_resumed():
    campaign = running_campaign()
    audience(campaign, make_contact(), make_contact())
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.queue_campaign(campaign)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
        delivery.dispatch_due()
        # Tasks already in the broker when the campaign was paused send nothing either.
        Invitation.objects.update(enqueued_at=WEDNESDAY_NOON)
        for invitation in campaign.invitations.all():
            delivery.send_invitation(invitation.pk)
    assert mail.outbox == []
    assert states(campaign) == ["queued", "queued"]

    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    with time_machine.travel(WEDNESDAY_NOON + timedelta(minutes=1), tick=False):
        delivery.dispatch_due()
    assert len(mail.outbox) == 2


def test_a_batch_claims_sends_and_marks_each_row_once_and_a_second_run_sends_nothing(
    django_assert_max_num_queries,
):
    campaign = running_campaign()
    contacts_ = audience(campaign, *(make_contact() for _ in range(5)))
    (suppressed,) = audience(campaign, make_contact(email="Gone@Example.com"))
    paused = running_campaign(status=Campaign.Status.PAUSED)
    audience(paused, make_contact())
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.queue_campaign(campaign)
        delivery.queue_campaign(paused)
        # Unsubscribed after queueing: the batch's one suppression query sees it.
        contacts.suppress("gone@example.com", reason=Suppression.Reason.UNSUBSCRIBED)
        ids = list(Invitation.objects.order_by("pk").values_list("pk", flat=True))
        sendable = list(campaign.invitations.filter(contact__in=contacts_).values_list("pk", flat=True))

        # Claim, load, suppression check, and here the unclaimed rows' states and forgetting the paused
        # one's hand-over: five round trips for the batch, then one commit per message (sent, suppressed).
        with django_assert_max_num_queries(5 + len(sendable) + 1):
            result = delivery.send_invitations(ids)
        assert delivery.send_invitations(ids) == result

    assert len(mail.outbox) == len(sendable) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in contacts_)
    assert {result[pk] for pk in sendable} == {"sent"}
    rows = Invitation.objects.filter(pk__in=sendable)
    assert set(rows.values_list("state", "attempts", "sent_at")) == {("sent", 1, WEDNESDAY_NOON)}
    assert set(campaign.invitations.filter(contact=suppressed).values_list("state", flat=True)) == {
        "suppressed"
    }
    assert states(paused) == ["queued"]


def test_a_batch_hands_back_what_it_could_not_send_in_time(monkeypatch):
    campaign = running_campaign()
    audience(campaign, make_contact(), make_contact(), make_contact())
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.queue_campaign(campaign)
        ids = list(campaign.invitations.order_by("pk").values_list("pk", flat=True))
        Invitation.objects.update(enqueued_at=WEDNESDAY_NOON)
        # A provider so slow that the budget is spent after the first message (a batch always sends one).
        monkeypatch.setattr(delivery, "SEND_BATCH_BUDGET_S", -1)

        result = delivery.send_invitations(ids)

    assert [result[pk] for pk in ids] == ["sent", "queued", "queued"]
    assert len(mail.outbox) == 1
    # Handed back as if never claimed: queued, no attempt counted, and the dispatcher takes them again.
    rows = campaign.invitations.order_by("pk").values_list("state", "attempts", "enqueued_at")
    assert list(rows) == [("sent", 1, WEDNESDAY_NOON), ("queued", 0, None), ("queued", 0, None)]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_running_send_twice_sends_once():
    campaign = running_campaign()
    audience(campaign, make_contact())
    delivery.queue_campaign(campaign)
    invitation = campaign.invitations.get()

    assert delivery.send_invitation(invitation.pk) == "sent"
    assert delivery.send_invitation(invitation.pk) == "sent"
    delivery.dispatch_due()

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.attempts == 1


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_lost_task_is_handed_over_again_after_the_lease():
    campaign = running_campaign()
    audience(campaign, make_contact())
    delivery.queue_campaign(campaign)
    # The broker lost the task: the row says it was handed over, nothing ran.
    Invitation.objects.update(enqueued_at=WEDNESDAY_NOON)

    delivery.dispatch_due()
    assert mail.outbox == []

    delivery.dispatch_due(now=WEDNESDAY_NOON + delivery.LEASE + timedelta(seconds=1))
    assert len(mail.outbox) == 1


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_one_dispatcher_run_hands_over_everything_due_in_statements_of_dispatch_batch(monkeypatch):
    monkeypatch.setattr(delivery, "DISPATCH_BATCH", 2)
    campaign = running_campaign()
    audience(campaign, *[make_contact() for _ in range(7)])
    delivery.queue_campaign(campaign)

    # Not one statement's worth a minute: a big campaign leaves as fast as the workers take it.
    assert delivery.dispatch_due()["enqueued"] == 7
    assert len(mail.outbox) == 7
    assert states(campaign) == ["sent"] * 7


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_the_dispatcher_tops_the_broker_up_to_its_limit_and_no_further(monkeypatch):
    monkeypatch.setattr(delivery, "MAX_WAITING_IN_BROKER", 5)
    monkeypatch.setattr(delivery, "DISPATCH_BATCH", 2)
    campaign = running_campaign()
    audience(campaign, *[make_contact() for _ in range(9)])
    delivery.queue_campaign(campaign)
    # Three rows were handed over a minute ago and are still waiting in the broker.
    waiting = list(Invitation.objects.order_by("pk").values_list("pk", flat=True)[:3])
    Invitation.objects.filter(pk__in=waiting).update(enqueued_at=WEDNESDAY_NOON - timedelta(minutes=1))

    assert delivery.dispatch_due()["enqueued"] == 2  # room for 5 − 3
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(state="queued", enqueued_at__isnull=True).count() == 4


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_row_left_sending_by_a_dead_worker_is_sent_after_the_lease():
    campaign = running_campaign()
    audience(campaign, make_contact())
    delivery.queue_campaign(campaign)
    Invitation.objects.update(state="sending", state_changed_at=WEDNESDAY_NOON, attempts=1)

    delivery.dispatch_due()
    assert mail.outbox == []

    with time_machine.travel(WEDNESDAY_NOON + delivery.LEASE + timedelta(seconds=1), tick=False):
        delivery.dispatch_due()
    assert len(mail.outbox) == 1
    assert states(campaign) == ["sent"]


def test_provider_errors_are_retried_with_backoff_then_fail(settings):
    # A real ESP client against a closed local port: every attempt fails to connect.
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "POSTMARK_SERVER_TOKEN": "token",
        "POSTMARK_API_URL": "http://127.0.0.1:9/",
    }
    campaign = running_campaign()
    audience(campaign, make_contact())
    moment = WEDNESDAY_NOON
    with time_machine.travel(moment, tick=False):
        delivery.queue_campaign(campaign)
        delivery.dispatch_due()
    invitation = campaign.invitations.get()
    assert invitation.state == "queued"
    assert invitation.scheduled_for == moment + delivery.BACKOFF[0]
    assert "AnymailRequestsAPIError" in invitation.error

    for _ in range(delivery.MAX_ATTEMPTS):
        moment += timedelta(hours=3)
        with time_machine.travel(moment, tick=False):
            delivery.dispatch_due()
    invitation.refresh_from_db()
    assert invitation.state == "failed"
    assert invitation.attempts == delivery.MAX_ATTEMPTS


def test_campaign_without_email_channel_sends_no_email():
    campaign = running_campaign(channels=["web"])
    audience(campaign, make_contact())
    assert delivery.queue_campaign(campaign, now=WEDNESDAY_NOON) == 0


def test_contact_language_picks_texts_and_email_language():
    campaign = running_campaign(translations={"fr": {"question": "Recommanderiez-vous {brand} ?"}})
    contact = make_contact(language="fr-CA")
    audience(campaign, contact)
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        delivery.queue_campaign(campaign)
        Campaign.objects.filter(pk=campaign.pk).update(question="Changed after launch {brand}?")
        delivery.dispatch_due()

    invitation = campaign.invitations.get()
    assert invitation.language == "fr"
    assert invitation.texts["question"] == "Recommanderiez-vous Acme ?"
    assert "Recommanderiez-vous Acme ?" in mail.outbox[0].body


class TestReminders:
    def launch(self, *contacts, **fields):
        campaign = running_campaign(reminder_days=3, **fields)
        audience(campaign, *contacts)
        with time_machine.travel(WEDNESDAY_NOON, tick=False):
            delivery.queue_campaign(campaign)
            delivery.dispatch_due()
        mail.outbox.clear()
        return campaign

    def test_one_reminder_to_those_who_did_not_answer(self):
        silent, answered = make_contact(), make_contact()
        campaign = self.launch(silent, answered)
        make_answer(invitation=campaign.invitations.get(contact=answered), score=9)

        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=2), tick=False):
            delivery.dispatch_due()
        assert mail.outbox == []

        for days in (3, 5, 6, 10):  # day 3 is a Saturday: the reminder waits for Monday's window
            with time_machine.travel(WEDNESDAY_NOON + timedelta(days=days, minutes=1), tick=False):
                delivery.dispatch_due()

        assert [m.to[0] for m in mail.outbox] == [silent.email]
        assert mail.outbox[0].subject.startswith("Reminder:")
        assert mail.outbox[0].extra_headers["Message-ID"].startswith("<opennps-")
        assert "reminder" in mail.outbox[0].extra_headers["Message-ID"]
        assert campaign.invitations.get(contact=silent).reminder_sent_at is not None

    # Day 5 is a Monday, inside the send window: a reminder would go out but for the rule under test.
    def test_no_reminder_after_unsubscribing(self):
        contact = make_contact()
        campaign = self.launch(contact)
        contacts.suppress(contact.email, reason="unsubscribed")
        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=5), tick=False):
            delivery.dispatch_due()
        assert mail.outbox == []
        assert campaign.invitations.get().reminder_sent_at is None

    def test_no_reminder_while_paused(self):
        campaign = self.launch(make_contact())
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=5), tick=False):
            delivery.dispatch_due()
        assert mail.outbox == []

    def test_reminder_task_queued_before_a_pause_sends_nothing(self):
        campaign = self.launch(make_contact())
        invitation = campaign.invitations.get()
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=5), tick=False):
            assert delivery.send_reminder(invitation.pk) is False
        assert mail.outbox == []
        invitation.refresh_from_db()
        assert invitation.reminder_sent_at is None
        assert invitation.enqueued_at is None  # handed over again once the campaign resumes

    def test_reminder_task_queued_before_the_answer_came_sends_nothing(self):
        campaign = self.launch(make_contact())
        invitation = campaign.invitations.get()
        make_answer(invitation=invitation, score=9)
        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=5), tick=False):
            assert delivery.send_reminder(invitation.pk) is False
        assert mail.outbox == []
        invitation.refresh_from_db()
        assert invitation.reminder_sent_at is None

    def test_running_the_reminder_task_twice_sends_one(self):
        campaign = self.launch(make_contact())
        invitation = campaign.invitations.get()
        with time_machine.travel(WEDNESDAY_NOON + timedelta(days=5), tick=False):  # a Monday
            assert delivery.send_reminder(invitation.pk) is True
            assert delivery.send_reminder(invitation.pk) is False
        assert len(mail.outbox) == 1

    def test_reminder_waits_for_the_send_window_in_the_contacts_time_zone(self):
        contact = make_contact(time_zone="Asia/Tokyo")
        with time_machine.travel(datetime(2026, 11, 25, 1, 0, tzinfo=UTC), tick=False):  # Wed 10:00 in Tokyo
            campaign = running_campaign(reminder_days=3)
            audience(campaign, contact)
            delivery.queue_campaign(campaign)
            delivery.dispatch_due()
        assert len(mail.outbox) == 1
        mail.outbox.clear()

        saturday_in_tokyo = datetime(2026, 11, 28, 1, 1, tzinfo=UTC)
        sunday_night_in_tokyo = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)  # Sunday 23:00 in Tokyo
        for moment in (saturday_in_tokyo, saturday_in_tokyo + timedelta(minutes=20), sunday_night_in_tokyo):
            with time_machine.travel(moment, tick=False):
                delivery.dispatch_due()
        assert mail.outbox == []
        assert campaign.invitations.get().reminder_sent_at is None

        with time_machine.travel(datetime(2026, 11, 30, 0, 1, tzinfo=UTC), tick=False):  # Mon 9:01 in Tokyo
            delivery.dispatch_due()
        assert [m.subject[:9] for m in mail.outbox] == ["Reminder:"]
