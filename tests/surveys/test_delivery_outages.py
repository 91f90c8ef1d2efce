"""Sending through a PostgreSQL outage: the connection is dropped (pg_terminate_backend) and the database
refuses new connections for a moment (ALLOW_CONNECTIONS false), as in a restart, but only for this test's
database, so other work on the same server is not disturbed.
"""

import threading
import time as clock
from datetime import time

import psycopg
import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError, connection, transaction
from psycopg import sql

from surveys import delivery
from surveys.models import Audience, Campaign, Invitation
from tests.factories import make_campaign, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

# What the provider boundary does right after it accepted a message (set by a test).
after_provider_accepts = []


class ProviderThenOutageBackend(LocmemBackend):
    """The provider accepts the message (mail.outbox), then the database goes away."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        while after_provider_accepts:
            after_provider_accepts.pop()()
        return sent


def admin_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def outage():
    """drop(refuse_for=s): end this process's database session and refuse new ones for `s` seconds."""
    name = connection.settings_dict["NAME"]
    admin = admin_connection()
    timers = []

    def allow(value: bool):
        with admin_connection() as other:
            other.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(name), sql.SQL("true" if value else "false")
                )
            )

    def drop(*, refuse_for: float = 0):
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        if refuse_for:
            allow(False)
            timer = threading.Timer(refuse_for, allow, [True])
            timer.start()
            timers.append(timer)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            clock.sleep(0.01)

    yield drop
    for timer in timers:
        timer.join()
    allow(True)
    admin.close()


def queued_invitation() -> Invitation:
    campaign = make_campaign(
        status=Campaign.Status.RUNNING, weekdays_only=False, window_start=time(0), window_end=time(0)
    )
    Audience.objects.create(campaign=campaign, contact=make_contact())
    assert delivery.queue_campaign(campaign) == 1
    return campaign.invitations.get()


def test_database_restart_after_the_provider_accepted_still_records_sent(settings, outage):
    settings.EMAIL_BACKEND = f"{__name__}.ProviderThenOutageBackend"
    invitation = queued_invitation()
    after_provider_accepts.append(lambda: outage(refuse_for=1.0))

    assert delivery.send_invitation(invitation.pk) == "sent"

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    # Recorded by the same worker on a fresh connection, not left in "sending" for the sweep to guess.
    assert invitation.state == "sent"
    assert invitation.attempts == 1
    assert invitation.provider_message_id == f"<opennps-{invitation.pk}@acme.example>"
    assert invitation.contact.__class__.objects.get(pk=invitation.contact_id).last_surveyed_at is not None


def test_database_restart_before_the_send_does_not_leave_the_row_for_the_lease(outage):
    invitation = queued_invitation()
    Invitation.objects.filter(pk=invitation.pk).update(enqueued_at=invitation.scheduled_for)
    # The task arrives while PostgreSQL restarts: its first query fails on the dropped connection and
    # new connections are refused for a moment.
    outage(refuse_for=1.0)

    assert delivery.send_invitation(invitation.pk) == "sent"

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.state == "sent"
    assert invitation.attempts == 1


def test_a_send_inside_a_transaction_does_not_reconnect_behind_its_back(outage):
    # A caller's transaction cannot be continued on a new connection: the error reaches the caller.
    invitation = queued_invitation()
    with pytest.raises(OperationalError), transaction.atomic():
        outage()
        delivery.send_invitation(invitation.pk)
    assert mail.outbox == []
    connection.close()
