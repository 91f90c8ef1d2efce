"""The native REST API (/api/v1/): one NinjaAPI, key authentication, JSON errors, cursor pagination.

One router module per app's data: surveys.py (contacts, survey requests, unsubscribes and bounces,
campaigns), responses.py, themes.py, dashboards.py (metrics), cases.py (follow-up cases and alert rules); auth.py,
errors.py and schemas.py hold what they share; urls.py serves it all under the "api" namespace.
"""

from functools import cache

from ninja import NinjaAPI, Swagger

from . import cases, dashboards, errors, responses, surveys, themes
from .auth import read_key

api = NinjaAPI(
    title="OpenNPS API",
    version="1",
    description=(
        "The native OpenNPS API. Authenticate with an API key created by an admin in Settings → API keys: "
        "`Authorization: Bearer <key>`. Lists are paginated with an opaque `cursor`. Errors are JSON: "
        "`{detail, errors}`."
    ),
    auth=read_key,
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/contacts", surveys.contacts, tags=["Contacts"])
api.add_router("/survey-requests", surveys.survey_requests, tags=["Survey requests"])
api.add_router("/responses", responses.router, tags=["Responses"])
api.add_router("/themes", themes.router, tags=["Themes"])
api.add_router("/metrics", dashboards.router, tags=["Metrics"])
api.add_router("/", surveys.suppressions, tags=["Unsubscribes and bounces"])
api.add_router("/campaigns", surveys.campaigns, tags=["Campaigns"])
api.add_router("/cases", cases.cases, tags=["Cases"])
api.add_router("/alert-rules", cases.alert_rules, tags=["Alert rules"])


@cache
def _schema(path_prefix: str | None):
    return _build_schema(path_prefix=path_prefix)


def _cached_schema(path_prefix: str | None = None, path_params: dict | None = None):
    """The OpenAPI schema, built once per process: it is the same for every caller, and building it takes
    a quarter of a second of CPU that anyone could otherwise ask for in a loop (openapi.json is public)."""
    return (
        _build_schema(path_prefix=path_prefix, path_params=path_params)
        if path_params
        else _schema(path_prefix)
    )


_build_schema, api.get_openapi_schema = api.get_openapi_schema, _cached_schema
