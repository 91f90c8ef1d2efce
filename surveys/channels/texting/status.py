"""Twilio's status callbacks: what became of a text we sent, and of the invitation it carried.

Callbacks arrive out of order and more than once (CHANNELS.md), so a text's status only moves forward:
queued < accepted < scheduled < sending < sent < delivered < read; undelivered, failed and canceled are
final, and a failure never undoes a delivery. A callback that moves nothing changes nothing at all, so a
replay is harmless. When an invitation's own text fails (undelivered, failed), its error code decides:
- permanent (unreachable, unknown number, opted out, blocked): the invitation FAILED; 21610 (the recipient
  replied STOP to our sender) and 63014 (blocked us on WhatsApp) also suppress the number;
- temporary: the invitation goes back to QUEUED with delivery's backoff, to be texted again, until
  MAX_ATTEMPTS.
"""

import logging
from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ... import contacts
from ...models import Invitation, Suppression, TextMessage
from .. import ChannelEvent, EventKind
from . import conversations, outbox

log = logging.getLogger(__name__)

Status = TextMessage.Status
# Our own statuses (pending, sending before the provider answered) come first; Twilio's in its order.
RANK = {
    Status.PENDING: 0,
    Status.QUEUED: 1,
    Status.ACCEPTED: 2,
    Status.SCHEDULED: 3,
    Status.SENDING: 4,
    Status.SENT: 5,
    Status.DELIVERED: 6,
    Status.READ: 7,
}
FINAL = {Status.UNDELIVERED, Status.FAILED, Status.CANCELED}
FAILED = {Status.UNDELIVERED, Status.FAILED}
# What a permanent error code means for the number (errors.classify's suppress_reason, as events).
SUPPRESSING_KINDS = {
    Suppression.Reason.UNSUBSCRIBED: EventKind.OPTED_OUT,
    Suppression.Reason.BLOCKED: EventKind.COMPLAINED,
}
SUPPRESSION_REASONS = {kind: reason for reason, kind in SUPPRESSING_KINDS.items()}


def moves(current: str, new: str) -> bool:
    """Whether a callback's status replaces the text's current one (never backwards, never after the end)."""
    if current in FINAL or current == Status.RECEIVED:
        return False
    if new in FINAL:
        return current not in (Status.DELIVERED, Status.READ)
    return new in RANK and RANK[new] > RANK.get(current, -1)


def status_of(params: Mapping[str, str]) -> str:
    return (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()


def read_event(params: Mapping[str, str]) -> ChannelEvent | None:
    """A status callback as a ChannelEvent (TextChannel.read_event): delivered, or failed for good (the
    number opted out, blocked us, or cannot take texts: `temporary` False), or failed for now; None for
    the steps in between (queued, sent, …)."""
    from .errors import classify

    status = status_of(params)
    if status in (Status.DELIVERED, Status.READ):
        kind, temporary, detail = EventKind.DELIVERED, False, f"Twilio: {status}"
    elif status in FAILED:
        code = params.get("ErrorCode", "")
        permanent, reason = classify(code)
        kind, temporary = SUPPRESSING_KINDS.get(reason, EventKind.BOUNCED), not permanent
        detail = f"Twilio: {status}, error {code or 'not given'}"
    else:
        return None
    to = params.get("To", "")
    return ChannelEvent(
        kind=kind,
        address=to.split(":", 1)[1] if to.lower().startswith("whatsapp:") else to,
        detail=detail,
        provider_message_id=params.get("MessageSid", ""),
        temporary=temporary,
    )


def record_status(params: Mapping[str, str]) -> TextMessage | None:
    """Apply one status callback to the text it names (None when no text of ours has that MessageSid)."""
    sid, status = params.get("MessageSid", ""), status_of(params)
    now = timezone.now()
    with transaction.atomic():
        message = (
            TextMessage.objects.select_for_update()
            .filter(provider_sid=sid, direction=TextMessage.Direction.OUT)
            .first()
        )
        if message is None:
            log.info("Status callback for a text we do not know (%s): ignored", sid)
            return None
        if not moves(message.status, status):
            return message
        message.status, message.status_changed_at = status, now
        message.error_code = params.get("ErrorCode", "")[:10] if status in FAILED else message.error_code
        event = read_event(params)
        if event is not None and event.kind != EventKind.DELIVERED:
            message.error = event.detail
            _record_failure(message, event, now)
        message.save(update_fields=["status", "status_changed_at", "error_code", "error", "provider_sid"])
    return message


def _record_failure(message: TextMessage, event: ChannelEvent, now: datetime) -> None:
    reason = SUPPRESSION_REASONS.get(event.kind)
    if reason is not None and message.to_number:
        contacts.suppress(message.to_number, reason=reason, channel=message.channel, detail=event.detail)
        conversations.close_all(message.to_number, now=now)
    if message.kind != TextMessage.Kind.INVITATION or message.invitation_id is None:
        return
    # The invitation is only changed while this text is the one it was sent with (not after a resend).
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            pk=message.invitation_id, state=Invitation.State.SENT, provider_message_id=message.provider_sid
        )
        .first()
    )
    if invitation is None:
        return
    conversations.close_for(invitation, now=now)
    retry_at = None if not event.temporary else _retry_at(invitation, now)
    if retry_at is None:
        invitation.state = Invitation.State.FAILED
    else:
        invitation.state, invitation.scheduled_for, invitation.enqueued_at = (
            Invitation.State.QUEUED,
            retry_at,
            None,
        )
        # The send path finds this text by its key and would take a provider id for "already sent": without
        # one it sends the text again. Late callbacks of the old message then find no text and change nothing.
        message.error = f"{event.detail} (message {message.provider_sid}; sent again later)"
        message.provider_sid = None
    invitation.state_changed_at, invitation.error = now, event.detail
    invitation.save(update_fields=["state", "scheduled_for", "enqueued_at", "state_changed_at", "error"])


def _retry_at(invitation: Invitation, now: datetime) -> datetime | None:
    """When to send again after a temporary failure, None once attempts are used up: delivery's backoff and
    attempts, as outbox.py repeats them (surveys.delivery imports the channels, so they cannot import it)."""
    if invitation.attempts >= outbox.MAX_ATTEMPTS:
        return None
    return now + outbox.backoff(invitation.attempts)
