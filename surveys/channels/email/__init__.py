"""The email channel: invitations through django-anymail (any ESP chosen by EMAIL_BACKEND, or SMTP).

The only code that knows anymail: the message (message.py), the ESPs' tracking events (tracking.py), their
webhook URLs (webhooks.py), the preview and the demo's .eml file backend (backends.py).
"""

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core import checks
from django.core.mail import get_connection
from django.db.models.functions import Lower

from ...models import Channel, Contact, Invitation
from .message import build_message, idempotency_key, message_id
from .preview import preview
from .tracking import read_event

__all__ = [
    "address_expression",
    "address_name",
    "address_of",
    "deliverable_at",
    "is_configured",
    "find_sent",
    "is_permanent",
    "preview",
    "read_event",
    "send",
    "send_test",
    "sends",
    "value",
    "webhook_urls",
]

value: str = Channel.EMAIL.value
address_name = "an email address"
sends = True


def address_of(contact: Contact) -> str:
    return (contact.email or "").lower()


def address_expression(contact_path: str):
    return Lower(f"{contact_path}email")


def is_configured() -> bool:
    return True  # EMAIL_BACKEND always names a backend (SMTP by default)


def deliverable_at(contact: Contact, moment):
    return moment  # the campaign's send window is all email keeps to


def send(invitation: Invitation, *, reminder: bool = False) -> str:
    return _send(build_message(invitation, reminder=reminder))


def send_test(invitation: Invitation, *, key: str) -> str:
    """The invitation's email as a test to a staff member (an unsaved invitation whose token is a test
    token): the real message under a Message-ID of its own (`key`), tagged as a test."""
    message = build_message(invitation)
    domain = message.extra_headers["Message-ID"].rpartition("@")[2].rstrip(">")
    message.extra_headers["Message-ID"] = f"<{key}@{domain}>"
    # No "invitation" key: the ESP's events about it name no invitation (a bounce still suppresses).
    message.metadata = {"test": key, "campaign": str(invitation.campaign.pk)}
    message.tags = ["nps-test"]
    return _send(message)


def _send(message) -> str:
    message.connection = get_connection()  # a new one per message: _add_idempotency_key may adapt it
    _add_idempotency_key(message)
    message.send()
    status = getattr(message, "anymail_status", None)
    # Plain Django backends (SMTP, the demo's files) have no provider id: the Message-ID is ours.
    provider_id = status.message_id if status is not None else None
    return str(provider_id) if provider_id is not None else message.extra_headers["Message-ID"]


def _add_idempotency_key(message) -> None:
    """Where the ESP honours one, the message's idempotency key: a resend after a crash is then dropped by
    the ESP (docs/delivery.md, "The residual risk"). Other ESPs have none."""
    connection = message.connection
    key = idempotency_key(message.extra_headers["Message-ID"])
    esp = getattr(connection, "esp_name", "")
    if esp == "Brevo":  # read from the message's headers; kept 15 to 30 minutes
        message.extra_headers["idempotencyKey"] = key
    elif esp == "Resend":  # an HTTP request header, kept 24 hours; anymail builds the request per message
        build = connection.build_message_payload

        def build_with_key(email, defaults):
            payload = build(email, defaults)
            payload.headers["Idempotency-Key"] = key
            return payload

        connection.build_message_payload = build_with_key


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
    from .webhooks import urlpatterns  # the configured ESP's anymail view: loaded with the URLs only

    return urlpatterns()


@checks.register(checks.Tags.security)
def check_webhook_configured(app_configs, **kwargs) -> list:
    """The ESP's webhook must be able to check its provider's signature: an error in production (the
    `check` and `migrate` commands stop), a warning with DEBUG on."""
    from .webhooks import configuration_errors

    level, code = (checks.Warning, "surveys.W001") if settings.DEBUG else (checks.Error, "surveys.E001")
    return [
        level(f"The {settings.EMAIL_BACKEND} webhook is not configured: {error}", id=code)
        for error in configuration_errors(settings.EMAIL_BACKEND)
    ]
