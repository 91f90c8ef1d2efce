from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python as to_phone_number

from surveys.models import Campaign, Contact

SCORES = [(n, str(n)) for n in range(11)]
COMMENT_MAX = 5000


class AnswerForm(forms.Form):
    """What the answer page posts: a score, and on Send the comment too."""

    score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": _("Please keep your comment under 5,000 characters.")},
    )


class PhoneAnswerForm(forms.Form):
    contact = forms.CharField(
        label="Contact's email or phone",
        max_length=254,
        help_text="The contact must already exist. Phones in international format, e.g. +919812345678.",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.active().select_related("brand"), empty_label=None
    )
    # No preselected score: a forgotten field must not become a silent 0.
    score = forms.TypedChoiceField(
        label="Score (0–10)", choices=[("", "Choose a score")] + SCORES, coerce=int
    )
    comment = forms.CharField(
        label="The customer's comment", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label="Interviewer notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Internal: never shown to the customer.",
    )

    def clean_contact(self) -> Contact:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError("Enter a valid email address or phone number.") from None
            contact = Contact.objects.filter(email__iexact=value).first()
        else:
            number = to_phone_number(value)
            if number is None or not number.is_valid():
                raise ValidationError(
                    "Enter a valid email address or a phone number in international format (+…)."
                )
            contact = Contact.objects.filter(phone=number).first()
        if contact is None:
            raise ValidationError(
                f"No contact has the address or number “{value}”. Import or add them first."
            )
        return contact
