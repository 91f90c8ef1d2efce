from .accounts.roles import has_role


def product(request):
    """Navigation needs to know what the signed-in user may open."""
    user = getattr(request, "user", None)
    return {
        "can_admin": bool(user) and has_role(user, "admin"),
        "can_lead": bool(user) and has_role(user, "lead"),
    }
