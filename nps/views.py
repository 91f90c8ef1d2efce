from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import forms, services
from .models import TeamInvitation, User
from .roles import role_required


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def healthz(request):
    """Liveness and database reachability, for load balancers and docker health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@role_required("admin")
def settings_home(request):
    return render(request, "nps/settings.html", {"member_count": User.objects.filter(is_active=True).count()})


@role_required("admin")
def team(request):
    return render(
        request,
        "nps/team.html",
        {
            "members": User.objects.all(),
            "invitations": TeamInvitation.objects.pending(),
            "form": forms.InviteForm(),
        },
    )


@require_POST
@role_required("admin")
def invite(request):
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        context = {"members": User.objects.all(), "invitations": TeamInvitation.objects.pending(), "form": form}
        return render(request, "nps/team.html", context, status=400)
    services.invite_teammate(email=form.cleaned_data["email"], role=form.cleaned_data["role"], by=request.user)
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
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
    member.refresh_from_db()
    status = 400 if form.errors else 200
    return render(request, "nps/member.html", {"member": member, "form": form}, status=status)


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
        messages.success(request, "Welcome to OpenNPS!")
        return redirect("dashboards:home")
    status = 400 if form.errors else 200
    return render(request, "nps/accept_invitation.html", {"invitation": invitation, "form": form}, status=status)


@login_required
def account(request):
    form = forms.AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your account is saved.")
        return redirect("nps:account")
    return render(request, "nps/account.html", {"form": form})
