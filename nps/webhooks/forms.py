from django import forms

from nps import outbound

from .models import WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text=(
            "An HTTPS URL on a public address. Internal addresses (localhost, private networks, cloud "
            "metadata) are refused; plain http:// only to this machine, in development."
        ),
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
        try:
            outbound.check_url_to_save(url)
        except outbound.RefusedURL as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
