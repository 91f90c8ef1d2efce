"""The demo's .eml backend for the worker-kill test: after it accepted the message whose Message-ID is in
NPS_HOLD_AFTER_ACCEPTING, it does not answer (a provider slow to reply), so the test can kill the worker in
the one window that matters: the provider has the message, our "sent" commit has not happened."""

import os
import time

from surveys.channels.email.backends import EmlFileBackend


class HoldingEmlBackend(EmlFileBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        held = os.environ.get("NPS_HOLD_AFTER_ACCEPTING")
        if held and any(message.extra_headers.get("Message-ID") == held for message in email_messages):
            while True:  # until the test kills this worker
                time.sleep(1)
        return sent
