"""Follow-up as a consumer of the answer fan-out (responses.fanout): registered in responses.apps.

The answer page pays one Redis RPUSH of the answer's id onto a list (`PENDING`), not a Celery message (a
task per answer cost the answer page a quarter of its throughput in `capture_rps`); the task
`consider_pending` (beat, every 5 seconds) takes them in batches and runs the intake
(intake.consider_answer) for each. An id lost with Redis or a dead worker is made good by the sweep
(`sweep_follow_up`). Where tasks run in process (the tests, the demo) or the cache is not Redis, the intake
task is called as before. `wants` is always true, because every answer keeps its contact's last score and
at-risk flag up to date, whatever the case and alert rules say.
"""

from django.conf import settings
from django.core.cache import caches

from nps.cache import RedisCache

from ..fanout import AnswerEvent, Consumer


def wants() -> bool:
    return True


PENDING = "followup:pending-answers"


def _redis():
    """The shared cache's Redis client, or None (a cache that is not Redis)."""
    backend = caches["default"]
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


def receive(event: AnswerEvent) -> None:
    client = None if settings.CELERY_TASK_ALWAYS_EAGER else _redis()
    if client is None:
        from . import tasks

        tasks.consider_answer.delay(event.answer_id, event.created)
        return
    client.rpush(caches["default"].make_and_validate_key(PENDING), f"{event.answer_id}:{int(event.created)}")


def take_pending(limit: int) -> list[tuple[int, bool]]:
    """Up to `limit` handed-over answers, oldest first, removed from the list: (answer id, created)."""
    client = _redis()
    if client is None:
        return []
    raw = client.lpop(caches["default"].make_and_validate_key(PENDING), limit) or []
    taken = []
    for item in raw:
        answer_id, _, created = item.decode().partition(":")
        if answer_id.isdigit():
            taken.append((int(answer_id), created == "1"))
    return taken


consumer = Consumer(name="follow_up", wants=wants, receive=receive)
