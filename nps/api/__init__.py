"""Both HTTP APIs and their keys.

    keys.py             the ApiKey model, creating, revoking and authenticating keys, the per-key rate limit
    views.py, forms.py  the Settings → API keys pages (urls.py: their URLs, in the "nps" namespace)
    common.py           what both APIs share: one error type, one input check, one cursor paginator
    native/             the native REST API at /api/v1/ (django-ninja, OpenAPI schema)
    delighted/          the Delighted-compatible API at /v1/

This package is wiring: it imports every app, and no app imports it. Keep this file free of imports:
nps.models imports keys.ApiKey while the app registry loads.
"""
