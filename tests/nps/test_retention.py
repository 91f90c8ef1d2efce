"""Retention: the nightly task erases, anonymises and deletes what the RETENTION_* settings call too old."""

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from nps import retention
from nps.audit.models import AuditEntry
from nps.celery import app
from nps.webhooks.models import WebhookDelivery, WebhookEndpoint
from responses.models import Answer
from surveys.models import Contact, Invitation
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 2, 53, tzinfo=UTC)
LONG_AGO = datetime(2024, 3, 1, 12, tzinfo=UTC)  # 27 months before NOW
LAST_YEAR = datetime(2025, 5, 1, 12, tzinfo=UTC)  # 13 months before NOW
RECENTLY = datetime(2026, 4, 1, 12, tzinfo=UTC)  # 2 months before NOW


@pytest.fixture
def at(time_machine):
    """at(moment): the clock stands at that moment until the next call."""

    def travel(moment):
        time_machine.move_to(moment, tick=False)

    return travel


def surveyed(contact, *, when, at, score=9, comment="", notes=""):
    """The contact is sent a survey and answers it at `when`."""
    at(when)
    invitation = make_invitation(contact=contact, state=Invitation.State.SENT, sent_at=when)
    return make_answer(score=score, invitation=invitation, comment=comment, notes=notes, answered_at=when)


def test_everything_is_kept_by_default(at):
    at(LONG_AGO)
    contact = make_contact()
    answer = surveyed(contact, when=LONG_AGO, at=at, notes="Called")
    at(NOW)
    assert retention.apply_retention() == {
        "contacts_erased": 0,
        "answers": 0,
        "webhook_deliveries": 0,
        "invitation_errors": 0,
    }
    assert Contact.objects.filter(pk=contact.pk).exists()
    answer.refresh_from_db()
    assert (answer.contact_id, answer.notes) == (contact.pk, "Called")
    assert not AuditEntry.objects.exists()


def test_contacts_without_activity_are_erased_and_their_answers_stay_anonymised(at, settings, caplog):
    settings.RETENTION_CONTACT_MONTHS = 12
    at(LONG_AGO)
    gone = make_contact(email="gone@example.com")
    created_long_ago_but_surveyed = make_contact(email="surveyed@example.com")
    changed_recently = make_contact(email="changed@example.com")
    old_answer = surveyed(gone, when=LAST_YEAR, at=at, comment="Great")
    surveyed(created_long_ago_but_surveyed, when=RECENTLY, at=at)
    at(RECENTLY)
    changed_recently.name = "New name"
    changed_recently.save()
    at(NOW)

    with caplog.at_level(logging.INFO, logger="nps.retention"):
        counts = retention.apply_retention()

    assert counts["contacts_erased"] == 1
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "surveyed@example.com",
        "changed@example.com",
    }
    old_answer.refresh_from_db()
    assert (old_answer.contact_id, old_answer.invitation_id, old_answer.comment) == (None, None, "Great")
    assert "Retention applied: contacts_erased=1, answers=0" in caplog.text
    run = AuditEntry.objects.get(action="retention.run")
    assert run.actor_label == "System"
    assert run.changes["contacts_erased"] == 1 and run.changes["policy"]["contact_months"] == 12
    assert AuditEntry.objects.filter(action="contact.erase", object_id=str(gone.pk)).exists()
    # Twice is the same as once.
    assert retention.apply_retention()["contacts_erased"] == 0


def test_contact_retention_counts_from_the_last_activity_not_the_creation(at, settings):
    settings.RETENTION_CONTACT_MONTHS = 12
    at(LONG_AGO)
    contact = make_contact()
    at(datetime(2025, 7, 1, tzinfo=UTC))  # 11.5 months before NOW: still active enough
    make_invitation(contact=contact, campaign=make_campaign())
    answered_in_an_imported_history = make_contact()
    at(RECENTLY)
    make_answer(contact=answered_in_an_imported_history, answered_at=RECENTLY)  # no invitation
    at(NOW)
    assert retention.apply_retention()["contacts_erased"] == 0
    at(datetime(2026, 7, 2, tzinfo=UTC))
    assert retention.apply_retention()["contacts_erased"] == 1
    assert list(Contact.objects.all()) == [answered_in_an_imported_history]


def test_with_delete_an_erased_contacts_answers_go_too(at, settings):
    settings.RETENTION_CONTACT_MONTHS = 12
    settings.RETENTION_CONTACT_ACTION = "delete"
    at(LONG_AGO)
    contact = make_contact()
    surveyed(contact, when=LONG_AGO, at=at)
    kept = make_answer(score=3)  # someone else's
    at(NOW)
    counts = retention.apply_retention()
    assert (counts["contacts_erased"], counts["answers"]) == (1, 1)
    assert list(Answer.objects.values_list("pk", flat=True)) == [kept.pk]


def test_old_answers_are_anonymised(at, settings):
    settings.RETENTION_ANSWER_MONTHS = 12
    at(LONG_AGO)
    contact = make_contact()
    old = surveyed(contact, when=LAST_YEAR, at=at, score=4, comment="Slow", notes="Called back")
    recent = surveyed(contact, when=RECENTLY, at=at, notes="Fine")
    at(NOW)

    assert retention.apply_retention()["answers"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_id, old.invitation_id, old.notes, old.score, old.comment) == (
        None,
        None,
        "",
        4,
        "Slow",
    )
    assert (recent.contact_id, recent.notes) == (contact.pk, "Fine")
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert retention.apply_retention()["answers"] == 0


def test_old_answers_are_deleted_when_asked(at, settings):
    settings.RETENTION_ANSWER_MONTHS = 12
    settings.RETENTION_ANSWER_ACTION = "delete"
    contact = make_contact()
    surveyed(contact, when=LAST_YEAR, at=at)
    recent = surveyed(contact, when=RECENTLY, at=at)
    at(NOW)
    assert retention.apply_retention()["answers"] == 1
    assert list(Answer.objects.values_list("pk", flat=True)) == [recent.pk]


def test_months_are_calendar_months():
    assert retention.months_ago(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert retention.months_ago(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)
    assert retention.months_ago(datetime(2028, 3, 30, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)


def test_finished_deliveries_and_old_error_texts_go_after_the_days_set(at, settings):
    settings.RETENTION_DELIVERY_LOG_DAYS = 30
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/x", events=["unsubscribe.created"]
    )
    at(datetime(2026, 5, 1, tzinfo=UTC))  # 45 days before NOW
    old_done = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="x", payload={"a": 1}, state="succeeded"
    )
    old_failed = WebhookDelivery.objects.create(endpoint=endpoint, event_type="x", payload={}, state="failed")
    still_pending = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="x", payload={}, state="pending"
    )
    old_error = make_invitation(state=Invitation.State.FAILED, error="550 asha@example.com: no such user")
    at(datetime(2026, 6, 1, tzinfo=UTC))
    recent_done = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="x", payload={}, state="succeeded"
    )
    recent_error = make_invitation(state=Invitation.State.FAILED, error="Mailbox full")
    at(NOW)

    counts = retention.apply_retention()

    assert (counts["webhook_deliveries"], counts["invitation_errors"]) == (2, 1)
    remaining = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert remaining == {still_pending.pk, recent_done.pk}
    assert old_done.pk not in remaining and old_failed.pk not in remaining
    old_error.refresh_from_db()
    recent_error.refresh_from_db()
    assert (old_error.error, recent_error.error) == ("", "Mailbox full")


def test_the_task_runs_every_night_under_its_name():
    entry = app.conf.beat_schedule["apply-retention"]
    assert entry["task"] == "nps.tasks.apply_retention"
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]]() == {
        "contacts_erased": 0,
        "answers": 0,
        "webhook_deliveries": 0,
        "invitation_errors": 0,
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RETENTION_ANSWER_ACTION", "shred", "RETENTION_ANSWER_ACTION must be anonymise or delete"),
        ("RETENTION_CONTACT_MONTHS", "-1", "RETENTION_CONTACT_MONTHS must be 0 (keep forever)"),
    ],
)
def test_a_bad_retention_setting_stops_start_up_naming_it(name, value, message):
    env = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "nps.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
