"""make chaos: a 1,000-contact email campaign through a real Celery worker (prefork, 2 processes) while the
worker is SIGKILLed 20 times, Redis is restarted 5 times and PostgreSQL 3 times; then the figures.

    python -m tests.chaos [--contacts N] [--kills N] [--redis-restarts N] [--postgres-restarts N]

It restarts the machine's PostgreSQL cluster (pg_ctlcluster … restart) and Redis server (shutdown nosave,
then started as .ci/services starts it): never run it beside other work on those servers. With
`--kills-only` it leaves both servers alone. Its own database (CHAOS_DATABASE_URL, dropped and created
afresh) and Redis db (CHAOS_REDIS_URL); mail goes to a temporary .eml outbox (tests/chaos/outbox.py).
Beat's part is played by this process: it runs the dispatcher every second, as beat does every minute.

Figures, as `name: value unit` lines (exit status 1 unless the first three are 0):
- sends_duplicated: messages handed to the provider again after it had accepted them;
- sends_missed: invitations whose message the provider never got;
- rows_stuck: invitations not `sent` when the run ends;
- drain_s: from the launch until every invitation is `sent`.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opennps_chaos"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# The same command as .ci/services.
REDIS_SERVER = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                "--save", "", "--appendonly", "no"]  # fmt: skip
# After the last disturbance, the run waits this long at most for every row to be sent.
DRAIN_LIMIT_S = 300


def say(text: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def wait_for(check, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.1)


def postgres_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def redis_up() -> bool:
    out = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() == "PONG"


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )  # fmt: skip
    wait_for(postgres_up, "PostgreSQL")


def restart_redis() -> None:
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True, check=False
    )
    wait_for(lambda: not redis_up(), "Redis to stop")
    subprocess.run(REDIS_SERVER, check=True, stdout=subprocess.DEVNULL)
    wait_for(redis_up, "Redis")


class Worker:
    """One `celery worker` (its own session, so that a kill takes the pool with it), restarted like a
    container with a restart policy."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs = env, logs
        self.process = None
        self.log_path = None
        self.starts = 0
        self.exits = 0  # exits nobody asked for (a crash)

    def start(self) -> None:
        self.starts += 1
        self.log_path = self.logs / f"worker-{self.starts}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "nps", "worker", "--pool=prefork", "--concurrency=2",
                 "--loglevel=INFO", f"--hostname=chaos{self.starts}@%h"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def ready(self) -> bool:
        return self.process.poll() is None and b" ready." in self.log_path.read_bytes()

    def crashed(self) -> bool:
        if self.process.poll() is None:
            return False
        self.exits += 1
        say(f"worker exited by itself (status {self.process.returncode}); see {self.log_path}")
        return True

    def kill(self, rng: random.Random) -> str:
        """SIGKILL the whole worker (as `docker kill`), or one pool process (as the OOM killer might)."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        if children and rng.random() < 0.3:
            os.kill(int(rng.choice(children)), signal.SIGKILL)
            return "one pool process"
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.start()
        return "the whole worker"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def prepare(database_url: str, redis_url: str, contacts: int) -> list[int]:
    import psycopg
    import redis
    from django.core.management import call_command
    from psycopg import sql

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    call_command("migrate", interactive=False, verbosity=0)
    redis.Redis.from_url(redis_url).flushdb()

    from datetime import time as daytime

    from surveys import delivery
    from surveys.models import Audience, Brand, Campaign, Contact

    brand = Brand.objects.create(
        name="Chaos", company_name="Chaos Co", sender_name="Chaos", sender_email="nps@chaos.example"
    )
    campaign = Campaign.objects.create(
        name="Chaos", brand=brand, channels=["email"], status=Campaign.Status.DRAFT,
        weekdays_only=False, window_start=daytime(0), window_end=daytime(0),
    )  # fmt: skip
    people = Contact.objects.bulk_create(
        Contact(email=f"chaos-{n}@example.com", name=f"Customer {n}") for n in range(contacts)
    )
    Audience.objects.bulk_create(Audience(campaign=campaign, contact=person) for person in people)
    if delivery.queue_campaign(campaign) != contacts:
        raise RuntimeError("queueing did not create one invitation per contact")
    return [campaign.pk]


def dispatch() -> None:
    """What beat's entry does: one dispatcher run. A run that meets a restart is simply the next one's job."""
    from django.db import connection

    from surveys import delivery

    try:
        delivery.dispatch_due()
    except Exception as error:
        say(f"dispatcher run failed: {type(error).__name__}: {str(error)[:120]}")
        connection.close()


def count_sent() -> int | None:
    from django.db import connection

    from surveys.models import Invitation

    try:
        return Invitation.objects.filter(state=Invitation.State.SENT).count()
    except Exception:
        connection.close()
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--redis-restarts", type=int, default=5)
    parser.add_argument("--postgres-restarts", type=int, default=3)
    parser.add_argument("--kills-only", action="store_true", help="leave PostgreSQL and Redis alone")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if args.kills_only:
        args.redis_restarts = args.postgres_restarts = 0

    database_url = os.environ.get("CHAOS_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("CHAOS_REDIS_URL", DEFAULT_REDIS_URL)
    work = Path(tempfile.mkdtemp(prefix="opennps-chaos-"))
    outbox = work / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.chaos.settings",
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "false",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "NPS_CELERY_EAGER": "0",
        "MAIL_OUTBOX_DIR": str(outbox),
        "MEDIA_ROOT": str(work / "media"),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from surveys.channels.email.message import message_id
    from surveys.models import Campaign, Invitation

    say(f"preparing {args.contacts} invitations in {database_url} (work files in {work})")
    (campaign_pk,) = prepare(database_url, redis_url, args.contacts)
    rng = random.Random(args.seed)
    events = ["kill"] * args.kills + ["redis"] * args.redis_restarts + ["postgres"] * args.postgres_restarts
    rng.shuffle(events)
    done = {"kill": 0, "redis": 0, "postgres": 0}

    worker = Worker(env, work)
    worker.start()
    wait_for(worker.ready, "the first worker", limit=120)
    Campaign.objects.filter(pk=campaign_pk).update(status=Campaign.Status.RUNNING)
    launched = time.monotonic()
    next_dispatch = next_event = launched
    next_event += rng.uniform(0.5, 2.0)
    drained_at = None
    last_event_at = launched
    try:
        while True:
            now = time.monotonic()
            if worker.crashed():
                worker.start()  # what the restart policy does
            if now >= next_dispatch:
                dispatch()
                next_dispatch = now + 1
            if events and now >= next_event and worker.ready():
                event = events.pop()
                if event == "kill":
                    say(f"SIGKILL {worker.kill(rng)}")
                elif event == "redis":
                    say("restarting Redis")
                    restart_redis()
                else:
                    say("restarting PostgreSQL")
                    restart_postgres()
                done[event] += 1
                last_event_at = time.monotonic()
                next_event = last_event_at + rng.uniform(0.5, 2.5)
            if count_sent() == args.contacts:
                drained_at = drained_at or time.monotonic()
                if not events:
                    break
            if not events and now - last_event_at > DRAIN_LIMIT_S:
                say("gave up waiting for the last rows")
                break
            time.sleep(0.2)
    finally:
        worker.stop()

    invitations = list(
        Invitation.objects.filter(campaign_id=campaign_pk).select_related("campaign__brand").order_by("pk")
    )
    from surveys.channels.email.backends import _file_name

    delivered = {path.name for path in outbox.glob("*.eml")}
    duplicates_log = outbox / "duplicates.log"
    duplicated = len(duplicates_log.read_text().splitlines()) if duplicates_log.exists() else 0
    missed = sum(1 for i in invitations if _file_name(message_id(i)) not in delivered)
    stuck = sum(1 for i in invitations if i.state != Invitation.State.SENT)
    lines = [
        ("sends_duplicated", duplicated, "messages"),
        ("sends_missed", missed, "messages"),
        ("rows_stuck", stuck, "rows"),
        ("drain_s", round(drained_at - launched, 1) if drained_at else "not drained", "s"),
        ("worker_kills", done["kill"], "SIGKILL"),
        ("redis_restarts", done["redis"], "restarts"),
        ("postgres_restarts", done["postgres"], "restarts"),
        ("worker_crashes", worker.exits, "exits (restarted)"),
        ("claims_repeated", sum(i.attempts - 1 for i in invitations if i.attempts > 1), "claims"),
        ("lease_s", settings.DELIVERY_LEASE_SECONDS, "s"),
    ]
    for name, value, unit in lines:
        print(f"{name}: {value} {unit}", flush=True)
    return 0 if duplicated == missed == stuck == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
