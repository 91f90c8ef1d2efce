"""The ESPs' tracking webhooks: anymail's views under /anymail/ (e.g. /anymail/postmark/tracking/).

anymail authenticates each request with ANYMAIL["WEBHOOK_SECRET"] (HTTP basic auth) or the ESP's own
signing key, parses the payload and sends its `tracking` signal (received in tracking.py).
"""

import functools
import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import URLPattern, include, path

log = logging.getLogger(__name__)


def esp_webhook(view):
    """anymail's webhook view, answering 4xx to a payload it cannot read instead of a 500.

    anymail authenticates, then parses and lets parse errors escape. A 5xx would make the provider retry a
    payload that can never be read; database errors still raise, so the provider retries those. The
    atomic block keeps a batch that fails half way from writing half of its events.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except AnymailConfigurationError as error:
            log.error("ESP webhook %s is not configured: %s", request.path, error)
            return HttpResponse(
                "This email provider is not configured.", status=404, content_type="text/plain"
            )
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            log.warning("Unreadable ESP webhook payload on %s: %r", request.path, error)
            return HttpResponse(
                "The payload is not a webhook this provider sends.", status=400, content_type="text/plain"
            )

    return wrapped


# anymail's own patterns and names (namespace "anymail", e.g. "anymail:postmark_tracking_webhook"),
# each view wrapped so that it answers 4xx (never 500) to a payload it cannot read.
esp_webhook_patterns = [
    URLPattern(entry.pattern, esp_webhook(entry.callback), entry.default_args, entry.name)
    for entry in anymail_urls.urlpatterns
]

urlpatterns = [path("anymail/", include((esp_webhook_patterns, "anymail")))]
