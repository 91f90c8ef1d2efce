"""The quiet hours rule form (the staff pages in views.py)."""

import re

import phonenumbers
from django import forms

from ...models import QuietHoursRule
from . import quiet_hours

WEEKDAY_CHOICES = [("", "Every day"), *((str(day), name) for day, name in enumerate(quiet_hours.WEEKDAYS))]


class QuietHoursRuleForm(forms.Form):
    """A region's stricter texting hours. Only what can be matched to a number is accepted: a country,
    or a US state or Canadian province (the area code tells those apart; nothing tells a number's region
    apart in other countries)."""

    region = forms.CharField(
        max_length=10,
        help_text="A country code (“US”, “IN”) or a US state or Canadian province (“US-TX”, “CA-ON”).",
    )
    weekday = forms.TypedChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Days",
        help_text="A rule for one weekday replaces the region's every-day rule on that day.",
    )
    start = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    note = forms.CharField(
        max_length=200, required=False, help_text="Where the rule comes from: a law, a policy."
    )

    def __init__(self, *args, instance: QuietHoursRule | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "region": instance.region,
                "weekday": "" if instance.weekday is None else str(instance.weekday),
                "start": instance.start,
                "end": instance.end,
                "note": instance.note,
            }
        super().__init__(*args, **kwargs)

    def clean_region(self):
        region = self.cleaned_data["region"].strip().upper()
        match = re.fullmatch(r"([A-Z]{2})(?:-([A-Z0-9]{1,3}))?", region)
        if not match:
            raise forms.ValidationError("Write a country code like “US”, or a state like “US-TX”.")
        country, subdivision = match.groups()
        if country not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError(f"“{country}” is not a country code of phone numbers.")
        if subdivision is not None:
            known = quiet_hours.SUBDIVISIONS.get(country)
            if known is None:
                raise forms.ValidationError(
                    f"Numbers in {country} do not show their region: write “{country}” for the whole country."
                )
            if subdivision not in known.values():
                raise forms.ValidationError(f"“{subdivision}” is not a state or province of {country}.")
        return region

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            if start >= end:
                self.add_error("end", "The end must come after the start, on the same day.")
            else:
                self._check_overlap(start, end)
        region = cleaned.get("region")
        if region and "weekday" in cleaned:
            self._check_unique(region, cleaned["weekday"])
        return cleaned

    def _check_overlap(self, start, end):
        base_start, base_end = quiet_hours.base_window()
        since_start, since_end = quiet_hours.since_midnight(start), quiet_hours.since_midnight(end)
        if since_end <= base_start or since_start >= base_end:
            self.add_error(
                "end",
                f"Texts only ever go between {quiet_hours.clock(base_start)} and {quiet_hours.clock(base_end)} (TEXT_QUIET_HOURS): "
                "these hours would leave none that day.",
            )

    def _check_unique(self, region, weekday):
        others = QuietHoursRule.objects.filter(region=region, weekday=weekday)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            days = "every day" if weekday is None else f"{quiet_hours.WEEKDAYS[weekday]}s"
            self.add_error("region", f"{region} already has a rule for {days}: change that rule instead.")
