"""Roles and the one decorator every view uses to enforce them."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEAD = "lead", "Lead"
    VIEWER = "viewer", "Viewer"


# Each role includes everything the roles after it may do.
RANK = {Role.VIEWER: 1, Role.LEAD: 2, Role.ADMIN: 3}


def has_role(user, role: str) -> bool:
    """True when the signed-in user's role is at least `role`."""
    if not user.is_authenticated or not user.is_active:
        return False
    return RANK.get(user.role, 0) >= RANK[Role(role)]


def role_required(role: str):
    """Signed-out users go to the login page; signed-in users below `role` get 403."""
    Role(role)  # fail at import time on a typo

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login  # imports the user model

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page needs the {Role(role).label.lower()} role.")
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def public(view):
    """Marks a view that anyone may open without signing in (answer pages, webhooks, sign-in).

    The role test of the suite refuses any project view that is neither role_required nor public.
    """
    view.is_public = True
    return view
