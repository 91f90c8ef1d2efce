from datetime import date, timedelta

from django import forms
from django.utils import timezone

from surveys.models import Campaign, Channel

from . import queries
from .filters import Filters, workspace_tz
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


class FilterForm(forms.Form):
    """Dashboard filters, read from the query string so a view can be bookmarked and shared."""

    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, initial="90d")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    campaign = forms.ModelMultipleChoiceField(queryset=Campaign.objects.none(), required=False)
    channel = forms.MultipleChoiceField(choices=Channel.choices, required=False)
    grain = forms.ChoiceField(
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")], required=False, initial="week"
    )
    segment = forms.CharField(required=False, max_length=300)
    by = forms.ChoiceField(required=False, label="Split by")
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

    def clean_segment(self) -> tuple[str, str] | None:
        """`key:value`, e.g. plan:pro, channel:email, campaign:12 or language:hi."""
        text = self.cleaned_data["segment"]
        if not text:
            return None
        key, colon, value = text.partition(":")
        if not colon or not key.strip():
            raise forms.ValidationError(
                "A segment looks like plan:pro (a property or channel, a colon, a value)."
            )
        if key == "campaign" and not value.isdigit():
            raise forms.ValidationError("A campaign segment is campaign: and the campaign's number.")
        return key.strip(), value

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
            rolled_up_keys=tuple(self.property_keys),
        )
