"""What sending any text involves, invitation or not (channel.py and outbox.py): the text from the
brand's sender with our status callback, Twilio's first status, a refusal recorded (and the number
suppressed when the refusal says so), and a send we never heard the end of recovered from the provider.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ... import contacts
from ...models import TextMessage
from . import compose
from .errors import TextSendError
from .providers import OutgoingText, get_provider

Status = TextMessage.Status


def status_callback() -> str:
    """Where Twilio reports what became of each text (the URL pasted nowhere: it goes with every send)."""
    return settings.PUBLIC_BASE_URL + reverse("twilio_status")


def outgoing(
    channel: str, *, to: str, body: str, kind: str, brand=None, link: str = "", **template
) -> OutgoingText:
    """A text from the brand's sender (else the workspace's), with our status callback."""
    return OutgoingText(
        channel=channel,
        to=to,
        body=body,
        sender=compose.sender_for(brand, channel),
        messaging_service_sid=compose.messaging_service_for(brand, channel),
        status_callback=status_callback() if settings.SMS_BACKEND == "twilio" else "",
        link=link,
        kind=kind,
        **template,
    )


def first_status(text: OutgoingText) -> str:
    """Twilio's status of a text it just took: "accepted" through a Messaging Service, else "queued"."""
    return Status.ACCEPTED if text.messaging_service_sid else Status.QUEUED


def known_sids(number: str, since: datetime) -> frozenset:
    """Provider ids of our texts to a number since a moment: never taken for another text's."""
    return frozenset(
        TextMessage.objects.filter(to_number=number, created_at__gte=since - timedelta(minutes=5))
        .exclude(provider_sid=None)
        .values_list("provider_sid", flat=True)
    )


def recover(message: TextMessage, match: str) -> str | None:
    """The provider's id of a text whose send we never heard the end of ("sending", no id), if the provider
    has it: taken at or after the attempt began, to the number, its body containing `match`."""
    since = message.status_changed_at
    sid = get_provider().find_sent(
        message.to_number, message.channel, match, since, known=known_sids(message.to_number, since)
    )
    if sid:
        TextMessage.objects.filter(pk=message.pk, provider_sid=None).update(
            provider_sid=sid, status=Status.SENT, error="", status_changed_at=timezone.now()
        )
    return sid


def failed(message: TextMessage, error: TextSendError) -> None:
    """Record a refused send; an answer we never got leaves the text "sending", for recover()."""
    fields = {"error": str(error)[:2000], "error_code": str(error.code or "")[:10]}
    if error.answered:
        fields |= {"status": Status.FAILED, "status_changed_at": timezone.now()}
    TextMessage.objects.filter(pk=message.pk).update(**fields)
    if error.suppress_reason:  # 21610 (opted out at Twilio), 63014 (blocked on WhatsApp): never again
        contacts.suppress(
            message.to_number, reason=error.suppress_reason, channel=message.channel, detail=str(error)
        )
