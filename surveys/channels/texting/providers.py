"""The provider seam: what a text is (`OutgoingText`) and who sends it (`get_provider()`).

SMS_BACKEND chooses: "twilio" (twilio_provider.py, the only module that imports twilio) or "file", the
demo's provider, which writes one JSON file per text to SMS_OUTBOX_DIR for the phone simulator to show.
Another provider (an Indian one that takes DLT IDs per message, say) is one more class with `send` and
`find_sent`.
"""

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@dataclass(frozen=True)
class OutgoingText:
    """One text as the provider gets it."""

    channel: str  # "sms" or "whatsapp"
    to: str  # E.164, without "whatsapp:"
    # What the phone shows. A WhatsApp template's text is Twilio's (by content_sid): this body is then only
    # what we record and what the demo's phone shows.
    body: str
    sender: str = ""  # E.164 number or alphanumeric sender ID
    messaging_service_sid: str = ""
    content_sid: str = ""  # WhatsApp: the approved template ("HX…")
    content_variables: dict = field(default_factory=dict)
    status_callback: str = ""
    link: str = ""  # the short link the text carries, if any
    kind: str = ""  # a TextMessage.Kind


class TextProvider(Protocol):
    def send(self, text: OutgoingText) -> str:
        """Hand the text over; returns the provider's id. Raises errors.TextSendError."""

    def find_sent(
        self, to: str, channel: str, body: str, since: datetime, *, known: frozenset = frozenset()
    ) -> str | None:
        """The id of a text to `to` on `channel` taken at or after `since` whose body contains `body` (""
        matches any) and whose id is not in `known`; None when there is none."""


def get_provider() -> TextProvider:
    if settings.SMS_BACKEND == "file":
        return FileProvider(Path(settings.SMS_OUTBOX_DIR))
    if settings.SMS_BACKEND == "twilio":
        from .twilio_provider import TwilioProvider

        return TwilioProvider()
    raise ImproperlyConfigured(f"SMS_BACKEND must be “twilio” or “file”, not “{settings.SMS_BACKEND}”.")


class FileProvider:
    """The demo's provider: each text is a JSON file (to, from, channel, body, link, kind, sid, created_at)
    in SMS_OUTBOX_DIR, named so that a directory listing is in sending order."""

    def __init__(self, directory: Path):
        self.directory = directory

    def send(self, text: OutgoingText) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = timezone.now().astimezone(UTC)
        sid = "SM" + secrets.token_hex(16)
        record = {
            "to": text.to,
            "from": text.sender or text.messaging_service_sid,
            "channel": text.channel,
            "body": text.body,
            "link": text.link,
            "kind": text.kind,
            "sid": sid,
            "created_at": now.isoformat(),
        }
        path = self.directory / f"{now:%Y%m%dT%H%M%S%f}-{sid}.json"
        # Written whole, then renamed: the phone simulator never reads half a file.
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, path)
        return sid

    def sent(self) -> list[dict]:
        """Every text written, oldest first."""
        if not self.directory.is_dir():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.directory.glob("*.json"))]

    def find_sent(
        self, to: str, channel: str, body: str, since: datetime, *, known: frozenset = frozenset()
    ) -> str | None:
        for record in reversed(self.sent()):
            if (
                record["to"] == to
                and record["channel"] == channel
                and body in record["body"]
                and record["sid"] not in known
                and datetime.fromisoformat(record["created_at"]) >= since
            ):
                return record["sid"]
        return None
