"""Native API: metrics and the follow-up figures, computed by the dashboard's own code so the numbers are the
same."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from dashboards import followup, queries
from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER, Proportion, Split

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


def _filters(filters: MetricsFilters) -> queries.Filters:
    """The dashboard's filters from the query, or a 422 naming the parameter."""
    if filters.since and filters.until and filters.since > filters.until:
        raise ApiError(422, "`since` must be on or before `until`.", field="query.since")
    segment = tuple(filters.segment.split(":", 1)) if filters.segment else None
    if segment and segment[0] in ("campaign", "channel"):
        raise ApiError(
            422, f"Filter by {segment[0]} with the `{segment[0]}` parameter.", field="query.segment"
        )
    return queries.Filters(
        start=filters.since,
        end=filters.until,
        campaign_ids=tuple(filters.campaign),
        channels=tuple(filters.channel),
        segment=segment,
    )


@router.get("", response=responses({200: MetricsOut}), summary="NPS and counts")
def metrics(request, filters: Query[MetricsFilters]):
    """The NPS, the counts and percentages of each group, exactly as the dashboard shows them."""
    totals = queries.totals(_filters(filters))
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


class ShareOut(Schema):
    count: int = Field(description="How many of `of`.")
    of: int
    percent: float | None = Field(description="0…100; null when `of` is 0.")
    margin: float | None = Field(description="Half-width of the 95% interval, in percentage points.")


class NextAnswersOut(Schema):
    nps: float | None = Field(description="NPS of the next answers; null when nobody answered again.")
    margin: float | None = Field(description="Half-width of the 95% interval, in NPS points.")
    response_count: int
    promoter_count: int
    passive_count: int
    detractor_count: int
    rose: ShareOut = Field(description="Next answers with a higher score than the detractor answer.")
    enough_data: bool = Field(description=f"At least {followup.MIN_SAMPLE} answers: below, read it as noise.")


class FollowUpOut(Schema):
    detractors: int = Field(description="Detractor answers in the period.")
    detractors_followed_up: ShareOut = Field(description="Of those, whose case got a first response.")
    cases: int = Field(description="Cases on the period's answers (every group).")
    median_first_response_seconds: float | None = Field(
        description="Median time from a case opening to its first response; null without any."
    )
    first_responses: int = Field(description="Cases with a first response: the median's sample.")
    median_resolution_seconds: float | None = Field(
        description="Median time from a case opening to resolved (won't-fix cases left out)."
    )
    resolved: int = Field(description="Resolved cases: the median's sample.")
    open_cases: int = Field(
        description="Open now, whatever the period (campaign, channel and segment apply)."
    )
    overdue_cases: int = Field(description="Open now and past their due time.")
    resurveyed: int = Field(description="Detractor cases of the period whose customer answered again later.")
    next_answer_followed_up: NextAnswersOut = Field(
        description="Next answers after a case followed up before that answer."
    )
    next_answer_not_followed_up: NextAnswersOut
    rose: ShareOut = Field(description="Of the re-surveyed, next answers with a higher score.")
    since: dt.date | None
    until: dt.date | None


def _share(p: Proportion) -> dict:
    return {"count": p.hits, "of": p.total, "percent": p.percent, "margin": p.margin}


def _next_answers(split: Split, rose: Proportion) -> dict:
    return {
        "nps": split.nps,
        "margin": split.margin,
        "response_count": split.total,
        "promoter_count": split.promoters,
        "passive_count": split.passives,
        "detractor_count": split.detractors,
        "rose": _share(rose),
        "enough_data": followup.enough(split.total),
    }


@router.get("/follow-up", response=responses({200: FollowUpOut}), summary="Follow-up of detractors")
def follow_up(request, filters: Query[MetricsFilters]):
    """The dashboard's follow-up figures: detractors followed up, response and resolution times, the case
    backlog, and the NPS of the next answer after a detractor case, followed up or not (docs/follow-up.md)."""
    figures = followup.loop_figures(_filters(filters))

    def seconds(value: dt.timedelta | None) -> float | None:
        return None if value is None else value.total_seconds()

    return {
        "detractors": figures.detractors,
        "detractors_followed_up": _share(figures.detractors_followed_up),
        "cases": figures.cases,
        "median_first_response_seconds": seconds(figures.median_first_response),
        "first_responses": figures.first_responses,
        "median_resolution_seconds": seconds(figures.median_resolution),
        "resolved": figures.resolved,
        "open_cases": figures.open_cases,
        "overdue_cases": figures.overdue_cases,
        "resurveyed": figures.resurveyed,
        "next_answer_followed_up": _next_answers(figures.nps_followed_up, figures.rose_followed_up),
        "next_answer_not_followed_up": _next_answers(
            figures.nps_not_followed_up, figures.rose_not_followed_up
        ),
        "rose": _share(figures.rose),
        "since": filters.since,
        "until": filters.until,
    }
