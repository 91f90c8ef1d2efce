"""The WSGI application: the public answer pages get a lean middleware stack, everything else the full one.

The answer pages (/r/…) are the product's hottest requests (`capture_rps` in `make bench`) and use no
session, user, message, CSRF token (their POST is exempt, see responses/views.py), CORS or htmx: they run
through settings.PUBLIC_MIDDLEWARE (security headers, common, clickjacking, CSP), a third of the cost.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps.settings")
full_stack = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after setup)
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


class PublicPagesHandler(WSGIHandler):
    """Django's handler with settings.PUBLIC_MIDDLEWARE in place of settings.MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        # BaseHandler reads the list from settings: swap it in for the moment the chain is built.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PUBLIC_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


public_pages = PublicPagesHandler()


def application(environ, start_response):
    handler = (
        public_pages if environ.get("PATH_INFO", "").startswith(settings.PUBLIC_PATH_PREFIX) else full_stack
    )
    return handler(environ, start_response)


# What is loaded by now lives as long as the process: keep it out of the collector's scans, and collect
# the youngest generation less often (every request allocates thousands of short-lived objects).
gc.freeze()
gc.set_threshold(20_000, 10, 10)
