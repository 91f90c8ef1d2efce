from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password

from .models import User
from .roles import Role


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the link built from PUBLIC_BASE_URL rather than the request's Host header."""

    def save(self, **kwargs):
        from django.conf import settings
        from urllib.parse import urlsplit

        base = urlsplit(settings.PUBLIC_BASE_URL)
        kwargs.update(domain_override=base.netloc, use_https=base.scheme == "https")
        return super().save(**kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This person already has an account.")
        return email


class MemberForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "role", "is_active"]
        labels = {"is_active": "Can sign in"}


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
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
