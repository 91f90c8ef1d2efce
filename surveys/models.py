import re
import secrets
from datetime import time
from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from phonenumber_field.modelfields import PhoneNumberField

# Marked for translation but stored in English: a text still equal to its default is shown translated
# in the reader's language (see render_text).
DEFAULT_QUESTION = gettext_noop("How likely are you to recommend {brand} to a friend or colleague?")
DEFAULT_TEXTS = {
    "question": DEFAULT_QUESTION,
    "followup_promoter": gettext_noop("What do you like most about us?"),
    "followup_passive": gettext_noop("What could we do better?"),
    "followup_detractor": gettext_noop("What disappointed you?"),
}


# The invitation text of SMS and WhatsApp per text mode (Campaign.sms_body blank). {question} is the
# campaign's question, {link} the short link to the answer page (surveys/channels/texting/compose.py).
DEFAULT_SMS_BODY = {
    "link": gettext_noop("{question} {link}"),
    "reply": gettext_noop("{question} Reply with a number from 0 (not likely) to 10 (very likely)."),
}


def render_text(value: str, field: str, *, company: str, language: str = "") -> str:
    """Translate an untouched default text into `language` (else the active one) and fill in {brand}."""
    if value == DEFAULT_TEXTS.get(field) or (field == "sms_body" and value in DEFAULT_SMS_BODY.values()):
        try:
            language = translation.get_supported_language_variant(language) if language else ""
        except LookupError:
            language = ""
        value = _default_text(value, language or translation.get_language())
    return value.replace("{brand}", company)


@lru_cache(maxsize=256)
def _default_text(value: str, language: str | None) -> str:
    """A default text in `language`; the catalogues never change while a process runs."""
    with translation.override(language):
        return translation.gettext(value)


def new_token() -> str:
    """A URL-safe token of 192 random bits."""
    return secrets.token_urlsafe(24)


def new_short_token() -> str:
    """A short URL-safe token of 72 random bits (12 characters): the texts' links, where length costs money."""
    return secrets.token_urlsafe(9)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    WEB = "web", "On-site widget"
    LINK = "link", "Public link"
    KIOSK = "kiosk", "Kiosk"
    PHONE = "phone", "Phone interview"


# The channels that text a phone number (surveys/channels/texting): one opt-out covers them all.
TEXT_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


# Line breaks, tabs and other control characters: refused in a brand's names (forms.BrandForm), since its
# company and sender names go into email headers, where a line break fails every message.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """The text with control characters as single spaces: for a header, whatever an older row holds."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


class Brand(models.Model):
    name = models.CharField(max_length=100)
    company_name = models.CharField(max_length=100, help_text="Used in the question, e.g. “Acme”.")
    sender_name = models.CharField(max_length=100)
    sender_email = models.EmailField()
    reply_to = models.EmailField(blank=True)
    logo = models.ImageField(upload_to="brands/", blank=True)
    accent_color = models.CharField(
        max_length=7,
        default="#4f46e5",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #4f46e5.")],
    )
    # Texting (surveys/channels/texting). Blank: the workspace's TWILIO_* settings.
    sms_sender = models.CharField(max_length=20, blank=True)  # E.164 number or alphanumeric sender ID
    messaging_service_sid = models.CharField(max_length=34, blank=True)  # "MG" + 32 hex
    whatsapp_sender = models.CharField(max_length=20, blank=True)  # E.164 number of the WhatsApp sender
    # The answer to HELP; blank: a default naming the company and how to stop.
    sms_help_text = models.CharField(max_length=320, blank=True)
    # India (TRAI DLT): the principal entity ID and the sender header registered on an operator's portal.
    dlt_entity_id = models.CharField(max_length=30, blank=True)
    dlt_sender_header = models.CharField(max_length=11, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="brand_name_ci_unique")]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def matching(self, filter_dict: dict):
        """Contacts whose properties match a saved filter: {"plan": "pro", "region": ["EU", "US"]}.

        A list means "any of these"; every key must match. Works on PostgreSQL and SQLite.
        """
        from nps.jsonkeys import PropertyKey as KeyTransform

        queryset = self
        for index, (key, value) in enumerate(sorted(filter_dict.items())):
            # An explicit KeyTransform: property names may contain "__" or spaces.
            alias = f"_property_{index}"
            queryset = queryset.alias(**{alias: KeyTransform(str(key), "properties")})
            if isinstance(value, list | tuple | set):
                queryset = queryset.filter(**{f"{alias}__in": list(value)})
            else:
                queryset = queryset.filter(**{alias: value})
        return queryset

    def search(self, text: str):
        """Contacts whose email, name or phone contains `text` (case-insensitive)."""
        text = text.strip()
        if not text:
            return self
        query = models.Q(email__icontains=text) | models.Q(name__icontains=text)
        digits = "".join(ch for ch in text if ch in "0123456789")  # not isdigit(): "²" is no phone digit
        if digits:
            query |= models.Q(phone__contains=digits)
        return self.filter(query)

    def filtered(self, *, q="", property="", value="", group="", at_risk=False):
        """The contacts list's filters: a search, a property (with a value, matched ignoring case), the
        group of the last score ("none": never answered), at risk only. Every filter but the search and the
        property reads a column kept by responses/at_risk.py, not the answers."""
        from dashboards.metrics import SCORES_OF
        from nps.jsonkeys import PropertyKey as KeyTransform
        from nps.jsonkeys import PropertyText as KeyTextTransform

        queryset = self.search(q) if q else self
        if property:
            # An explicit transform, as in matching(): property names may contain "__" or spaces.
            if value:
                queryset = queryset.alias(_property_text=KeyTextTransform(property, "properties")).filter(
                    _property_text__iexact=value
                )
            else:
                queryset = queryset.alias(_property=KeyTransform(property, "properties")).filter(
                    _property__isnull=False
                )
        if group == "none":
            queryset = queryset.filter(last_score__isnull=True)
        elif group in SCORES_OF:
            low, high = SCORES_OF[group]
            queryset = queryset.filter(last_score__gte=low, last_score__lte=high)
        if at_risk:
            queryset = queryset.filter(at_risk=True)
        return queryset


class Contact(models.Model):
    """A customer who can be surveyed; identified by email, phone or both (each unique)."""

    email = models.EmailField(null=True, blank=True)
    phone = PhoneNumberField(null=True, blank=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # The on-site widget's `externalId` (the host product's own user id), or "anon:<random>" for an anonymous
    # widget visitor or a public-link / kiosk respondent.
    external_id = models.CharField(max_length=200, null=True, blank=True)
    # Known only by a random id (widget visitors, public-link and kiosk respondents): never sent anything,
    # listed apart from the contacts a team imports.
    anonymous = models.BooleanField(default=False, db_default=False)  # bulk loads (COPY) leave it out
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Throttling: the last time any campaign surveyed this contact.
    last_surveyed_at = models.DateTimeField(null=True, blank=True)
    # Their latest answer, kept by responses/at_risk.py on every answer (the contacts list shows and filters
    # by them without reading the answers). At risk: the score fell by FollowUpSettings.at_risk_drop points or
    # more from the previous answer, or at_risk_streak detractor answers in a row; the reason says which.
    last_score = models.PositiveSmallIntegerField(null=True, blank=True)
    last_answered_at = models.DateTimeField(null=True, blank=True)
    at_risk = models.BooleanField(default=False, db_default=False)
    at_risk_reason = models.CharField(max_length=200, blank=True, default="", db_default="")

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__isnull=False)
                | models.Q(phone__isnull=False)
                | models.Q(external_id__isnull=False),
                name="contact_has_an_identity",
            ),
            models.UniqueConstraint(fields=["external_id"], name="contact_external_id_unique"),
            models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique"),
            models.UniqueConstraint(fields=["phone"], name="contact_phone_unique"),
        ]
        indexes = [
            # The contacts list's "at risk" filter: a few contacts among many.
            models.Index(fields=["at_risk"], condition=models.Q(at_risk=True), name="contact_at_risk"),
        ]

    def __str__(self):
        return self.name or self.email or str(self.phone)

    def get_absolute_url(self):
        return reverse("surveys:contact_detail", args=[self.pk])


class CampaignQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Campaign.Status.ARCHIVED)


class TextMode(models.TextChoices):
    LINK = "link", "Link: the text carries a short link to the answer page"
    REPLY = "reply", "Reply: the customer replies with a number from 0 to 10"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    class Schedule(models.TextChoices):
        NOW = "now", "Send now"
        AT = "at", "At a date and time"
        RECURRING = "recurring", "Recurring (autopilot)"

    name = models.CharField(max_length=200)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaigns")
    channels = models.JSONField(default=list, help_text="Channel values, e.g. ['email'].")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    question = models.CharField(max_length=300, default=DEFAULT_QUESTION)
    followup_promoter = models.CharField(max_length=300, default=DEFAULT_TEXTS["followup_promoter"])
    followup_passive = models.CharField(max_length=300, default=DEFAULT_TEXTS["followup_passive"])
    followup_detractor = models.CharField(max_length=300, default=DEFAULT_TEXTS["followup_detractor"])
    redirect_promoter = models.URLField(blank=True)
    redirect_passive = models.URLField(blank=True)
    redirect_detractor = models.URLField(blank=True)
    # {"hi": {"question": "...", "followup_promoter": "..."}, ...}: per-language overrides of the texts above.
    translations = models.JSONField(default=dict, blank=True)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.NOW)
    send_at = models.DateTimeField(null=True, blank=True)
    recur_days = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    window_start = models.TimeField(default=time(9))
    window_end = models.TimeField(default=time(18))
    weekdays_only = models.BooleanField(default=True)
    throttle_days = models.PositiveIntegerField(default=90, validators=[MaxValueValidator(3650)])
    reminder_days = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    # Saved audience filter on contact properties: {"plan": "pro", "region": ["EU", "US"]}.
    audience_filter = models.JSONField(default=dict, blank=True)
    # Texting (SMS, WhatsApp): link mode (a short link to the answer page) or reply mode (reply 0-10).
    text_mode = models.CharField(max_length=5, choices=TextMode.choices, default=TextMode.LINK)
    # The text of the invitation; blank: the default for the mode. Per-language overrides in translations
    # under "sms_body". Placeholders: {question}, {brand}, {link} (link mode).
    sms_body = models.CharField(max_length=640, blank=True)
    # India DLT: {"hi": {"id": "1107…", "text": "the template text as registered"}} per language.
    dlt_templates = models.JSONField(default=dict, blank=True)
    # WhatsApp: the approved Content SID ("HX…") per language: {"en": "HX…", "hi": "HX…"}.
    whatsapp_templates = models.JSONField(default=dict, blank=True)
    # The public link / kiosk token (/l/<token>/, /k/<token>/).
    public_token = models.CharField(max_length=64, unique=True, default=new_token)
    # Public link: the query parameters kept as the respondent's properties (lower-case names), e.g.
    # ["store", "agent"] for /l/<token>/?store=Pune&agent=17; any other parameter is ignored.
    link_properties = models.JSONField(default=list, blank=True)
    # Public link: one answer per browser (a signed cookie); a second visit may change the answer.
    link_once_per_browser = models.BooleanField(default=True)
    # Kiosk: back to the first screen after this many seconds without a touch.
    kiosk_idle_seconds = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(3), MaxValueValidator(600)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "scheduled", "running", "paused", "archived"]),
                name="campaign_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(throttle_days__lte=3650), name="campaign_throttle_days_max"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("surveys:campaign_detail", args=[self.pk])

    def channel_labels(self) -> list[str]:
        """The campaign's channels as people read them: "Email", "Public link"…"""
        return [Channel(value).label for value in self.channels if value in Channel.values]

    def text(self, field: str, language: str = "") -> str:
        """A campaign text in `language` when overridden, else the default, with {brand} filled in."""
        value = (self.translations.get(language) or {}).get(field) or getattr(self, field)
        if field == "sms_body" and not value:
            value = DEFAULT_SMS_BODY[self.text_mode]
        return render_text(value, field, company=self.brand.company_name, language=language)


class Audience(models.Model):
    """Membership of a contact in a campaign's audience (imported, filtered or added by API)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audience")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(default=timezone.now)
    # Recurring campaigns: when this contact is next due.
    next_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="audience_campaign_contact_unique")
        ]
        # Dispatcher: members of a campaign that are due.
        indexes = [models.Index(fields=["campaign", "next_due_at"], name="audience_due")]

    def __str__(self):
        return f"{self.contact} in {self.campaign}"


class InvitationQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(state=Invitation.State.QUEUED, scheduled_for__lte=now or timezone.now())


class Invitation(models.Model):
    """One survey sent (or to be sent) to one contact: the unit of exactly-once delivery."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Recurring campaigns survey a contact again: each round is a new invitation.
    round = models.PositiveIntegerField(default=1)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # Texts (SMS, WhatsApp): the short link's token, /s?<short_token>; null for other channels.
    short_token = models.CharField(max_length=16, unique=True, null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    language = models.CharField(max_length=10, blank=True)
    # The campaign's texts as they were when this invitation was sent: later edits never change it.
    texts = models.JSONField(default=dict, blank=True)
    scheduled_for = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The on-site widget: closed without an answer (recontact waits Site.dismiss_wait_days).
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # When a send (or reminder) task for this row was last handed to the broker. The dispatcher hands it
    # again once this is older than the lease: a task lost with a Redis restart is not lost for good.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_message_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "channel", "round"], name="invitation_once_per_round"
            ),
            # The values of Invitation.State.
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "sending", "sent", "failed", "suppressed"]),
                name="invitation_state_known",
            ),
        ]
        indexes = [
            # Dispatcher and sweeper: rows in a state since a time.
            models.Index(fields=["state", "scheduled_for"], name="invitation_state_due"),
            # Response rate per campaign and period.
            models.Index(fields=["campaign", "sent_at"], name="invitation_campaign_sent"),
            # Provider events name the message by the provider's id (channels.invitation_for_event, when
            # no key of ours comes back). Rows not sent yet have no id and stay out of the index.
            models.Index(
                fields=["provider_message_id"],
                name="invitation_provider_message",
                condition=~models.Q(provider_message_id=""),
            ),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.contact} ({self.state})"

    def text(self, field: str, language: str = "") -> str:
        """The text this invitation was sent with (snapshot), else the campaign's current one.

        In the invitation's language, else `language` (e.g. the answer page's, from the browser).
        """
        language = self.language or language
        if value := self.texts.get(field):
            return render_text(value, field, company=self.campaign.brand.company_name, language=language)
        return self.campaign.text(field, language)

    def answer_path(self, score: int | None = None) -> str:
        if score is None:
            return reverse("responses:answer", args=[self.token])
        return reverse("responses:answer_score", args=[self.token, score])

    def answer_url(self, score: int | None = None) -> str:
        return settings.PUBLIC_BASE_URL + self.answer_path(score)

    def short_url(self) -> str:
        """The texts' link: https://<host>/s?<short_token> (DLT whitelists the prefix up to the "?")."""
        return f"{settings.PUBLIC_BASE_URL}/s?{self.short_token}"


class Suppression(models.Model):
    """An address or number that must never be surveyed again (unsubscribe, bounce, complaint)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        BLOCKED = "blocked", "Blocked the sender"
        MANUAL = "manual", "Added by an admin"

    address = models.CharField(max_length=254, help_text="Lower-case email or E.164 phone number.")
    reason = models.CharField(max_length=14, choices=Reason.choices)
    # Where it came from: a channel value ("email", "sms", "whatsapp"), "" when an admin or the API added it.
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["address"], name="suppression_address_unique")]

    def __str__(self):
        return f"{self.address} ({self.reason})"


def new_site_key() -> str:
    """A site's public key, in the snippet: 96 random bits."""
    return secrets.token_urlsafe(12)


class Site(models.Model):
    """A website or app where the on-site widget asks a campaign's question (surveys/widget.py)."""

    class Position(models.TextChoices):
        RIGHT = "right", "Bottom right"
        LEFT = "left", "Bottom left"
        CENTER = "center", "Bottom centre"

    class Recontact(models.TextChoices):
        ONCE = "once", "Ask each person once"
        UNTIL_ANSWERED = "until_answered", "Ask again on later visits until they answer"

    name = models.CharField(max_length=100)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sites")
    # Public: in the snippet (data-site) and the widget's API paths.
    key = models.CharField(max_length=32, unique=True, default=new_site_key)
    # Private: the host's server signs identities with it (userHash = HMAC-SHA256(secret, email or id)).
    secret = models.CharField(max_length=64, default=new_token)
    # The origins allowed to show the widget: ["https://app.example.com", "http://localhost:3000"].
    allowed_origins = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="Used when the visitor's is unknown.")
    accent_color = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #4f46e5.")],
        help_text="Empty: the brand's colour.",
    )
    position = models.CharField(max_length=6, choices=Position.choices, default=Position.RIGHT)
    require_user_hash = models.BooleanField(default=False)
    allow_anonymous = models.BooleanField(default=False)
    recontact = models.CharField(max_length=14, choices=Recontact.choices, default=Recontact.UNTIL_ANSWERED)
    dismiss_wait_days = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(3650)])
    sample_factor = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    # Requests per client address to this site's widget API (nps.ratelimit syntax).
    rate_limit = models.CharField(max_length=20, default="120/m")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_factor__gte=0) & models.Q(sample_factor__lte=1),
                name="site_sample_factor_0_1",
            ),
        ]

    def __str__(self):
        return self.name


class TextMessage(models.Model):
    """One text (SMS or WhatsApp) sent or received: the conversation log, and the unit of exactly-once
    sending for texts that are not invitations (follow-ups, thank-yous, HELP answers).

    An invitation's own text is sent by surveys/delivery.py through its Invitation row; its TextMessage
    (kind "invitation" or "reminder") records what went out and follows its status callbacks.
    """

    class Direction(models.TextChoices):
        OUT = "out", "Sent"
        IN = "in", "Received"

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Survey"
        REMINDER = "reminder", "Reminder"
        FOLLOWUP = "followup", "Follow-up question"
        REASK = "reask", "Question asked again"
        THANKS = "thanks", "Thank-you"
        HELP = "help", "Help answer"
        CASE = "case", "Follow-up from a case"  # a lead's reply from a case (responses/cases/)
        TEST = "test", "Test sent to staff"  # "Send a test to me" (surveys/testsends.py): no contact
        REPLY = "reply", "Reply"  # inbound

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"  # ours: a row not yet handed to the provider
        SENDING = "sending", "Sending"  # ours: claimed by a worker
        QUEUED = "queued", "Queued"  # the provider's statuses from here on
        ACCEPTED = "accepted", "Accepted"
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        UNDELIVERED = "undelivered", "Not delivered"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Cancelled"
        RECEIVED = "received", "Received"  # inbound

    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="text_messages"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="text_messages"
    )
    # Outbound: our key, unique, so that a text is queued once ("inv:12:invitation", "conv:7:followup").
    key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # E.164 numbers, without the "whatsapp:" prefix (the channel says which).
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    # The provider's id (Twilio's MessageSid "SM…"/"MM…"): a replayed inbound webhook finds its row here.
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    error_code = models.CharField(max_length=10, blank=True)
    error = models.TextField(blank=True)
    # Inbound: what was done with it, in words ("Score 9 recorded", "No open survey for this number").
    outcome = models.CharField(max_length=200, blank=True)
    # Inbound with no open conversation: shown to admins until someone marks it read.
    needs_attention = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["contact", "created_at"], name="text_contact_time"),
            models.Index(fields=["to_number", "created_at"], name="text_to_time"),
            models.Index(fields=["from_number", "created_at"], name="text_from_time"),
            models.Index(
                fields=["created_at"], name="text_needs_attention", condition=models.Q(needs_attention=True)
            ),
            models.Index(
                fields=["status", "status_changed_at"],
                name="text_outbox",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["in", "out"]), name="text_direction_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.channel} {self.kind} ({self.status})"


class Conversation(models.Model):
    """A survey answered by replying to texts (reply mode): asked → score → comment → thanked.

    One open conversation per number and channel; it expires after TEXT_CONVERSATION_HOURS. Opened by the
    texting channels when they send a reply-mode invitation (or any WhatsApp invitation, since a WhatsApp
    customer may write back); the replies are read by responses/texting.py.
    """

    class State(models.TextChoices):
        AWAITING_SCORE = "score", "Waiting for the score"
        AWAITING_COMMENT = "comment", "Waiting for the comment"
        DONE = "done", "Answered"
        GAVE_UP = "gave_up", "No score understood"
        EXPIRED = "expired", "Expired"
        CLOSED = "closed", "Closed (opted out or replaced)"

    OPEN_STATES = ("score", "comment")

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="conversation")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    number = models.CharField(max_length=32, help_text="E.164, without a channel prefix.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.AWAITING_SCORE)
    # Nonsense is asked about once, then left.
    reasked = models.BooleanField(default=False)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "channel"],
                condition=models.Q(state__in=["score", "comment"]),
                name="conversation_one_open_per_number",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["score", "comment", "done", "gave_up", "expired", "closed"]),
                name="conversation_state_known",
            ),
        ]

    def __str__(self):
        return f"{self.channel} conversation with {self.number} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class QuietHoursRule(models.Model):
    """Stricter hours for texting in a region (surveys/channels/texting/quiet_hours.py).

    Every text keeps to TEXT_QUIET_HOURS (08:00-21:00 by default) in the recipient's local time; a rule
    narrows that for a country ("US") or a US state or other subdivision ("US-FL"), on every day or on one
    weekday (0 = Monday … 6 = Sunday).
    """

    region = models.CharField(max_length=10, help_text="A country (“US”) or a subdivision (“US-TX”).")
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)], help_text="Empty: every day."
    )
    start = models.TimeField(help_text="Texts may go from this time…")
    end = models.TimeField(help_text="…until this time, local time.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["region", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["region", "weekday"], name="quiet_hours_region_weekday_unique"),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(weekday__isnull=True), name="quiet_hours_region_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="quiet_hours_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.region}: {self.start:%H:%M}-{self.end:%H:%M}"


class CsvUpload(models.Model):
    """What every CSV upload keeps: the file, how it was read, the column mapping and the row counts.

    Every import goes uploaded → checking → checked (counts, rejected rows; the admin chooses) → importing
    → imported, or cancelled (nothing imported) or failed (nothing written) on the way.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for column mapping"
        CHECKING = "checking", "Checking rows"
        CHECKED = "checked", "Checked, waiting for your choice"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        CANCELLED = "cancelled", "Nothing imported"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=255)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # One target per column (each import lists its own: surveys.contact_import, responses.history_import).
    mapping = models.JSONField(default=list, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # The first rejected rows for the page: [{"line": 7, "reason": "…"}].
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the import failed, for the admin.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class ContactImport(CsvUpload):
    """One CSV upload of contacts (surveys.contact_import), optionally added to a campaign's audience."""

    # Mapping targets: "email", "phone", "name", "language", "time_zone", "property" or "ignore".
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_imports"
    )
    # Bytes of the file read so far while checking rows, as a percentage.
    progress = models.PositiveSmallIntegerField(default=0)
    # Every rejected row, with its reason (the page shows the first ones).
    rejected_file = models.FileField(upload_to="imports/", blank=True)
    # Valid rows, normalised, ready for the bulk load.
    clean_file = models.FileField(upload_to="imports/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(CsvUpload.Meta):
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="contact_import_progress_max"),
        ]

    def get_absolute_url(self):
        return reverse("surveys:import_detail", args=[self.pk])


def new_test_token() -> str:
    """A test message's token: "t." and 10 random characters, as long as a short token (a texted test costs
    what the real text costs). No invitation token holds a ".", so the answer pages tell them apart unread."""
    return "t." + secrets.token_urlsafe(8)[:10]


class TestSend(models.Model):
    """A campaign's message sent as a test to a staff member ("Send a test to me", surveys/testsends.py).

    Not an invitation: no contact, no throttle, nothing in the figures. Its links open the answer page in
    preview mode, which records nothing.
    """

    __test__ = False  # not a test class, whatever pytest makes of the name

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="test_sends")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10)
    # Where it went: the user's own email, or the number they typed (E.164).
    address = models.CharField(max_length=254)
    token = models.CharField(max_length=16, unique=True, default=new_test_token)
    provider_message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Test of {self.campaign} ({self.channel}, {self.language})"
