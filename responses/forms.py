from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from surveys.contacts import ContactError, normalize_email, normalize_phone
from surveys.forms import ColumnMappingForm, ContactImportUploadForm
from surveys.models import Brand, Campaign, Contact

from . import history_import

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
        help_text="The contact must already exist. A phone number without a country code is read as a "
        f"number of {settings.DEFAULT_PHONE_REGION}.",
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

    def __init__(self, *args, contact: Contact | None = None, **kwargs):
        """With `contact` (the contact page's link), the interview is theirs: no address to type."""
        super().__init__(*args, **kwargs)
        self.contact = contact
        if contact is not None:
            del self.fields["contact"]

    def clean(self):
        cleaned = super().clean()
        if self.contact is not None:
            cleaned["contact"] = self.contact
        return cleaned

    def clean_contact(self) -> Contact:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                email = normalize_email(value)
            except ContactError:
                raise ValidationError("Enter a valid email address or phone number.") from None
            contact = Contact.objects.filter(email__iexact=email).first()
        else:
            try:
                phone = normalize_phone(value)
            except ContactError:
                raise ValidationError(
                    "Enter a valid email address, or a phone number in international format (+…) "
                    f"or as a national number of {settings.DEFAULT_PHONE_REGION}."
                ) from None
            contact = Contact.objects.filter(phone=phone).first()
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


class HistoryMappingForm(ColumnMappingForm):
    """A score, a date and an email or phone column are required; each target but "property" once."""

    targets, labels = history_import.TARGETS, history_import.TARGET_LABELS
    single_targets = history_import.SINGLE_TARGETS

    def check_mapping(self, mapping):
        if "score" not in mapping:
            raise forms.ValidationError("Choose the column that holds the score.")
        if "date" not in mapping:
            raise forms.ValidationError("Choose the column that holds the date of each answer.")
        if "email" not in mapping and "phone" not in mapping:
            raise forms.ValidationError("Choose the column that holds the email or the phone number.")
