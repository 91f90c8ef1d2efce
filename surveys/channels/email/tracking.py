"""ESP tracking events (bounces, complaints, unsubscribes) through anymail's `tracking` signal.

anymail's webhook views (webhooks.py) authenticate the ESP, parse its payload into AnymailTrackingEvents
and send the signal; the receiver here reads each one into a ChannelEvent for channels.record_event().
"""

from anymail.signals import AnymailTrackingEvent, tracking
from django.dispatch import receiver

from nps.inputs import parse_id

from .. import ChannelEvent, EventKind, record_event

# anymail's normalised event types that change something here.
EVENT_KINDS = {
    "delivered": EventKind.DELIVERED,
    "bounced": EventKind.BOUNCED,
    "complained": EventKind.COMPLAINED,
    "unsubscribed": EventKind.OPTED_OUT,
}


def is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    """Some ESPs report a full mailbox as "bounced": that address is worth trying again next time."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return raw.get("Type") == "SoftBounce" or raw.get("event") == "soft_bounce"


def invitation_id(event: AnymailTrackingEvent) -> int | None:
    """The invitation's id from our metadata key ("opennps-<id>", see message.message_key), if echoed."""
    parts = str((event.metadata or {}).get("invitation", "")).split("-")
    # parse_id, not isdigit(): the metadata comes back in the ESP's payload, and "²" is no id.
    return parse_id(parts[1]) if len(parts) >= 2 and parts[0] == "opennps" else None


def read_event(raw: AnymailTrackingEvent, *, provider: str = "") -> ChannelEvent | None:
    """An anymail tracking event as a ChannelEvent; None for the types we ignore (opens, clicks, …)."""
    kind = EVENT_KINDS.get(raw.event_type)
    if kind is None:
        return None
    reasons = " ".join(filter(None, [raw.description, raw.mta_response]))
    return ChannelEvent(
        kind=kind,
        address=(raw.recipient or "").strip().lower(),
        detail=f"{provider} {raw.event_type}: {reasons}".strip(),
        invitation_id=invitation_id(raw),
        provider_message_id=str(raw.message_id or ""),
        temporary=is_soft_bounce(raw),
    )


@receiver(tracking, dispatch_uid="surveys.suppress_from_tracking")
def record_tracking_event(sender, event, esp_name, **kwargs):
    if (channel_event := read_event(event, provider=esp_name)) is not None:
        record_event(channel_event)
