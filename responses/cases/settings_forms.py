"""Forms of the follow-up settings: the conditions shared by case rules and alert rules, the rules themselves,
the targets and at-risk thresholds, and assignment rules.

`ConditionsForm` is reused by the alert rules' form (responses/alerts/forms.py): its fields map one to one to
`rules.Conditions`, `conditions()` gives the parsed value, `initial_from()` fills the form from a saved one,
and `templates/responses/follow_up/_conditions_fields.html` renders them.
"""

import contextlib

from django import forms
from django.contrib.auth import get_user_model
from django.db import models

from dashboards.metrics import GROUP_NAMES, LABELS
from nps.accounts.roles import Role
from surveys import contacts
from surveys.channels import CHANNELS
from surveys.models import Campaign, Channel
from surveys.site_forms import StrictIntegerField

from ..models import AssignmentRule, Case, FollowUpSettings, Theme
from . import rules

MAX_LIST_TEXT = 1000
MAX_ITEMS = rules.MAX_ITEMS


def split_list(text: str) -> list[str]:
    """ "South, North ,, West" → ["South", "North", "West"]: a comma-separated list typed by a person."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def join_list(items) -> str:
    return ", ".join(items)


def channel_choices() -> list[tuple[str, str]]:
    """Every channel an answer can arrive on: the registered channels and phone interviews."""
    values = set(CHANNELS) | {Channel.PHONE.value}
    return [(value, label) for value, label in Channel.choices if value in values]


def theme_choices(keep=()) -> list[tuple[str, str]]:
    """The active themes by name, and any of `keep` (a saved rule's) that are no longer active, so that
    editing the rule shows them ticked instead of dropping them unseen."""
    keep = [pk for pk in keep if isinstance(pk, int)]
    themes = Theme.objects.filter(
        models.Q(hidden=False, retired=False, merged_into=None) | models.Q(pk__in=keep)
    ).order_by("pk")
    choices = []
    for theme in themes:
        label = theme.display_name
        if not theme.is_active:
            label = rules.theme_names((theme.pk,))[0]
        choices.append((str(theme.pk), label))
    return sorted(choices, key=lambda choice: (choice[1].casefold(), int(choice[0])))


def group_choices() -> list[tuple[str, str]]:
    """Detractors first: the order a support lead thinks in."""
    return [(name, LABELS[name]) for name in reversed(GROUP_NAMES)]


class CommaListField(forms.CharField):
    """A comma-separated list of short texts ("billing, refund"), at most MAX_ITEMS of rules.MAX_TEXT characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_LIST_TEXT)
        super().__init__(**kwargs)

    def clean(self, value):
        items = split_list(super().clean(value))
        if len(items) > MAX_ITEMS:
            raise forms.ValidationError(f"At most {MAX_ITEMS} items, separated by commas.")
        if any(len(item) > rules.MAX_TEXT for item in items):
            raise forms.ValidationError(f"Each item may have at most {rules.MAX_TEXT} characters.")
        return items


class ConditionsForm(forms.Form):
    """Which answers a rule is about; every field left empty means "every answer"."""

    groups = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Groups",
        help_text="None ticked: every group.",
    )
    score_min = StrictIntegerField(required=False, min_value=0, max_value=10, label="Score from")
    score_max = StrictIntegerField(required=False, min_value=0, max_value=10, label="Score to")
    has_comment = forms.BooleanField(required=False, label="Only answers with a comment")
    campaigns = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Campaigns",
        help_text="None ticked: every campaign.",
    )
    channels = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Channels",
        help_text="None ticked: every channel.",
    )
    property = forms.CharField(
        required=False,
        max_length=100,
        label="Contact property",
        help_text="Optional, e.g. region or plan.",
        widget=forms.TextInput(attrs={"list": "property-names", "autocomplete": "off"}),
    )
    property_values = CommaListField(
        label="Property values",
        help_text="Comma-separated, e.g. South, West; any of them matches (case does not matter).",
    )
    keywords = CommaListField(
        label="Keywords in the comment",
        help_text="Comma-separated words or phrases, e.g. refund, cancel my account; any of them matches.",
    )
    themes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Theme is",
        help_text="None ticked: themes do not matter. Ticked: the comment has any of these themes.",
        error_messages={
            "invalid_choice": "Choose themes from the list: %(value)s is not one of them (deleted, hidden or "
            "merged since the page was opened?).",
        },
    )

    CONDITION_FIELDS = (
        "groups",
        "score_min",
        "score_max",
        "has_comment",
        "campaigns",
        "channels",
        "property",
        "property_values",
        "keywords",
        "themes",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices()
        self.fields["groups"].choices = group_choices()
        self.fields["channels"].choices = channel_choices()
        self.fields["campaigns"].choices = [
            (str(pk), name) for pk, name in Campaign.objects.order_by("name", "pk").values_list("pk", "name")
        ]
        self.property_names = contacts.property_names()

    def keep_themes(self, theme_ids) -> None:
        """Offer a saved rule's themes too when they are no longer active (hidden, merged, no longer found)."""
        self.fields["themes"].choices = theme_choices(theme_ids)

    def condition_fields(self):
        """The bound fields of the conditions, for templates."""
        return [self[name] for name in self.CONDITION_FIELDS]

    def clean_property(self):
        return contacts.property_key(self.cleaned_data.get("property") or "")

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.CONDITION_FIELDS):
            return cleaned  # each said what is wrong; the whole is checked once they are right
        try:
            self._conditions = rules.parse(self._raw(cleaned))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned

    def _raw(self, cleaned) -> dict:
        """The cleaned fields in the stored JSON's shape (responses/cases/rules.py)."""
        return {
            "groups": list(cleaned.get("groups") or []),
            "score_min": cleaned.get("score_min"),
            "score_max": cleaned.get("score_max"),
            "has_comment": bool(cleaned.get("has_comment")),
            "campaign_ids": [int(pk) for pk in cleaned.get("campaigns") or []],
            "channels": list(cleaned.get("channels") or []),
            "property": cleaned.get("property") or "",
            "property_values": list(cleaned.get("property_values") or []),
            "keywords": list(cleaned.get("keywords") or []),
            "theme_ids": [int(pk) for pk in cleaned.get("themes") or []],
        }

    def conditions(self):
        """The validated `rules.Conditions` (call after is_valid())."""
        return self._conditions

    def initial_from(self, conditions) -> None:
        """Fill an unbound form from saved conditions."""
        self.initial.update(
            {
                "groups": list(conditions.groups),
                "score_min": conditions.score_min,
                "score_max": conditions.score_max,
                "has_comment": conditions.has_comment,
                "campaigns": [str(pk) for pk in conditions.campaign_ids],
                "channels": list(conditions.channels),
                "property": conditions.property,
                "property_values": join_list(conditions.property_values),
                "keywords": join_list(conditions.keywords),
                "themes": [str(pk) for pk in conditions.theme_ids],
            }
        )


class CaseRuleForm(ConditionsForm):
    """A case rule: its name, the priority of the cases it opens, on or off, and its conditions."""

    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="E.g. Detractors in the South.",
        error_messages={"required": "Give the rule a name."},
    )
    priority = forms.ChoiceField(
        choices=Case.Priority.choices, initial=Case.Priority.NORMAL, label="Priority"
    )
    enabled = forms.BooleanField(required=False, initial=True, label="On: answers that match open a case")

    field_order = ["name", "priority", "enabled", *ConditionsForm.CONDITION_FIELDS]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the rule a name.")
        return name

    @classmethod
    def for_rule(cls, rule, data=None):
        """The form of a saved rule (unbound: filled from it)."""
        form = cls(data)
        with contextlib.suppress(ValueError):
            form.keep_themes(rules.parse(rule.conditions or {}).theme_ids)
        if data is None:
            form.initial.update({"name": rule.name, "priority": rule.priority, "enabled": rule.enabled})
            # Saved before a check about it changed: shown empty, for the admin to fix.
            with contextlib.suppress(ValueError):
                form.initial_from(rules.parse(rule.conditions or {}))
        return form


class FollowUpSettingsForm(forms.ModelForm):
    """Targets per group (hours) and the at-risk thresholds."""

    class Meta:
        model = FollowUpSettings
        fields = [
            "detractor_due_hours",
            "passive_due_hours",
            "promoter_due_hours",
            "at_risk_drop",
            "at_risk_streak",
        ]
        labels = {
            "detractor_due_hours": "Detractors: follow up within (hours)",
            "passive_due_hours": "Passives: follow up within (hours)",
            "promoter_due_hours": "Promoters: follow up within (hours)",
            "at_risk_drop": "At risk when the score falls by (points)",
            "at_risk_streak": "…or after this many detractor answers in a row",
        }
        help_texts = {
            "detractor_due_hours": "48 is common: a call-back within two working days.",
            "at_risk_drop": "From the contact's previous answer; 3 means 9 → 6 is at risk.",
            "at_risk_streak": "2 or more.",
        }
        field_classes = {
            "detractor_due_hours": StrictIntegerField,
            "passive_due_hours": StrictIntegerField,
            "promoter_due_hours": StrictIntegerField,
            "at_risk_drop": StrictIntegerField,
            "at_risk_streak": StrictIntegerField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("detractor_due_hours", "passive_due_hours", "promoter_due_hours"):
            self.fields[name].validators.append(_min_one)
            self.fields[name].widget.attrs.update({"min": 1, "max": 24 * 365, "inputmode": "numeric"})
        self.fields["at_risk_drop"].widget.attrs.update({"min": 1, "max": 10})
        self.fields["at_risk_streak"].widget.attrs.update({"min": 2, "max": 10})


def _min_one(value):
    if value is not None and value < 1:
        raise forms.ValidationError("At least 1 hour.")


def assignable_users():
    """Who may own a case: active leads and admins."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.ADMIN, Role.LEAD])
        .order_by("name", "email")
    )


class OwnersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.name} ({user.email})" if user.name else user.email


class AssignmentRuleForm(forms.Form):
    """Property = value → one owner, or several in turn (round robin); no property: every case."""

    property = forms.CharField(
        required=False,
        max_length=100,
        label="When the contact's property",
        help_text="Leave empty to match every case.",
        widget=forms.TextInput(attrs={"list": "property-names", "autocomplete": "off"}),
    )
    value = forms.CharField(
        required=False,
        max_length=200,
        label="is",
        help_text="Case does not matter, e.g. South.",
    )
    owners = OwnersField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Assign to",
        help_text="Tick several to take them in turn (round robin).",
        error_messages={
            "required": "Choose at least one owner.",
            "invalid_pk_value": "Choose owners from the list.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = assignable_users()
        self.property_names = contacts.property_names()

    @classmethod
    def for_rule(cls, rule: AssignmentRule, data=None):
        form = cls(data)
        if data is None:
            form.initial.update(
                {
                    "property": rule.property,
                    "value": rule.value,
                    "owners": [user.pk for user in rule.owners.all()],
                }
            )
        return form

    def clean_owners(self):
        return list(self.cleaned_data["owners"])

    def clean(self):
        cleaned = super().clean()
        prop = contacts.property_key(cleaned.get("property") or "")
        value = " ".join((cleaned.get("value") or "").split())
        if prop and not value:
            self.add_error("value", "Give the value the property must have, or clear the property.")
        if value and not prop:
            self.add_error("property", "Name the property this value is of.")
        cleaned["property"], cleaned["value"] = prop, value
        return cleaned
