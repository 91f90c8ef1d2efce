"""Celery tasks of follow-up cases: each loads rows by id and calls a plain function; safe to run twice."""

import importlib.util
import logging
import time
from datetime import datetime, timedelta

from celery import shared_task
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)

# The sweep's watermark: the last answer it considered, by (updated_at, pk). Lost (Redis flushed): it looks
# back SWEEP_FALLBACK instead. Each run looks back SWEEP_OVERLAP more, for answers whose transaction was
# still open when the last run read (their updated_at was set before their commit).
SWEEP_KEY = "cases:sweep:watermark"
SWEEP_FALLBACK = timedelta(minutes=10)
SWEEP_OVERLAP = timedelta(minutes=2)
SWEEP_BATCH = 500
SWEEP_SECONDS = 40  # beat runs it every minute: stop in time (the watermark says where to go on)


@shared_task(name="responses.cases.tasks.consider_answer", ignore_result=True)
def consider_answer(answer_id, created=False):
    from .intake import consider_answer

    consider_answer(answer_id, created=bool(created))


PENDING_BATCH = 500
PENDING_SECONDS = 20  # beat hands it over every 5 seconds; a long backlog goes on at the next run


@shared_task(name="responses.cases.tasks.consider_pending", ignore_result=True)
def consider_pending(*, budget_seconds: float = PENDING_SECONDS) -> int:
    """The answers the fan-out handed over (consumer.receive): the intake for each, in batches. An answer that
    fails is logged and left to the sweep, which considers it again."""
    from . import consumer
    from .intake import consider_answer

    started, done = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        batch = consumer.take_pending(PENDING_BATCH)
        if not batch:
            break
        for answer_id, created in batch:
            try:
                consider_answer(answer_id, created=created)
            except Exception:
                log.exception("Could not consider answer %s; the sweep will", answer_id)
            done += 1
    return done


def _watermark(now) -> tuple[datetime, int]:
    stored = cache.get(SWEEP_KEY)
    if isinstance(stored, tuple | list) and len(stored) == 2 and isinstance(stored[0], datetime):
        return stored[0], int(stored[1])
    return now - SWEEP_FALLBACK, 0


def sweep_answers(*, budget_seconds: float = SWEEP_SECONDS) -> int:
    """Consider again the answers written since the watermark (a task lost with Redis is made good; the
    history import's answers get their contacts' flags). Returns how many it considered."""
    from ..models import Answer
    from .intake import consider_answer as consider

    started = time.monotonic()
    at, after_pk = _watermark(timezone.now())
    considered = 0
    while True:
        queried_at = timezone.now()
        batch = list(
            Answer.objects.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=after_pk))
            .order_by("updated_at", "pk")
            .values_list("pk", "updated_at")[:SWEEP_BATCH]
        )
        for pk, _ in batch:
            try:
                consider(pk)
            except Exception:  # one answer that fails (logged) never holds the others back
                log.exception("Follow-up could not consider answer %s", pk)
        considered += len(batch)
        if len(batch) < SWEEP_BATCH:
            # Caught up: next time from a little before now, to catch late commits.
            cache.set(SWEEP_KEY, (queried_at - SWEEP_OVERLAP, 0), None)
            return considered
        at, after_pk = batch[-1][1], batch[-1][0]
        cache.set(SWEEP_KEY, (at, after_pk), None)
        if time.monotonic() - started > budget_seconds:
            return considered


@shared_task(name="responses.cases.tasks.sweep_follow_up", ignore_result=True)
def sweep_follow_up():
    """Every minute: answers whose follow-up task was lost, overdue cases, case replies stuck on the way."""
    from . import services

    sweep_answers()
    services.mark_overdue()
    if importlib.util.find_spec("responses.cases.replies") is not None:
        from . import replies

        if hasattr(replies, "send_due"):
            replies.send_due()


# --- Replies to the customer (responses/cases/replies.py) ---------------------------------------------------


@shared_task(name="responses.cases.tasks.send_case_message", ignore_result=True)
def send_case_message(message_id):
    """Send one reply to the customer, once (replies.py claims the row)."""
    from .replies import send_case_message as send

    return send(message_id)
