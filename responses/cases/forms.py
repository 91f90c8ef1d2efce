"""The forms of the inbox and the case page: they turn strings into typed values and refuse the rest (a
4xx with the field's message, never a half-written case). Every write then goes through services.py."""

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboards.metrics import GROUPS
from nps.accounts.roles import RANK, Role
from nps.inputs import parse_id
from surveys.contacts import property_key
from surveys.models import Campaign, Channel

from ..models import Case, Tag

VIEWS = [
    ("mine", "My cases"),
    ("unassigned", "Unassigned"),
    ("overdue", "Overdue"),
    ("open", "All open"),
    ("all", "All"),
]
# Due times beyond these years are typing mistakes, and far dates overflow when time zones are applied.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
MAX_TAGS = 20


def case_workers():
    """People who may own a case: active leads and admins (viewers read only)."""
    roles = [role for role, rank in RANK.items() if rank >= RANK[Role.LEAD]]
    return get_user_model().objects.filter(is_active=True, role__in=roles).order_by("name", "email")


class IdChoiceField(forms.ModelChoiceField):
    """A row chosen by id; anything but an id in the database's range is refused before the query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(str(value)) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PersonField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.email


class InboxForm(forms.Form):
    """The inbox's filters, read from the query string so that a filtered inbox can be bookmarked."""

    view = forms.ChoiceField(choices=VIEWS, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Case.Status.choices], required=False)
    # "none": the unassigned queue; otherwise a person's id.
    owner = forms.CharField(required=False, max_length=20)
    group = forms.ChoiceField(
        choices=[("", "All groups")] + [(group.name, group.label) for group in GROUPS], required=False
    )
    campaign = IdChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="All campaigns")
    tag = forms.CharField(required=False, max_length=50, strip=True)
    property = forms.CharField(label="Property", required=False, max_length=100, strip=True)
    value = forms.CharField(label="Value", required=False, max_length=200, strip=True)
    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")
        self.workers = list(case_workers())
        self.fields["owner"].widget = forms.Select(
            choices=[("", "Anyone"), ("none", "Nobody (unassigned)")]
            + [(str(person.pk), person.name or person.email) for person in self.workers]
        )
        self.fields["tag"].widget.attrs["list"] = "case-tags"

    def clean_owner(self):
        text = self.cleaned_data["owner"]
        if text in ("", "none"):
            return text or None
        pk = parse_id(text)
        if pk is None:
            raise forms.ValidationError("Choose a person from the list.")
        return pk

    def clean_property(self):
        text = self.cleaned_data["property"]
        return property_key(text) if text else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") and not cleaned.get("property"):
            self.add_error("property", "Name the property the value belongs to, e.g. region.")
        return cleaned

    def filters(self) -> dict:
        """What services.inbox() reads: only the filters that are set."""
        data = self.cleaned_data
        filters = {}
        for key in ("status", "group", "tag", "q"):
            if data.get(key):
                filters[key] = data[key]
        if data.get("owner") is not None:
            filters["owner"] = data["owner"]
        if data.get("campaign"):
            filters["campaign"] = data["campaign"].pk
        if data.get("property"):
            filters["property"] = data["property"]
            filters["value"] = data.get("value", "")
        return filters


class AssignForm(forms.Form):
    owner = PersonField(
        label="Owner",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody (unassigned)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = case_workers()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Case.Status.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label="Priority", choices=Case.Priority.choices)


class DueForm(forms.Form):
    """The due time in the workspace's time zone (a datetime-local input); empty clears it."""

    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_due_at(self) -> datetime | None:
        value = self.cleaned_data["due_at"]
        if value is not None and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
            raise forms.ValidationError(f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Called back, offered a refund…"}),
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=1000,
        strip=True,
        help_text="Comma-separated, e.g. billing, callback-done",
    )

    def clean_tags(self) -> list[str]:
        """Names in the order typed, without blanks and duplicates (tags are case-insensitive)."""
        names, seen = [], set()
        for part in self.cleaned_data["tags"].split(","):
            name = " ".join(part.split())
            if not name or name.casefold() in seen:
                continue
            max_length = Tag._meta.get_field("name").max_length
            if len(name) > max_length:
                raise forms.ValidationError(f"A tag has at most {max_length} characters: “{name[:20]}…”.")
            seen.add(name.casefold())
            names.append(name)
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags on one answer.")
        return names


class ReplyForm(forms.Form):
    """A reply to the customer on one of the channels the case can reach (replies.channels_for)."""

    channel = forms.ChoiceField(label="Send by", choices=())
    # Empty: "Re: " the thread's last subject, else "Your feedback to <company>" (replies.default_subject).
    subject = forms.CharField(label="Subject", required=False, max_length=300, strip=True)
    body = forms.CharField(
        label="Message", max_length=10_000, strip=True, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, channels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(channel, labels.get(channel, channel)) for channel in channels]
        if channels:
            self.fields["channel"].initial = channels[0]
