"""Sign-in, password reset, team and account forms."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password

from .models import User
from .roles import Role

# Shown next to the role choice wherever an admin picks one.
ROLE_HELP = {
    Role.ADMIN: "Everything, including settings, teammates, brands and campaigns.",
    Role.LEAD: "Dashboards, responses and follow-up; no settings.",
    Role.VIEWER: "Read-only dashboards.",
}


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "This email and password do not match an account. Check them and try again.",
        "inactive": "This account can no longer sign in. Ask an admin of your team.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the link built from PUBLIC_BASE_URL rather than the request's Host header."""

    def save(self, **kwargs):
        base = urlsplit(settings.PUBLIC_BASE_URL)
        kwargs.update(domain_override=base.netloc, use_https=base.scheme == "https")
        return super().save(**kwargs)


class RoleOptionsMixin:
    def role_options(self):
        """Each role's radio button with the sentence that explains it."""
        return [(radio, ROLE_HELP[Role(radio.data["value"])]) for radio in self["role"]]


class InviteForm(RoleOptionsMixin, forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, widget=forms.RadioSelect)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This person already has an account.")
        return email


class MemberForm(RoleOptionsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "role", "is_active"]
        labels = {"is_active": "Can sign in"}
        widgets = {"role": forms.RadioSelect}


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Password",
        help_text="At least 10 characters; not a common password and not only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                validate_password(p1, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "Your name"}


def lockout_username(request, credentials=None) -> str:
    """The address django-axes counts failures against, lower-cased: capitals must not reset the count."""
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()
