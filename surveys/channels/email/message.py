"""The survey email: one AnymailMessage per invitation (and its reminder), with a stable Message-ID."""

import uuid
from email.utils import formataddr

from anymail.message import AnymailMessage
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ...models import one_line

SCORES = range(11)


def message_key(invitation, *, reminder: bool = False) -> str:
    """A stable key for one message of one invitation: its Message-ID, metadata and idempotency key."""
    if invitation.pk is None:
        return "preview"
    return f"opennps-{invitation.pk}-reminder" if reminder else f"opennps-{invitation.pk}"


def idempotency_key(message_id: str) -> str:
    """The provider's idempotency key for one message: a UUID derived from its Message-ID (Brevo wants a UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mid:{message_id}"))


def message_id(invitation, *, reminder: bool = False) -> str:
    domain = invitation.campaign.brand.sender_email.rpartition("@")[2] or "opennps.invalid"
    return f"<{message_key(invitation, reminder=reminder)}@{domain}>"


def isolate(text: str) -> str:
    """`text` as a bidi-isolated run (U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE)."""
    return f"\u2068{text}\u2069"


def unsubscribe_url(invitation) -> str:
    return settings.PUBLIC_BASE_URL + reverse("surveys:unsubscribe", args=[invitation.token])


def logo_url(brand) -> str:
    if not brand.logo:
        return ""
    url = brand.logo.url
    return url if url.startswith(("http://", "https://")) else settings.PUBLIC_BASE_URL + url


def build_message(invitation, *, reminder: bool = False) -> AnymailMessage:
    """The exact email a contact receives; works for an unsaved invitation with token "preview"."""
    campaign = invitation.campaign
    brand = campaign.brand
    key = message_key(invitation, reminder=reminder)
    unsubscribe = unsubscribe_url(invitation)
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context = {
            "brand": brand,
            "company": brand.company_name,
            "name": invitation.contact.name,
            "question": invitation.text("question"),
            "scores": [(score, invitation.answer_url(score)) for score in SCORES],
            "accent": brand.accent_color,
            "logo_url": logo_url(brand),
            "unsubscribe_url": unsubscribe,
            "reminder": reminder,
            "is_rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        }
        # In right-to-left text a left-to-right name ("Acme Inc.") is isolated (FSI … PDI), or its final
        # punctuation lands on the wrong side; the HTML part uses <bdi>.
        company = isolate(one_line(brand.company_name)) if context["is_rtl"] else one_line(brand.company_name)
        if reminder:
            subject = _("Reminder: a quick question from %(company)s") % {"company": company}
        else:
            subject = _("A quick question from %(company)s") % {"company": company}
        text = render_to_string("emails/survey.txt", {**context, "company": company})
        html = render_to_string("emails/survey.html", context)

    list_unsubscribe = f"<{unsubscribe}>"
    if settings.UNSUBSCRIBE_MAILTO:
        list_unsubscribe += (
            f", <mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{invitation.token}>"
        )
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=formataddr((one_line(brand.sender_name), brand.sender_email)),
        to=[invitation.contact.email],
        reply_to=[brand.reply_to] if brand.reply_to else None,
        headers={
            "Message-ID": message_id(invitation, reminder=reminder),
            "List-Unsubscribe": list_unsubscribe,
            # RFC 8058: mailbox providers POST "List-Unsubscribe=One-Click" to the https URL above.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        metadata={"invitation": key, "campaign": str(campaign.pk or "")},
        tags=["nps-reminder" if reminder else "nps-survey"],
    )
    message.attach_alternative(html, "text/html")
    return message
