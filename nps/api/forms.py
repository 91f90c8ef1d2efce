"""The form of the Settings → API keys page."""

from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the key a name."},
        help_text="What uses it, e.g. “CRM sync” or “Support phone line”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        choices=[("read", "Read-only"), ("write", "Read and write")], initial="read", widget=forms.RadioSelect
    )

    SCOPE_HELP = {
        "read": "Lists and reads contacts, responses, metrics and campaigns.",
        "write": "Also creates and erases contacts, sends surveys and records responses.",
    }

    def scope_options(self):
        return [(radio, self.SCOPE_HELP[radio.data["value"]]) for radio in self["scope"]]
