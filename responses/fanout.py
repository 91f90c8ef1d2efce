"""Answer fan-out: the one point where a saved answer is handed to whoever wants to know about it.

The contract, for writers and for consumers:

- **Events.** Every write of an answer made through `responses.services` announces itself here with
  `answer_saved(answer_id, created=...)`, inside its transaction: `record_score` (created or updated),
  `save_comment` (updated), `create_response` (created: phone interviews and both APIs) and
  `update_response` (updated: the APIs). A save that made the answer is `created`, any later change is
  not; `submit_answer` is a score then a comment, so two events. Answers loaded by the history import
  (past answers, no invitation) and anonymised by a contact's erasure are not announced.
- **Consumers** register once, from their app's `AppConfig.ready()`: `register(Consumer(name, wants,
  receive))` (webhooks: `responses.apps`, consumer in `responses.answer_webhooks`). Registering a name
  again replaces the consumer of that name.
- `wants()` is asked on every save, on the answer pages' hot path: it must be cheap (a flag, a cached
  list; never a query). A consumer that does not want is not handed that event. When no consumer wants,
  nothing is registered with the transaction, and writers skip the work only an event needs (`wanted()`:
  `record_score` then does not ask whether the answer is new, and keeps its single query).
- `receive(event)` runs after the transaction commits (at once when there is none), never on rollback,
  once per event, consumers in registration order. The `AnswerEvent` carries the answer's id and
  whether it was created; the consumer reads the answer itself, as it is then (changed again, or gone:
  expect None). An exception is logged and swallowed: a consumer never turns the customer's saved answer
  into an error page, nor keeps the next consumer from its event. Anything slow (HTTP, mail) belongs in a
  Celery task queued from `receive`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerEvent:
    answer_id: int
    created: bool  # False: an answer that existed was changed (score, comment or notes)


@dataclass(frozen=True)
class Consumer:
    name: str
    wants: Callable[[], bool]  # cheap, no query: asked on every save
    receive: Callable[[AnswerEvent], None]  # after the commit


_consumers: list[Consumer] = []


def register(consumer: Consumer) -> None:
    """Hand answer events to `consumer` from now on (replacing a consumer of the same name)."""
    unregister(consumer.name)
    _consumers.append(consumer)


def unregister(name: str) -> None:
    _consumers[:] = [consumer for consumer in _consumers if consumer.name != name]


def wanted() -> bool:
    """True when some consumer wants answer events now: the writer then does what an event needs."""
    return any(consumer.wants() for consumer in _consumers)


def answer_saved(answer_id: int, *, created: bool) -> None:
    """An answer was created or changed: hand it to the consumers that want it once the transaction commits."""
    listening = [consumer for consumer in _consumers if consumer.wants()]
    if listening:
        transaction.on_commit(partial(_hand_over, listening, AnswerEvent(answer_id, created)))


def _hand_over(consumers: list[Consumer], event: AnswerEvent) -> None:
    for consumer in consumers:
        try:
            consumer.receive(event)
        except Exception:
            log.exception("Answer consumer %r failed on %s", consumer.name, event)
