"""The forms of the theme pages: they turn strings into typed values and refuse the rest (a 4xx with the
field's message); every write then goes through services.py."""

from django import forms
from django.utils.translation import get_language_info

from nps.inputs import parse_id

from ..models import Theme
from . import rules
from .services import NAME_MAX, active_themes
from .text import LANGUAGE_GROUP_NAMES

ANY_LANGUAGE = rules.ANY_LANGUAGE
LANGUAGE_CHOICES = [(ANY_LANGUAGE, "Any language"), *LANGUAGE_GROUP_NAMES.items()]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
WORDS_MAX = 6_000  # characters per language: 50 phrases of 100 characters, with separators
SHOWS = [("active", "Active"), ("hidden", "Hidden"), ("merged", "Merged"), ("retired", "Retired")]


def language_name(group: str) -> str:
    """A language group's name; a language the detector found but no group has ("af"), by Django's name."""
    if group in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[group]
    try:
        return get_language_info(group)["name"]
    except KeyError:
        return group


class ThemeChoiceField(forms.ModelChoiceField):
    """A theme chosen by id; anything but an id in the database's range is refused before the query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(str(value)) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj):
        return obj.display_name


class ListForm(forms.Form):
    show = forms.ChoiceField(choices=SHOWS, required=False)


class RenameForm(forms.Form):
    name = forms.CharField(  # Django refuses NUL in every CharField
        label="Name",
        max_length=NAME_MAX,
        required=False,
        strip=True,
        help_text="Empty: the automatic label is shown.",
    )


class FlagForm(forms.Form):
    """Hide/unhide, pin/unpin: the value to set."""

    value = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")


class WordsForm(forms.Form):
    """Words or phrases per language (one text area each, one phrase per line or comma), and one more
    language to add. `languages` are the text areas shown; a POST brings its own."""

    add_language = forms.ChoiceField(label="Add a language", choices=(), required=False)
    add_words = forms.CharField(
        label="Its words",
        required=False,
        max_length=WORDS_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            posted = [key.removeprefix("words_") for key in self.data if str(key).startswith("words_")]
            languages = [*languages, *posted]
        self.languages = [lang for lang in dict.fromkeys(languages) if lang in LANGUAGE_NAMES]
        for language in self.languages:
            self.fields[f"words_{language}"] = forms.CharField(
                label=language_name(language),
                required=False,
                max_length=WORDS_MAX,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            )
        self.fields["add_language"].choices = [("", "Choose a language")] + [
            (code, name) for code, name in LANGUAGE_CHOICES if code not in self.languages
        ]
        self.fields["add_words"].widget.attrs["dir"] = "auto"

    def word_fields(self):
        return [self[f"words_{language}"] for language in self.languages]

    def clean(self):
        cleaned = super().clean()
        data = {language: cleaned.get(f"words_{language}") or "" for language in self.languages}
        if cleaned.get("add_words"):
            if not cleaned.get("add_language"):
                self.add_error("add_language", "Choose the language of these words.")
                return cleaned
            language = cleaned["add_language"]
            data[language] = (data.get(language, "") + "\n" + cleaned["add_words"]).strip()
        if self.errors:
            return cleaned
        try:
            cleaned["rule_terms"] = rules.clean_rule_terms({k: v for k, v in data.items() if v.strip()})
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned


class RuleThemeForm(WordsForm):
    """A new rule theme (or a split-off): its name and words."""

    name = forms.CharField(label="Name", max_length=NAME_MAX, strip=True)

    field_order = ["name"]


class MergeForm(forms.Form):
    into = ThemeChoiceField(label="Merge into", queryset=Theme.objects.none(), empty_label="Choose a theme")

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = active_themes().exclude(pk=theme.pk).order_by("name", "label", "pk")


class TagForm(forms.Form):
    theme = ThemeChoiceField(label="Theme", queryset=Theme.objects.none(), empty_label="Add theme…")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = active_themes()
