"""Delighted's protocol, shared by every resource of the compatible API.

HTTP Basic with the API key as the user name, Rails-style parameters (query string, JSON or form body:
`properties[plan]=pro`, `expand[]=person`), the parameter readers, errors in Delighted's JSON shape
(`{"status", "message"[, "errors": {field: [...]}]}`), page/per_page and cursor paging (Link rel="next"),
and `endpoint`, which makes one URL's view out of a handler per HTTP method.
"""

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

from nps.accounts.roles import public
from nps.inputs import parse_int
from surveys.models import Channel

from ..common import MAX_ID, ApiError, has_nul, paginate
from ..keys import ApiKey, authenticate, check_rate

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100
MOMENT_MAX = 4133980799  # 2100-12-31 23:59:59 UTC
CURSOR_PREFIX = ""  # Delighted's page_info is the base64 of the last id
# Delighted's platforms, each an OpenNPS channel.
PLATFORMS = (Channel.EMAIL, Channel.SMS)


# Errors ------------------------------------------------------------------------------------------


def error_response(error: ApiError) -> JsonResponse:
    """An ApiError in Delighted's shape: {"status": 4xx, "message": "…"[, "errors": {field: […]}]}."""
    body: dict = {"status": error.status, "message": error.message}
    if error.field:
        body["errors"] = {error.field: [error.problem]}
    response = JsonResponse(body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def invalid(field: str, message: str) -> ApiError:
    """422 with one field error, as Delighted reports validation failures."""
    return ApiError(422, "Unprocessable Entity", field=field, problem=message)


def not_found(what: str = "Not Found") -> ApiError:
    return ApiError(404, what)


# Authentication and parameters -------------------------------------------------------------------


def _api_key(request: HttpRequest) -> ApiKey:
    """HTTP Basic with the API key as the user name (empty password; Delighted's clients send no colon)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise ApiError(
            401,
            "Authentication required: use HTTP Basic with your API key as the user name and an empty password.",
            headers={"WWW-Authenticate": 'Basic realm="OpenNPS API"'},
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    key = authenticate(decoded.partition(":")[0].strip())
    if key is None:
        raise ApiError(401, "Invalid API key.", headers={"WWW-Authenticate": 'Basic realm="OpenNPS API"'})
    return key


def _nest(items) -> dict:
    """Rails-style form keys as Delighted reads them: properties[plan]=pro, expand[]=person."""
    data: dict = {}
    for key, values in items:
        if key.endswith("[]"):
            data.setdefault(key[:-2], []).extend(values)
        elif "[" in key and key.endswith("]"):
            name, _, sub = key[:-1].partition("[")
            target = data.setdefault(name, {})
            if isinstance(target, dict):
                target[sub] = values[-1]
        else:
            data[key] = values[-1]
    return data


def _params(request: HttpRequest) -> dict:
    """Query string and body (JSON or form-encoded) as one dict; the body wins."""
    data = _nest(request.GET.lists())
    if request.method != "GET" and request.body:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            data.update(body)
        elif request.content_type == "application/x-www-form-urlencoded":
            data.update(_nest(QueryDict(request.body).lists()))
    for name, value in data.items():
        if has_nul(value):
            raise invalid(name, "must not contain the NUL character (U+0000)")
    return data


def endpoint(**handlers: Callable) -> Callable:
    """One URL of the API: a handler per HTTP method, each called as handler(request, params, **kwargs).

    Every request is authenticated by API key, counted against the key's rate limit and, unless it only
    reads, refused to read-only keys. Errors of any handler become Delighted's JSON error shapes.
    """
    allowed = ", ".join(sorted(method.upper() for method in handlers))

    @public  # authenticated by API key, not by a session
    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        try:
            key = _api_key(request)
            request.auth = key  # as django-ninja does: the audit log names the key that acted
            if (wait := check_rate(key)) is not None:
                raise ApiError(
                    429,
                    f"Too Many Requests: this API key made too many requests; retry in {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )
            handler = handlers.get(request.method.lower())
            if handler is None:
                raise ApiError(405, f"Method Not Allowed: use {allowed}.", headers={"Allow": allowed})
            if request.method != "GET" and not key.can_write:
                raise ApiError(403, "Forbidden: this API key is read-only.")
            return handler(request, _params(request), **kwargs)
        except ApiError as error:
            return error_response(error)

    view.__name__ = "_".join(handler.__name__ for handler in handlers.values())
    view.__qualname__ = view.__name__
    return view


@public
@csrf_exempt
def unknown(request: HttpRequest, **kwargs) -> HttpResponse:
    return error_response(not_found())


def json_response(data, *, status: int = 200, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Parameter values --------------------------------------------------------------------------------


def text_param(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise invalid(name, "must be a string")
    return str(value).strip()


def integer_param(params: dict, name: str, *, default=None, low=None, high=None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(name, "must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise invalid(name, "must be an integer")
        value = int(value)
    # ASCII digits only: int() would also read "٣" or "1_000", and str.isdigit() accepts "²".
    number = value if isinstance(value, int) else parse_int(value)
    if number is None:
        raise invalid(name, "must be an integer")
    if low is not None and number < low:
        raise invalid(name, f"must be greater than or equal to {low}")
    if high is not None and number > high:
        raise invalid(name, f"must be less than or equal to {high}")
    return number


def id_param(params: dict, name: str) -> int | None:
    """An id parameter; out-of-range numbers are invalid, not a database error."""
    return integer_param(params, name, low=1, high=MAX_ID)


def moment_param(params: dict, name: str) -> datetime | None:
    """A Unix timestamp parameter as an aware datetime, from 1970 to 2100 (as the native API's dates):
    further dates overflow once a second or a day is added to them (Python's dates end in 9999)."""
    seconds = integer_param(params, name, low=0, high=MOMENT_MAX)
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds is not None else None


def boolean_param(params: dict, name: str, *, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise invalid(name, "must be true or false")


def mapping_param(params: dict, name: str) -> dict | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise invalid(name, "must be a hash of names and values")
    return {str(key): item for key, item in value.items()}


def expand_param(params: dict) -> set[str]:
    value = params.get("expand") or []
    return {str(item) for item in (value if isinstance(value, list) else [value])}


def created_between(queryset, params: dict, field: str, *, since="since", until="until"):
    """Filter on [since, until], both inclusive to the second, as Delighted documents them."""
    start, end = moment_param(params, since), moment_param(params, until)
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lt": end + timedelta(seconds=1)})
    return queryset


# Paging ------------------------------------------------------------------------------------------


def _per_page(params: dict) -> int:
    # Like Delighted, a per_page above the maximum is served at the maximum rather than refused.
    return min(integer_param(params, "per_page", default=PER_PAGE_DEFAULT, low=1), PER_PAGE_MAX)


def page_params(params: dict) -> tuple[int, int]:
    """(per_page, page) of numbered pages, as Delighted pages responses, unsubscribes and bounces."""
    per_page = _per_page(params)
    page = integer_param(params, "page", default=1, low=1, high=1_000_000)
    return per_page, page


def _invalid_cursor() -> ApiError:
    return invalid("page_info", "is not a cursor from a Link header of this API")


def cursor_page(request: HttpRequest, queryset, params: dict) -> tuple[list, dict]:
    """Keyset pagination on the primary key, with Delighted's page_info cursor and Link rel="next"."""
    per_page = _per_page(params)
    cursor = params.get("page_info")
    rows, next_cursor = paginate(
        queryset,
        cursor=str(cursor) if cursor else None,
        limit=per_page,
        prefix=CURSOR_PREFIX,
        invalid_cursor=_invalid_cursor,
    )
    headers = {}
    if next_cursor:
        query = {k: v for k, v in request.GET.items() if k != "page_info"}
        query["page_info"] = next_cursor
        url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        headers["Link"] = f'<{url}>; rel="next"'
    return rows, headers
