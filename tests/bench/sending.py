"""send_rps: 20,000 email invitations dispatched and sent by a real Celery worker (prefork, 2 processes)
through Redis and PostgreSQL with anymail's test backend, beside send_floor_rps: the same messages built
and handed to the same backend in one plain loop, without the state machine, in the same run.

The worker is started and ready before the clock runs; the clock stops when the last row is `sent`.
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import time as daytime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNT = int(os.environ.get("BENCH_SEND_COUNT", 20_000))
REDIS_URL = os.environ.get("BENCH_SEND_REDIS_URL", "redis://127.0.0.1:6379/12")
LIMIT_S = 600


def _seed():
    from surveys import delivery
    from surveys.models import Audience, Brand, Campaign, Contact

    brand = Brand.objects.create(
        name="Bench send", company_name="Bench Co", sender_name="Bench", sender_email="nps@bench.example"
    )
    campaign = Campaign.objects.create(
        name="Bench send", brand=brand, channels=["email"], status=Campaign.Status.DRAFT,
        weekdays_only=False, window_start=daytime(0), window_end=daytime(0),
    )  # fmt: skip
    contacts = Contact.objects.bulk_create(
        (Contact(email=f"send{n}@example.com", name=f"Customer {n}") for n in range(COUNT)), batch_size=5000
    )
    Audience.objects.bulk_create((Audience(campaign=campaign, contact=c) for c in contacts), batch_size=5000)
    if delivery.queue_campaign(campaign) != COUNT:
        raise RuntimeError("queueing did not create one invitation per contact")
    return campaign


def _start_worker(log_path: Path) -> subprocess.Popen:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "DATABASE_POOL": "false",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "NPS_CELERY_EAGER": "0",
    }
    env.pop("NPS_TEST_EMAIL_BACKEND", None)  # anymail's test backend
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "nps", "worker", "--pool=prefork", "--concurrency=2",
             "--loglevel=INFO", "--hostname=bench-send@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _wait(check, what, limit=LIMIT_S, poll=0.1):
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(poll)


def _worker_rps(campaign) -> float:
    import redis

    from nps.celery import app
    from surveys import delivery
    from surveys.models import Campaign, Invitation

    log_path = Path(tempfile.mkdtemp(prefix="opennps-bench-send-")) / "worker.log"
    redis.Redis.from_url(REDIS_URL).flushdb()
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, REDIS_URL
    worker = _start_worker(log_path)
    try:
        _wait(lambda: b" ready." in log_path.read_bytes() or worker.poll() is not None, "the worker", 120)
        if worker.poll() is not None:
            raise RuntimeError(f"the worker did not start: {log_path.read_text()[-2000:]}")
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
        sent = Invitation.objects.filter(campaign=campaign, state=Invitation.State.SENT)
        started = time.perf_counter()
        # What beat's dispatcher runs do, back to back instead of once a minute.
        while delivery.enqueue_due():
            pass
        _wait(lambda: sent.count() == COUNT, "every invitation sent", poll=0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        app.conf.task_always_eager, app.conf.broker_url = saved
    if Invitation.objects.filter(campaign=campaign, attempts__gt=1).exists():
        raise RuntimeError("an invitation was claimed twice")
    return COUNT / elapsed


def _floor_rps(campaign) -> float:
    from django.core import mail

    from surveys.channels.email.message import build_message
    from surveys.models import Invitation

    started = time.perf_counter()
    for invitation in (
        Invitation.objects.filter(campaign=campaign)
        .select_related("campaign__brand", "contact")
        .iterator(chunk_size=2000)
    ):
        build_message(invitation).send()
    elapsed = time.perf_counter() - started
    if len(mail.outbox) < COUNT:
        raise RuntimeError("the floor loop did not hand every message to the backend")
    mail.outbox = []
    return COUNT / elapsed


def run():
    from django.conf import settings
    from django.db import connection

    if settings.EMAIL_BACKEND != "anymail.backends.test.EmailBackend":
        raise RuntimeError("send_rps expects anymail's test backend (tests.settings)")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE surveys_contact, surveys_brand CASCADE")
    from django.core import mail

    mail.outbox = []
    campaign = _seed()
    send_rps = _worker_rps(campaign)
    floor_rps = _floor_rps(campaign)
    return [
        ("send_rps", round(send_rps, 1), "emails/s"),
        ("send_floor_rps", round(floor_rps, 1), "emails/s"),
        ("send_ratio", round(send_rps / floor_rps, 3), "(target ≥ 0.5)"),
    ]
