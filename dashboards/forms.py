"""The dashboards' forms: the filters every panel reads from the URL, the comments page's own filters,
saved views, share links and the digest settings."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from nps.inputs import parse_id
from responses.models import Theme
from surveys.contacts import property_key
from surveys.models import Campaign, Channel

from . import queries
from .filters import Filters, workspace_tz
from .metrics import GROUPS
from .models import SavedView
from .queries import PERIODS

EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)
PERIOD_CHOICES = [
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("365d", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Custom range"),
]


class CampaignsField(forms.ModelMultipleChoiceField):
    """Campaign ids from the URL. Anything but an id in the database's range is refused before the query:
    SQLite fails on integers past 2**63 (the demo), and "²" or "٣" are no ids."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class FilterForm(forms.Form):
    """Dashboard filters, read from the query string so a view can be bookmarked and shared."""

    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, initial="90d")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Checkbox lists, not <select multiple>: full names on a phone, every campaign in sight (scrolls if long).
    campaign = CampaignsField(
        queryset=Campaign.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    grain = forms.ChoiceField(
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")], required=False, initial="week"
    )
    segment = forms.CharField(required=False, max_length=300)
    # Only answers whose comment has this theme (its number, as the Themes panel and the tags link it).
    theme = forms.CharField(required=False, max_length=40)
    by = forms.ChoiceField(required=False, label="Split by")
    # Segments over time: one NPS line per value of this property (or dimension); none when empty.
    trend_by = forms.ChoiceField(required=False, label="One line per")
    window = forms.TypedChoiceField(
        choices=[(1, "No smoothing"), (4, "Rolling 4"), (12, "Rolling 12")],
        coerce=int,
        required=False,
        initial=1,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")
        self.property_keys = queries.property_keys()
        self.fields["by"].choices = [
            (key, key.replace("_", " ").capitalize()) for key in self.property_keys
        ] + [
            ("campaign", "Campaign"),
            ("channel", "Channel"),
            ("language", "Language"),
        ]
        self.fields["trend_by"].choices = [("", "Choose…"), *self.fields["by"].choices]

    def clean_segment(self) -> tuple[str, str] | None:
        """`key:value`, e.g. plan:pro, channel:email, campaign:12 or language:hi."""
        text = self.cleaned_data["segment"]
        if not text:
            return None
        key, colon, value = text.partition(":")
        key = property_key(key)  # properties have one spelling; the dimensions are lower-case too
        if not colon or not key:
            raise forms.ValidationError(
                "A segment looks like plan:pro (a property or channel, a colon, a value)."
            )
        if key == "campaign" and parse_id(value) is None:
            raise forms.ValidationError("A campaign segment is campaign: and the campaign's number.")
        return key, value

    def clean_theme(self) -> Theme | None:
        """An active theme's number: a hidden, retired or merged theme says why it cannot filter."""
        text = self.cleaned_data["theme"]
        if not text:
            return None
        pk = parse_id(text)
        if pk is None:
            raise forms.ValidationError("A theme is given by its number, like theme=12.")
        theme = Theme.objects.filter(pk=pk).select_related("merged_into").first()
        if theme is None:
            raise forms.ValidationError(f"There is no theme number {pk}: it may have been deleted.")
        if theme.merged_into_id:
            raise forms.ValidationError(
                f"The theme “{theme.display_name}” was merged into “{theme.merged_into.display_name}”: "
                f"filter by that one (theme={theme.merged_into_id})."
            )
        if theme.hidden:
            raise forms.ValidationError(
                f"The theme “{theme.display_name}” is hidden: show it again on the Themes page to filter by it."
            )
        if theme.retired:
            raise forms.ValidationError(
                f"The theme “{theme.display_name}” is no longer found in comments (retired): it filters nothing."
            )
        return theme

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or "90d"
        if period == "custom":
            if not cleaned.get("start") or not cleaned.get("end"):
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if cleaned["start"] > cleaned["end"]:
                raise forms.ValidationError("The start date is after the end date.")
            # Far dates overflow Python's dates once a day or a previous period is added to them.
            if cleaned["start"] < EARLIEST or cleaned["end"] > LATEST:
                raise forms.ValidationError(f"Dates run from {EARLIEST:%Y} to {LATEST:%Y}.")
        cleaned["period"] = period
        cleaned["grain"] = cleaned.get("grain") or "week"
        cleaned["window"] = cleaned.get("window") or 1
        cleaned["by"] = cleaned.get("by") or (self.property_keys[0] if self.property_keys else "campaign")
        return cleaned

    def summary(self) -> str:
        """The filters in a few words, for the line a phone shows folded: "Last 90 days · 2 campaigns"."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        period = data.get("period") or "90d"
        if period == "custom" and data.get("start") and data.get("end"):
            start, end = data["start"], data["end"]
            parts = [f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"]
        else:
            parts = [str(dict(PERIOD_CHOICES).get(period, "Last 90 days"))]
        campaigns = list(data.get("campaign") or ())
        if len(campaigns) == 1:
            parts.append(campaigns[0].name)
        elif campaigns:
            parts.append(f"{len(campaigns)} campaigns")
        channels = data.get("channel") or ()
        if len(channels) == 1:
            parts.append(str(Channel(channels[0]).label))
        elif channels:
            parts.append(f"{len(channels)} channels")
        if data.get("theme"):
            parts.append(f"Theme: {data['theme'].display_name}")
        return " · ".join(parts)

    def filters(self) -> Filters:
        data = self.cleaned_data
        start = end = None
        if data["period"] == "custom":
            start, end = data["start"], data["end"]
        elif data["period"] in PERIODS:
            end = timezone.now().astimezone(workspace_tz()).date()
            start = end - timedelta(days=PERIODS[data["period"]] - 1)
        return Filters(
            start=start,
            end=end,
            campaign_ids=tuple(c.pk for c in data.get("campaign") or ()),
            channels=tuple(data.get("channel") or ()),
            segment=data.get("segment"),
            theme_id=data["theme"].pk if data.get("theme") else None,
            rolled_up_keys=tuple(self.property_keys),
        )


class CommentForm(forms.Form):
    """The comments page's own filters, on top of the dashboard's (FilterForm)."""

    q = forms.CharField(label="Search", max_length=200, required=False, strip=True)
    group = forms.ChoiceField(
        choices=[("", "All groups")] + [(group.name, group.label) for group in GROUPS],
        required=False,
    )
    score = forms.TypedChoiceField(
        choices=[("", "Any score")] + [(str(s), str(s)) for s in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class SavedViewForm(forms.Form):
    name = forms.CharField(label="View name", max_length=80, strip=True)
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, instance: SavedView | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = SavedView.objects.filter(name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"A view named “{name}” already exists. Choose another name.")
        return name


class ShareLinkForm(forms.Form):
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        help_text="Optional. The link stops working at the end of this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    include_comments = forms.BooleanField(
        label="Include comments (anonymised: no names, no email addresses)", required=False
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day and day < timezone.now().astimezone(workspace_tz()).date():
            raise forms.ValidationError("The expiry date is in the past.")
        if day and day.year > 2999:  # the end of that day would overflow Python's dates
            raise forms.ValidationError("The expiry date is too far away.")
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data["expires_on"]
        return datetime.combine(day + timedelta(days=1), time.min, workspace_tz()) if day else None


class DigestForm(forms.Form):
    enabled = forms.BooleanField(label="Send me the weekly digest", required=False)
    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAYS, coerce=int, initial=0)
    hour = forms.TypedChoiceField(label="Hour", choices=HOURS, coerce=int, initial=8)
