"""The menu's case counts on every page of a signed-in person (registered in settings TEMPLATES)."""

from django.utils.functional import SimpleLazyObject

from . import services


def case_counts(request) -> dict:
    """{"case_nav": {"mine": n, "unassigned": n, "overdue": n}}, read only when a template uses it.

    Lazy: a page that does not show the menu (an answer page, a JSON view) costs nothing; services.nav_counts
    keeps the figures in the cache for a short while, so most pages cost one cache read.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"case_nav": SimpleLazyObject(lambda: services.nav_counts(user))}
