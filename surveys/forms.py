"""Forms for brands, campaigns, audience filters and previews: they validate and turn strings into values."""

import re

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator, URLValidator
from django.utils import timezone, translation

from dashboards.metrics import GROUPS
from nps.inputs import NUL, parse_id

from . import contact_import, contacts
from .channels import configured_channels
from .channels.texting import compose
from .channels.texting import preview as text_preview
from .models import CONTROL_CHARACTERS, TEXT_CHANNELS, Brand, Campaign, Channel, Contact, TextMode
from .site_forms import LinkPropertiesField, StrictIntegerField

LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 2000
TRANSLATED_FIELDS = ["question", "followup_promoter", "followup_passive", "followup_detractor"]


def other_languages():
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class LogoField(forms.ImageField):
    """An uploaded logo: a raster image in a web format, small enough for an email."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        # Checked before Pillow's own check so that an SVG gets a reason, not "not a valid image".
        head = data.read(2048)
        data.seek(0)
        if data.name.lower().endswith((".svg", ".svgz")) or b"<svg" in head.lower():
            raise forms.ValidationError(
                "SVG logos are not accepted because they can carry scripts: upload a PNG, JPEG, WebP or GIF."
            )
        if data.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"The logo is {data.size / (1024 * 1024):.1f} MB; the limit is 1 MB. Export it smaller."
            )
        checked = super().to_python(data)
        image = checked.image
        if image.format not in LOGO_FORMATS:
            raise forms.ValidationError(
                f"{image.format or 'This'} images are not accepted: upload a PNG, JPEG, WebP or GIF."
            )
        width, height = image.size
        if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
            raise forms.ValidationError(
                f"The logo is {width}×{height} pixels; the limit is {LOGO_MAX_SIDE}×{LOGO_MAX_SIDE}."
            )
        return checked


def _on_one_line(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError(
            "Keep this on one line: line breaks, tabs and other control characters would stop the emails "
            "sent in this brand's name.",
            code="control_character",
        )


# A brand's texting settings (surveys/channels/texting); each is optional, blank meaning the workspace's.
TEXTING_BRAND_FIELDS = [
    "sms_sender",
    "messaging_service_sid",
    "whatsapp_sender",
    "sms_help_text",
    "dlt_entity_id",
    "dlt_sender_header",
]
# An alphanumeric sender ID: 3–11 letters, digits or spaces, at least one letter (all digits would be
# read as a number). Carriers differ on spaces and punctuation; letters and digits pass everywhere.
ALPHANUMERIC_SENDER = re.compile(r"(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 ]{1,9}[A-Za-z0-9]")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-f]{32}")
DLT_ENTITY_ID = re.compile(r"[0-9]{12,19}")
# TRAI headers are 6 characters; operators' portals show a traffic-type suffix (service, transactional,
# promotional, government).
DLT_SENDER_HEADER = re.compile(r"[A-Z0-9]{6}(-[STPG])?")


class BrandForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = [
            "name",
            "company_name",
            "sender_name",
            "sender_email",
            "reply_to",
            "logo",
            "accent_color",
            *TEXTING_BRAND_FIELDS,
        ]
        labels = {
            "name": "Brand name",
            "company_name": "Company name in the question",
            "sender_name": "Sender name",
            "sender_email": "Sender email",
            "reply_to": "Reply-to email",
            "accent_color": "Accent colour",
            "sms_sender": "SMS sender",
            "messaging_service_sid": "Twilio Messaging Service SID",
            "whatsapp_sender": "WhatsApp sender number",
            "sms_help_text": "Answer to HELP",
            "dlt_entity_id": "DLT principal entity ID",
            "dlt_sender_header": "DLT sender header",
        }
        help_texts = {
            "name": "Shown to your team only, e.g. “Acme EU”.",
            "company_name": "Replaces {brand} in the question, e.g. “Acme”.",
            "sender_email": "Must be a domain your email provider may send from.",
            "reply_to": "Optional: where customers' replies go.",
            "logo": "PNG, JPEG, WebP or GIF, up to 1 MB and 2000×2000 pixels.",
            "accent_color": "Colour of the score buttons in the email and on the answer page.",
            "sms_sender": "Optional: the number texts come from (+14155550123), or an alphanumeric sender "
            "ID of 3–11 characters (ACME) where the country allows one. Blank: the workspace's number.",
            "messaging_service_sid": "Optional: “MG” and 32 characters, from Twilio's console → Messaging → "
            "Services. Needed for WhatsApp templates; it picks the sender for each number.",
            "whatsapp_sender": "Optional: the WhatsApp Business number approved for this brand "
            "(+14155550123). Blank: the workspace's.",
            "sms_help_text": "Optional, one line: the reply to a customer who texts HELP. Blank: “<company>: "
            "customer feedback survey. Reply STOP to opt out.” in the customer's language.",
            "dlt_entity_id": "India only: the 12–19 digit principal entity ID from your DLT registration "
            "(Jio, Vi, Airtel, BSNL portals).",
            "dlt_sender_header": "India only: the 6-character header registered on DLT, e.g. ACMEIN, with "
            "its suffix if your operator shows one (ACMEIN-S).",
        }
        field_classes = {"logo": LogoField}
        widgets = {
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        }

    ONE_LINE = ("name", "company_name", "sender_name", *TEXTING_BRAND_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.ONE_LINE:
            self.fields[field].validators.append(_on_one_line)
        self.fields["whatsapp_sender"].widget.attrs.update(type="tel", autocomplete="off")

    def texting_fields(self):
        """The bound fields of the "Texting" fieldset, in order."""
        return [self[name] for name in TEXTING_BRAND_FIELDS]

    def clean_sms_sender(self):
        value = self.cleaned_data["sms_sender"].strip()
        if not value or ALPHANUMERIC_SENDER.fullmatch(value):
            return value
        try:
            return contacts.normalize_phone(value)
        except contacts.ContactError:
            raise forms.ValidationError(
                "Use a phone number with its country code (+14155550123), or a sender ID of 3–11 letters "
                "and digits with at least one letter (ACME).",
                code="sms_sender",
            ) from None

    def clean_messaging_service_sid(self):
        value = self.cleaned_data["messaging_service_sid"].strip()
        if value and not MESSAGING_SERVICE_SID.fullmatch(value):
            raise forms.ValidationError(
                "A Messaging Service SID is “MG” followed by 32 characters 0–9 and a–f, as Twilio's console "
                "shows it.",
                code="messaging_service_sid",
            )
        return value

    def clean_whatsapp_sender(self):
        value = self.cleaned_data["whatsapp_sender"].strip()
        if not value:
            return value
        try:
            return contacts.normalize_phone(value)
        except contacts.ContactError:
            raise forms.ValidationError(
                "Use the WhatsApp number with its country code, e.g. +14155550123.", code="whatsapp_sender"
            ) from None

    def clean_dlt_entity_id(self):
        value = self.cleaned_data["dlt_entity_id"].strip()
        if value and not DLT_ENTITY_ID.fullmatch(value):
            raise forms.ValidationError(
                "A DLT entity ID is 12 to 19 digits, as your DLT portal shows it.", code="dlt_entity_id"
            )
        return value

    def clean_dlt_sender_header(self):
        value = self.cleaned_data["dlt_sender_header"].strip().upper()
        if value and not DLT_SENDER_HEADER.fullmatch(value):
            raise forms.ValidationError(
                "A DLT header is 6 letters or digits (ACMEIN), optionally with -S, -T, -P or -G.",
                code="dlt_sender_header",
            )
        return value

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Brand.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"A brand named “{name}” already exists.")
        return name


HTTPS_ONLY = "Use a full https:// address, e.g. https://example.com/review."


class HttpsURLField(forms.URLField):
    default_validators = [URLValidator(schemes=["https"])]
    default_error_messages = {"invalid": HTTPS_ONLY}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if value and "://" not in value:
            # Django would quietly prepend a scheme to "example.com"; ask for the full address instead.
            raise forms.ValidationError(HTTPS_ONLY, code="invalid")
        return super().to_python(value)


# Texts of SMS and WhatsApp: the campaign form's "Texts" section.

TEXT_MAX_LENGTH = 640  # Campaign.sms_body; Twilio takes 1,600 characters but advises 320
TEXT_PLACEHOLDERS = ("{question}", "{brand}", "{link}")
PLACEHOLDER = re.compile(r"\{[^{}\s]{0,40}\}")
# A text may hold line breaks; no other control character reaches a phone as anything useful.
TEXT_CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# DLT template IDs are 19 digits on today's portals; older ones were shorter.
DLT_TEMPLATE_ID = re.compile(r"[0-9]{12,25}")
CONTENT_SID = re.compile(r"HX[0-9a-f]{32}")


class TextBodyField(forms.CharField):
    """A text message: line breaks kept as "\n", no other control character, only known placeholders."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value):
        super().validate(value)
        if TEXT_CONTROL_CHARACTERS.search(value):
            raise forms.ValidationError(
                "Remove the tabs and other control characters: a text may hold line breaks, nothing else "
                "invisible.",
                code="control_character",
            )
        unknown = [name for name in PLACEHOLDER.findall(value) if name not in TEXT_PLACEHOLDERS]
        if unknown:
            raise forms.ValidationError(
                f"{unknown[0]} is not a placeholder: use {{question}}, {{brand}} or {{link}}.",
                code="placeholder",
            )


def _campaign_as_edited(form) -> Campaign:
    """The campaign with the texts as they stand in the form (posted, even invalid, else saved): what the
    editor's counters and template texts show. Nothing is saved."""
    campaign = Campaign(
        **{f.attname: getattr(form.instance, f.attname) for f in Campaign._meta.concrete_fields}
    )
    brand = form.instance.brand if form.instance.brand_id else None
    if not form.is_bound:
        campaign.brand = brand or form.fields["brand"].queryset.first() or Brand(company_name="")
        return campaign
    data = form.data
    chosen = parse_id(data.get("brand"))
    if chosen and (brand is None or brand.pk != chosen):
        brand = Brand.objects.filter(pk=chosen).first()
    campaign.brand = brand or Brand(company_name="")
    for name in ("question", "sms_body"):
        setattr(campaign, name, _as_text(data.get(name, getattr(campaign, name))))
    if data.get("text_mode") in TextMode.values:
        campaign.text_mode = data["text_mode"]
    campaign.translations = {
        code: {
            field: _as_text(data.get(f"tr_{code}_{field}", ""))
            for field in ("question", "sms_body")
            if _as_text(data.get(f"tr_{code}_{field}", ""))
        }
        for code, _name in other_languages()
    }
    return campaign


def _as_text(value) -> str:
    """Posted text as the counter may show it: one clean string, whatever was posted."""
    value = value if isinstance(value, str) else ""
    return value.replace("\r\n", "\n").replace("\x00", "").strip()[: TEXT_MAX_LENGTH * 2]


class CampaignForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Channels",
        error_messages={"required": "Choose at least one channel."},
    )
    redirect_promoter = HttpsURLField(required=False, label="Thank-you redirect for promoters")
    redirect_passive = HttpsURLField(required=False, label="Thank-you redirect for passives")
    redirect_detractor = HttpsURLField(required=False, label="Thank-you redirect for detractors")
    send_at = forms.DateTimeField(
        required=False,
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    sms_body = TextBodyField(label="Invitation text")
    # Public link: the query parameters kept as properties, typed comma-separated (surveys/site_forms.py).
    link_properties = LinkPropertiesField()

    class Meta:
        model = Campaign
        fields = [
            "name",
            "brand",
            "channels",
            "question",
            "followup_promoter",
            "followup_passive",
            "followup_detractor",
            "redirect_promoter",
            "redirect_passive",
            "redirect_detractor",
            "schedule",
            "send_at",
            "recur_days",
            "window_start",
            "window_end",
            "weekdays_only",
            "throttle_days",
            "reminder_days",
            "text_mode",
            "sms_body",
            "link_properties",
            "link_once_per_browser",
            "kiosk_idle_seconds",
        ]
        labels = {
            "name": "Campaign name",
            "text_mode": "How customers answer a text",
            "question": "Question",
            "followup_promoter": "Follow-up for promoters",
            "followup_passive": "Follow-up for passives",
            "followup_detractor": "Follow-up for detractors",
            "schedule": "When to send",
            "recur_days": "Survey each contact again every (days)",
            "window_start": "Send window starts",
            "window_end": "Send window ends",
            "weekdays_only": "Weekdays only (Monday to Friday)",
            "throttle_days": "Never survey a contact more than once in (days)",
            "reminder_days": "Send one reminder after (days)",
            "link_once_per_browser": "One answer per browser (a second visit may change the answer)",
            "kiosk_idle_seconds": "Kiosk: back to the first screen after (seconds without a touch)",
        }
        help_texts = {
            "question": "{brand} is replaced by the brand's company name.",
            "window_start": "In each contact's own time zone.",
            "throttle_days": "Counts every campaign; 90 is a common choice.",
            "reminder_days": "Optional: only to those who have not answered.",
            "kiosk_idle_seconds": "From 3 to 600; 10 suits a counter.",
        }
        field_classes = {"kiosk_idle_seconds": StrictIntegerField}
        widgets = {
            "schedule": forms.RadioSelect,
            "text_mode": forms.RadioSelect,
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "question": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = configured_channels()  # the registry: only channels that can send are offered
        self.fields["channels"].choices = [
            (value, label) for value, label in Channel.choices if value in offered
        ]
        if not self.instance.pk:
            self.initial["channels"] = [Channel.EMAIL]
        self.fields["brand"].empty_label = None
        self.fields["brand"].error_messages["required"] = (
            "Choose a brand; create one first if the list is empty."
        )
        tz = timezone.get_current_timezone_name()
        self.fields["send_at"].help_text = f"In the workspace time zone ({tz})."
        for code, name in other_languages():
            saved = self.instance.translations.get(code, {}) if self.instance.pk else {}
            for field in TRANSLATED_FIELDS:
                key = f"tr_{code}_{field}"
                self.fields[key] = forms.CharField(
                    required=False,
                    max_length=300,
                    label=f"{self.fields[field].label} ({name})",
                    initial=saved.get(field, ""),
                )
            self.fields[f"tr_{code}_sms_body"] = TextBodyField(
                label=f"Invitation text ({name})", initial=saved.get("sms_body", "")
            )
        self._init_texting()
        self.fields["kiosk_idle_seconds"].required = False  # absent: the campaign's stays

    def _init_texting(self):
        """The Texts section: the mode, and per language the DLT template ID and WhatsApp Content SID."""
        mode = self.fields["text_mode"]
        mode.required = False  # absent (no texting channel shown): the campaign's mode stays
        mode.help_text = (
            "Reply mode is not possible for Indian numbers (no two-way SMS there): they get the link. "
            "WhatsApp always sends its approved template with a link button."
        )
        self.fields["sms_body"].help_text = (
            "Leave empty for the default of the mode. Placeholders: {question}, {brand}, {link} "
            "(the short link to the answer page; required in link mode)."
        )
        for code, name in settings.LANGUAGES:
            registered = self.instance.dlt_templates.get(code) or {}
            self.fields[f"dlt_{code}"] = forms.CharField(
                required=False,
                max_length=25,
                label=f"DLT template ID ({name})",
                initial=registered.get("id", ""),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields[f"wa_{code}"] = forms.CharField(
                required=False,
                max_length=34,
                label=f"WhatsApp Content SID ({name})",
                initial=self.instance.whatsapp_templates.get(code, ""),
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def texting_rows(self):
        """Per language (the default first): its text field, counter, DLT and WhatsApp fields and texts."""
        campaign = _campaign_as_edited(self)
        return [self.texting_row(code, campaign) for code, _name in settings.LANGUAGES]

    def texting_row(self, code: str, campaign: Campaign | None = None) -> dict:
        """One language of the Texts section; the counter endpoint (views.campaign_text_counter) sends it
        back as the admin types, so the counter and the template texts follow the text."""
        campaign = campaign or _campaign_as_edited(self)
        default = code == settings.LANGUAGE_CODE
        text = self["sms_body" if default else f"tr_{code}_sms_body"]
        dlt_text = compose.dlt_template_text(campaign, code)
        registered = self.instance.dlt_templates.get(code) or {}
        dlt = self[f"dlt_{code}"]
        whatsapp_body, whatsapp_url = compose.whatsapp_template_text(campaign, code)
        with translation.override(code):
            button = translation.gettext(text_preview.BUTTON_LABEL)
        return {
            "code": code,
            "name": dict(settings.LANGUAGES)[code],
            "is_default": default,
            "direction": "rtl" if translation.get_language_info(code)["bidi"] else "ltr",
            "text": text,
            "counter": text_preview.count(campaign, code),
            "dlt": dlt,
            "dlt_text": dlt_text,
            # Only while the ID stays the one registered: a new ID is saved with the text as it is now.
            "dlt_outdated": bool(registered.get("id"))
            and str(dlt.value() or "").strip() == registered["id"]
            and registered.get("text") != dlt_text,
            "whatsapp": self[f"wa_{code}"],
            "whatsapp_body": whatsapp_body,
            "whatsapp_url": whatsapp_url,
            "whatsapp_button": button,
            "has_text": default
            or bool(text.value() or text.errors or registered or dlt.errors or self[f"wa_{code}"].value()),
        }

    def offers_texting(self) -> bool:
        """Whether SMS or WhatsApp can be ticked: the Texts section is shown only then."""
        return any(value in TEXT_CHANNELS for value, _label in self.fields["channels"].choices)

    def translation_rows(self):
        """One row per language for the template: (code, name, [bound fields], has any text)."""
        rows = []
        for code, name in other_languages():
            fields = [self[f"tr_{code}_{field}"] for field in TRANSLATED_FIELDS]
            rows.append((code, name, fields, any(field.value() or field.errors for field in fields)))
        return rows

    def group_rows(self):
        """(label, follow-up field, redirect field) per group for the template."""
        return [
            (group.label_with_scores, self[f"followup_{group.name}"], self[f"redirect_{group.name}"])
            for group in GROUPS
        ]

    def _send_at_is_new(self, send_at) -> bool:
        # A launched campaign's past send time is history: saving other changes must not trip on it.
        instance = self.instance
        if not instance.pk or instance.status == Campaign.Status.DRAFT or "schedule" in self.changed_data:
            return True
        return instance.send_at is None or abs((send_at - instance.send_at).total_seconds()) >= 60

    def clean_channels(self):
        return list(self.cleaned_data["channels"])

    def clean_link_once_per_browser(self):
        # The form's link section sends "onsite_shown": without it (an older form, a script) the setting stays.
        if "onsite_shown" not in self.data:
            return self.instance.link_once_per_browser
        return self.cleaned_data["link_once_per_browser"]

    def clean_kiosk_idle_seconds(self):
        value = self.cleaned_data.get("kiosk_idle_seconds")
        return self.instance.kiosk_idle_seconds if value is None else value

    def clean_text_mode(self):
        return self.cleaned_data.get("text_mode") or self.instance.text_mode or TextMode.LINK

    def _clean_texting(self, data):
        """Link mode needs {link} in every text; DLT IDs are digits; WhatsApp needs approved templates."""
        channels = data.get("channels") or []
        if Channel.SMS in channels and data.get("text_mode") == TextMode.LINK:
            names = ["sms_body"] + [f"tr_{code}_sms_body" for code, _name in other_languages()]
            for name in names:
                if data.get(name) and "{link}" not in data[name]:
                    self.add_error(
                        name,
                        "A link-mode text needs {link}: it is where the short link to the answer page goes.",
                    )
        templates = {}
        for code, _name in settings.LANGUAGES:
            data[f"dlt_{code}"] = dlt = data.get(f"dlt_{code}", "").strip()
            if dlt and not DLT_TEMPLATE_ID.fullmatch(dlt):
                self.add_error(
                    f"dlt_{code}",
                    "A DLT template ID is the 19-digit number your DLT portal gave the template.",
                )
            sid = data.get(f"wa_{code}", "").strip()
            if sid and not CONTENT_SID.fullmatch(sid):
                self.add_error(
                    f"wa_{code}",
                    "A Content SID is “HX” followed by 32 characters 0–9 and a–f, as Twilio's Content "
                    "Template Builder shows it.",
                )
            elif sid:
                templates[code] = sid
        # The demo's file provider shows the text without a template; Twilio sends nothing without one.
        if (
            Channel.WHATSAPP in channels
            and settings.SMS_BACKEND != "file"
            and not data.get(f"wa_{settings.LANGUAGE_CODE}", "").strip()
        ):
            name = dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]
            self.add_error(
                f"wa_{settings.LANGUAGE_CODE}",
                f"WhatsApp only delivers approved templates: enter the Content SID of the {name} template.",
            )
        self.instance.whatsapp_templates = templates

    def save(self, commit=True):
        """Record, per language, the text a new DLT template ID was registered for (see dlt_outdated)."""
        saved = dict(self.instance.dlt_templates)
        campaign = super().save(commit=False)
        registered = {}
        for code, _name in settings.LANGUAGES:
            template_id = self.cleaned_data.get(f"dlt_{code}")
            if not template_id:
                continue
            before = saved.get(code) or {}
            if before.get("id") == template_id:
                registered[code] = before  # the same ID: the text it was registered for stays
            else:
                registered[code] = {"id": template_id, "text": compose.dlt_template_text(campaign, code)}
        campaign.dlt_templates = registered
        if commit:
            campaign.save()
        return campaign

    def clean(self):
        data = super().clean()
        schedule = data.get("schedule")
        send_at = data.get("send_at")
        if schedule == Campaign.Schedule.AT:
            if send_at is None:
                self.add_error("send_at", "Choose the date and time to send.")
            elif send_at <= timezone.now() and self._send_at_is_new(send_at):
                self.add_error("send_at", "The send time must be in the future.")
        else:
            data["send_at"] = None
        if schedule == Campaign.Schedule.RECURRING:
            if data.get("recur_days") is None and "recur_days" not in self.errors:
                self.add_error("recur_days", "A recurring campaign needs the number of days between surveys.")
        else:
            data["recur_days"] = None
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", f"The send window must end after it starts ({start:%H:%M}).")
        translations = {}
        for code, _name in other_languages():
            texts = {f: data.get(f"tr_{code}_{f}", "").strip() for f in [*TRANSLATED_FIELDS, "sms_body"]}
            texts = {f: value for f, value in texts.items() if value}
            if texts:
                translations[code] = texts
        self.instance.translations = translations
        self._clean_texting(data)
        return data


class AudienceFilterForm(forms.Form):
    """Up to three conditions on contact properties: a property (the known names are offered) and its values,
    ticked among the property's most common ones or typed; every condition must match, any of its values may.

    `complete=False` (the builder's live count) accepts a filter still being built: rows without a value
    are left out instead of being errors. Text that cannot be a value (NUL, too long) is an error either way.
    """

    ROWS = 3
    MAX_PICKS = 50
    MAX_VALUE = 200

    def __init__(self, *args, complete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        for row in range(1, self.ROWS + 1):
            self.fields[f"property_{row}"] = forms.CharField(
                required=complete and row == 1,
                max_length=100,
                label=f"Property {row}",
                widget=forms.TextInput(
                    attrs={
                        "list": "audience-property-names",
                        "autocomplete": "off",
                        "placeholder": "e.g. region",
                    }
                ),
            )
            self.fields[f"values_{row}"] = forms.CharField(
                required=False,
                max_length=1000,
                label=f"Other values {row}",
                help_text="Separate values with commas.",
            )
        self.fields["property_1"].error_messages["required"] = "Name the property to filter on, e.g. plan."

    @classmethod
    def from_filter(cls, saved: dict):
        initial = {}
        for row, (key, value) in enumerate(list(saved.items())[: cls.ROWS], start=1):
            initial[f"property_{row}"] = key
            initial[f"pick_{row}"] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return cls(initial=initial)

    def picks(self, row: int) -> list[str]:
        """The values ticked in a row (as posted, or the saved filter's). Ticked for another property than the
        one now named (`picks_of_<row>`, the property they were offered for): dropped."""
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            offered_for = self.data.get(f"picks_of_{row}")
            if offered_for is not None and contacts.property_key(offered_for) != self.property_of(row):
                return []
            return [str(v) for v in getlist(f"pick_{row}")] if getlist else []
        return list(self.initial.get(f"pick_{row}", []))

    def property_of(self, row: int) -> str:
        raw = (
            self.data.get(f"property_{row}", "") if self.is_bound else self.initial.get(f"property_{row}", "")
        )
        return (
            contacts.property_key(raw) if isinstance(raw, str) and len(raw) <= 100 and NUL not in raw else ""
        )

    def rows(self):
        """Per condition: its fields and the values offered (the property's most common values and those
        ticked), each with whether it is ticked."""
        result = []
        for row in range(1, self.ROWS + 1):
            key, picked = self.property_of(row), self.picks(row)
            offered = list(dict.fromkeys([*contacts.property_values(key), *picked])) if key else []
            result.append(
                {
                    "n": row,
                    "property": self[f"property_{row}"],
                    "values": self[f"values_{row}"],
                    "key": key,
                    "offered": [(value, value in picked) for value in offered],
                }
            )
        return result

    def clean(self):
        data = super().clean()
        result = {}
        for row in range(1, self.ROWS + 1):
            picks = self.picks(row)
            if len(picks) > self.MAX_PICKS or any(
                NUL in v or len(v) > self.MAX_VALUE or not v.strip() for v in picks
            ):
                self.add_error(f"values_{row}", "A ticked value is empty, too long or holds a NUL character.")
                continue
            key = contacts.property_key(data.get(f"property_{row}") or "")
            raw = data.get(f"values_{row}") or ""
            typed = [v.strip() for v in raw.split(",") if v.strip()]
            values = list(dict.fromkeys([*(v.strip() for v in picks), *typed]))
            if key and not values:
                if self.complete:
                    self.add_error(f"values_{row}", f"Tick or type at least one value for “{key}”.")
            elif values and not key:
                self.add_error(f"property_{row}", "Name the property these values belong to.")
            elif key in result:
                self.add_error(f"property_{row}", f"“{key}” is already used in this filter.")
            elif key:
                result[key] = values[0] if len(values) == 1 else values
        data["filter"] = result
        return data


class TestSendForm(forms.Form):
    """ "Send a test to me": the channel (the campaign's that send), the language, and for a text the number."""

    __test__ = False

    channel = forms.ChoiceField(label="Channel")
    language = forms.ChoiceField(label="Language")
    phone = forms.CharField(
        label="Mobile number",
        required=False,
        max_length=40,
        help_text="With its country code, e.g. +919876543210. Texts only; an email goes to your own address.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(
        self,
        *args,
        campaign: Campaign,
        channels: list[str],
        languages: list[tuple[str, str]],
        back="",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.back = back  # the page the form is on ("launch" or the campaign page), posted back as is
        self.fields["channel"].choices = [(value, Channel(value).label) for value in channels]
        self.fields["language"].choices = languages
        self.needs_phone = any(value in TEXT_CHANNELS for value in channels)


class PreviewForm(forms.Form):
    lang = forms.ChoiceField(label="Language", choices=settings.LANGUAGES, required=False)

    def language(self) -> str:
        if self.is_valid() and self.cleaned_data["lang"]:
            return self.cleaned_data["lang"]
        return settings.LANGUAGE_CODE


# Contacts and CSV import

IMPORT_EXTENSIONS = {".csv", ".txt", ".tsv"}


class ContactImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A header row, then one contact per line. Comma, semicolon or tab; UTF-8, UTF-16 or "
        "Excel's Windows encoding.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CONTACT_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.0f} MB; the limit is {limit} MB. "
                "Split it into smaller files."
            )
        extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension in {".xlsx", ".xls", ".ods", ".numbers"}:
            raise forms.ValidationError(
                "Spreadsheet workbooks cannot be read directly: "
                "choose “Save as” → “CSV” and upload that file."
            )
        if extension and extension not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(f"“{upload.name}” is not a CSV file (expected .csv, .tsv or .txt).")
        return upload


class ColumnMappingForm(forms.Form):
    """What each column of an uploaded CSV holds: one choice per column, the columns first.

    Each import subclasses it with its `targets` (the choices, in order; "property" is the default one),
    their `labels`, the `single_targets` a file may map at most once, and its own rules in
    `check_mapping`. A valid form's cleaned_data["mapping"] is the list of targets, one per column.
    """

    targets: list[str] = []
    labels: dict[str, str] = {}
    single_targets: list[str] = []

    def __init__(self, *args, headers, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [(target, self.labels[target]) for target in self.targets]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=mapping[index] if index < len(mapping) else "property"
            )
        # The columns, then the subclass's own fields.
        self.order_fields([f"column_{index}" for index in range(len(headers))])

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def clean(self):
        data = super().clean()
        mapping = [data.get(f"column_{index}") for index in range(len(self.headers))]
        if None in mapping:
            return data
        for target in self.single_targets:
            columns = [self.headers[index] for index, value in enumerate(mapping) if value == target]
            if len(columns) > 1:
                raise forms.ValidationError(
                    f"Only one column can be {self.labels[target]}: “{columns[0]}” and “{columns[1]}” both are."
                )
        self.check_mapping(mapping)
        data["mapping"] = mapping
        return data

    def check_mapping(self, mapping: list[str]) -> None:
        """Raise ValidationError when the mapping misses what the import needs."""


class ContactImportMappingForm(ColumnMappingForm):
    """At least an email or a phone column; each field once; no two columns saved as the same property."""

    targets, labels = contact_import.TARGETS, contact_import.TARGET_LABELS
    single_targets = contact_import.FIELDS

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.active(),
        required=False,
        label="Also add the imported contacts to a campaign's audience",
        empty_label="No campaign",
    )

    def check_mapping(self, mapping):
        if "email" not in mapping and "phone" not in mapping:
            raise forms.ValidationError("Choose the column that holds the email or the phone number.")
        names = [
            contacts.property_key(self.headers[index])
            for index, value in enumerate(mapping)
            if value == "property"
        ]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise forms.ValidationError(
                f"Two columns would both be saved as the property “{duplicates[0]}”: ignore one of them."
            )


class ContactForm(forms.ModelForm):
    """Email, phone and property names follow the one rule of surveys.contacts, like every other way in."""

    # Plain text fields: the rule is contacts.normalize_email / normalize_phone, not the model fields'.
    email = forms.CharField(required=False, max_length=320, widget=forms.EmailInput)
    phone = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=f"With its country code (+919876543210), or a national number of {settings.DEFAULT_PHONE_REGION}.",
    )
    language = forms.ChoiceField(choices=[("", "Not set"), *settings.LANGUAGES], required=False)
    properties = forms.JSONField(
        required=False,
        help_text='Free properties used for segments, as JSON: {"plan": "pro", "region": "EU"}. '
        "Names are not case-sensitive: they are saved in lower case.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Contact
        fields = ["email", "phone", "name", "language", "time_zone", "properties"]

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        try:
            email = contacts.normalize_email(email) if email else None
        except contacts.ContactError as error:
            raise forms.ValidationError(str(error)) from None
        if email and Contact.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another contact has this email.")
        return email

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        try:
            phone = contacts.normalize_phone(phone) if phone else None
        except contacts.ContactError as error:
            raise forms.ValidationError(str(error)) from None
        if phone and Contact.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another contact has this phone number.")
        return phone

    def clean_time_zone(self):
        import zoneinfo

        value = self.cleaned_data.get("time_zone", "").strip()
        if value and value not in zoneinfo.available_timezones():
            raise forms.ValidationError("Use a time zone name like Asia/Kolkata or Europe/Paris.")
        return value

    def clean_properties(self):
        value = self.cleaned_data.get("properties")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError('Write the properties as a JSON object, like {"plan": "pro"}.')
        try:
            return contacts.normalize_properties(value)
        except contacts.ContactError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and not self.errors:
            raise forms.ValidationError("A contact needs an email, a phone number or both.")
        return data


class ContactFilterForm(forms.Form):
    """The contacts list's filters (GET): search, a property and its value, at risk, group of the last score."""

    GROUP_CHOICES = [
        ("", "Any"),
        ("detractor", "Detractors (0–6)"),
        ("passive", "Passives (7–8)"),
        ("promoter", "Promoters (9–10)"),
        ("none", "Never answered"),
    ]

    q = forms.CharField(required=False, max_length=200, label="Search")
    property = forms.CharField(
        required=False,
        max_length=100,
        label="Property",
        widget=forms.TextInput(
            attrs={"list": "property-names", "autocomplete": "off", "placeholder": "e.g. region"}
        ),
    )
    value = forms.CharField(
        required=False,
        max_length=200,
        label="Value",
        widget=forms.TextInput(attrs={"placeholder": "any value"}),
    )
    group = forms.ChoiceField(required=False, choices=GROUP_CHOICES, label="Last score")
    at_risk = forms.BooleanField(required=False, label="At risk only")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # PostgreSQL cannot compare text with U+0000: say so in words, before any query.
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                what = "A search" if name == "q" else "A filter"
                field.validators = [
                    validator
                    for validator in field.validators
                    if not isinstance(validator, ProhibitNullCharactersValidator)
                ]
                field.validators.append(
                    ProhibitNullCharactersValidator(f"{what} cannot hold a NUL character.")
                )

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def clean_property(self):
        return contacts.property_key(self.cleaned_data["property"])

    def clean_value(self):
        return " ".join(self.cleaned_data["value"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") and not cleaned.get("property"):
            self.add_error("property", "Name the property the value is of, e.g. region.")
        return cleaned

    def active(self) -> dict:
        """The filters that are set, as query parameters (for the pager's links)."""
        return {key: ("on" if value is True else value) for key, value in self.cleaned_data.items() if value}

    def apply(self, queryset):
        """The contacts matching the filters (call after is_valid())."""
        return queryset.filtered(**self.cleaned_data)
