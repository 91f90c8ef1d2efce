"""Project middleware."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's, leaving alone a response that already carries its finished policy.

    django-csp builds a policy for every response before looking whether one is set already; the public
    answer pages set theirs from a per-process memo (`responses.pages.csp_allowing`).
    """

    def process_response(self, request, response):
        if HEADER in response:
            return response
        return super().process_response(request, response)


# The JSON APIs answer their own 404s; under them a developer keeps Django's page of URL patterns.
API_PREFIXES = ("/api/", "/v1/", "/w/api/")


class ProductNotFoundPageMiddleware:
    """Under DEBUG (the demo, a developer's machine), the product's own 404 page, as in production.

    With DEBUG on, Django answers an unknown address or an Http404 with its technical page (yellow, the URL
    patterns listed) and never calls `handler404`. This middleware calls it instead: for an address no
    pattern matches (resolved here, before the view) and for an Http404 a view raises. A 403 already uses
    `handler403`; a 500 keeps Django's traceback page for the developer. Without DEBUG it does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not request.path_info.startswith(API_PREFIXES):
            resolver = get_resolver(getattr(request, "urlconf", None))
            try:
                resolver.resolve(request.path_info)
            except Resolver404 as exception:
                return resolver.resolve_error_handler(404)(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            settings.DEBUG
            and isinstance(exception, Http404)
            and not request.path_info.startswith(API_PREFIXES)
        ):
            return get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)(
                request, exception
            )
        return None
