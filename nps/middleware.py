"""Project middleware."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's, leaving alone a response that already carries its finished policy.

    django-csp builds a policy for every response before looking whether one is set already; the public
    answer pages set theirs from a per-process memo (`responses.pages.csp_allowing`).
    """

    def process_response(self, request, response):
        if HEADER in response:
            return response
        return super().process_response(request, response)
