"""The email channel: invitations through django-anymail (any ESP chosen by EMAIL_BACKEND, or SMTP).

The only code that knows anymail: the message (message.py), the ESPs' tracking events (tracking.py), their
webhook URLs (webhooks.py), the preview and the demo's .eml file backend (backends.py).
"""

from anymail.exceptions import AnymailRecipientsRefused
from django.core.mail import get_connection

from ...models import Channel, Contact, Invitation
from .message import build_message, message_id
from .preview import preview
from .tracking import read_event

__all__ = [
    "address_name",
    "address_of",
    "find_sent",
    "is_permanent",
    "preview",
    "read_event",
    "send",
    "value",
    "webhook_urls",
]

value: str = Channel.EMAIL.value
address_name = "an email address"


def address_of(contact: Contact) -> str:
    return (contact.email or "").lower()


def send(invitation: Invitation, *, reminder: bool = False) -> str:
    message = build_message(invitation, reminder=reminder)
    message.send()
    status = getattr(message, "anymail_status", None)
    # Plain Django backends (SMTP, the demo's files) have no provider id: the Message-ID is ours.
    provider_id = status.message_id if status is not None else None
    return str(provider_id) if provider_id is not None else message.extra_headers["Message-ID"]


def find_sent(invitation: Invitation, *, reminder: bool = False) -> str | None:
    # Only a backend that can answer has_sent(Message-ID) can tell (the demo's .eml backend does).
    connection = get_connection()
    has_sent = getattr(connection, "has_sent", None)
    if has_sent is None:
        return None
    mid = message_id(invitation, reminder=reminder)
    return mid if has_sent(mid) else None


def is_permanent(error: Exception) -> bool:
    # The ESP refused every recipient (invalid, or on the ESP's own suppression list): no retry helps.
    return isinstance(error, AnymailRecipientsRefused)


def webhook_urls() -> list:
    from .webhooks import urlpatterns  # anymail's views of every ESP: loaded with the URLs only

    return urlpatterns
