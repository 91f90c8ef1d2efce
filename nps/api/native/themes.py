"""Native API: the themes of comments (responses.models.Theme; docs/api.md). Read-only: themes are edited
on the Themes page; a response's themes are tagged and untagged through /responses/{id}/themes."""

from datetime import datetime
from typing import Literal

from django.db.models import Count
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from responses.models import COUNTED_THEME_SOURCES, AnswerTheme, Theme

from .errors import not_found
from .schemas import PAGE_LIMIT, Id, Page, paginate, refuse_nul, responses

router = Router()


class ThemeOut(Schema):
    id: int
    name: str = Field(description="As OpenNPS shows it: the name a person gave, else the automatic label.")
    label: str = Field(description="The automatic label (its top key phrases); empty for a rule theme.")
    kind: Literal["auto", "rule"] = Field(description="`auto`: discovered in the comments; `rule`: by words.")
    key_phrases: dict[str, list[str]] = Field(
        description='Key phrases per language group, e.g. `{"en": ["late delivery"], "hi": ["देर से"]}`.'
    )
    comments: int = Field(description="How many comments have the theme now.")
    pinned: bool
    active: bool = Field(description="Shown and assigned: not hidden, merged or no longer found.")
    merged_into: int | None = Field(description="The theme it was merged into (its comments are there).")
    updated_at: datetime


class ThemeList(Page):
    data: list[ThemeOut]


class ThemeFilters(Schema):
    kind: Literal["auto", "rule"] | None = None
    cursor: str | None = Field(None, max_length=100, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT, description=f"Rows per page, at most {PAGE_LIMIT}.")

    @field_validator("cursor")
    @classmethod
    def no_nul(cls, value):
        return refuse_nul(value)


def _phrases(value) -> dict[str, list[str]]:
    """The stored key phrases as the schema promises them (anything else in the JSON is left out)."""
    if not isinstance(value, dict):
        return {}
    return {
        str(group): [phrase for phrase in phrases if isinstance(phrase, str)]
        for group, phrases in value.items()
        if isinstance(phrases, list)
    }


def _out(themes: list[Theme]) -> list[dict]:
    """The themes as the API shows them, with their comment counts in one query."""
    counts = dict(
        AnswerTheme.objects.filter(
            theme_id__in=[theme.pk for theme in themes], source__in=COUNTED_THEME_SOURCES
        )
        .values_list("theme_id")
        .annotate(n=Count("*"))
        .values_list("theme_id", "n")
    )
    return [
        {
            "id": theme.pk,
            "name": theme.display_name,
            "label": theme.label,
            "kind": theme.kind,
            "key_phrases": _phrases(theme.key_phrases),
            "comments": counts.get(theme.pk, 0),
            "pinned": theme.pinned,
            "active": theme.is_active,
            "merged_into": theme.merged_into_id,
            "updated_at": theme.updated_at,
        }
        for theme in themes
    ]


@router.get("", response=responses({200: ThemeList}), summary="List themes")
def list_themes(request, filters: Query[ThemeFilters]):
    """The active themes (not hidden, merged or no longer found), by id; `comments` counts their comments."""
    queryset = Theme.objects.filter(hidden=False, retired=False, merged_into=None)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    rows, cursor = paginate(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"data": _out(list(rows)), "next_cursor": cursor}


@router.get("/{theme_id}", response=responses({200: ThemeOut}), summary="Read a theme")
def get_theme(request, theme_id: Id):
    """One theme, active or not (`active`, `merged_into` say which)."""
    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is None:
        raise not_found("theme", theme_id)
    return _out([theme])[0]
