"""Delivery channels: one module (or package) per channel, the only door to its provider.

Everything that differs between email, SMS, WhatsApp… sits behind the `SurveyChannel` interface below;
delivery (surveys/delivery.py), the campaign pages and the URLs only ever talk to a channel through it
and never name one. Only channel modules import their provider's library (anymail, twilio, …).

Adding a channel: write `surveys/channels/<name>.py` (or a package) with every member of
`SurveyChannel`, add it to `CHANNELS` at the bottom of this file, and add its templates under
`templates/channels/<name>/` (at least `preview.html`). Nothing else changes: the campaign form offers
the channels registered here, queueing and sending go through the interface, the preview page shows
each channel's `preview()`, and `nps/urls.py` mounts every channel's `webhook_urls()`.
"""

import enum
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils import timezone

from .. import contacts
from ..models import Contact, Invitation, Suppression


@dataclass(frozen=True)
class Preview:
    """A channel's message for a sample invitation, as the campaign preview page shows it."""

    # The panel rendered inside the preview page, given `preview` (this object) and `frame_url` (the URL
    # that serves `frame` to a sandboxed iframe), e.g. "channels/email/preview.html".
    template: str
    # What the template shows (the email channel: its AnymailMessage: from, to, subject, plain text).
    message: Any
    # The body of the sandboxed iframe (an email's HTML part; an SMS's text) and its content type.
    frame: str
    frame_type: str = "text/html; charset=utf-8"


class EventKind(enum.StrEnum):
    """What a provider reports about a message it took."""

    DELIVERED = "delivered"
    BOUNCED = "bounced"  # the address does not take messages: suppressed, the invitation failed
    COMPLAINED = "complained"  # marked as spam: suppressed
    OPTED_OUT = "opted_out"  # unsubscribed at the provider (list-unsubscribe, SMS STOP): suppressed


@dataclass(frozen=True)
class ChannelEvent:
    """One provider event, read by the channel from the provider's webhook (see record_event)."""

    kind: EventKind
    # The recipient, normalised as Suppression stores it (lower-case email, E.164 phone); "" unknown.
    address: str
    # Why, in words, for the suppression's and the failed invitation's error text, e.g.
    # "Postmark bounced: The server was unable to deliver your message".
    detail: str = ""
    # The invitation, when the provider echoes our own key for the message (the email's metadata).
    invitation_id: int | None = None
    # Else the provider's id of the message, as `send()` returned it (Invitation.provider_message_id).
    provider_message_id: str = ""
    # A bounce worth trying again next time (a full mailbox): recorded nowhere.
    temporary: bool = False


class SurveyChannel(Protocol):
    """What every channel module provides (a module satisfies this protocol with top-level names)."""

    value: str
    """The channel's value in Invitation.channel and Campaign.channels (a models.Channel), e.g. "email"."""

    address_name: str
    """What a contact needs to be reached on this channel, for messages: "an email address"."""

    sends: bool
    """True when the channel sends the survey to an audience (email, texts); False when customers come to
    it (the widget, the public link, the kiosk): such a campaign needs no audience to launch."""

    def address_of(self, contact: Contact) -> str:
        """The contact's address on this channel, normalised as Suppression stores it; "" when none."""

    def send(self, invitation: Invitation, *, reminder: bool = False) -> str:
        """Hand the invitation's message (or its one reminder) to the provider; returns the provider's
        message id (stored in Invitation.provider_message_id). Raises on failure: see is_permanent()."""

    def send_test(self, invitation: Invitation, *, key: str) -> str:
        """Send the invitation's message as a test to a staff member ("Send a test to me",
        surveys/testsends.py): `invitation` is unsaved, its contact the staff member, its token a test token
        (its links open the answer page in preview mode); `key` names this message uniquely. Nothing is
        recorded about a contact. Returns the provider's id; raises as `send()` does (LookupError for a
        channel that sends nothing)."""

    def find_sent(self, invitation: Invitation, *, reminder: bool = False) -> str | None:
        """The provider's id when the provider already holds this message, None when it cannot tell.

        Used to recover a row a killed worker left in "sending": an id marks it sent without resending.
        """

    def is_permanent(self, error: Exception) -> bool:
        """True when `send()` raised an error no retry can fix (the provider refused the recipient): the
        invitation fails at once. Any other error is retried with a backoff (delivery.BACKOFF)."""

    def preview(self, invitation: Invitation) -> Preview:
        """The message `send()` would send, for an unsaved sample invitation (token "preview"); sends and
        records nothing."""

    def read_event(self, raw: Any, *, provider: str = "") -> ChannelEvent | None:
        """One event as the channel's provider reports it, read into a ChannelEvent; None for events that
        change nothing here (opens, clicks, …). The channel's webhook views call it and hand each
        event to `record_event()`."""

    def address_expression(self, contact_path: str) -> Any:
        """The contact's address on this channel as a database expression, normalised as address_of()
        returns it, for counting a whole audience in one query (`contact_path`: "contact__" from an
        Audience row); None for a channel that sends nothing."""

    def is_configured(self) -> bool:
        """True when the channel can send with the current settings (its provider's credentials are set):
        only configured channels are offered on campaigns; the others are not shown."""

    def deliverable_at(self, contact: Contact, moment: Any) -> Any:
        """The first moment at or after `moment` when this channel may deliver to the contact (texts keep
        to the recipient's quiet hours); `moment` itself when any time will do (email)."""

    def webhook_urls(self) -> list:
        """URL patterns of the provider's webhooks (delivery reports, bounces, opt-outs), mounted at the
        site root by nps/urls.py under a prefix of the channel's own (e.g. "anymail/"). The views
        authenticate the provider and answer 4xx, never 5xx, to a payload they cannot read."""


# Provider events ---------------------------------------------------------------------------------

SUPPRESSING_EVENTS = {
    EventKind.BOUNCED: Suppression.Reason.BOUNCED,
    EventKind.COMPLAINED: Suppression.Reason.COMPLAINED,
    EventKind.OPTED_OUT: Suppression.Reason.UNSUBSCRIBED,
}


def record_event(event: ChannelEvent) -> Suppression | None:
    """Bounces, complaints and opt-outs put the address on the suppression list; a bounce also fails the
    invitation it is about (when that invitation was sent). Deliveries change nothing."""
    reason = SUPPRESSING_EVENTS.get(event.kind)
    if reason is None or not event.address or event.temporary:
        return None
    suppression = contacts.suppress(event.address, reason=reason, detail=event.detail)
    if event.kind == EventKind.BOUNCED:
        invitation = invitation_for_event(event)
        if invitation is not None:
            Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENT).update(
                state=Invitation.State.FAILED, state_changed_at=timezone.now(), error=event.detail[:2000]
            )
    return suppression


def invitation_for_event(event: ChannelEvent) -> Invitation | None:
    """The invitation an event is about: by our own key, else by the provider's message id."""
    if event.invitation_id is not None:
        return Invitation.objects.filter(pk=event.invitation_id).first()
    if event.provider_message_id:
        # Served by the index invitation_provider_message (migration 0004).
        return Invitation.objects.filter(provider_message_id=event.provider_message_id).first()
    return None


# The registry ------------------------------------------------------------------------------------


def get_channel(value: str) -> SurveyChannel:
    """The channel for an Invitation.channel value; LookupError when it cannot send yet."""
    try:
        return CHANNELS[value]
    except KeyError:
        raise LookupError(f"No delivery channel for “{value}”.") from None


def address_of(contact: Contact, channel: str) -> str:
    """The contact's address on a channel as Suppression stores it; "" when none or the channel cannot send."""
    found = CHANNELS.get(channel)
    return found.address_of(contact) if found is not None else ""


def webhook_urls() -> list:
    """Every channel's provider webhooks, for nps/urls.py."""
    return [pattern for channel in CHANNELS.values() for pattern in channel.webhook_urls()]


def configured_channels() -> dict[str, SurveyChannel]:
    """The channels that can send with the current settings, for the campaign form."""
    return {value: channel for value, channel in CHANNELS.items() if channel.is_configured()}


# Last: a channel module may import the types above.
from . import email  # noqa: E402
from .onsite import kiosk, link, web  # noqa: E402
from .texting import sms, whatsapp  # noqa: E402

CHANNELS: dict[str, SurveyChannel] = {
    channel.value: channel for channel in (email, sms, whatsapp, web, link, kiosk)
}
