"""Native API: metrics, computed by the dashboard's own queries so the numbers are the same."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from dashboards import queries
from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER

from ..common import ApiError
from .schemas import Id, responses

router = Router()


def _sane_day(value: dt.date) -> dt.date:
    if not 1970 <= value.year <= 2100:
        raise ValueError("Use a date between 1970 and 2100.")
    return value


Day = Annotated[dt.date, AfterValidator(_sane_day)]


class MetricsFilters(Schema):
    since: Day | None = Field(None, description="First day (YYYY-MM-DD, workspace time zone), inclusive.")
    until: Day | None = Field(None, description="Last day, inclusive.")
    campaign: list[Id] = Field(default_factory=list, description="Campaign ids (repeat for several).")
    channel: list[Literal["email", "sms", "whatsapp", "web", "link", "kiosk", "phone"]] = Field(
        default_factory=list
    )
    segment: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^:\x00]+:[^\x00]*$",
        description="`key:value`: a contact property (`plan:pro`) or `language:hi`, as on the dashboard.",
    )


class MetricsOut(Schema):
    nps: float | None = Field(description="−100…100; null when there is no response.")
    promoter_count: int
    promoter_percent: float | None
    passive_count: int
    passive_percent: float | None
    detractor_count: int
    detractor_percent: float | None
    response_count: int
    surveys_delivered: int
    response_rate: float | None = Field(description="Responses per survey delivered, in percent.")
    since: dt.date | None
    until: dt.date | None


@router.get("", response=responses({200: MetricsOut}), summary="NPS and counts")
def metrics(request, filters: Query[MetricsFilters]):
    """The NPS, the counts and percentages of each group, exactly as the dashboard shows them."""
    if filters.since and filters.until and filters.since > filters.until:
        raise ApiError(422, "`since` must be on or before `until`.", field="query.since")
    segment = tuple(filters.segment.split(":", 1)) if filters.segment else None
    if segment and segment[0] in ("campaign", "channel"):
        raise ApiError(
            422, f"Filter by {segment[0]} with the `{segment[0]}` parameter.", field="query.segment"
        )
    totals = queries.totals(
        queries.Filters(
            start=filters.since,
            end=filters.until,
            campaign_ids=tuple(filters.campaign),
            channels=tuple(filters.channel),
            segment=segment,
        )
    )
    split = totals.split
    return {
        "nps": split.nps,
        "promoter_count": split.promoters,
        "promoter_percent": split.percent(PROMOTER),
        "passive_count": split.passives,
        "passive_percent": split.percent(PASSIVE),
        "detractor_count": split.detractors,
        "detractor_percent": split.percent(DETRACTOR),
        "response_count": split.total,
        "surveys_delivered": totals.sent,
        "response_rate": totals.response_rate,
        "since": filters.since,
        "until": filters.until,
    }
