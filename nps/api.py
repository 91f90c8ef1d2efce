"""The native REST API (/api/v1/): one NinjaAPI, key authentication, JSON errors, cursor pagination.

Routers live beside their data: surveys/api.py, responses/api.py, dashboards/api.py.
"""

import base64
import binascii
import functools
from datetime import UTC, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from . import apikeys
from .roles import public

# PostgreSQL's bigint: larger ids cannot exist, and would fail in the database rather than as a 404.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PAGE_LIMIT = 100


class ApiError(HttpError):
    """An error answered as {"detail": message} (and the field it is about, when there is one)."""

    def __init__(self, status_code: int, message: str, *, field: str = ""):
        super().__init__(status_code, message)
        self.field = field


class RateLimited(Exception):
    def __init__(self, wait: int):
        self.wait = wait


# Schemas ------------------------------------------------------------------------------------------


def _no_nul(value: Any) -> Any:
    """PostgreSQL text and JSON cannot hold U+0000; refuse it as bad input rather than fail later."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text must not contain the NUL character (U+0000).")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class In(Schema):
    """Base of request bodies: unknown fields are refused, so a typo is an error and not ignored."""

    model_config = {"extra": "forbid"}

    @model_validator(mode="before")
    @classmethod
    def refuse_nul(cls, data: Any) -> Any:
        return _no_nul(data)


def _sane_year(value: datetime) -> datetime:
    if not 1970 <= value.astimezone(UTC).year <= 2100:
        raise ValueError("Use a date between 1970 and 2100.")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_sane_year)]


class FieldError(Schema):
    field: str = Field(description="The request field the message is about (e.g. `body.email`).")
    message: str


class Error(Schema):
    detail: str = Field(description="What went wrong, in a sentence a developer can act on.")
    errors: list[FieldError] = Field(default_factory=list, description="One entry per invalid field.")


# Every operation may answer these; listed in the schema so clients (and the schema fuzzer) know them.
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ERRORS, **ok}


class Page(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


# Authentication, scope and rate limit -------------------------------------------------------------


class KeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`; `write=True` refuses read-only keys with 403."""

    def __init__(self, *, write: bool = False):
        super().__init__()
        self.write = write

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if not header:
            raise ApiError(
                401, "Send your API key in the Authorization header: `Authorization: Bearer <key>`."
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Use the Bearer scheme: `Authorization: Bearer <key>`.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        key = apikeys.authenticate(token)
        if key is None:
            raise ApiError(401, "This API key is not valid: it is unknown or was revoked.")
        wait = apikeys.check_rate(key)
        if wait is not None:
            raise RateLimited(wait)
        if self.write and not key.can_write:
            raise ApiError(
                403, f"The API key “{key.name}” is read-only; this request needs a read-write key."
            )
        return key


read_key = KeyAuth()
write_key = KeyAuth(write=True)

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


def _error(request, status: int, detail: str, errors=()):
    return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return _error(request, exc.status_code, exc.message, errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(
        request, 401, "Send your API key in the Authorization header: `Authorization: Bearer <key>`."
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        message = (
            "The request body is not valid JSON: send a JSON object with Content-Type: application/json."
        )
    return _error(request, exc.status_code, message)


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    response = _error(request, 429, f"Too many requests with this API key; retry in {exc.wait} seconds.")
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.")


def _location(loc) -> str:
    # ("body", "payload", "email") → "body.email": the view's parameter name means nothing to a client.
    parts = [str(part) for part in loc if part != "__root__"]
    if len(parts) > 2 and parts[0] == "body":
        del parts[1]
    elif len(parts) == 2 and parts[0] == "body":
        parts = ["body"]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        message = error.get("msg", "Invalid value.").removeprefix("Value error, ")
        if error.get("type") == "missing":
            message = "This field is required."
        elif error.get("type") == "extra_forbidden":
            message = "Unknown field."
        errors.append({"field": _location(error.get("loc", ())), "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]) or "the request is not valid"
    return _error(request, 422, f"Invalid request: {summary}", errors)


def not_found(what: str, pk) -> Http404:
    return Http404(f"No {what} with id {pk}.")


# Cursor pagination --------------------------------------------------------------------------------


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"after:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pk = int(text.removeprefix("after:")) if text.startswith("after:") else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pk = -1
    if not 0 <= pk <= MAX_ID:
        raise ApiError(
            400, "This cursor is not valid: pass the `next_cursor` of a previous page.", field="cursor"
        )
    return pk


def paginate(
    queryset, *, cursor: str | None, limit: int, descending: bool = False
) -> tuple[list, str | None]:
    """One page by primary key (keyset): every row is seen once, even while rows are added."""
    queryset = queryset.order_by("-pk" if descending else "pk")
    if cursor:
        after = decode_cursor(cursor)
        queryset = queryset.filter(pk__lt=after) if descending else queryset.filter(pk__gt=after)
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk) if more and rows else None


# Routers and URLs ---------------------------------------------------------------------------------


def _add_routers() -> None:
    if api._routers[1:]:  # already added (the URLconf was imported again)
        return
    from dashboards import api as dashboards_api
    from responses import api as responses_api
    from surveys import api as surveys_api

    api.add_router("/contacts", surveys_api.contacts, tags=["Contacts"])
    api.add_router("/survey-requests", surveys_api.survey_requests, tags=["Survey requests"])
    api.add_router("/responses", responses_api.router, tags=["Responses"])
    api.add_router("/metrics", dashboards_api.router, tags=["Metrics"])
    api.add_router("/", surveys_api.suppressions, tags=["Unsubscribes and bounces"])
    api.add_router("/campaigns", surveys_api.campaigns, tags=["Campaigns"])


@public
def unknown_endpoint(request, rest=""):
    """JSON, not the HTML 404 page, for a mistyped API path."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}; see /api/v1/docs.", "errors": []}, status=404
    )


def _json_not_allowed(view):
    """Ninja answers a method the path does not take with a plain-text 405; the API answers JSON."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "Allow" in response and "json" not in response["Content-Type"]:
            allowed = ", ".join(sorted(method.strip() for method in response["Allow"].split(",")))
            response = JsonResponse(
                {
                    "detail": f"{request.method} is not allowed on {request.path}; use {allowed}.",
                    "errors": [],
                },
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped


def urlpatterns() -> list:
    """The API's URL patterns (namespace "api"); every one authenticates by API key (or is the public docs), so is public."""
    _add_routers()
    patterns, _app_name, _namespace = api.urls
    # Ninja adds one pattern per operation (for reverse()), each with its own copy of the same view that
    # dispatches every method of the path; only the first of a route is ever resolved, so share it.
    views = {}
    for pattern in patterns:
        view = views.setdefault(str(pattern.pattern), _json_not_allowed(pattern.callback))
        pattern.callback = public(view)
    return [*patterns, path("<path:rest>", unknown_endpoint, name="unknown")]
