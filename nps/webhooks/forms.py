from django import forms

from .models import WebhookEndpoint, WebhookEvent
from .services import is_allowed_url


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="An HTTPS URL. Plain http:// only to localhost or 127.0.0.1, for development.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/opennps"}),
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]
        labels = {"description": "Description", "is_active": "Send events to this endpoint"}
        help_texts = {"description": "Optional: what receives these events, e.g. “CRM sync”."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = WebhookEvent.choices
        if not self.instance.pk:
            self.initial.setdefault("events", list(WebhookEvent.values))

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not is_allowed_url(url):
            raise forms.ValidationError(
                "Use an https:// URL. Plain http:// is only accepted for localhost and 127.0.0.1 (development)."
            )
        return url
