"""The provider of the chaos run: the demo's .eml backend (one file per Message-ID, recovery can ask it),
with a round trip on each side of the acceptance, and a log line for every message it is handed again.

An ESP without an idempotency key would deliver such a second hand-over as a second email, so each line of
`duplicates.log` is a duplicate for the figures, even though this outbox keeps one file.
"""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings

from surveys.channels.email.backends import EmlFileBackend, _file_name


class ChaosOutbox(EmlFileBackend):
    def send_messages(self, email_messages):
        outbox = Path(settings.MAIL_OUTBOX_DIR)
        half_trip = settings.CHAOS_PROVIDER_LATENCY_S / 2
        for message in email_messages:
            message_id = message.extra_headers["Message-ID"]
            time.sleep(half_trip)  # the request on its way
            partial = outbox / f".{uuid.uuid4().hex}.part"
            partial.write_bytes(message.message().as_bytes(linesep="\r\n"))
            try:
                os.link(partial, outbox / _file_name(message_id))
            except FileExistsError:
                with open(outbox / "duplicates.log", "a") as log:
                    log.write(f"{message_id}\n")
            finally:
                partial.unlink()
            time.sleep(half_trip)  # accepted; the answer on its way back
        return len(email_messages)
