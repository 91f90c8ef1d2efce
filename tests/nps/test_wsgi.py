"""The production WSGI application: answer pages through the lean middleware stack, the rest through all.

These requests go through `nps.wsgi.application` itself (not the test client's handler), so they commit
for real: the tests use transactional database access.
"""

import io
import wsgiref.util

import pytest
from django.conf import settings

from nps import wsgi
from responses.models import Answer
from tests.responses.helpers import make_sent_invitation

pytestmark = pytest.mark.django_db(transaction=True)


def serve(method: str, path: str, body: bytes = b"") -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "198.51.100.20",
        "wsgi.input": io.BytesIO(body),
    }
    wsgiref.util.setup_testing_defaults(environ)
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    result = wsgi.application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return started["status"], started["headers"], content


def test_answer_pages_run_through_the_public_stack_only():
    loaded = [type(m).__module__ + "." + type(m).__qualname__ for m in _chain(wsgi.public_pages)]
    assert loaded == settings.PUBLIC_MIDDLEWARE
    assert len(_chain(wsgi.full_stack)) == len(settings.MIDDLEWARE)
    # Building the lean chain borrowed the setting for a moment and gave it back.
    assert "django.contrib.sessions.middleware.SessionMiddleware" in settings.MIDDLEWARE


def test_one_click_answer_through_the_production_application():
    invitation = make_sent_invitation()
    status, headers, page = serve("GET", invitation.answer_path(9))
    assert status.startswith("200")
    assert b'value="9" checked' in page
    # The security headers come from the lean stack too; no cookie is ever set.
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "'sha256-" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]
    assert "Set-Cookie" not in headers

    status, headers, body = serve("POST", invitation.answer_path(9), b"score=9&source=link")
    assert status.startswith("200")
    assert body == b'{"saved": true, "group": "promoter"}'
    assert "Set-Cookie" not in headers
    assert Answer.objects.get(invitation=invitation).score == 9


def test_a_link_missing_its_slash_is_redirected():
    invitation = make_sent_invitation()
    path = invitation.answer_path(9).rstrip("/")
    status, headers, _ = serve("GET", path)
    assert status.startswith("301")
    assert headers["Location"] == invitation.answer_path(9)


def test_an_unknown_token_gets_the_friendly_page():
    status, _, page = serve("GET", "/r/no-such-token/9/")
    assert status.startswith("404")
    assert b"This link is no longer valid" in page


def test_an_address_no_answer_page_has_is_a_plain_404_not_an_error():
    """Django's own 404 page renders without the session and user middleware too."""
    status, _, page = serve("GET", "/r/a/b/c/d/")
    assert status.startswith("404")
    assert b"This page does not exist" in page


def test_other_pages_keep_the_full_stack():
    status, headers, page = serve("GET", "/login/")
    assert status.startswith("200")
    assert "csrftoken=" in headers.get("Set-Cookie", "")
    assert b"csrfmiddlewaretoken" in page


def _chain(handler) -> list:
    """The middleware instances of a handler, outermost first."""
    layers, layer = [], handler._middleware_chain
    while layer is not None:
        if wrapped := getattr(layer, "__wrapped__", None):
            layer = wrapped  # Django's exception-to-response wrapper around each layer
        elif hasattr(layer, "get_response"):
            layers.append(layer)
            layer = layer.get_response
        else:
            break  # the view-calling end of the chain
    return layers
