"""Our own 404 and 403 pages, with DEBUG on (the demo) as in production; a 4xx logs one line."""

import logging

import pytest

from nps.accounts.roles import Role
from nps.logsafe import ClientErrorWithoutTraceback
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_unknown_address_shows_our_404_page(client, debug):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert 'Nothing is at <code class="error-path">/no-such-page/</code>' in response.text
    assert 'href="/" class="button-link">Back to the dashboard' in response.text
    assert "Page not found at" not in response.text  # Django's technical page
    if not debug:  # django-csp leaves a 404 alone under DEBUG, for Django's technical page
        assert "Content-Security-Policy" in response.headers


def test_a_view_raising_404_shows_our_page_too(client, debug):
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/contacts/987654/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert "Page not found at" not in response.text


def test_signed_out_visitor_gets_our_404_with_a_way_to_sign_in(client, debug):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert 'href="/login/"' in response.text and "Sign in to OpenNPS" in response.text
    assert "Back to the dashboard" not in response.text


def test_a_missing_slash_is_still_added_under_debug(client, debug):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments")
    assert response.status_code == 301
    assert response["Location"] == "/comments/"


def test_the_api_keeps_its_json_404(client, debug):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_forbidden_page_is_ours_and_logs_one_line_without_traceback(client, debug, caplog):
    viewer = make_user(role=Role.VIEWER, email="vic@example.com")
    client.force_login(viewer)
    with caplog.at_level(logging.INFO, logger="django"):
        response = client.get("/campaigns/")
    assert response.status_code == 403
    assert "You cannot open this page" in response.text
    assert "This page needs the lead role." in response.text
    assert "You are signed in as vic@example.com with the viewer role." in response.text
    assert 'href="/" class="button-link">Back to the dashboard' in response.text
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Forbidden (Permission denied): /campaigns/"]
    assert records[0].exc_info is None and "Traceback" not in caplog.text
    # Printed once: Django's "django" logger has no console handler of its own beside the root's.
    assert logging.getLogger("django").handlers == []


def test_a_server_error_keeps_its_traceback_in_the_log():
    """Only 4xx lose the traceback: a 500 is a bug, and its traceback is what a developer needs."""
    keep = ClientErrorWithoutTraceback()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    for status, kept in ((500, True), (503, True), (403, False), (404, False)):
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), exc_info)
        record.status_code = status
        assert keep.filter(record) is True
        assert (record.exc_info is not None) is kept
