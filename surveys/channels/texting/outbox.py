"""Texts that are not invitations (follow-up questions, re-asks, thank-yous, HELP answers): queued once,
sent once.

They answer a customer's own text, so quiet hours do not apply and there is no Invitation row to carry
them: the TextMessage is the unit of exactly-once sending, the way delivery.py uses the Invitation.
- `queue_text` inserts the row ("pending") under a unique key of the caller's ("conv:7:followup",
  "help:<inbound id>"); a second call with the same key finds the row and queues nothing.
- `send_text` (the Celery task surveys.tasks.send_text) claims the row with a conditional UPDATE
  (pending → sending), sends, and stores the provider's id. A temporary error puts it back to "pending"
  and tries again after a backoff; a permanent one fails it.
- `sweep_stuck` (every dispatcher run) hands over again pending rows whose task was lost, and settles rows
  a dead worker left in "sending": sent when the provider has the text, else pending again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nps.logsafe import mask_addresses

from ... import contacts
from ...models import Contact, Invitation, TextMessage
from .errors import TextSendError
from .providers import get_provider
from .sending import failed, first_status, outgoing, recover

log = logging.getLogger(__name__)

Status = TextMessage.Status
# The same lease, attempts and backoff as invitations (surveys/delivery.py, which this package cannot
# import: delivery imports the channels).
LEASE = timedelta(seconds=getattr(settings, "DELIVERY_LEASE_SECONDS", 600))
MAX_ATTEMPTS = 5
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
# Invitation texts are settled by delivery.py through their Invitation rows, never here.
INVITATION_KINDS = (TextMessage.Kind.INVITATION, TextMessage.Kind.REMINDER)
SWEEP_BATCH = 500


def backoff(attempts: int) -> timedelta:
    """The wait after failed attempt number `attempts` (1, 2, …)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _enqueue(message_id: int, *, wait: timedelta | None = None) -> None:
    from ... import tasks

    if wait:
        tasks.send_text.apply_async((message_id,), countdown=wait.total_seconds())
    else:
        tasks.send_text.delay(message_id)


def queue_text(
    *,
    channel: str,
    to: str,
    body: str,
    kind: str,
    key: str,
    contact: Contact | None = None,
    invitation: Invitation | None = None,
) -> TextMessage:
    """Queue a text once per `key`: the task goes to the broker when the caller's transaction commits."""
    brand = invitation.campaign.brand if invitation is not None else None
    message, created = TextMessage.objects.get_or_create(
        key=key,
        defaults={
            "direction": TextMessage.Direction.OUT,
            "channel": channel,
            "kind": kind,
            "contact": contact,
            "invitation": invitation,
            "from_number": outgoing(channel, to=to, body=body, kind=kind, brand=brand).sender,
            "to_number": to,
            "body": body,
            "status": Status.PENDING,
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def send_text(message_id: int) -> str:
    """Send one queued text if it is still pending; returns its status afterwards."""
    claimed = TextMessage.objects.filter(
        pk=message_id, status=Status.PENDING, direction=TextMessage.Direction.OUT
    ).update(status=Status.SENDING, status_changed_at=timezone.now(), attempts=F("attempts") + 1)
    message = TextMessage.objects.select_related("invitation__campaign__brand").filter(pk=message_id).first()
    if message is None or not claimed:
        return message.status if message is not None else "missing"
    if contacts.is_suppressed(message.to_number):  # opted out since it was queued (STOP)
        TextMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED,
            status_changed_at=timezone.now(),
            error="The number is on the suppression list.",
        )
        return Status.FAILED
    brand = message.invitation.campaign.brand if message.invitation is not None else None
    text = outgoing(message.channel, to=message.to_number, body=message.body, kind=message.kind, brand=brand)
    try:
        sid = get_provider().send(text)
    except TextSendError as error:
        failed(message, error)
        log.warning("Sending text %s failed: %s", message.pk, mask_addresses(error))
        if not error.answered:  # it may have gone: the sweep asks the provider after the lease
            return Status.SENDING
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            return Status.FAILED
        TextMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
            status=Status.PENDING, status_changed_at=timezone.now()
        )
        _enqueue(message.pk, wait=backoff(message.attempts))
        return Status.PENDING
    TextMessage.objects.filter(pk=message.pk).update(
        provider_sid=sid, status=first_status(text), status_changed_at=timezone.now(), error="", error_code=""
    )
    return first_status(text)


def sweep_stuck(*, now: datetime | None = None) -> int:
    """Hand over again the texts whose task was lost, and settle those a dead worker left in "sending";
    returns how many rows it touched."""
    now = now or timezone.now()
    requeue, settled = [], 0
    with transaction.atomic():
        # Served by the partial index text_outbox (status, status_changed_at).
        rows = list(
            TextMessage.objects.filter(
                status__in=[Status.PENDING, Status.SENDING],
                status_changed_at__lt=now - LEASE,
                direction=TextMessage.Direction.OUT,
            )
            .exclude(kind__in=INVITATION_KINDS)
            .select_for_update(skip_locked=True)[:SWEEP_BATCH]
        )
        for message in rows:
            if message.status == Status.PENDING:
                # Its task waits out a backoff, or was lost: handed over again once both have passed.
                if message.attempts and message.status_changed_at > now - LEASE - backoff(message.attempts):
                    continue
            elif recover(message, message.body):
                settled += 1
                continue
            elif message.attempts >= MAX_ATTEMPTS:
                TextMessage.objects.filter(pk=message.pk).update(
                    status=Status.FAILED,
                    status_changed_at=now,
                    error="The worker stopped while sending, too often.",
                )
                settled += 1
                continue
            TextMessage.objects.filter(pk=message.pk).update(status=Status.PENDING, status_changed_at=now)
            requeue.append(message.pk)
        transaction.on_commit(lambda: [_enqueue(pk) for pk in requeue])
    return settled + len(requeue)
