"""A mail backend for the demo: one RFC 822 `.eml` file per message in MAIL_OUTBOX_DIR."""

import os
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


def _file_name(message_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml"


class EmlFileBackend(BaseEmailBackend):
    """A message with its own Message-ID is written once: sending it again is a no-op, like an ESP that
    honours an idempotency key. Files appear whole (written aside, then hard-linked into place)."""

    def send_messages(self, email_messages):
        outbox = Path(settings.MAIL_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            data = message.message().as_bytes(linesep="\r\n")
            message_id = message.extra_headers.get("Message-ID")
            if not message_id:
                stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
                (outbox / f"{stamp}-{uuid.uuid4().hex[:12]}.eml").write_bytes(data)
                continue
            partial = outbox / f".{uuid.uuid4().hex}.part"
            partial.write_bytes(data)
            try:
                os.link(partial, outbox / _file_name(message_id))
            except FileExistsError:
                pass  # already delivered under this Message-ID
            finally:
                partial.unlink()
        return len(email_messages)

    def has_sent(self, message_id: str) -> bool:
        """True when a message with this Message-ID is already in the outbox (used on recovery)."""
        return (Path(settings.MAIL_OUTBOX_DIR) / _file_name(message_id)).exists()
