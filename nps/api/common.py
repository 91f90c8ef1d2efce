"""What both APIs share: one error type, one check of input text, one keyset paginator with opaque cursors.

Each API keeps its own wire format: it renders an ApiError in its own JSON shape (native/errors.py:
{"detail", "errors"}; delighted/protocol.py: {"status", "message", "errors"}) and spells its cursors with
its own prefix (the native API's `next_cursor`, Delighted's `page_info` in the Link header).
"""

import base64
import binascii
from collections.abc import Callable

# One NUL check and one id range for both APIs and every page (nps/inputs.py).
from nps.inputs import MAX_ID, has_nul, is_digits  # noqa: F401  re-exported for the APIs


class ApiError(Exception):
    """A request refused with a 4xx, in either API.

    `message` says what went wrong in a sentence a developer can act on; `field` names the input it is
    about (when there is one) and `problem` what is wrong with that input (the message when left out);
    `headers` are added to the response (Retry-After, Allow, WWW-Authenticate).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str = "",
        problem: str = "",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.problem = problem or message
        self.headers = headers or {}


# Cursor pagination --------------------------------------------------------------------------------


def encode_cursor(pk: int, *, prefix: str) -> str:
    """The opaque cursor meaning "after `pk`": base64url of prefix + pk, without padding."""
    return base64.urlsafe_b64encode(f"{prefix}{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, prefix: str) -> int | None:
    """The primary key a cursor of `encode_cursor` points after; None when it is not such a cursor."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        digits = text.removeprefix(prefix) if text.startswith(prefix) else ""
        pk = int(digits) if is_digits(digits) else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return pk if 0 <= pk <= MAX_ID else None


def paginate(
    queryset,
    *,
    cursor: str | None,
    limit: int,
    prefix: str,
    invalid_cursor: Callable[[], ApiError],
    descending: bool = False,
) -> tuple[list, str | None]:
    """One page by primary key (keyset) and the cursor of the next page (None on the last).

    Every row is seen once, even while rows are added. A cursor this API did not give raises
    `invalid_cursor()`.
    """
    queryset = queryset.order_by("-pk" if descending else "pk")
    if cursor:
        after = decode_cursor(cursor, prefix=prefix)
        if after is None:
            raise invalid_cursor()
        queryset = queryset.filter(pk__lt=after) if descending else queryset.filter(pk__gt=after)
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk, prefix=prefix) if more and rows else None
