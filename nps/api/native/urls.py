"""The native API's URLs (namespace "api"), included by nps/urls.py at /api/v1/.

Every view authenticates by API key (or is the public schema and docs), so every one is public.
"""

from django.urls import path

from nps.accounts.roles import public

from . import api
from .errors import json_not_allowed, unknown_endpoint

_patterns, _app_name, _namespace = api.urls
# Ninja adds one pattern per operation (for reverse()), each with its own copy of the same view that
# dispatches every method of the path; only the first of a route is ever resolved, so share it.
_views: dict = {}
for _pattern in _patterns:
    _pattern.callback = public(_views.setdefault(str(_pattern.pattern), json_not_allowed(_pattern.callback)))

app_name = "api"
urlpatterns = [*_patterns, path("<path:rest>", unknown_endpoint, name="unknown")]
