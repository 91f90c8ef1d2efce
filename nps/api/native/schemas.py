"""The building blocks of the native API's schemas: ids, moments, request bodies, errors, pages."""

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from ..common import MAX_ID, ApiError, has_nul
from ..common import paginate as keyset_page

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PAGE_LIMIT = 100
NUL_MESSAGE = "Text must not contain the NUL character (U+0000)."


def refuse_nul(value: Any) -> Any:
    """A pydantic validator: PostgreSQL text and JSON cannot hold U+0000, so it is bad input."""
    if has_nul(value):
        raise ValueError(NUL_MESSAGE)
    return value


class In(Schema):
    """Base of request bodies: unknown fields are refused, so a typo is an error and not ignored."""

    model_config = {"extra": "forbid"}

    @model_validator(mode="before")
    @classmethod
    def refuse_nul(cls, data: Any) -> Any:
        return refuse_nul(data)


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


# Pages --------------------------------------------------------------------------------------------


class Page(Schema):
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


CURSOR_PREFIX = "after:"


def _invalid_cursor() -> ApiError:
    return ApiError(
        400, "This cursor is not valid: pass the `next_cursor` of a previous page.", field="cursor"
    )


def paginate(
    queryset, *, cursor: str | None, limit: int, descending: bool = False
) -> tuple[list, str | None]:
    """One page by id and its `next_cursor` (common.paginate, with the native API's cursors and 400)."""
    return keyset_page(
        queryset,
        cursor=cursor,
        limit=limit,
        descending=descending,
        prefix=CURSOR_PREFIX,
        invalid_cursor=_invalid_cursor,
    )
