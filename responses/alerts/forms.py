"""Forms of alerts: an alert rule (admins) and a person's own alert emails (everyone)."""

import contextlib

from django import forms

from nps import outbound

from ..cases import rules
from ..cases.settings_forms import ConditionsForm, OwnersField, assignable_users
from ..models import AlertPreference, AlertRule


class AlertRuleForm(ConditionsForm):
    """Name, when (an answer matches, or a case is overdue), where (Slack, Teams, email) and which answers."""

    name = forms.CharField(max_length=100, label="Name", help_text="E.g. Detractors to #support.")
    enabled = forms.BooleanField(required=False, initial=True, label="On: send alerts for this rule")
    trigger = forms.ChoiceField(
        choices=AlertRule.Trigger.choices,
        initial=AlertRule.Trigger.ANSWER,
        label="When",
        widget=forms.RadioSelect,
    )
    destination = forms.ChoiceField(
        choices=AlertRule.Destination.choices,
        initial=AlertRule.Destination.SLACK,
        label="Send to",
        widget=forms.RadioSelect,
    )
    url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Webhook URL",
        help_text=(
            "Slack: an incoming webhook's URL. Teams: the URL of a Workflows flow “When a Teams webhook request "
            "is received”. Internal addresses are refused."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"}),
    )
    recipients = OwnersField(
        queryset=assignable_users(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email to",
        help_text="Leads and admins. Each can switch these emails off for themselves on their account page.",
    )

    field_order = [
        "name",
        "enabled",
        "trigger",
        "destination",
        "url",
        "recipients",
        *ConditionsForm.CONDITION_FIELDS,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = assignable_users()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the rule a name.")
        return name

    def clean(self):
        cleaned = super().clean()
        destination = cleaned.get("destination")
        url = (cleaned.get("url") or "").strip()
        if destination in (AlertRule.Destination.SLACK, AlertRule.Destination.TEAMS):
            if not url and "url" not in self.errors:
                self.add_error("url", f"Paste the {AlertRule.Destination(destination).label} webhook URL.")
            elif url:
                try:
                    outbound.check_url_to_save(url)
                except outbound.RefusedURL as exc:
                    self.add_error("url", str(exc))
            cleaned["recipients"] = []
        elif destination == AlertRule.Destination.EMAIL:
            if not cleaned.get("recipients") and "recipients" not in self.errors:
                self.add_error("recipients", "Choose at least one person to email.")
            cleaned["url"] = ""
        return cleaned

    @classmethod
    def for_rule(cls, rule: AlertRule, data=None):
        form = cls(data)
        with contextlib.suppress(ValueError):
            form.keep_themes(rules.parse(rule.conditions or {}).theme_ids)
        if data is None:
            form.initial.update(
                {
                    "name": rule.name,
                    "enabled": rule.enabled,
                    "trigger": rule.trigger,
                    "destination": rule.destination,
                    "url": rule.url,
                    "recipients": list(rule.recipients.values_list("pk", flat=True)),
                }
            )
            # Saved before the conditions' rules changed: shown empty, the admin fixes it.
            with contextlib.suppress(ValueError):
                form.initial_from(rules.parse(rule.conditions or {}))
        return form

    def apply(self, rule: AlertRule) -> AlertRule:
        """Copy the cleaned values onto `rule` and save it (with its recipients)."""
        data = self.cleaned_data
        rule.name = data["name"]
        rule.enabled = bool(data.get("enabled"))
        rule.trigger = data["trigger"]
        rule.destination = data["destination"]
        rule.url = data.get("url") or ""
        rule.conditions = rules.to_json(self.conditions())
        rule.save()
        rule.recipients.set(data.get("recipients") or [])
        return rule


class AlertPreferenceForm(forms.ModelForm):
    """What one person is emailed about their own cases."""

    class Meta:
        model = AlertPreference
        fields = ["case_assigned", "case_reply", "case_overdue"]
        labels = {
            "case_assigned": "A case is assigned to me (by someone else or by an assignment rule)",
            "case_reply": "A customer replies on one of my cases",
            "case_overdue": "One of my cases is overdue",
        }


class SubscriptionsForm(forms.Form):
    """The email alert rules a lead or admin receives: each may be switched on or off for themselves."""

    rules = forms.ModelMultipleChoiceField(
        queryset=AlertRule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email alert rules",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules"].queryset = AlertRule.objects.filter(destination=AlertRule.Destination.EMAIL)
        self.fields["rules"].label_from_instance = lambda rule: rule.name
