"""Reply-mode conversations: opened when a survey is texted, found by the number that writes back, expired.

A customer answers a texted survey by replying from their phone, so a reply is matched to its survey by
the number and the channel alone: there is at most one open conversation per number and channel (the
partial unique constraint `conversation_one_open_per_number`), the latest survey texted to that number.
A conversation left unanswered expires after TEXT_CONVERSATION_HOURS; a later reply finds none and is
kept on the contact for a person to read (inbound.py).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ...models import TEXT_CHANNELS, Conversation, Invitation

OPEN = Conversation.OPEN_STATES
# Two workers opening a conversation for one number at once: the loser's insert fails on the unique
# constraint once the winner commits; it then closes the winner's (older by a moment) and tries again.
OPEN_TRIES = 3


def open_conversation(invitation: Invitation, *, now: datetime | None = None) -> Conversation:
    """The conversation of a survey just texted, waiting for the score; any older open conversation of
    that number and channel is closed first (the newest survey is the one a reply answers).

    Called again for the same invitation (its reminder, a resend after a temporary failure), the one
    conversation is reopened and its expiry starts again, unless the survey was answered (DONE).
    """
    now = now or timezone.now()
    number = str(invitation.contact.phone)
    expires_at = now + timedelta(hours=settings.TEXT_CONVERSATION_HOURS)
    for attempt in range(OPEN_TRIES):
        try:
            with transaction.atomic():
                return _open(invitation, number, now, expires_at)
        except IntegrityError:
            if attempt == OPEN_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _open(invitation: Invitation, number: str, now: datetime, expires_at: datetime) -> Conversation:
    conversation = Conversation.objects.select_for_update().filter(invitation=invitation).first()
    if conversation is not None and conversation.state == Conversation.State.DONE:
        return conversation
    others = Conversation.objects.filter(number=number, channel=invitation.channel, state__in=OPEN)
    if conversation is not None:
        others = others.exclude(pk=conversation.pk)
    others.update(state=Conversation.State.CLOSED, updated_at=now)
    if conversation is None:
        return Conversation.objects.create(
            invitation=invitation,
            contact_id=invitation.contact_id,
            channel=invitation.channel,
            number=number,
            opened_at=now,
            expires_at=expires_at,
            updated_at=now,
        )
    if not conversation.is_open:
        conversation.state = Conversation.State.AWAITING_SCORE
        conversation.reasked = False
    conversation.number = number
    conversation.expires_at = expires_at
    conversation.updated_at = now
    conversation.save(update_fields=["state", "reasked", "number", "expires_at", "updated_at"])
    return conversation


def find_open(
    number: str, channel: str, now: datetime | None = None, *, for_update: bool = False
) -> Conversation | None:
    """The open conversation of a number on a channel, None when there is none or it has expired (it is
    then marked EXPIRED). With `for_update` (inside a transaction) the row stays locked until the commit,
    so two replies of one customer arriving together are read one after the other."""
    now = now or timezone.now()
    # Served by the partial unique index conversation_one_open_per_number.
    found = Conversation.objects.filter(number=number, channel=channel, state__in=OPEN).select_related(
        "invitation__campaign__brand", "contact"
    )
    if for_update:
        found = found.select_for_update(of=("self",))
    conversation = found.first()
    if conversation is None or conversation.expires_at > now:
        return conversation
    Conversation.objects.filter(pk=conversation.pk, state__in=OPEN).update(
        state=Conversation.State.EXPIRED, updated_at=now
    )
    return None


def expire_stale(now: datetime | None = None) -> int:
    """Mark every open conversation past its expiry EXPIRED; returns how many (for the staff pages, which
    show a conversation's state: find_open expires the one it meets on its own)."""
    now = now or timezone.now()
    return Conversation.objects.filter(state__in=OPEN, expires_at__lte=now).update(
        state=Conversation.State.EXPIRED, updated_at=now
    )


def close_all(number: str, *, now: datetime | None = None) -> int:
    """Close the number's open conversations on every texting channel (it opted out); returns how many."""
    return Conversation.objects.filter(number=number, channel__in=TEXT_CHANNELS, state__in=OPEN).update(
        state=Conversation.State.CLOSED, updated_at=now or timezone.now()
    )


def close_for(invitation: Invitation, *, now: datetime | None = None) -> int:
    """Close the invitation's open conversation (its text was not delivered: no reply can come)."""
    return Conversation.objects.filter(invitation=invitation, state__in=OPEN).update(
        state=Conversation.State.CLOSED, updated_at=now or timezone.now()
    )
