"""Forms for brands, campaigns, audience filters and previews: they validate and turn strings into values."""

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone

from dashboards.metrics import GROUPS

from . import contact_import, contacts
from .models import CONTROL_CHARACTERS, Brand, Campaign, Channel, Contact

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


class BrandForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = ["name", "company_name", "sender_name", "sender_email", "reply_to", "logo", "accent_color"]
        labels = {
            "name": "Brand name",
            "company_name": "Company name in the question",
            "sender_name": "Sender name",
            "sender_email": "Sender email",
            "reply_to": "Reply-to email",
            "accent_color": "Accent colour",
        }
        help_texts = {
            "name": "Shown to your team only, e.g. “Acme EU”.",
            "company_name": "Replaces {brand} in the question, e.g. “Acme”.",
            "sender_email": "Must be a domain your email provider may send from.",
            "reply_to": "Optional: where customers' replies go.",
            "logo": "PNG, JPEG, WebP or GIF, up to 1 MB and 2000×2000 pixels.",
            "accent_color": "Colour of the score buttons in the email and on the answer page.",
        }
        field_classes = {"logo": LogoField}
        widgets = {
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        }

    ONE_LINE = ("name", "company_name", "sender_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.ONE_LINE:
            self.fields[field].validators.append(_on_one_line)

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
        ]
        labels = {
            "name": "Campaign name",
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
        }
        help_texts = {
            "question": "{brand} is replaced by the brand's company name.",
            "window_start": "In each contact's own time zone.",
            "throttle_days": "Counts every campaign; 90 is a common choice.",
            "reminder_days": "Optional: only to those who have not answered.",
        }
        widgets = {
            "schedule": forms.RadioSelect,
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "question": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .channels import CHANNELS  # the registry: only channels that can send are offered

        self.fields["channels"].choices = [
            (value, label) for value, label in Channel.choices if value in CHANNELS
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
            texts = {f: data.get(f"tr_{code}_{f}", "").strip() for f in TRANSLATED_FIELDS}
            texts = {f: value for f, value in texts.items() if value}
            if texts:
                translations[code] = texts
        self.instance.translations = translations
        return data


class AudienceFilterForm(forms.Form):
    """Up to three conditions on contact properties; all must match, any of a condition's values may."""

    ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, self.ROWS + 1):
            self.fields[f"property_{row}"] = forms.CharField(
                required=row == 1, max_length=100, label=f"Property {row}"
            )
            self.fields[f"values_{row}"] = forms.CharField(
                required=row == 1,
                max_length=1000,
                label=f"Values {row}",
                help_text="Separate values with commas.",
            )
        self.fields["property_1"].error_messages["required"] = "Name the property to filter on, e.g. plan."
        self.fields["values_1"].error_messages["required"] = "Give at least one value, e.g. pro."

    @classmethod
    def from_filter(cls, saved: dict):
        initial = {}
        for row, (key, value) in enumerate(list(saved.items())[: cls.ROWS], start=1):
            initial[f"property_{row}"] = key
            initial[f"values_{row}"] = ", ".join(value) if isinstance(value, list) else str(value)
        return cls(initial=initial)

    def rows(self):
        return [(self[f"property_{row}"], self[f"values_{row}"]) for row in range(1, self.ROWS + 1)]

    def clean(self):
        data = super().clean()
        result = {}
        for row in range(1, self.ROWS + 1):
            key = contacts.property_key(data.get(f"property_{row}") or "")
            raw = data.get(f"values_{row}") or ""
            values = list(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
            if key and not values:
                self.add_error(f"values_{row}", f"Give at least one value for “{key}”.")
            elif values and not key:
                self.add_error(f"property_{row}", "Name the property these values belong to.")
            elif key in result:
                self.add_error(f"property_{row}", f"“{key}” is already used in this filter.")
            elif key:
                result[key] = values[0] if len(values) == 1 else values
        data["filter"] = result
        return data


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
