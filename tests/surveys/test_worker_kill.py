"""Exactly once against real failures: a real Celery worker SIGKILLed mid-batch, and Redis losing its queue.

The worker is a subprocess on the test database and this test's Redis db, writing mail with the demo's
.eml backend. To stop it at a known point (never by timing), the first test has the backend hold on after
it accepted one message (tests/surveys/holding_backend.py), which is exactly the window a crash can hit
("the provider has it, our commit did not happen"); the second holds a row lock on one contact, so the
worker blocks on the statement that marks that invitation sent.
"""

import os
import signal
import subprocess
import sys
import time as clock
from datetime import time, timedelta
from email import message_from_bytes
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from nps.celery import app as celery_app
from surveys import delivery
from surveys.models import Audience, Campaign, Contact, Invitation
from tests.factories import make_brand, make_campaign

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
COUNT = 300
# Only a safety net so a broken build fails instead of hanging; no assertion depends on speed.
DEADLINE_S = 180


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def outbox(settings, tmp_path):
    # This process uses the same backend as the worker, so the sweep can ask it what was delivered.
    settings.EMAIL_BACKEND = "surveys.channels.email.backends.EmlFileBackend"
    settings.MAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.MAIL_OUTBOX_DIR.mkdir()
    return settings.MAIL_OUTBOX_DIR


@pytest.fixture
def broker():
    """Tasks go to the real Redis broker (this test's db), not run in process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def workers(outbox, tmp_path):
    """Start real Celery worker processes; every one still alive is killed at the end."""
    started = []
    env = {
        "NPS_HOLD_AFTER_ACCEPTING": "",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL": "false",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "NPS_CELERY_EAGER": "0",
        "NPS_TEST_EMAIL_BACKEND": "tests.surveys.holding_backend.HoldingEmlBackend",
        "MAIL_OUTBOX_DIR": str(outbox),
    }

    def start(name, *, hold_after_accepting=""):
        env["NPS_HOLD_AFTER_ACCEPTING"] = hold_after_accepting
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  closed when the test ends
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "nps", "worker", "--pool=solo", "--concurrency=1",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
             f"--hostname={name}@%h"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()


def logs(tmp_path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(tmp_path.glob("*.log")))


def wait_until(condition, what, tmp_path):
    deadline = clock.monotonic() + DEADLINE_S
    while not condition():
        if clock.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}. Worker logs:\n{logs(tmp_path)}")
        clock.sleep(0.05)


def launch_campaign() -> list[Invitation]:
    # No send window: everything is due now.
    campaign = make_campaign(
        brand=make_brand(),
        status=Campaign.Status.RUNNING,
        weekdays_only=False,
        window_start=time(0),
        window_end=time(0),
    )
    contacts = Contact.objects.bulk_create(
        Contact(email=f"kill-{n}@example.com", name=f"Customer {n}") for n in range(COUNT)
    )
    Audience.objects.bulk_create(Audience(campaign=campaign, contact=contact) for contact in contacts)
    assert delivery.queue_campaign(campaign) == COUNT
    return list(campaign.invitations.order_by("pk"))


def lock_contact(contact_id) -> psycopg.Connection:
    """Hold a row lock on one contact from another connection: the worker blocks when it marks it sent."""
    lock = psycopg.connect(database_url())
    lock.execute("SELECT id FROM surveys_contact WHERE id = %s FOR UPDATE", [contact_id])
    return lock


def worker_is_blocked() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0] > 0


def other_sessions() -> int:
    """Database sessions busy or in a transaction, other than this one (idle pooled connections don't count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


def eml_files(outbox) -> list[Path]:
    return sorted(outbox.glob("*.eml"))


def after_the_lease():
    return timezone.now() + delivery.LEASE + timedelta(seconds=1)


def assert_each_sent_exactly_once(invitations, outbox, *, claimed_again=()):
    files = eml_files(outbox)
    assert len(files) == COUNT
    keys = sorted(message_from_bytes(f.read_bytes())["Message-ID"] for f in files)
    assert keys == sorted(f"<opennps-{i.pk}@acme.example>" for i in invitations)
    rows = Invitation.objects.filter(pk__in=[i.pk for i in invitations])
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    # Every send follows a claim, and each row was claimed once, except the rows a dead worker had claimed
    # and never handed to the provider (the sweep found no message): claimed a second time, sent once.
    attempts = dict(rows.values_list("pk", "attempts"))
    assert {pk for pk, n in attempts.items() if n != 1} == set(claimed_again)
    assert {attempts[pk] for pk in claimed_again} <= {2}
    assert not Contact.objects.filter(email__startswith="kill-", last_surveyed_at__isnull=True).exists()


def test_worker_killed_mid_batch_sends_every_message_exactly_once(broker, workers, outbox, tmp_path):
    invitations = launch_campaign()
    victim = invitations[COUNT // 2]
    victim_file = outbox / f"opennps-{victim.pk}_acme.example.eml"  # EmlFileBackend's name for its Message-ID
    assert delivery.dispatch_due()["enqueued"] == COUNT
    first = workers("first", hold_after_accepting=f"<opennps-{victim.pk}@acme.example>")
    wait_until(victim_file.exists, "the provider to accept the victim's message", tmp_path)

    sent_before_kill = len(eml_files(outbox))
    assert 0 < sent_before_kill < COUNT
    # The victim's message is out, but its "sent" commit is not done: the worst moment to die. The rest of
    # its batch is claimed and not sent.
    assert Invitation.objects.get(pk=victim.pk).state == "sending"
    first.send_signal(signal.SIGKILL)
    first.wait()
    wait_until(lambda: other_sessions() == 0, "the dead worker's database session to end", tmp_path)
    stuck = set(Invitation.objects.filter(state="sending").values_list("pk", flat=True))
    assert victim.pk in stuck
    assert len(stuck) <= delivery.SEND_BATCH

    # What beat does every minute, once the lease has run out: the dead worker's row is recognised as
    # delivered (the backend has its Message-ID), the unsent rows of its batch are queued again, and the
    # tasks it took with it are handed over again.
    counts = delivery.dispatch_due(now=after_the_lease())
    assert counts["recovered"] == len(stuck)
    assert Invitation.objects.get(pk=victim.pk).state == "sent"

    workers("second")
    wait_until(lambda: Invitation.objects.filter(state="sent").count() == COUNT, "every row sent", tmp_path)
    assert_each_sent_exactly_once(invitations, outbox, claimed_again=stuck - {victim.pk})


def test_tasks_lost_with_redis_are_delivered_by_the_sweep(broker, workers, outbox, tmp_path):
    invitations = launch_campaign()
    lock = lock_contact(invitations[COUNT // 3].contact_id)
    try:
        assert delivery.dispatch_due()["enqueued"] == COUNT
        workers("only")
        wait_until(worker_is_blocked, "the worker to block on the locked contact", tmp_path)
        broker.flushdb()  # Redis restarted without persistence: every queued task is gone
    finally:
        lock.close()

    wait_until(
        lambda: Invitation.objects.filter(state="sending").count() == 0, "the in-flight send", tmp_path
    )
    stranded = Invitation.objects.filter(state="queued").count()
    assert 0 < stranded < COUNT
    # Within the lease the rows are trusted to their tasks; after it, the dispatcher hands them over again.
    assert delivery.dispatch_due()["enqueued"] == 0
    assert delivery.dispatch_due(now=after_the_lease())["enqueued"] == stranded

    wait_until(lambda: Invitation.objects.filter(state="sent").count() == COUNT, "every row sent", tmp_path)
    assert_each_sent_exactly_once(invitations, outbox)
