"""Every view of the project enforces its role: walks the URLconf, so views added later are covered too."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from nps.accounts.roles import RANK, Role
from tests.factories import make_user

PROJECT_APPS = ("nps.", "surveys.", "responses.", "dashboards.")
# Sample values for URL parameters: rows that do not exist are fine (404 is an allowed answer).
CANDIDATES = ["999999", "no-such-thing", str(uuid.UUID(int=1)), "no/such/thing"]


def _fill(regex: str) -> str:
    """One concrete path matching a URL regex, parameters filled with a candidate that fits."""
    compiled = re.compile(regex)
    template, params = normalize(regex)[0]
    for values in _combinations(len(params)):
        path = template % dict(zip(params, values, strict=True))
        if compiled.fullmatch(path) or compiled.match(path):
            return path
    raise AssertionError(f"No sample path for the URL regex {regex!r}: add a candidate value in this test.")


def _combinations(n):
    if n == 0:
        yield ()
        return
    for first in CANDIDATES:
        for rest in _combinations(n - 1):
            yield (first, *rest)


def _sample(pattern) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern | RegexPattern):
        return _fill(pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$"))
    raise AssertionError(f"Unknown URL pattern type {type(pattern)}")


def walk(resolver=None, prefix="/"):
    """(path, URLPattern) for every URL of the project, included URLconfs followed recursively."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, prefix + _sample(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _sample(entry.pattern), entry


def _is_project_view(callback) -> bool:
    module = getattr(getattr(callback, "view_class", callback), "__module__", "")
    return module.startswith(PROJECT_APPS)


def _is_public(callback) -> bool:
    return getattr(callback, "is_public", False) or getattr(
        getattr(callback, "view_class", None), "is_public", False
    )


ALL_VIEWS = list(walk())
PROTECTED = [(path, entry) for path, entry in ALL_VIEWS if hasattr(entry.callback, "required_role")]


def _id(item):
    path, entry = item
    return entry.name or path


def test_the_walker_finds_the_known_protected_views():
    names = {entry.name for _, entry in PROTECTED}
    assert {"home", "settings", "team", "invite", "revoke_invitation", "edit_member", "account"} <= names


def test_every_sample_path_resolves_to_its_own_view():
    for path, entry in ALL_VIEWS:
        assert resolve(path).func is entry.callback, f"{path} does not resolve to {entry.lookup_str}"


def test_every_project_view_is_role_protected_or_explicitly_public():
    unprotected = [
        f"{path} ({entry.lookup_str})"
        for path, entry in ALL_VIEWS
        if _is_project_view(entry.callback)
        and not hasattr(entry.callback, "required_role")
        and not _is_public(entry.callback)
    ]
    assert not unprotected, (
        "These views are neither decorated with nps.accounts.roles.role_required nor marked nps.accounts.roles.public: "
        + ", ".join(unprotected)
    )


def _method(client, path) -> str:
    """POST for views that only take POST, whichever order their decorators come in."""
    client.force_login(make_user(role=Role.ADMIN))
    method = "post" if client.get(path).status_code == 405 else "get"
    client.logout()
    return method


@pytest.mark.django_db
@pytest.mark.parametrize("item", PROTECTED, ids=[_id(item) for item in PROTECTED])
def test_view_enforces_its_role(client, item):
    path, entry = item
    required = Role(entry.callback.required_role)
    method = _method(client, path)

    response = getattr(client, method)(path)
    assert response.status_code == 302, f"anonymous {method.upper()} {path}"
    assert response["Location"].startswith("/login/?next="), response["Location"]

    for role in Role:
        client.force_login(make_user(role=role))
        response = getattr(client, method)(path)
        if RANK[role] < RANK[required]:
            assert response.status_code == 403, f"{role} {method.upper()} {path}"
            assert f"This page needs the {required.label.lower()} role." in response.text
        else:
            assert response.status_code not in (403, 405), f"{role} {method.upper()} {path}"
            assert response.status_code < 500
        client.logout()


@pytest.mark.django_db
def test_inactive_user_session_is_treated_as_signed_out(client):
    user = make_user(role=Role.ADMIN)
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_403_page_names_the_role_and_links_back_to_the_dashboard(client):
    client.force_login(make_user(role=Role.VIEWER, email="vera@example.com"))
    response = client.get("/settings/team/")
    assert response.status_code == 403
    assert "You cannot open this page" in response.text
    assert "This page needs the admin role." in response.text
    assert "signed in as vera@example.com with the viewer role" in response.text
    assert 'href="/"' in response.text and "Back to the dashboard" in response.text
