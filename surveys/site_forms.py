"""The form of a widget site (surveys/site_views.py): origins one per line, the look and the rules."""

from decimal import Decimal

from django import forms
from django.conf import settings

from nps import ratelimit
from nps.inputs import NUL, parse_int

from . import sites
from .contacts import property_key
from .models import Campaign, Channel, Site


class StrictIntegerField(forms.IntegerField):
    """ASCII digits only: Django's IntegerField reads "٣" or "1_000" as numbers nobody typed here."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_int(str(value), low=0, high=10**6)
        if number is None:
            raise forms.ValidationError("Enter a whole number like 30.", code="invalid")
        return number


MAX_LINK_PROPERTIES = 20


class LinkPropertiesField(forms.CharField):
    """The public link's allow-listed query parameters, typed "store, agent" → ["store", "agent"]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("label", "Query parameters kept as properties")
        kwargs.setdefault(
            "help_text",
            "Comma-separated names, e.g. store, agent: /l/…/?store=Pune&agent=17 records store and agent "
            "with the answer. Any other parameter is ignored.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        if NUL in text:
            raise forms.ValidationError("Null characters are not allowed.")
        names: list[str] = []
        for part in text.split(","):
            name = property_key(part)
            if not name:
                continue
            if len(name) > 100:
                raise forms.ValidationError(f"“{name[:40]}…” is longer than 100 characters.")
            if not all(char.isprintable() for char in name) or any(char in name for char in "&=?#"):
                raise forms.ValidationError(
                    f"“{name}” cannot be a query parameter: use letters, digits, - or _."
                )
            if name not in names:
                names.append(name)
        if len(names) > MAX_LINK_PROPERTIES:
            raise forms.ValidationError(f"At most {MAX_LINK_PROPERTIES} parameters.")
        return names

    def has_changed(self, initial, data):
        try:
            return list(initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


def web_campaigns():
    """Campaigns a site may ask: the on-site widget ticked, not archived. (SQLite, the demo's database,
    cannot query inside JSON lists, so the channels are read here.)"""
    ids = [
        pk
        for pk, channels in Campaign.objects.active().values_list("pk", "channels")
        if isinstance(channels, list) and Channel.WEB in channels
    ]
    return Campaign.objects.filter(pk__in=ids).select_related("brand").order_by("name")


class SiteForm(forms.ModelForm):
    allowed_origins = forms.CharField(
        label="Allowed origins",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
        max_length=5000,
        help_text="One per line: the scheme, host and port of each page that loads the snippet, e.g. "
        "https://app.example.com or http://localhost:3000 while developing. No path. Up to 20. "
        "Requests from any other origin are refused.",
    )
    sample_percent = forms.DecimalField(
        label="Share of eligible visitors asked (%)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=1,
        initial=100,
        help_text="100 asks everyone the rules allow; 25 asks one in four, at random.",
    )
    dismiss_wait_days = StrictIntegerField(
        label="After a visitor closes the survey, wait (days)",
        min_value=0,
        max_value=3650,
        help_text="Before asking them again on this site.",
    )

    class Meta:
        model = Site
        fields = [
            "name",
            "campaign",
            "allowed_origins",
            "language",
            "accent_color",
            "position",
            "require_user_hash",
            "allow_anonymous",
            "recontact",
            "dismiss_wait_days",
            "rate_limit",
        ]
        labels = {
            "name": "Site name",
            "campaign": "Campaign asked on this site",
            "language": "Default language",
            "accent_color": "Accent colour",
            "position": "Where the survey appears",
            "require_user_hash": "Require identity verification (userHash)",
            "allow_anonymous": "Allow anonymous visitors",
            "recontact": "Asking again",
            "rate_limit": "Rate limit per visitor address",
        }
        help_texts = {
            "name": "For you, e.g. “Web app” or “Help centre”.",
            "language": "For visitors with no language of their own (no locale property, none known for "
            "the contact). Empty: the browser's.",
            "accent_color": "Colour of the score buttons, e.g. #c2410c. Empty: the brand's colour.",
            "require_user_hash": "Recommended for logged-in products: your server signs each email or id with "
            "the site's secret, so nobody can answer in someone else's name. Unsigned identities are refused.",
            "allow_anonymous": "Visitors without an email or id get a random id kept in their browser.",
            "rate_limit": "Requests to the widget's API per visitor address, like 120/m or 1000/h.",
        }
        widgets = {
            "position": forms.RadioSelect,
            "recontact": forms.RadioSelect,
            "accent_color": forms.TextInput(attrs={"placeholder": "#c2410c", "maxlength": 7, "size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        campaign.queryset = web_campaigns()
        campaign.empty_label = None if campaign.queryset.exists() else "No campaign uses the widget yet"
        campaign.help_text = (
            f"Only campaigns with the “{Channel.WEB.label}” channel are listed; throttling across "
            "channels comes from the campaign."
        )
        campaign.error_messages["invalid_choice"] = (
            f"Choose a campaign with the “{Channel.WEB.label}” channel; edit a campaign to tick it."
        )
        campaign.error_messages["required"] = campaign.error_messages["invalid_choice"]
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label,
            help_text=self.fields["language"].help_text,
            choices=[("", "The visitor's browser language")] + list(settings.LANGUAGES),
            required=False,
        )
        self.origins_before = list(self.instance.allowed_origins) if self.instance.pk else []
        if self.instance.pk:
            self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins)
            percent = round(self.instance.sample_factor * 100, 1)
            self.initial["sample_percent"] = int(percent) if percent == int(percent) else percent

    def clean_allowed_origins(self):
        try:
            origins = sites.normalize_origins(self.cleaned_data["allowed_origins"])
        except sites.SiteError as error:
            raise forms.ValidationError(str(error)) from None
        if not origins:
            raise forms.ValidationError("List at least one origin, e.g. https://app.example.com.")
        return origins

    def clean_accent_color(self):
        return self.cleaned_data["accent_color"].strip().lower()

    def clean_rate_limit(self):
        rate = self.cleaned_data["rate_limit"].strip()
        try:
            count, _seconds = ratelimit.parse_rate(rate)
        except ratelimit.InvalidRate:
            raise forms.ValidationError(
                "Write a rate like 120/m (per minute), 10/5m, 1000/h or 5000/d."
            ) from None
        if count < 1:
            raise forms.ValidationError("Allow at least 1 request.")
        return rate

    def clean(self):
        data = super().clean()
        campaign = data.get("campaign")
        if campaign is not None:
            try:
                sites.check_campaign(campaign)
            except sites.SiteError as error:
                self.add_error("campaign", str(error))
        if data.get("sample_percent") is not None:
            self.instance.sample_factor = float(data["sample_percent"]) / 100
        return data

    def audit_changes(self) -> dict:
        """{"field": [before, after]} for the audit log: origins as lists, the sample as a share."""
        changes = {}
        for name in self.changed_data:
            if name == "sample_percent":
                before = self.initial.get("sample_percent", 100)
                changes["sample_factor"] = [float(before) / 100, float(self.cleaned_data[name]) / 100]
            elif name == "allowed_origins":
                changes[name] = [self.origins_before, self.cleaned_data[name]]
            else:
                before = self.initial.get(name)
                if name == "campaign" and before is not None:
                    before = str(Campaign.objects.filter(pk=before).first())
                after = self.cleaned_data.get(name)
                changes[name] = [before, str(after) if isinstance(after, Campaign) else after]
        return changes
