from datetime import timedelta

from django import forms
from django.utils import timezone

from surveys.models import Campaign, Channel

from .queries import PERIODS, Filters, workspace_tz

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
    window = forms.TypedChoiceField(
        choices=[(1, "No smoothing"), (4, "Rolling 4"), (12, "Rolling 12")],
        coerce=int,
        required=False,
        initial=1,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or "90d"
        if period == "custom":
            if not cleaned.get("start") or not cleaned.get("end"):
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if cleaned["start"] > cleaned["end"]:
                raise forms.ValidationError("The start date is after the end date.")
        cleaned["period"] = period
        cleaned["grain"] = cleaned.get("grain") or "week"
        cleaned["window"] = cleaned.get("window") or 1
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
        )
