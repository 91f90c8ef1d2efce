"""Forms of saved views, share links and the digest (the dashboard's filters are dashboards.forms)."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from .filters import workspace_tz
from .models import SavedView

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
