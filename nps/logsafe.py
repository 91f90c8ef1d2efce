"""Log lines carry no one's address: erasing a person cannot reach a log once it is written (docs/privacy.md).

Our own log lines name records by id. Text from outside — a provider's error quoting the recipient, a
webhook receiver's reply quoting the body it got — goes through `mask_addresses` first.
"""

import logging
import re

EMAIL = re.compile(r"[^\s<>\"'(),;:\[\]{}]+@[^\s<>\"'(),;:\[\]{}]+\.[a-z]{2,63}", re.IGNORECASE)
# A number written with its country code ("+91 98765 43210"), or ten digits and more in a row.
PHONE = re.compile(r"\+\d[\d ().-]{6,}\d|\b\d{10,15}\b")


def mask_addresses(text) -> str:
    """`text` with every email address and phone number replaced by <email> / <phone>, for a log line."""
    return PHONE.sub("<phone>", EMAIL.sub("<email>", str(text)))


class ClientErrorWithoutTraceback(logging.Filter):
    """A 4xx logged by "django.request" (403, 404, a bad request) stays one line: the reason and the path.

    Django attaches the exception that made the response, so a refused role printed its whole traceback;
    a 5xx keeps it, since that is a bug to find.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
