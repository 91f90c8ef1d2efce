"""What the demo's phone simulator (nps/demo/phone.py) needs from texting: Twilio's inbound parameters for
a customer's reply, signed as Twilio signs them, and the conversations the file backend produced.

The reply then goes through the real inbound webhook (webhooks.py) with its real signature check, so the
simulator shows exactly what Twilio's requests do. Only the demo uses this (SMS_BACKEND="file").
"""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from twilio.request_validator import RequestValidator

from ...models import Channel, Invitation, TextMessage

INBOUND_PATH = "/webhooks/twilio/inbound/"
# A link in a text, without the punctuation that may follow it in a sentence.
LINK = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]'\"]*(?:\s|$))")


def address(number: str, channel: str) -> str:
    """A number as Twilio writes it for the channel: "whatsapp:+91…" on WhatsApp, "+91…" for SMS."""
    return f"whatsapp:{number}" if channel == Channel.WHATSAPP else number


def sender_of(number: str, channel: str) -> str:
    """The number that texted `number` on `channel` last (the brand's sender), else the default one."""
    last = (
        TextMessage.objects.filter(direction=TextMessage.Direction.OUT, channel=channel, to_number=number)
        .exclude(from_number="")
        .order_by("-created_at", "-pk")
        .values_list("from_number", flat=True)
        .first()
    )
    if last and last.startswith("+"):
        return last
    if channel == Channel.WHATSAPP:
        return settings.TWILIO_WHATSAPP_FROM
    return settings.TWILIO_FROM_NUMBER or last or ""


def inbound_params(*, number: str, channel: str, body: str) -> dict[str, str]:
    """The parameters of Twilio's inbound webhook for `body` texted from `number` (those Twilio always
    sends, less the geographic ones), with a new random MessageSid."""
    sid = "SM" + secrets.token_hex(16)
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,  # Twilio repeats the id under its older names
        "SmsSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": address(number, channel),
        "To": address(sender_of(number, channel), channel),
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def sign_inbound(params: dict[str, str]) -> str:
    """X-Twilio-Signature for these parameters posted to the inbound webhook's public URL."""
    url = settings.PUBLIC_BASE_URL + INBOUND_PATH
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


@dataclass
class Thread:
    """One number's texts on one channel, for the simulator's list."""

    number: str
    channel: str
    name: str = ""
    count: int = 0
    last: TextMessage | None = None


# The demo holds a few hundred texts at most; the simulator lists the numbers of the latest ones.
THREAD_ROWS = 2000


def threads() -> list[Thread]:
    """Every number we texted or that texted us, per channel, the latest conversation first."""
    found: dict[tuple[str, str], Thread] = {}
    rows = TextMessage.objects.select_related("contact").order_by("-created_at", "-pk")[:THREAD_ROWS]
    for message in rows:
        outbound = message.direction == TextMessage.Direction.OUT
        number = message.to_number if outbound else message.from_number
        if not number:  # emptied by an erasure
            continue
        thread = found.setdefault((number, message.channel), Thread(number, message.channel, last=message))
        thread.count += 1
        if not thread.name and message.contact:
            thread.name = message.contact.name
    return list(found.values())


def messages(number: str, channel: str):
    """The texts between us and `number` on `channel`, oldest first (a phone shows the newest last)."""
    return (
        TextMessage.objects.filter(channel=channel)
        .filter(
            Q(direction=TextMessage.Direction.OUT, to_number=number)
            | Q(direction=TextMessage.Direction.IN, from_number=number)
        )
        .order_by("created_at", "pk")
    )


def parts(body: str) -> list[tuple[str, bool]]:
    """The text cut into (text, is_link) pieces, so that a phone's links can be tapped.

    Not Django's urlize: it rewrites a query string without "=" (our /s?<token>) into "/s?<token>=".
    """
    pieces, start = [], 0
    for match in LINK.finditer(body):
        if match.start() > start:
            pieces.append((body[start : match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(body):
        pieces.append((body[start:], False))
    return pieces


def waiting():
    """Survey texts held back until the recipient's quiet hours end (or the campaign's window opens)."""
    return (
        Invitation.objects.filter(channel__in=[Channel.SMS, Channel.WHATSAPP], state=Invitation.State.QUEUED)
        .select_related("contact", "campaign")
        .order_by("scheduled_for", "pk")
    )
