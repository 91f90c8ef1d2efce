"""Celery tasks of comment themes: each loads rows by id and calls a plain function; safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# A run whose worker sent no sign of life for this long is dead (killed, or its machine restarted): the
# next request may start another, and a redelivered task picks it up again.
STALE = timedelta(minutes=10)
# The progress bar moves at most this often (each move is one UPDATE).
PROGRESS_EVERY = timedelta(seconds=1)


def fail_stale_runs() -> int:
    """Runs queued or running without a heartbeat for STALE: failed, so that a new one may start."""
    from responses.models import ThemeRun

    limit = timezone.now() - STALE
    return ThemeRun.objects.filter(
        state__in=[ThemeRun.State.QUEUED, ThemeRun.State.RUNNING], heartbeat_at__lt=limit
    ).update(
        state=ThemeRun.State.FAILED,
        finished_at=timezone.now(),
        error="The worker stopped before the learn finished. Start it again.",
    )


def run_learn(run_id: int) -> None:
    """Learn with this run (queued, or running but stale: its worker died and Celery redelivered)."""
    from responses.models import ThemeRun

    from .learn import learn

    now = timezone.now()
    claimed = (
        ThemeRun.objects.filter(pk=run_id)
        .filter(state=ThemeRun.State.QUEUED)
        .update(state=ThemeRun.State.RUNNING, started_at=now, heartbeat_at=now, progress=0)
    )
    if not claimed:
        claimed = ThemeRun.objects.filter(
            pk=run_id, state=ThemeRun.State.RUNNING, heartbeat_at__lt=now - STALE
        ).update(heartbeat_at=now, progress=0)
    if not claimed:
        return  # done, failed, or another worker is on it
    last = [now]

    def progress(fraction: float, step: str) -> None:
        moment = timezone.now()
        if fraction < 1 and moment - last[0] < PROGRESS_EVERY:
            return
        last[0] = moment
        ThemeRun.objects.filter(pk=run_id).update(
            progress=min(100, max(0, int(fraction * 100))), step=step[:200], heartbeat_at=moment
        )

    run = ThemeRun.objects.get(pk=run_id)
    try:
        learn(run, progress)
    except Exception as error:
        log.exception("learning themes failed (run %s)", run_id)
        ThemeRun.objects.filter(pk=run_id).update(
            state=ThemeRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        return
    ThemeRun.objects.filter(pk=run_id).update(
        state=ThemeRun.State.DONE, progress=100, step="Done", finished_at=timezone.now()
    )
    _train_suggestions()


def _train_suggestions() -> None:
    from .suggest import train_all

    train_all()


def queue_learn(by=None):
    """A queued run, or None when one is already queued or running (the database allows one)."""
    from responses.models import ThemeRun

    fail_stale_runs()
    try:
        with transaction.atomic():
            run = ThemeRun.objects.create(requested_by=by, heartbeat_at=timezone.now())
    except IntegrityError:
        return None
    transaction.on_commit(lambda: learn_themes.delay(run.pk))
    return run


def learn_now(by=None):
    """Learn at once in this process (the demo's seed, tests): a run, done or failed."""
    from responses.models import ThemeRun

    fail_stale_runs()
    run = ThemeRun.objects.create(requested_by=by, heartbeat_at=timezone.now())
    run_learn(run.pk)
    run.refresh_from_db()
    return run


@shared_task(name="responses.themes.tasks.learn_themes", ignore_result=True, acks_late=True)
def learn_themes(run_id):
    run_learn(int(run_id))


@shared_task(name="responses.themes.tasks.relearn_nightly", ignore_result=True)
def relearn_nightly():
    """Every night: a full learn, unless one is under way."""
    from responses.models import Answer

    if not Answer.objects.exclude(comment="").exists():
        return
    queue_learn()


@shared_task(name="responses.themes.tasks.assign_new_comments", ignore_result=True)
def assign_new_comments():
    """Every minute: new and changed comments get their themes."""
    from .assign import assign_new

    assign_new()


@shared_task(name="responses.themes.tasks.train_suggestions", ignore_result=True)
def train_suggestions(theme_id):
    from responses.models import Theme

    from .suggest import train

    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is not None:
        train(theme)
