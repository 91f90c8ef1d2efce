"""Webhooks out: events become signed POSTs to the admins' endpoints, retried for 24 hours.

- `emit(event_type, build_payload)` is called by the code that changed something. When no active endpoint
  subscribes to the event it returns at once: the list of endpoints lives in the shared cache, and each
  process keeps its copy for LOCAL_SECONDS, so the answer path pays no query and usually no cache read.
  Otherwise, after the transaction commits, it builds the payload once and creates a delivery row per
  endpoint, then hands each to a Celery task.
- `send_delivery(id, attempt=n)` makes attempt n+1 of a delivery. Rows hold the schedule: a failed attempt
  sets `next_attempt_at` with exponential backoff, and the dispatcher (`send_due`, every minute from beat)
  hands over what is due, including attempts lost with a dead worker or a Redis restart.

The body is Delighted's envelope {event_type, event_id, event_data}, signed with HMAC-SHA256 over
"<timestamp>.<body>" with the endpoint's secret (see docs/api.md, "Webhooks", for checking it).
"""

import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nps import audit, outbound
from nps.logsafe import mask_addresses

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent

log = logging.getLogger(__name__)

CACHE_KEY = "webhooks:endpoints:v1"
# The list is invalidated on every change made through this module; the timeout only bounds how long a
# change made some other way (a shell, the Django admin) goes unnoticed.
CACHE_SECONDS = 600
# Each process reuses its copy this long: a new or changed endpoint is heard by every worker within it.
LOCAL_SECONDS = 5
TIMEOUT_SECONDS = 10
# Keep trying this long after the event, waiting 1, 2, 4 … minutes between attempts, at most MAX_WAIT.
RETRY_FOR = timedelta(hours=24)
FIRST_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(hours=3)
# A handed-over attempt not finished after this long (dead worker, lost task) is handed over again.
LEASE = timedelta(minutes=5)
DISPATCH_BATCH = 500
USER_AGENT = "OpenNPS-Webhooks/1"


# --- Which endpoints listen -----------------------------------------------------------------------------


_local: dict = {"endpoints": None, "until": 0.0}


def _endpoints() -> list[tuple[int, list[str]]]:
    """(id, events) of the active endpoints: this process's copy, else the shared cache, else the database."""
    now = time.time()
    # (A clock set back would give a copy a longer life: bounded by LOCAL_SECONDS all the same.)
    if _local["endpoints"] is not None and 0 < _local["until"] - now <= LOCAL_SECONDS:
        return _local["endpoints"]
    endpoints = cache.get(CACHE_KEY)
    if endpoints is None:
        endpoints = [
            (pk, list(events))
            for pk, events in WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "events")
        ]
        cache.set(CACHE_KEY, endpoints, CACHE_SECONDS)
    _local.update(endpoints=endpoints, until=now + LOCAL_SECONDS)
    return endpoints


def drop_local_copy() -> None:
    """This process reads the list again on its next event."""
    _local["endpoints"] = None


def _forget() -> None:
    drop_local_copy()
    cache.delete(CACHE_KEY)


def forget_endpoints() -> None:
    """Call after any change to endpoints: this process at once, every other within LOCAL_SECONDS."""
    _forget()
    # A change inside a transaction is visible to others only after it commits: forget again then.
    transaction.on_commit(_forget)


def subscribers(event_type: str) -> list[int]:
    return [pk for pk, events in _endpoints() if event_type in events]


def is_wanted(*event_types: str) -> bool:
    """True when some active endpoint listens to one of these events (one cache read, no query)."""
    return any(event in events for _, events in _endpoints() for event in event_types)


# --- Emitting ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """An event's data and the contact it is about: erasing that contact redacts its deliveries."""

    data: dict
    contact_id: int | None = None


def emit(event_type: str, build_payload: Callable[[], Event | dict | None]) -> None:
    """Queue `event_type` for every endpoint listening, once the current transaction commits.

    `build_payload()` returns an Event (the event_data and the contact it is about), a bare event_data
    dict (an event about nobody), or None to send nothing; it runs after the commit, once, and only when
    someone listens.
    """
    WebhookEvent(event_type)  # a typo fails loudly
    if not subscribers(event_type):
        return
    # robust: a failing webhook never turns the customer's saved answer into an error page.
    transaction.on_commit(lambda: _create_deliveries(event_type, build_payload), robust=True)


def _create_deliveries(event_type: str, build_payload: Callable[[], Event | dict | None]) -> list[int]:
    endpoint_ids = subscribers(event_type)
    if not endpoint_ids:
        return []
    event = build_payload()
    if event is None:
        return []
    if not isinstance(event, Event):
        event = Event(event)
    return create_deliveries(event_type, event.data, endpoint_ids, contact_id=event.contact_id)


def create_deliveries(
    event_type: str, event_data: dict, endpoint_ids: list[int], *, contact_id: int | None = None
) -> list[int]:
    """One delivery row per endpoint (same event_id for all), handed to the workers after commit.

    `contact_id`: the contact the event is about, so that erasing them reaches these rows.
    """
    from . import tasks

    now = timezone.now()
    event_id = uuid.uuid4()
    envelope = {"event_type": event_type, "event_id": str(event_id), "event_data": event_data}
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint_id=pk,
                    event_type=event_type,
                    event_id=event_id,
                    payload=envelope,
                    contact_id=contact_id,
                    created_at=now,
                    # Handed over right away; the dispatcher takes it again if the task is lost.
                    next_attempt_at=now + LEASE,
                )
                for pk in endpoint_ids
            ]
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: [tasks.send_webhook.delay(pk, 0) for pk in ids])
    return ids


def send_test_event(endpoint: WebhookEndpoint) -> int:
    """A sample survey_response.created to one endpoint (whatever it subscribes to); returns the delivery id."""
    now = int(timezone.now().timestamp())
    sample = {
        "id": "0",
        "person": {
            "id": "0",
            "name": "Test Person",
            "email": "test.person@example.com",
            "phone_number": None,
            "at_risk": False,
            "created_at": now,
            "last_sent_at": now,
        },
        "survey_type": "nps",
        "score": 10,
        "comment": "This is a test event sent from OpenNPS.",
        "permalink": "",
        "created_at": now,
        "updated_at": now,
        "person_properties": {},
        "notes": [],
        "tags": [],
        "themes": [{"id": "0", "name": "Fast support"}],
        "additional_answers": [],
        "test": True,
    }
    (pk,) = create_deliveries(WebhookEvent.RESPONSE_CREATED, sample, [endpoint.pk])
    audit.record("webhook.test", obj=endpoint, changes={"delivery": pk})
    return pk


# --- Sending ----------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One POST through the outbound guard, no redirects followed (a redirect is an answer: not a 2xx).

    Raises outbound.RefusedURL (the URL may not be called) or outbound.CouldNotConnect.
    """
    # The reply keeps enough of the answer to show in the log; receivers should answer quickly and briefly.
    reply = outbound.post(url, body, headers, timeout=TIMEOUT_SECONDS)
    if 300 <= reply.status < 400:
        return reply.status, f"Redirect to {reply.location or '?'} not followed. {reply.text}"
    return reply.status, reply.text


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most MAX_WAIT."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), MAX_WAIT)


def send_delivery(delivery_id: int, attempt: int = 0) -> str:
    """Make attempt `attempt + 1` of a pending delivery; returns its state afterwards.

    Safe to run twice: the attempt is claimed by moving `attempts` from `attempt` to `attempt + 1`, so
    a duplicate or stale task finds nothing to do.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, attempts=attempt
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + LEASE)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or not claimed:
        return delivery.state if delivery else "missing"
    if delivery.state != WebhookDelivery.State.PENDING:
        return delivery.state  # cancelled since the claim (its contact was erased): never sent
    endpoint = delivery.endpoint
    body = encode(delivery.payload)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-OpenNPS-Event": delivery.event_type,
        "X-OpenNPS-Event-Id": str(delivery.event_id),
        "X-OpenNPS-Timestamp": str(timestamp),
        "X-OpenNPS-Signature": sign(endpoint.secret, timestamp, body),
    }
    status, error, refused = None, "", False
    if not endpoint.is_active:
        error = "The endpoint was switched off."
    else:
        try:
            status, text = post(endpoint.url, body, headers)
        except outbound.RefusedURL as exc:
            # Checked before connecting: nothing was sent, so no internal service's answer is kept.
            # Retrying cannot help (and would give a DNS rebinding more tries): the delivery fails now.
            error, refused = f"Not sent: {exc}"[:2000], True
        except outbound.CouldNotConnect as exc:
            error = str(exc)[:2000]
        else:
            if not 200 <= status < 300:
                error = f"HTTP {status}: {text}"[:2000]
    return _record(delivery, status=status, error=error, give_up=refused)


def _record(delivery: WebhookDelivery, *, status: int | None, error: str, give_up: bool = False) -> str:
    now = timezone.now()
    fields = {"last_status_code": status, "last_error": error}
    if not error:
        fields.update(state=WebhookDelivery.State.SUCCEEDED, next_attempt_at=None, delivered_at=now)
    else:
        next_at = now + backoff(delivery.attempts)
        if give_up or next_at > delivery.created_at + RETRY_FOR or not delivery.endpoint.is_active:
            fields.update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)
        else:
            fields.update(next_attempt_at=next_at)
        log.info(
            "Webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, mask_addresses(error)
        )
    WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**fields)
    return fields.get("state", WebhookDelivery.State.PENDING)


def send_due(*, now=None) -> int:
    """Every minute: hand over the pending deliveries whose next attempt is due."""
    from . import tasks

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", "attempts")[:DISPATCH_BATCH]
        )
        WebhookDelivery.objects.filter(pk__in=[pk for pk, _ in due]).update(next_attempt_at=now + LEASE)
    for pk, attempts in due:
        tasks.send_webhook.delay(pk, attempts)
    return len(due)


# --- Erasure -------------------------------------------------------------------------------------------------

# What a payload says about its person, and what each becomes when that person is erased. The answer itself
# (score, comment, dates) stays, as the anonymised answer does; the notes go, as the answer's notes do.
PERSON_FIELDS = {
    "person": None,  # survey_response: the person object (or their id)
    "person_properties": None,
    "permalink": "",  # the answer's page (with the contact)
    "notes": [],  # interviewer notes and case notes
    "person_id": None,  # unsubscribe
    "email": None,
    "name": None,
    "phone_number": None,
}
ERASED = "Cancelled: the contact this event is about was erased, so it is never sent."


def _redact(data: dict) -> dict:
    redacted = {key: PERSON_FIELDS.get(key, value) for key, value in data.items()}
    # case.created/updated carry their answer's survey response: the same fields go from it.
    if isinstance(redacted.get("survey_response"), dict):
        redacted["survey_response"] = _redact(redacted["survey_response"])
    return redacted


def redact_payload(payload: dict) -> dict:
    """The envelope without the person: every field of PERSON_FIELDS blanked, the rest kept."""
    data = payload.get("event_data")
    if not isinstance(data, dict):
        return payload
    return {**payload, "event_data": _redact(data)}


def count_deliveries_about(contact) -> int:
    return WebhookDelivery.objects.filter(contact_id=contact.pk).count()


def redact_deliveries_about(contact) -> int:
    """Erasing `contact`: every delivery about them loses their data, and those not sent yet are cancelled
    (never sent, whatever a queued task or the dispatcher does later). Returns how many deliveries."""
    now = timezone.now()
    # A receiver's reply, kept in last_error, may quote the body it got: their values go from it too.
    values = [contact.email or "", contact.name or "", str(contact.phone or "")]
    values += [str(v) for v in (contact.properties or {}).values() if isinstance(v, str | int | float)]
    quoted = [rf"(?<!\w){re.escape(value)}(?!\w)" for value in values if len(value) >= 3]
    in_reply = re.compile("|".join(quoted), re.IGNORECASE) if quoted else None
    with transaction.atomic():
        deliveries = list(WebhookDelivery.objects.select_for_update().filter(contact_id=contact.pk))
        for delivery in deliveries:
            delivery.payload, delivery.redacted_at = redact_payload(delivery.payload), now
            if in_reply and delivery.last_error:
                delivery.last_error = in_reply.sub("[erased]", delivery.last_error)
            if delivery.state == WebhookDelivery.State.PENDING:
                delivery.state, delivery.next_attempt_at, delivery.last_error = (
                    WebhookDelivery.State.FAILED,
                    None,
                    ERASED,
                )
        fields = ["payload", "redacted_at", "state", "next_attempt_at", "last_error"]
        WebhookDelivery.objects.bulk_update(deliveries, fields, batch_size=500)
    return len(deliveries)


# --- Endpoints (the admin's actions) ----------------------------------------------------------------------


def save_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.save()
    forget_endpoints()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    audit.record("webhook.delete", obj=endpoint)
    endpoint.delete()
    forget_endpoints()


def rotate_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; deliveries signed from now on use it."""
    from .models import new_webhook_secret

    endpoint.secret = new_webhook_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    audit.record("webhook.rotate", obj=endpoint)
    return endpoint


def delete_finished_deliveries(before) -> int:
    """Retention: the log of deliveries created before `before` that are over (delivered or given up)."""
    finished = WebhookDelivery.objects.exclude(state=WebhookDelivery.State.PENDING)
    _, by_model = finished.filter(created_at__lt=before).delete()
    return by_model.get(WebhookDelivery._meta.label, 0)
