"""`TextChannel`: the SurveyChannel interface for SMS and WhatsApp (surveys/channels/__init__.py).

An invitation's text is sent by surveys/delivery.py through its Invitation row (claim, lease, sweep), like
an email. Beside it, each send keeps a TextMessage (key "inv:<id>:invitation" or "inv:<id>:reminder"),
written before the provider is called and given the provider's id after: the conversation log, the row
status callbacks update, and the memory that makes a second attempt safe. A send whose outcome we never
heard (a timeout, a dropped connection, a killed worker) leaves it in "sending"; the next attempt, or the
sweep through `find_sent`, first asks the provider whether the text went out.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from ...models import Brand, Channel, Contact, Invitation, TextMessage, TextMode
from . import compose, conversations, quiet_hours, status
from .errors import TextSendError
from .preview import preview as phone_preview
from .providers import OutgoingText, get_provider
from .sending import failed, first_status, outgoing, recover

Kind = TextMessage.Kind
Status = TextMessage.Status


class TextChannel:
    """One texting channel (SMS or WhatsApp); the two differ in their value and in how Twilio is called."""

    def __init__(self, value: str, *, address_name: str):
        self.value = str(value)
        self.address_name = address_name
        self.sends = True

    def __repr__(self):
        return f"<TextChannel {self.value}>"

    def address_of(self, contact: Contact) -> str:
        return str(contact.phone) if contact.phone else ""

    def address_expression(self, contact_path: str):
        return Coalesce(Cast(f"{contact_path}phone", CharField()), Value(""))

    def is_configured(self) -> bool:
        """The demo's file backend always; Twilio with an account, a token and somewhere to send from
        (WhatsApp: a Messaging Service and a WhatsApp sender, the workspace's or a brand's)."""
        if settings.SMS_BACKEND == "file":
            return True
        if settings.SMS_BACKEND != "twilio" or not (
            settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN
        ):
            return False
        brands = Brand.objects.all()
        if self.value == Channel.WHATSAPP:
            has_service = (
                settings.TWILIO_MESSAGING_SERVICE_SID or brands.exclude(messaging_service_sid="").exists()
            )
            has_sender = settings.TWILIO_WHATSAPP_FROM or brands.exclude(whatsapp_sender="").exists()
            return bool(has_service and has_sender)
        return bool(
            settings.TWILIO_FROM_NUMBER
            or settings.TWILIO_MESSAGING_SERVICE_SID
            or brands.exclude(sms_sender="", messaging_service_sid="").exists()
        )

    def deliverable_at(self, contact: Contact, moment: datetime) -> datetime:
        """Quiet hours: the first moment the recipient's local time allows a text."""
        if not contact.phone:
            return moment
        return quiet_hours.next_allowed(moment, number=str(contact.phone), time_zone=contact.time_zone)

    # Sending ------------------------------------------------------------------------------------

    def compose(self, invitation: Invitation, *, reminder: bool = False) -> OutgoingText:
        """The invitation's text (or its reminder) as the provider gets it."""
        brand = invitation.campaign.brand
        kind = Kind.REMINDER if reminder else Kind.INVITATION
        number = self.address_of(invitation.contact)
        link = invitation.short_url()
        if self.value == Channel.WHATSAPP:
            content_sid = compose.whatsapp_content_sid(invitation.campaign, invitation.language)
            if not content_sid and settings.SMS_BACKEND != "file":
                raise TextSendError(
                    None, "The campaign names no approved WhatsApp template (Content SID).", permanent=True
                )
            return outgoing(
                self.value,
                to=number,
                body=compose.whatsapp_body(invitation),
                kind=kind,
                brand=brand,
                link=link,
                content_sid=content_sid,
                content_variables={"1": invitation.short_token},
            )
        reply_mode = compose.text_mode_for(invitation) == TextMode.REPLY
        return outgoing(
            self.value,
            to=number,
            body=compose.invitation_body(invitation, reminder=reminder),
            kind=kind,
            brand=brand,
            link="" if reply_mode else link,
        )

    def _match(self, invitation: Invitation, body: str) -> str:
        """What identifies the text among the number's recent ones at the provider: the short token in a
        link, else the whole body. A WhatsApp template's text is Twilio's: any text not known to us."""
        if self.value == Channel.WHATSAPP:
            return ""
        return body if compose.text_mode_for(invitation) == TextMode.REPLY else invitation.short_token

    def send(self, invitation: Invitation, *, reminder: bool = False) -> str:
        text = self.compose(invitation, reminder=reminder)
        message, created = TextMessage.objects.get_or_create(
            key=f"inv:{invitation.pk}:{text.kind}",
            defaults={
                "direction": TextMessage.Direction.OUT,
                "channel": self.value,
                "kind": text.kind,
                "contact": invitation.contact,
                "invitation": invitation,
                "from_number": text.sender,
                "to_number": text.to,
                "body": text.body,
                "status": Status.SENDING,
                "attempts": 1,
            },
        )
        if not created:
            sid = message.provider_sid
            if not sid and message.status == Status.SENDING:  # an earlier attempt never heard back
                sid = recover(message, self._match(invitation, text.body))
            if sid:
                self._sent(invitation)
                return sid
            now = timezone.now()
            TextMessage.objects.filter(pk=message.pk).update(
                status=Status.SENDING, attempts=message.attempts + 1, status_changed_at=now, body=text.body,
                to_number=text.to, from_number=text.sender, error="", error_code="",
            )  # fmt: skip
            message.status_changed_at = now
        try:
            sid = get_provider().send(text)
        except TextSendError as error:
            failed(message, error)
            raise
        TextMessage.objects.filter(pk=message.pk).update(
            provider_sid=sid, status=first_status(text), status_changed_at=timezone.now()
        )
        self._sent(invitation)
        return sid

    def send_test(self, invitation: Invitation, *, key: str) -> str:
        """The invitation's text as a test to a staff member's number, recorded as a TextMessage of kind
        "test" without a contact (status callbacks follow it; no conversation is opened: a reply to a
        reply-mode test lands among the received texts)."""
        text = self.compose(invitation)
        message = TextMessage.objects.create(
            key=f"test:{key}"[:64],
            direction=TextMessage.Direction.OUT,
            channel=self.value,
            kind=Kind.TEST,
            from_number=text.sender,
            to_number=text.to,
            body=text.body,
            status=Status.SENDING,
            attempts=1,
        )
        try:
            sid = get_provider().send(text)
        except TextSendError as error:
            failed(message, error)
            raise
        TextMessage.objects.filter(pk=message.pk).update(
            provider_sid=sid, status=first_status(text), status_changed_at=timezone.now()
        )
        return sid

    def _sent(self, invitation: Invitation) -> None:
        """A survey texted in reply mode, or on WhatsApp (the customer may write back within its 24-hour
        window), waits for replies in a conversation."""
        if self.value == Channel.WHATSAPP or compose.text_mode_for(invitation) == TextMode.REPLY:
            conversations.open_conversation(invitation)

    def find_sent(self, invitation: Invitation, *, reminder: bool = False) -> str | None:
        kind = Kind.REMINDER if reminder else Kind.INVITATION
        message = TextMessage.objects.filter(key=f"inv:{invitation.pk}:{kind}").first()
        if message is None:  # the provider was never called
            return None
        sid = message.provider_sid
        if not sid and message.status == Status.SENDING:
            sid = recover(message, self._match(invitation, message.body))
        if sid:
            self._sent(invitation)
        return sid

    def is_permanent(self, error: Exception) -> bool:
        # Suppressing 21610 / 63014 happened already, when send() recorded the refusal.
        return isinstance(error, TextSendError) and error.permanent

    def preview(self, invitation: Invitation):
        return phone_preview(invitation, channel=self.value)

    def read_event(self, raw: Any, *, provider: str = ""):
        return status.read_event(raw)

    def webhook_urls(self) -> list:
        # Both channels share Twilio's two webhooks: SMS mounts them, WhatsApp adds none.
        if self.value != "sms":
            return []
        from .webhooks import urlpatterns

        return urlpatterns
