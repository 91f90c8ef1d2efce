"""Errors of the native API: every one is JSON `{"detail": …, "errors": [{"field", "message"}]}`."""

import functools

from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from nps.accounts.roles import public

from ..common import ApiError


def not_found(what: str, pk) -> Http404:
    return Http404(f"No {what} with id {pk}.")


def _location(loc) -> str:
    # ("body", "payload", "email") → "body.email": the view's parameter name means nothing to a client.
    parts = [str(part) for part in loc if part != "__root__"]
    if len(parts) > 2 and parts[0] == "body":
        del parts[1]
    elif len(parts) == 2 and parts[0] == "body":
        parts = ["body"]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    """Answer every error of `api` in the native JSON shape."""

    def error(request, status: int, detail: str, errors=()):
        return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request, exc: ApiError):
        errors = [{"field": exc.field, "message": exc.problem}] if exc.field else []
        response = error(request, exc.status, exc.message, errors)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return error(
            request, 401, "Send your API key in the Authorization header: `Authorization: Bearer <key>`."
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        message = str(exc)
        if exc.status_code == 400 and message == "Cannot parse request body":
            message = (
                "The request body is not valid JSON: send a JSON object with Content-Type: application/json."
            )
        return error(request, exc.status_code, message)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return error(request, 404, str(exc) or "Not found.")

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc: ValidationError):
        errors = []
        for item in exc.errors:
            message = item.get("msg", "Invalid value.").removeprefix("Value error, ")
            if item.get("type") == "missing":
                message = "This field is required."
            elif item.get("type") == "extra_forbidden":
                message = "Unknown field."
            errors.append({"field": _location(item.get("loc", ())), "message": message})
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]) or "the request is not valid"
        return error(request, 422, f"Invalid request: {summary}", errors)


@public
def unknown_endpoint(request, rest=""):
    """JSON, not the HTML 404 page, for a mistyped API path."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}; see /api/v1/docs.", "errors": []}, status=404
    )


def json_not_allowed(view):
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
