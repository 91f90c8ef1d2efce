"""Incoming email through the configured ESP's inbound webhook (anymail's `inbound` signal).

anymail's inbound view (mounted by webhooks.py beside the tracking one, behind the same basic auth and
signature checks) parses the ESP's payload into an AnymailInboundMessage and sends the signal; the receiver
here turns it into our own small `InboundEmail` and hands it to the registered handlers, so that the apps
above (responses: a customer's reply onto their case) never see anymail and surveys never imports them.

A handler returns True when the message was its to take; the first that does ends the round. A message no
handler takes is only logged (without addresses): the webhook still answers 200, or the ESP would retry
a message that nobody here wants for days.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from anymail.signals import inbound
from django.dispatch import receiver

from nps.logsafe import mask_addresses

log = logging.getLogger(__name__)

# Header values are cut to what the CaseMessage columns hold; a longer one is no Message-ID anyway.
MAX_HEADER = 300
MAX_REFERENCES = 50


@dataclass(frozen=True)
class InboundEmail:
    """One received message, as the handlers get it (addresses lower-cased addr-specs)."""

    to: tuple[str, ...]  # To, Cc and the envelope recipient, in that order, without repeats
    from_: str  # the sender's address ("" when the message names none)
    from_name: str
    subject: str
    text: str  # the plain-text part (else the HTML part's text, roughly), never None
    html: str
    message_id: str  # "<…@…>" or ""
    in_reply_to: str
    references: tuple[str, ...]
    esp: str = ""


InboundHandler = Callable[[InboundEmail], bool]
_handlers: list[InboundHandler] = []


def register_inbound_handler(fn: InboundHandler) -> InboundHandler:
    """Have `fn(message) -> taken?` see every incoming email; registering the same function again is a
    no-op (AppConfig.ready() may run twice in tests)."""
    if fn not in _handlers:
        _handlers.append(fn)
    return fn


def _header(message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split())[:MAX_HEADER] if value is not None else ""


def _message_ids(value: str) -> tuple[str, ...]:
    """The "<…>" ids of a References header, oldest first."""
    ids, rest = [], value
    while "<" in rest and ">" in rest:
        start = rest.index("<")
        end = rest.find(">", start)
        if end < 0:
            break
        ids.append(rest[start : end + 1][:MAX_HEADER])
        rest = rest[end + 1 :]
    return tuple(ids[-MAX_REFERENCES:])


def _addresses(entries) -> list[str]:
    return [entry.addr_spec.strip().lower() for entry in entries or [] if getattr(entry, "addr_spec", "")]


def read(message, *, esp: str = "") -> InboundEmail:
    """Our InboundEmail of an AnymailInboundMessage."""
    recipients: list[str] = []
    for address in [
        *_addresses(message.to),
        *_addresses(message.cc),
        *_addresses(message.bcc),
        (message.envelope_recipient or "").strip().lower(),
    ]:
        if address and address not in recipients:
            recipients.append(address)
    sender = message.from_email
    if isinstance(sender, list):  # a legal but rare multiple-From: the first one
        sender = sender[0] if sender else None
    html = message.html or ""
    return InboundEmail(
        to=tuple(recipients),
        from_=(sender.addr_spec.strip().lower() if sender is not None else ""),
        from_name=(sender.display_name if sender is not None else "")[:200],
        subject=_header(message, "Subject"),
        text=message.text or "",
        html=html,
        message_id=_header(message, "Message-ID"),
        in_reply_to=_header(message, "In-Reply-To"),
        references=_message_ids(str(message.get("References") or "")),
        esp=esp,
    )


def dispatch(email: InboundEmail) -> bool:
    """Hand the message to the handlers; True when one took it."""
    for handler in list(_handlers):
        if handler(email):
            return True
    log.info(
        "Inbound email %s for %s taken by no one; ignored.",
        email.message_id or "(no Message-ID)",
        mask_addresses(", ".join(email.to)) or "(no recipient)",
    )
    return False


@receiver(inbound, dispatch_uid="surveys.channels.email.inbound")
def receive_inbound(sender, event, esp_name, **kwargs):
    if event.message is not None:
        dispatch(read(event.message, esp=esp_name))
