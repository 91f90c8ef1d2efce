"""Native API: responses (the responses app's data)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from dashboards.metrics import SCORES_OF
from responses import services
from responses.models import Answer
from surveys.models import Campaign, Contact

from ..common import ApiError
from .auth import write_key
from .errors import not_found
from .schemas import PAGE_LIMIT, Id, In, Moment, Page, paginate, responses

router = Router()


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
    rows, cursor = paginate(
        queryset, cursor=filters.cursor, limit=filters.limit, descending=filters.order == "desc"
    )
    return {"data": rows, "next_cursor": cursor}


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
