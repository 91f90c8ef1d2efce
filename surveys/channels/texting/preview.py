"""A text as the customer's phone shows it, for the campaign preview page and the editor's counters.

The preview page draws a phone per texting channel: the sender, the invitation text in the previewed
language (right to left for Arabic), with its link; in reply mode the follow-up and the thank-you that
the customer's answers would bring; for WhatsApp the approved template's body and its URL button. The
editor's counters (forms.CampaignForm) count the same text with a sample link of the real length, since
the link is part of what the customer pays segments for.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from ...invitations import supported_language
from ...models import TEXT_CHANNELS, Campaign, Channel, Contact, Invitation, TextMode
from .. import Preview
from . import compose, segments

# As long as a real short token (models.new_short_token: 12 characters), so that counts are exact.
SAMPLE_SHORT_TOKEN = "pReViEw7xK2q"  # noqa: S105
# Sample numbers of the preview's contact: one that can reply to a text, one that only gets links (India,
# settings.TEXT_LINK_ONLY_REGIONS). Fictional: 555-01xx numbers are reserved for fiction in the US.
REPLYING_NUMBER = "+12025550143"
LINK_ONLY_NUMBER = "+919876543210"
# The label of a WhatsApp template's URL button (already translated: the email's button says it too).
BUTTON_LABEL = gettext_noop("Open the survey")
# What the sample customer answers in a reply-mode preview: a promoter's score, then a comment.
SAMPLE_SCORE = 9


@dataclass(frozen=True)
class Counter:
    """The invitation text of one language and what it costs."""

    language: str
    text: str
    segments: segments.Segments
    # Reply mode: the text numbers that cannot reply get instead (India), and its cost; else empty.
    link_only_text: str = ""
    link_only_segments: segments.Segments | None = None


@dataclass(frozen=True)
class Bubble:
    """One message on the phone: its text cut around the link (parts of (text, is_link))."""

    parts: list
    from_customer: bool = False  # a sample reply of the customer (the right-hand side of the thread)
    button: str = ""  # WhatsApp: the URL button's label
    button_url: str = ""
    note: str = ""  # what the bubble stands for, for the admin ("The customer replies")


@dataclass(frozen=True)
class PhoneMessage:
    """What the preview panel (templates/channels/texting/preview.html) draws."""

    channel: str
    sender: str
    company: str
    language: str
    direction: str  # "rtl" or "ltr"
    mode: str  # the mode this number gets: "link" or "reply"
    bubbles: list = field(default_factory=list)
    counter: Counter | None = None  # SMS only: WhatsApp is not billed per segment
    campaign_mode: str = TextMode.LINK


def sample_invitation(campaign: Campaign, language: str, *, channel: str = Channel.SMS, number: str = ""):
    """An unsaved invitation of a sample contact on a texting channel, with a short link of the real length.

    `number` defaults to one that can take the campaign's mode (a reply-mode campaign: one that can reply).
    """
    if not number:
        number = REPLYING_NUMBER if campaign.text_mode == TextMode.REPLY else LINK_ONLY_NUMBER
    contact = Contact(name="Asha Rao", phone=number, language=language)
    return Invitation(
        campaign=campaign,
        contact=contact,
        channel=channel,
        token="preview",  # noqa: S106
        short_token=SAMPLE_SHORT_TOKEN,
        language=language,
    )


def count(campaign: Campaign, language: str) -> Counter:
    """The SMS invitation text of `campaign` in `language` (as edited, even unsaved) and its segments."""
    sample = sample_invitation(campaign, language)
    text = compose.invitation_body(sample)
    if campaign.text_mode != TextMode.REPLY:
        return Counter(language, text, segments.count(text))
    link_only = compose.invitation_body(sample_invitation(campaign, language, number=LINK_ONLY_NUMBER))
    if link_only == text:  # a reply-mode text with {link}: Indian numbers get it too
        return Counter(language, text, segments.count(text))
    return Counter(language, text, segments.count(text), link_only, segments.count(link_only))


def preview(invitation: Invitation, *, channel: str = "") -> Preview:
    """The phone of `channel` (else the invitation's texting channel, else SMS) for a sample invitation."""
    channel = channel or (invitation.channel if invitation.channel in TEXT_CHANNELS else Channel.SMS)
    campaign = invitation.campaign
    language = invitation.language or settings.LANGUAGE_CODE
    sample = sample_invitation(campaign, language, channel=channel)
    with translation.override(language):
        if channel == Channel.WHATSAPP:
            body, button_url = compose.whatsapp_template_text(campaign, language)
            link = sample.short_url()
            # The label the template's URL button is submitted with (the editor shows it beside the body).
            bubbles = [Bubble(_cut(body, link), button=gettext(BUTTON_LABEL), button_url=link)]
            mode, counter = TextMode.LINK, None
        else:
            text = compose.invitation_body(sample)
            mode = compose.text_mode_for(sample)
            bubbles = [Bubble(_cut(text, sample.short_url()))]
            counter = count(campaign, language)
        if mode == TextMode.REPLY:
            bubbles += _conversation(sample)
        message = PhoneMessage(
            channel=channel,
            sender=compose.sender_for(campaign.brand, channel) or campaign.brand.company_name,
            company=campaign.brand.company_name,
            language=language,
            direction="rtl" if translation.get_language_bidi() else "ltr",
            mode=mode,
            bubbles=bubbles,
            counter=counter,
            campaign_mode=campaign.text_mode,
        )
    frame = "\n\n".join(
        "".join(text for text, _ in bubble.parts) for bubble in bubbles if not bubble.from_customer
    )
    return Preview("channels/texting/preview.html", message, frame, "text/plain; charset=utf-8")


def _conversation(sample: Invitation) -> list[Bubble]:
    """The sample customer's answers and the texts that follow them, as responses/texting.py words them."""
    group = "promoter"  # SAMPLE_SCORE's group
    thanks = compose.thanks_text(sample)
    return [
        Bubble([(str(SAMPLE_SCORE), False)], from_customer=True, note="The customer replies with a score"),
        Bubble([(sample.text(f"followup_{group}"), False)], note="Follow-up for the score's group"),
        Bubble([("…", False)], from_customer=True, note="The customer's comment"),
        Bubble([(thanks, False)], note="Thank-you"),
    ]


def _cut(text: str, link: str) -> list[tuple[str, bool]]:
    """`text` as parts (text, is_link), so the phone can underline the link as a phone does."""
    parts = []
    for index, piece in enumerate(text.split(link)):
        if index:
            parts.append((link, True))
        if piece:
            parts.append((piece, False))
    return parts


@dataclass(frozen=True)
class LanguageSummary:
    """One language a campaign texts in, for the campaign page."""

    code: str
    name: str
    contacts: int  # audience members who get this language
    counter: Counter
    dlt_id: str
    dlt_outdated: bool  # the text changed since its DLT template was registered
    whatsapp_sid: str


def campaign_summary(campaign: Campaign) -> list[LanguageSummary]:
    """The languages the campaign really texts in (its audience's, and those it has texts for), each with
    its cost, DLT registration and WhatsApp template; [] when it texts nobody."""
    if not any(channel in TEXT_CHANNELS for channel in campaign.channels):
        return []
    names = dict(settings.LANGUAGES)
    audience: dict[str, int] = {}
    rows = campaign.audience.values("contact__language").annotate(n=Count("pk")).order_by()
    for row in rows:
        # Invitations go out in the contact's language when it is one of ours, else in the default one.
        code = supported_language(row["contact__language"] or "") or settings.LANGUAGE_CODE
        audience[code] = audience.get(code, 0) + row["n"]
    codes = {settings.LANGUAGE_CODE, *audience, *(code for code in campaign.translations if code in names)}
    summaries = []
    for code in [code for code, _name in settings.LANGUAGES if code in codes]:
        registered = campaign.dlt_templates.get(code) or {}
        summaries.append(
            LanguageSummary(
                code=code,
                name=names[code],
                contacts=audience.get(code, 0),
                counter=count(campaign, code),
                dlt_id=registered.get("id", ""),
                dlt_outdated=bool(registered.get("id"))
                and registered.get("text") != compose.dlt_template_text(campaign, code),
                whatsapp_sid=campaign.whatsapp_templates.get(code, ""),
            )
        )
    return summaries
