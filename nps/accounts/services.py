"""Account actions: every write about users and invitations goes through here."""

from axes import utils as axes_utils
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .. import audit
from .models import TeamInvitation, User, hash_token
from .roles import Role


class AccountError(Exception):
    pass


def invite_teammate(*, email: str, role: str, by: User) -> TeamInvitation:
    """Create an invitation and email its single-use link; earlier pending invitations for the address end."""
    token = TeamInvitation.new_token()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise AccountError("This person already has an account.")
        TeamInvitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
        invitation = TeamInvitation.objects.create(
            email=email.lower(), role=Role(role), token_hash=hash_token(token), invited_by=by
        )
        audit.record("team.invite", obj=invitation, label=invitation.email, changes={"role": invitation.role})
        context = {"invitation": invitation, "url": invitation.accept_url(token), "inviter": by}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{by} invited you to join OpenNPS",
                message=render_to_string("emails/team_invitation.txt", context),
                html_message=render_to_string("emails/team_invitation.html", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[invitation.email],
            )
        )
    return invitation


def find_invitation(token: str) -> TeamInvitation | None:
    """The usable invitation behind a token, or None for unknown, used, revoked or expired ones."""
    invitation = TeamInvitation.objects.filter(token_hash=hash_token(token)).first()
    return invitation if invitation and invitation.is_usable else None


def accept_invitation(token: str, *, name: str, password: str) -> User:
    """Create the account; the row lock makes a second use of the same link fail."""
    with transaction.atomic():
        invitation = TeamInvitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
        if invitation is None or not invitation.is_usable:
            raise AccountError("This invitation link is no longer valid.")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountError("An account with this email address already exists.")
        user = User.objects.create_user(invitation.email, password, name=name, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record("team.join", obj=user, label=user.email, changes={"role": user.role}, actor=user)
    return user


def revoke_invitation(invitation: TeamInvitation) -> None:
    """The link stops working at once; an accepted invitation stays as it is."""
    revoked = TeamInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record("team.revoke", obj=invitation, label=invitation.email)


def update_member(member: User, *, by: User, name: str, role: str, is_active: bool) -> User:
    """Change a teammate; the last active admin can neither be demoted nor locked out."""
    with transaction.atomic():
        # Read the stored row: a validated ModelForm has already copied the new values onto `member`.
        current = User.objects.select_for_update().get(pk=member.pk)
        losing_admin = (
            current.role == Role.ADMIN and current.is_active and (role != Role.ADMIN or not is_active)
        )
        if losing_admin:
            admins = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
            if not admins.exclude(pk=current.pk).exists():
                raise AccountError(
                    "OpenNPS needs at least one active admin: make someone else an admin first."
                )
        deactivating = current.is_active and not is_active
        changes = {
            field: [before, after]
            for field, before, after in (
                ("name", current.name, name),
                ("role", current.role, Role(role)),
                ("is_active", current.is_active, is_active),
            )
            if before != after
        }
        if changes:
            audit.record("team.update", obj=current, label=current.email, changes=changes, actor=by)
        current.name, current.role, current.is_active = name, Role(role), is_active
        current.save(update_fields=["name", "role", "is_active"])
        if deactivating:
            end_sessions(current)
    return current


def end_sessions(user: User) -> int:
    """Sign `user` out everywhere by deleting their stored sessions; returns how many there were.

    A deactivated user's sessions must not work again when an admin reactivates the account: Django
    only refuses them while the account is inactive (the session hash depends on the password alone).
    """
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def unlock_sign_in(user: User) -> None:
    """Forget the failed sign-ins of an address, once its owner has proven it by a reset link."""
    axes_utils.reset(username=user.email)


def create_admin(*, email: str, password: str, name: str = "") -> User:
    """An active admin account, for the first sign-in of a fresh installation."""
    email = User.objects.normalize_email(email).lower()
    validate_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(f"An account with the email address {email} already exists.")
    validate_password(password, User(email=email, name=name))
    return User.objects.create_user(email, password, name=name, role=Role.ADMIN)
