from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python as to_phone_number

from surveys.forms import ContactImportUploadForm
from surveys.models import Brand, Campaign, Contact

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


SCORE_VALUES = {str(n): n for n in range(11)}


def script_score(data) -> int:
    """The score alone, as the answer page's script posts it: AnswerForm's rule, without building a form
    on the product's hottest request. Raises ValidationError with the form's own message."""
    value = data.get("score", "")
    if value in SCORE_VALUES:
        return SCORE_VALUES[value]
    messages = AnswerForm.base_fields["score"].error_messages
    raise ValidationError(messages["invalid_choice" if value else "required"])


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


class HistoryUploadForm(ContactImportUploadForm):
    """A CSV of past answers and the brand whose dashboards show them."""

    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"),
        label="Brand",
        empty_label=None,
        help_text="The answers join this brand's “Imported history” campaign.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A Delighted responses export as it is, or any CSV with a header row: email, score, comment, "
            "date and more columns. Comma, semicolon or tab; UTF-8, UTF-16 or Excel's Windows encoding."
        )
        self.order_fields(["file", "brand"])


class HistoryMappingForm(forms.Form):
    """One choice per column; a score, a date and an email or phone column are required, each once."""

    def __init__(self, *args, headers, mapping, **kwargs):
        from .importing import TARGET_LABELS, TARGETS

        super().__init__(*args, **kwargs)
        self.headers, self.labels = headers, TARGET_LABELS
        choices = [(target, TARGET_LABELS[target]) for target in TARGETS]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=mapping[index] if index < len(mapping) else "property"
            )

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def clean(self):
        from .importing import SINGLE_TARGETS

        data = super().clean()
        mapping = [data.get(f"column_{index}") for index in range(len(self.headers))]
        if None in mapping:
            return data
        for target in SINGLE_TARGETS:
            columns = [self.headers[index] for index, value in enumerate(mapping) if value == target]
            if len(columns) > 1:
                raise forms.ValidationError(
                    f"Only one column can be {self.labels[target]}: “{columns[0]}” and “{columns[1]}” both are."
                )
        if "score" not in mapping:
            raise forms.ValidationError("Choose the column that holds the score.")
        if "date" not in mapping:
            raise forms.ValidationError("Choose the column that holds the date of each answer.")
        if "email" not in mapping and "phone" not in mapping:
            raise forms.ValidationError("Choose the column that holds the email or the phone number.")
        data["mapping"] = mapping
        return data
