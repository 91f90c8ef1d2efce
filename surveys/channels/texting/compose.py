"""The words of a survey text: the invitation's body (link or reply mode, per language), the sender, and
the template texts an operator registers (India's DLT, WhatsApp's content templates).

Campaign texts use placeholders {question}, {brand} and {link}; they are replaced with str.replace, never
str.format, since an admin's text may hold any braces.
"""

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from ...models import DEFAULT_SMS_BODY, Brand, Campaign, Channel, Invitation, TextMode, render_text

# Reply mode: what a reply without a score gets, once (responses/texting.py).
REASK = gettext_noop("Sorry, we did not understand. Please reply with a number from 0 to 10.")

# How India's DLT portals mark a variable in a registered template.
DLT_VARIABLE = "{#var#}"
# The variable of a WhatsApp template: the short token, at the end of the URL button.
WHATSAPP_VARIABLE = "{{1}}"


def country_of(number) -> str:
    """The country of an E.164 number ("IN", "US"); "" when unknown."""
    try:
        parsed = number if isinstance(number, phonenumbers.PhoneNumber) else phonenumbers.parse(str(number))
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(parsed) or ""


def text_mode_for(invitation: Invitation) -> str:
    """Reply mode only for an SMS campaign in reply mode to a number that can reply (not India's: no
    two-way SMS there); WhatsApp opens with a template, whose URL button is the link."""
    if invitation.channel != Channel.SMS or invitation.campaign.text_mode != TextMode.REPLY:
        return TextMode.LINK
    if country_of(invitation.contact.phone) in settings.TEXT_LINK_ONLY_REGIONS:
        return TextMode.LINK
    return TextMode.REPLY


def fill(template: str, invitation: Invitation) -> str:
    """The template with {question}, {brand} and {link} of this invitation."""
    question = invitation.text("question")
    return (
        template.replace("{question}", question)
        .replace("{brand}", invitation.campaign.brand.company_name)
        .replace("{link}", invitation.short_url())
        .strip()
    )


def invitation_body(invitation: Invitation, *, reminder: bool = False) -> str:
    """The SMS an invitation (or its reminder: the same words) sends, as the phone shows it.

    A text of a reply-mode campaign going to a link-only number has no {link} to fill: it gets the link
    mode's default text instead, in the invitation's language.
    """
    template = invitation.text("sms_body")
    if text_mode_for(invitation) == TextMode.LINK and "{link}" not in template:
        template = render_text(
            DEFAULT_SMS_BODY[TextMode.LINK],
            "sms_body",
            company=invitation.campaign.brand.company_name,
            language=invitation.language,
        )
    return fill(template, invitation)


def thanks_text(invitation: Invitation) -> str:
    """Reply mode's last text, in the active language: the answer page's thank-you words
    (templates/responses/thanks.html), or the survey's own thank-you message."""
    said = invitation.texts.get("thank_you_message") or gettext(
        "Your answer helps %(company)s get better."
    ) % {"company": invitation.campaign.brand.company_name}
    return gettext("Thank you!") + " " + said


def whatsapp_body(invitation: Invitation) -> str:
    """What the customer's WhatsApp shows for the template: its text, then the button's link."""
    body, _ = whatsapp_template_text(invitation.campaign, invitation.language)
    return f"{body}\n{invitation.short_url()}"


def dlt_template_text(campaign: Campaign, language: str) -> str:
    """The SMS text to register on a DLT portal for this language: the link-mode text with the short
    link's token as the one variable (the link's prefix, up to "?", is whitelisted separately)."""
    template = campaign.text("sms_body", language)
    if "{link}" not in template:  # a reply-mode text: Indian numbers get the link mode's default
        template = render_text(
            DEFAULT_SMS_BODY[TextMode.LINK],
            "sms_body",
            company=campaign.brand.company_name,
            language=language,
        )
    return (
        template.replace("{question}", campaign.text("question", language))
        .replace("{brand}", campaign.brand.company_name)
        .replace("{link}", f"{settings.PUBLIC_BASE_URL}/s?{DLT_VARIABLE}")
        .strip()
    )


def whatsapp_template_text(campaign: Campaign, language: str) -> tuple[str, str]:
    """The WhatsApp template to have approved for this language: (body, URL of its button), the button's
    URL ending in the variable {{1}} that each invitation fills with its short token."""
    return campaign.text("question", language), f"{settings.PUBLIC_BASE_URL}/s?{WHATSAPP_VARIABLE}"


def whatsapp_content_sid(campaign: Campaign, language: str) -> str:
    """The approved template's Content SID for this language, else the default language's; "" none."""
    templates = campaign.whatsapp_templates or {}
    return templates.get(language) or templates.get(settings.LANGUAGE_CODE) or ""


def messaging_service_for(brand: Brand | None, channel: str) -> str:
    """The Messaging Service ("MG…") that sends: the brand's, else the workspace's; "" none (SMS only).

    SMS go through a Messaging Service when one is set (it picks the sender and keeps opt-outs) unless the
    brand names a sender number of its own and no service; WhatsApp templates always need one.
    """
    brand = brand or Brand()  # no brand (a HELP answer to a stranger): the workspace's
    if brand.messaging_service_sid:
        return brand.messaging_service_sid
    if channel == Channel.SMS and brand.sms_sender:
        return ""
    return settings.TWILIO_MESSAGING_SERVICE_SID


def sender_for(brand: Brand | None, channel: str) -> str:
    """The sender a phone shows (E.164 number or alphanumeric ID): the brand's, else the workspace's; ""
    when a Messaging Service chooses among its senders."""
    brand = brand or Brand()
    if channel == Channel.WHATSAPP:
        return brand.whatsapp_sender or settings.TWILIO_WHATSAPP_FROM
    if brand.sms_sender:
        return brand.sms_sender
    return "" if messaging_service_for(brand, channel) else settings.TWILIO_FROM_NUMBER
