"""Authentication of the native API: `Authorization: Bearer <key>`, the key's scope and its rate limit."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from .. import keys
from ..common import ApiError


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
        key = keys.authenticate(token)
        if key is None:
            raise ApiError(401, "This API key is not valid: it is unknown or was revoked.")
        wait = keys.check_rate(key)
        if wait is not None:
            raise ApiError(
                429,
                f"Too many requests with this API key; retry in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        if self.write and not key.can_write:
            raise ApiError(
                403, f"The API key “{key.name}” is read-only; this request needs a read-write key."
            )
        return key


read_key = KeyAuth()
write_key = KeyAuth(write=True)
