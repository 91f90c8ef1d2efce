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
import http.client
import json
import logging
import ssl
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

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
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def is_allowed_url(url: str) -> bool:
    """HTTPS anywhere; plain HTTP only to this machine (for development)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


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


def emit(event_type: str, build_payload: Callable[[], dict | None]) -> None:
    """Queue `event_type` for every endpoint listening, once the current transaction commits.

    `build_payload()` returns the event_data (or None to send nothing); it runs after the commit, once,
    and only when someone listens.
    """
    WebhookEvent(event_type)  # a typo fails loudly
    if not subscribers(event_type):
        return
    # robust: a failing webhook never turns the customer's saved answer into an error page.
    transaction.on_commit(lambda: _create_deliveries(event_type, build_payload), robust=True)


def _create_deliveries(event_type: str, build_payload: Callable[[], dict | None]) -> list[int]:
    endpoint_ids = subscribers(event_type)
    if not endpoint_ids:
        return []
    event_data = build_payload()
    if event_data is None:
        return []
    return create_deliveries(event_type, event_data, endpoint_ids)


def create_deliveries(event_type: str, event_data: dict, endpoint_ids: list[int]) -> list[int]:
    """One delivery row per endpoint (same event_id for all), handed to the workers after commit."""
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
        "additional_answers": [],
        "test": True,
    }
    (pk,) = create_deliveries(WebhookEvent.RESPONSE_CREATED, sample, [endpoint.pk])
    return pk


# --- Sending ----------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One POST, no redirects followed (a redirect is an answer like any other: not a 2xx)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        # Enough of the answer to show in the log; receivers should answer quickly and briefly.
        text = response.read(2000).decode("utf-8", errors="replace")
        if 300 <= response.status < 400:
            text = f"Redirect to {response.getheader('Location', '?')} not followed. {text}"
        return response.status, text
    finally:
        connection.close()


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
    status, error = None, ""
    if not endpoint.is_active:
        error = "The endpoint was switched off."
    elif not is_allowed_url(endpoint.url):
        error = "The endpoint URL is not HTTPS (plain HTTP is only allowed to localhost)."
    else:
        try:
            status, text = post(endpoint.url, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            if not 200 <= status < 300:
                error = f"HTTP {status}: {text}"[:2000]
    return _record(delivery, status=status, error=error)


def _record(delivery: WebhookDelivery, *, status: int | None, error: str) -> str:
    now = timezone.now()
    fields = {"last_status_code": status, "last_error": error}
    if not error:
        fields.update(state=WebhookDelivery.State.SUCCEEDED, next_attempt_at=None, delivered_at=now)
    else:
        next_at = now + backoff(delivery.attempts)
        if next_at > delivery.created_at + RETRY_FOR or not delivery.endpoint.is_active:
            fields.update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)
        else:
            fields.update(next_attempt_at=next_at)
        log.info("Webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
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


# --- Endpoints (the admin's actions) ----------------------------------------------------------------------


def save_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.save()
    forget_endpoints()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    forget_endpoints()


def rotate_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; deliveries signed from now on use it."""
    from .models import new_webhook_secret

    endpoint.secret = new_webhook_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint
