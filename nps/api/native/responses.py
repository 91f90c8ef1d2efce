"""Native API: responses (the responses app's data), with their comments' themes; tagging a comment with a
theme by hand, and removing one (the themes themselves: themes.py)."""

from datetime import datetime
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from dashboards.metrics import SCORES_OF
from nps.accounts.roles import Role
from responses import services
from responses.models import COUNTED_THEME_SOURCES, Answer, AnswerTheme, Theme
from responses.themes import services as theme_services
from responses.themes.display import themes_by_answer
from surveys.models import Campaign, Contact

from ..common import ApiError
from .auth import write_key
from .cases import _actor, _require
from .errors import not_found
from .schemas import PAGE_LIMIT, Id, In, Moment, Page, paginate, responses

router = Router()

# Set on each answer of a page by `_with_themes`: the page's themes in one query, not one per answer.
_THEMES_ATTR = "api_themes"


class ResponseThemeOut(Schema):
    id: int
    name: str = Field(description="The theme's name as OpenNPS shows it (a person's name, else its label).")
    source: Literal["auto", "rule", "learned", "hand"] = Field(
        description="How the comment got it: `auto` (discovered), `rule` (the theme's words), `learned` "
        "(suggested from hand tags), `hand` (tagged by a person)."
    )


class ResponseOut(Schema):
    id: int
    score: int
    group: Literal["promoter", "passive", "detractor"]
    comment: str
    notes: str
    channel: str
    language: str
    campaign_id: int
    contact_id: int | None = Field(description="Null once the contact was erased.")
    answered_at: datetime
    updated_at: datetime
    themes: list[ResponseThemeOut] = Field(
        description="The comment's themes (active ones), by name; assigned within a minute of the comment."
    )

    @staticmethod
    def resolve_themes(answer) -> list:
        themes = getattr(answer, _THEMES_ATTR, None)
        if themes is None:
            themes = themes_by_answer([answer.pk]).get(answer.pk, [])
        return themes


def _with_themes(answers: list[Answer]) -> list[Answer]:
    """The answers, each with its themes (one query for all of them)."""
    themes = themes_by_answer([answer.pk for answer in answers]) if answers else {}
    for answer in answers:
        setattr(answer, _THEMES_ATTR, themes.get(answer.pk, []))
    return answers


class ResponseList(Page):
    data: list[ResponseOut]


class ResponseFilters(Schema):
    since: Moment | None = Field(None, description="Answered at or after this moment.")
    until: Moment | None = Field(None, description="Answered before this moment.")
    updated_since: Moment | None = Field(None, description="Created or changed at or after this moment.")
    updated_until: Moment | None = Field(None, description="Created or changed before this moment.")
    group: Literal["promoter", "passive", "detractor"] | None = None
    campaign: Id | None = Field(None, description="Campaign id.")
    contact: Id | None = Field(None, description="Contact id.")
    channel: Literal["email", "sms", "whatsapp", "web", "link", "kiosk", "phone"] | None = None
    theme: Id | None = Field(None, description="Theme id: responses whose comment has this theme.")
    order: Literal["asc", "desc"] = Field("asc", description="By id: oldest first (asc) or newest first.")
    cursor: str | None = Field(None, max_length=100, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT, description=f"Rows per page, at most {PAGE_LIMIT}.")


@router.get("", response=responses({200: ResponseList}), summary="List responses")
def list_responses(request, filters: Query[ResponseFilters]):
    """Responses, filtered, by cursor. `updated_since` with `order=asc` is the way to sync changes."""
    queryset = Answer.objects.all()
    for field, lookup in (
        ("since", "answered_at__gte"),
        ("until", "answered_at__lt"),
        ("updated_since", "updated_at__gte"),
        ("updated_until", "updated_at__lt"),
        ("campaign", "campaign_id"),
        ("contact", "contact_id"),
        ("channel", "channel"),
    ):
        value = getattr(filters, field)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    if filters.group:
        low, high = SCORES_OF[filters.group]
        queryset = queryset.filter(score__gte=low, score__lte=high)
    if filters.theme is not None:
        # One row per (answer, theme): the join repeats no answer. A hidden theme's comments are not listed,
        # as its tags are not shown.
        queryset = queryset.filter(
            theme_links__theme_id=filters.theme,
            theme_links__source__in=COUNTED_THEME_SOURCES,
            theme_links__theme__hidden=False,
            theme_links__theme__retired=False,
            theme_links__theme__merged_into=None,
        )
    rows, cursor = paginate(
        queryset, cursor=filters.cursor, limit=filters.limit, descending=filters.order == "desc"
    )
    return {"data": _with_themes(list(rows)), "next_cursor": cursor}


@router.get("/{response_id}", response=responses({200: ResponseOut}), summary="Read a response")
def get_response(request, response_id: Id):
    answer = Answer.objects.filter(pk=response_id).first()
    if answer is None:
        raise not_found("response", response_id)
    return answer


class ResponseIn(In):
    contact_id: Id
    campaign_id: Id
    score: int = Field(ge=0, le=10)
    comment: str = Field("", max_length=10_000)
    notes: str = Field("", max_length=10_000, description="Internal notes, e.g. of the interviewer.")
    channel: Literal["phone", "email", "sms", "whatsapp", "web", "link", "kiosk"] = Field(
        "phone", description="How the answer was given; `phone` for an interview."
    )
    answered_at: Moment | None = Field(None, description="When it was given; now when left out.")


class ResponsePatch(In):
    score: int | None = Field(None, ge=0, le=10)
    comment: str | None = Field(None, max_length=10_000)
    notes: str | None = Field(None, max_length=10_000)


@router.post("", response=responses({201: ResponseOut}), auth=write_key, summary="Create a response")
def create_response(request, payload: ResponseIn):
    """Record an answer given elsewhere, e.g. in a phone call; counts in the dashboards like any other."""
    contact = Contact.objects.filter(pk=payload.contact_id).first()
    if contact is None:
        raise ApiError(404, f"No contact with id {payload.contact_id}.", field="body.contact_id")
    campaign = Campaign.objects.filter(pk=payload.campaign_id).first()
    if campaign is None:
        raise ApiError(404, f"No campaign with id {payload.campaign_id}.", field="body.campaign_id")
    answer = services.create_response(
        contact=contact,
        campaign=campaign,
        score=payload.score,
        channel=payload.channel,
        comment=payload.comment,
        notes=payload.notes,
        answered_at=payload.answered_at,
    )
    return Status(201, answer)


@router.patch(
    "/{response_id}", response=responses({200: ResponseOut}), auth=write_key, summary="Update a response"
)
def update_response(request, response_id: Id, payload: ResponsePatch):
    """Change the score, comment or notes; fields left out are kept."""
    answer = Answer.objects.filter(pk=response_id).first()
    if answer is None:
        raise not_found("response", response_id)
    return services.update_response(answer, **payload.dict(exclude_unset=True, exclude_none=True))


# Themes by hand ------------------------------------------------------------------------------------


class ThemeTagIn(In):
    theme_id: Id = Field(description="The theme to tag the comment with (an active theme).")


def _answer(response_id: int) -> Answer:
    answer = Answer.objects.filter(pk=response_id).first()
    if answer is None:
        raise not_found("response", response_id)
    return answer


def _theme(theme_id: int, field: str) -> Theme:
    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is None:
        raise ApiError(404, f"No theme with id {theme_id}.", field=field)
    return theme


@router.post(
    "/{response_id}/themes",
    response=responses({200: ResponseOut, 201: ResponseOut}),
    auth=write_key,
    summary="Tag a response's comment with a theme",
)
def tag_response(request, response_id: Id, payload: ThemeTagIn):
    """Tag the comment with the theme by hand (a lead's or admin's read-write key): automatic assignment
    never takes a hand tag away, and hand tags teach the theme's suggestions. `201` when tagged now, `200`
    when it was already tagged by hand. The answer is the response with its themes."""
    _require(request, Role.LEAD)
    answer = _answer(response_id)
    theme = _theme(payload.theme_id, "body.theme_id")
    if theme.merged_into_id:
        raise ApiError(
            422,
            f"Invalid request: body.theme_id: theme {theme.pk} was merged into theme {theme.merged_into_id}: "
            "tag with that one.",
            field="body.theme_id",
        )
    if not theme.is_active:
        state = "hidden" if theme.hidden else "no longer found in the comments"
        raise ApiError(
            422, f"Invalid request: body.theme_id: theme {theme.pk} is {state}.", field="body.theme_id"
        )
    if not (answer.comment or "").strip():
        raise ApiError(
            422,
            f"Invalid request: response {answer.pk} has no comment; themes are about comments.",
            field="path.response_id",
        )
    had = AnswerTheme.objects.filter(answer=answer, theme=theme, source=AnswerTheme.Source.HAND).exists()
    with transaction.atomic():
        theme_services.tag_answer(answer, theme, by=_actor(request))
    return Status(200 if had else 201, answer)


@router.delete(
    "/{response_id}/themes/{theme_id}",
    response=responses({204: None}),
    auth=write_key,
    summary="Remove a theme from a response's comment",
)
def untag_response(request, response_id: Id, theme_id: Id):
    """Take the theme off the comment by hand (a lead's or admin's read-write key): automatic assignment
    never gives it back. `204` also when the comment did not have it (it never will)."""
    _require(request, Role.LEAD)
    answer = _answer(response_id)
    theme = _theme(theme_id, "path.theme_id")
    with transaction.atomic():
        theme_services.untag_answer(answer, theme, by=_actor(request))
    return Status(204, None)
