"""Delivery channels behind one interface; adding a channel touches its module and this registry.

A channel is a module (or object) with:
    send(invitation, *, reminder=False) -> str       the provider's message id; raises on failure
    find_sent(invitation, *, reminder=False) -> str | None
        the provider id when the provider already holds this message (used to recover a row a killed
        worker left in "sending"), None when unknown
"""

from . import email

CHANNELS = {"email": email}


def get_channel(value: str):
    """The channel for an Invitation.channel value; LookupError when it cannot send yet."""
    try:
        return CHANNELS[value]
    except KeyError:
        raise LookupError(f"No delivery channel for “{value}”.") from None
