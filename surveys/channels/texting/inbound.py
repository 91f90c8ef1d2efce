"""Incoming texts (SMS and WhatsApp, through Twilio's inbound webhook): opt-out words, HELP, survey replies.

Every incoming text becomes one TextMessage (direction "in"), whatever happens next: Twilio's MessageSid is
unique, so a replayed webhook finds its row and changes nothing. Then, in one transaction:

- a keyword (the whole trimmed text, in any case, or Twilio's OptOutType when the account uses Advanced
  Opt-Out): a STOP word suppresses the number on every texting channel at once, closes its conversations
  and cancels its queued texts; START / UNSTOP lift a texting opt-out; HELP queues the brand's help text.
  Twilio answers STOP and START itself, so we send no confirmation;
- else the text answers the number's open conversation, through the handler that responses registers
  (`register_reply_handler`: surveys never imports responses);
- else a text listener may take it (`register_text_listener`: responses puts a customer's answer to a
  case reply onto the case);
- else it is kept on the contact and marked for a person to read: never dropped.
"""

import logging
import unicodedata
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from ... import contacts
from ...invitations import supported_language
from ...models import (
    TEXT_CHANNELS,
    Brand,
    Channel,
    Contact,
    Conversation,
    Invitation,
    Suppression,
    TextMessage,
)
from . import conversations

log = logging.getLogger(__name__)

# Twilio's own opt-out, opt-in and help keywords (its default Opt-Out handling answers them too).
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help"})
# Advanced Opt-Out sends the keyword's type, whatever the account's own words are (in any language).
OPT_OUT_TYPES = {"stop": "stop", "start": "start", "help": "help"}

DEFAULT_HELP_TEXT = gettext_noop(
    "{brand}: we text you short surveys about our service. Reply STOP to opt out."
)
NO_OPEN_SURVEY = "No open survey for this number"
WHATSAPP_PREFIX = "whatsapp:"
# E.164 has at most 15 digits; anything much longer is not a number (and phonenumbers need not read it).
MAX_ADDRESS = 40

ReplyHandler = Callable[[Conversation, TextMessage], str]
_reply_handler: list[ReplyHandler] = []
# A listener returns what took the text (its str() goes into the outcome, "Case 12"), or None.
TextListener = Callable[[TextMessage], object]
_text_listeners: list[TextListener] = []


class Malformed(ValueError):
    """Webhook parameters that Twilio would never send; the message says why, for the 400 answer."""


def register_reply_handler(handler: ReplyHandler) -> ReplyHandler:
    """Have `handler(conversation, message) -> outcome in words` answer replies to open conversations.

    responses registers responses.texting.handle_reply from its AppConfig.ready() (surveys sits below
    responses and cannot import it); registering again replaces the handler.
    """
    _reply_handler[:] = [handler]
    return handler


def register_text_listener(listener: TextListener) -> TextListener:
    """Have `listener(message)` see each incoming text that is neither a keyword nor a reply to an open
    conversation; the first that returns something took it. Registering the same function again is a
    no-op."""
    if listener not in _text_listeners:
        _text_listeners.append(listener)
    return listener


def read_address(value: str) -> tuple[str, str]:
    """(channel, E.164 number) of a Twilio address: "whatsapp:+919876543210" → ("whatsapp", "+919876…")."""
    channel = Channel.SMS.value
    if value[: len(WHATSAPP_PREFIX)].lower() == WHATSAPP_PREFIX:
        channel, value = Channel.WHATSAPP.value, value[len(WHATSAPP_PREFIX) :]
    if not value.strip() or len(value) > MAX_ADDRESS:
        raise Malformed("From is not a phone number.")
    try:
        return channel, contacts.normalize_phone(value)
    except contacts.ContactError:
        raise Malformed("From is not a phone number.") from None


def receive(params: Mapping[str, str]) -> TextMessage:
    """Record one incoming text (Twilio's inbound webhook parameters) and act on it; a replay of a text
    already recorded returns its row and does nothing. Malformed when From is not a phone number."""
    sid = params.get("MessageSid", "")
    if not sid:
        raise Malformed("MessageSid is missing.")
    channel, number = read_address(params.get("From", ""))
    to = params.get("To", "")
    to = to[len(WHATSAPP_PREFIX) :] if to[: len(WHATSAPP_PREFIX)].lower() == WHATSAPP_PREFIX else to
    if len(to) > MAX_ADDRESS:
        raise Malformed("To is not a phone number.")
    existing = TextMessage.objects.filter(provider_sid=sid).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                message = TextMessage.objects.create(
                    direction=TextMessage.Direction.IN,
                    channel=channel,
                    kind=TextMessage.Kind.REPLY,
                    contact=Contact.objects.filter(phone=number).first(),
                    from_number=number,
                    to_number=to[:32],
                    body=params.get("Body", ""),
                    provider_sid=sid,
                    status=TextMessage.Status.RECEIVED,
                )
        except IntegrityError:  # the same webhook, delivered twice at the same moment: the other one acts
            return TextMessage.objects.get(provider_sid=sid)
        message.outcome = _act(message, keyword_of(params))[:200]
        message.save(update_fields=["contact", "invitation", "outcome", "needs_attention"])
    return message


def keyword_of(params: Mapping[str, str]) -> str:
    """ "stop", "start", "help" or "" for a text that is no keyword.

    A keyword counts only as the whole text (as Twilio reads them: "Stop" stops, "please stop" does
    not); full-width and other compatibility forms count as the plain letters.
    """
    advanced = OPT_OUT_TYPES.get(params.get("OptOutType", "").strip().lower())
    if advanced:
        return advanced
    word = unicodedata.normalize("NFKC", params.get("Body", "")).strip().casefold()
    if word in OPT_OUT_WORDS:
        return "stop"
    if word in OPT_IN_WORDS:
        return "start"
    return "help" if word in HELP_WORDS else ""


def _act(message: TextMessage, keyword: str) -> str:
    if keyword == "stop":
        return opt_out(message)
    if keyword == "start":
        return opt_in(message)
    if keyword == "help":
        return send_help(message)
    return answer(message)


def opt_out(message: TextMessage) -> str:
    """The number opted out: suppressed for SMS and WhatsApp alike (one row per number), its open
    conversations closed, its queued texts cancelled. Email to the same contact is not touched."""
    number, channel = message.from_number, message.channel
    contacts.suppress(
        number,
        reason=Suppression.Reason.UNSUBSCRIBED,
        channel=channel,
        detail=f"Replied “{message.body.strip()[:40]}” by {Channel(channel).label}",
    )
    conversations.close_all(number)
    if message.contact is not None:
        contacts.cancel_pending(
            message.contact, channels=TEXT_CHANNELS, reason="The number opted out of texts (STOP)."
        )
    return "Opted out of texts (STOP)"


def opt_in(message: TextMessage) -> str:
    """START / UNSTOP: lift the number's texting opt-out (one that came by text, never an admin's or a
    bounce's, and never an email unsubscribe)."""
    removed, _ = Suppression.objects.filter(
        address=message.from_number, reason=Suppression.Reason.UNSUBSCRIBED, channel__in=TEXT_CHANNELS
    ).delete()
    return "Opted back in to texts (START)" if removed else "START received; the number was not opted out"


def send_help(message: TextMessage) -> str:
    """HELP: the help text of the brand that last texted the number (else the first brand), in the
    contact's language, queued once per incoming HELP."""
    from .outbox import queue_text

    invitation = latest_invitation(message.contact)
    brand = invitation.campaign.brand if invitation else Brand.objects.order_by("pk").first()
    if brand is None:
        return "HELP received; no brand to answer with"
    language = supported_language(message.contact.language if message.contact else "") or (
        invitation.language if invitation else ""
    )
    queue_text(
        channel=message.channel,
        to=message.from_number,
        body=help_text(brand, language),
        kind=TextMessage.Kind.HELP,
        key=f"help:{message.pk}",
        contact=message.contact,
        invitation=invitation,
    )
    return "Help text sent"


def latest_invitation(contact: Contact | None) -> Invitation | None:
    if contact is None:
        return None
    return (
        Invitation.objects.filter(contact=contact, channel__in=TEXT_CHANNELS)
        .select_related("campaign__brand")
        .order_by("-created_at", "-pk")
        .first()
    )


def help_text(brand: Brand, language: str) -> str:
    """The brand's own help text, else the default naming the company, in `language` (else the site's)."""
    if brand.sms_help_text:
        return brand.sms_help_text
    with translation.override(language or settings.LANGUAGE_CODE):
        return translation.gettext(DEFAULT_HELP_TEXT).replace("{brand}", brand.company_name)


def answer(message: TextMessage) -> str:
    """A reply to the number's open conversation, read by the registered handler; without one (none
    open, or expired) the text stays on the contact, marked for a person to read."""
    conversation = conversations.find_open(message.from_number, message.channel, for_update=True)
    if conversation is None or not _reply_handler:
        if taken := listened(message):
            return f"Added to {taken}"
        message.needs_attention = True
        return NO_OPEN_SURVEY
    message.invitation, message.contact = conversation.invitation, conversation.contact
    message.save(update_fields=["invitation", "contact"])
    try:
        with transaction.atomic():
            return _reply_handler[0](conversation, message)
    except Exception:
        # The text is kept whatever the handler did: a person reads it instead.
        log.exception("The reply handler failed on incoming text %s", message.pk)
        message.needs_attention = True
        return "The reply could not be read (error logged); please read it"


def listened(message: TextMessage):
    """What the first text listener that took the text returned, else None. A listener that fails leaves
    the text for a person to read, like a failing reply handler."""
    for listener in list(_text_listeners):
        try:
            with transaction.atomic():
                taken = listener(message)
        except Exception:
            log.exception("A text listener failed on incoming text %s", message.pk)
            return None
        if taken:
            return taken
    return None
