"""Sign-in (password reset), the settings hub, the team pages, invitations and the own account page."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_POST

from nps import ratelimit

from . import forms, services
from .models import TeamInvitation, User
from .roles import Role, public, role_required


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, throttled per client address and per email address, so nobody can mail-bomb.

    Over its address's limit a client gets a 429 page. Over an email address's limit the page says what
    it always says and no mail goes out: the answer never tells whether the address has an account.
    """

    is_public = True

    def post(self, request, *args, **kwargs):
        wait = ratelimit.hit("password-reset", ratelimit.client_address(request), "PASSWORD_RESET_RATELIMIT")
        if wait is not None:
            context = {"wait": timedelta(seconds=wait)}
            response = render(request, "registration/password_reset_limited.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # A keyed hash: the cache never holds the address itself.
        email = salted_hmac("password-reset", form.cleaned_data["email"].strip().lower()).hexdigest()
        if ratelimit.hit("password-reset-email", email, "PASSWORD_RESET_EMAIL_RATELIMIT") is not None:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a successful reset also lifts a sign-in lockout of the address."""

    is_public = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.unlock_sign_in(form.user)
        return response


# Further cards of the settings hub, after Team: (URL name, heading, title, description).
SETTINGS_CARDS = [
    (
        "surveys:brand_list",
        "Brands",
        "Sender and look",
        "The sender name and address, logo and accent colour customers see in every survey.",
    ),
    (
        "nps:api_keys",
        "API keys",
        "Connect your systems",
        "Keys for the REST API and the Delighted-compatible API: create, scope and revoke them.",
    ),
    (
        "nps:webhook_list",
        "Webhooks",
        "Events to your systems",
        "Signed notifications of new answers, comments and unsubscribes, with a delivery log.",
    ),
    (
        "surveys:texting_settings",
        "Texting",
        "SMS and WhatsApp",
        "Twilio set-up, the webhook URLs for Twilio's console, India's DLT link prefix, quiet hours and "
        "received texts.",
    ),
    (
        "surveys:site_list",
        "Widget sites",
        "Surveys inside your product",
        "The sites where the on-site widget asks a campaign's question: their snippet, allowed origins, "
        "identity verification secret and rules.",
    ),
    (
        "responses:import_start",
        "History import",
        "Bring your past answers",
        "Upload a Delighted export or any CSV of past answers; they appear in the dashboards.",
    ),
    (
        "nps:audit_log",
        "Audit log",
        "Who did what, and when",
        "Every admin action with its author, time, client address and changes; filter it, export it as CSV.",
    ),
]


@role_required("admin")
def settings_home(request):
    context = {
        "member_count": User.objects.filter(is_active=True).count(),
        "pending_count": TeamInvitation.objects.pending().count(),
        "cards": [
            {"url": reverse(url_name), "heading": heading, "title": title, "description": description}
            for url_name, heading, title, description in SETTINGS_CARDS
        ],
    }
    return render(request, "nps/settings.html", context)


def _team_page(request, form, *, status=200):
    context = {
        "members": User.objects.all(),
        "invitations": TeamInvitation.objects.pending().select_related("invited_by"),
        "form": form,
        "invitation_days": settings.TEAM_INVITATION_DAYS,
    }
    return render(request, "nps/team.html", context, status=status)


@role_required("admin")
def team(request):
    return _team_page(request, forms.InviteForm())


@require_POST
@role_required("admin")
def invite(request):
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, form, status=400)
    try:
        services.invite_teammate(
            email=form.cleaned_data["email"], role=form.cleaned_data["role"], by=request.user
        )
    except services.AccountError as error:
        form.add_error("email", str(error))
        return _team_page(request, form, status=400)
    role = Role(form.cleaned_data["role"]).label.lower()
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']} as {role}.")
    return redirect("nps:team")


@require_POST
@role_required("admin")
def revoke_invitation(request, pk):
    invitation = get_object_or_404(TeamInvitation, pk=pk)
    services.revoke_invitation(invitation)
    messages.success(request, f"The invitation for {invitation.email} no longer works.")
    return redirect("nps:team")


@role_required("admin")
def edit_member(request, pk):
    member = get_object_or_404(User, pk=pk)
    form = forms.MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(member, by=request.user, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{member.email} is saved.")
            return redirect("nps:team")
    # A bound ModelForm writes its values onto the instance: show the stored member in the heading.
    member.refresh_from_db()
    status = 400 if form.errors else 200
    return render(request, "nps/member.html", {"member": member, "form": form}, status=status)


@public
def accept_invitation(request, token):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "nps/invitation_invalid.html", status=404)
    form = forms.AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except services.AccountError as error:
            messages.error(request, str(error))
            return redirect("nps:login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to OpenNPS, {user.get_short_name()}!")
        return redirect("dashboards:home")
    status = 400 if form.errors else 200
    return render(
        request, "nps/accept_invitation.html", {"invitation": invitation, "form": form}, status=status
    )


@role_required("viewer")
def account(request):
    form = forms.AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your account is saved.")
        return redirect("nps:account")
    status = 400 if form.errors else 200
    context = {"form": form, "password_form": PasswordChangeForm(request.user)}
    return render(request, "nps/account.html", context, status=status)


@require_POST
@role_required("viewer")
def change_password(request):
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        context = {"form": forms.AccountForm(instance=request.user), "password_form": form}
        return render(request, "nps/account.html", context, status=400)
    form.save()
    # Stay signed in here; other sessions of this account end with the old password.
    update_session_auth_hash(request, form.user)
    messages.success(request, "Your password is changed.")
    return redirect("nps:account")
