"""Database reads for dashboards: each takes a Filters and returns plain numbers for dashboards.metrics.

On PostgreSQL every panel reads the rollups (dashboards.models), a few thousand rows instead of millions
of answers; all dashboard filters are whole days in the workspace time zone, which is what a rollup row
holds. Elsewhere, and for the rare combination no rollup holds, dashboards.raw computes the same numbers
from the answers themselves.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import get_language_info

from responses.models import Answer
from surveys.models import Campaign, Channel

from . import raw, rollups
from .filters import DIMENSIONS, Filters, workspace_tz
from .metrics import Split, differs_significantly, response_rate
from .models import SCORE_FIELDS, DailyRollup, SegmentRollup, Span, ThemeRollup

__all__ = ["Filters", "workspace_tz"]

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
GRAINS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
SUMS = {"sent": Sum("sent"), **{field: Sum(field) for field in SCORE_FIELDS}}


def _counts(row: dict) -> dict[int, int]:
    return {score: row[f"n{score}"] or 0 for score in range(11)}


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _days(start: date | None, end: date | None, *, whole_months: bool) -> Q:
    """Rollup rows covering [start, end]: month rows for the whole months inside it, day rows for the
    rest (or day rows only, for a trend by day or week)."""
    if not whole_months:
        q = Q(span=Span.DAY)
        return q & (Q(day__gte=start) if start else Q()) & (Q(day__lte=end) if end else Q())
    # Whole months are [first, stop): first is the 1st on or after start, stop the 1st on or before end + 1.
    first = start if start is None or start.day == 1 else _next_month(start)
    after = end + timedelta(days=1) if end else None
    stop = after.replace(day=1) if after else None
    if first and stop and first >= stop:
        return _days(start, end, whole_months=False)
    months = Q(span=Span.MONTH) & (Q(day__gte=first) if first else Q()) & (Q(day__lt=stop) if stop else Q())
    if start and start < first:
        months |= Q(span=Span.DAY, day__gte=start, day__lt=first)
    if end and stop <= end:
        months |= Q(span=Span.DAY, day__gte=stop, day__lte=end)
    return months


def _weeks(start: date | None, end: date | None) -> Q:
    """Rollup rows covering [start, end] for a trend by week: week rows for the whole weeks inside it,
    day rows for the days at its edges."""
    # Whole weeks are [first, stop): first the Monday on or after start, stop the Monday on or before end + 1.
    first = start if start is None else start + timedelta(days=-start.weekday() % 7)
    after = end + timedelta(days=1) if end else None
    stop = after - timedelta(days=after.weekday()) if after else None
    if first and stop and first >= stop:
        return _days(start, end, whole_months=False)
    weeks = Q(span=Span.WEEK) & (Q(day__gte=first) if first else Q()) & (Q(day__lt=stop) if stop else Q())
    if start and start < first:
        weeks |= Q(span=Span.DAY, day__gte=start, day__lt=first)
    if end and stop <= end:
        weeks |= Q(span=Span.DAY, day__gte=stop, day__lte=end)
    return weeks


def _rollup(
    filters: Filters, *, by_property: str | None = None, days_only: bool = False, weeks: bool = False
) -> QuerySet | None:
    """The rollup rows of these filters (split by a contact property when given), or None when no rollup
    holds that combination and answers must be read directly."""
    if not rollups.is_supported():
        return None
    prop = filters.property_segment
    if filters.theme_id is not None:
        # The theme rollup has campaign, channel and language but no contact property. Its rows hold no
        # surveys delivered (sent = 0): an invitation has no comment, so no theme (see raw.sent_invitations).
        if prop or by_property:
            return None
        qs = ThemeRollup.objects.filter(theme_id=filters.theme_id)
    elif prop or by_property:
        # The segment rollup holds one property at a time, and no language.
        if (prop and by_property and prop[0] != by_property) or (filters.segment or ("",))[0] == "language":
            return None
        # A property with too many values to be a segment (an account id, say) is not rolled up at all.
        keys = filters.rolled_up_keys
        if prop and not by_property and prop[0] not in (rollups.segment_keys() if keys is None else keys):
            return None
        qs = SegmentRollup.objects.filter(key=by_property or prop[0])
        if prop:
            qs = qs.filter(value=prop[1])
    else:
        qs = DailyRollup.objects.all()
    if weeks:
        qs = qs.filter(_weeks(filters.start, filters.end))
    else:
        qs = qs.filter(_days(filters.start, filters.end, whole_months=not days_only))
    if filters.campaign_ids:
        qs = qs.filter(campaign_id__in=filters.campaign_ids)
    if filters.channels:
        qs = qs.filter(channel__in=filters.channels)
    if filters.segment and not prop:
        key, value = filters.segment
        qs = qs.filter(**{"campaign_id" if key == "campaign" else key: value})
    return qs.order_by()


@dataclass(frozen=True)
class Totals:
    distribution: dict[int, int]  # {score: count}, all eleven scores
    sent: int  # surveys delivered: the response rate's denominator

    @property
    def split(self) -> Split:
        return Split.from_distribution(self.distribution)

    @property
    def response_rate(self) -> float | None:
        return response_rate(self.split.total, self.sent)


def totals(filters: Filters) -> Totals:
    """Headline, split, distribution and surveys delivered, in one query."""
    qs = _rollup(filters)
    if qs is None:
        return Totals(raw.distribution(filters), raw.delivered(filters))
    row = qs.aggregate(**SUMS)
    return Totals(_counts(row), row["sent"] or 0)


def split(filters: Filters) -> Split:
    return totals(filters).split


def distribution(filters: Filters) -> dict[int, int]:
    return totals(filters).distribution


def delivered(filters: Filters) -> int:
    return totals(filters).sent


def trend(filters: Filters, grain: str = "week") -> list[tuple[date, Split]]:
    """One Split per day, week (Monday) or month that has answers, cut in the workspace time zone."""
    qs = _rollup(filters, days_only=grain != "month")
    if qs is None:
        return [(day, Split.from_distribution(counts)) for day, counts in raw.trend(filters, grain)]
    rows = qs.annotate(period=GRAINS[grain]("day")).values("period").annotate(**SUMS).order_by("period")
    points = [(row["period"], Split.from_distribution(_counts(row))) for row in rows]
    return [(day, split) for day, split in points if split.total]


def property_keys() -> list[str]:
    """Contact properties a dashboard can split by."""
    return rollups.segment_keys() if rollups.is_supported() else raw.property_keys()


@dataclass(frozen=True)
class Segment:
    key: str
    value: str
    label: str
    split: Split
    sent: int
    share: float  # of the filtered answers, 0…1
    impact: float | None  # NPS points the segment pulls the overall NPS by: share × (segment − overall)
    differs: bool  # from all other answers, beyond the noise (95%)

    @property
    def param(self) -> str:
        return f"{self.key}:{self.value}"


def _segment_counts(filters: Filters, by: str) -> dict[str, tuple[dict[int, int], int]]:
    if by in DIMENSIONS:
        qs, column = _rollup(filters), {"campaign": "campaign_id"}.get(by, by)
        if by == "language" and filters.property_segment:
            qs = None  # the segment rollup has no language column
    else:
        qs, column = _rollup(filters, by_property=by), "value"
    if qs is None:
        return raw.segments(filters, by)
    rows = qs.values(column).annotate(**SUMS)
    return {str(row[column]): (_counts(row), row["sent"] or 0) for row in rows}


def _labels(by: str, values) -> dict[str, str]:
    if by == "campaign":
        names = dict(Campaign.objects.filter(pk__in=[int(v) for v in values]).values_list("pk", "name"))
        return {v: names.get(int(v), f"Campaign {v}") for v in values}
    if by == "channel":
        return {v: Channel(v).label if v in Channel.values else v for v in values}
    if by == "language":

        def language_name(code: str) -> str:
            if not code:
                return "Not set"
            try:
                return get_language_info(code)["name"]
            except KeyError:
                return code

        return {v: language_name(v) for v in values}
    return {v: v or "(empty)" for v in values}


def segment_label(key: str, value: str, *, sep: str = ": ") -> str:
    """How a segment reads: "Plan: pro", "Campaign: Support NPS" (or "Region = India" with sep=" = ")."""
    return f"{key.replace('_', ' ').capitalize()}{sep}{_labels(key, [value])[value]}"


def segments(filters: Filters, by: str, *, overall: Split | None = None) -> list[Segment]:
    """NPS per value of `by` (campaign, channel, language or a contact property), biggest impact first."""
    counts = {value: c for value, c in _segment_counts(filters, by).items() if sum(c[0].values()) or c[1]}
    overall = overall if overall is not None else split(filters)
    labels = _labels(by, counts)
    out = []
    for value, (distribution_, sent) in counts.items():
        part = Split.from_distribution(distribution_)
        share = part.total / overall.total if overall.total else 0.0
        rest = Split(
            max(overall.promoters - part.promoters, 0),
            max(overall.passives - part.passives, 0),
            max(overall.detractors - part.detractors, 0),
        )
        impact = share * (part.nps - overall.nps) if part.total and overall.nps is not None else None
        out.append(
            Segment(by, value, labels[value], part, sent, share, impact, differs_significantly(part, rest))
        )
    return sorted(out, key=lambda s: (s.impact is None, -abs(s.impact or 0), -s.split.total, s.label))


def answers(filters: Filters) -> QuerySet[Answer]:
    """The filtered answers themselves (for comments and exports)."""
    return raw.answers(filters)


def recent_comments(filters: Filters, limit: int = 8) -> QuerySet[Answer]:
    return (
        answers(filters)
        .exclude(comment="")
        .select_related("contact", "campaign")
        .order_by("-answered_at")[:limit]
    )


# ---- Segments over time: one NPS line per value of a property (see docs/dashboards.md) ----

TREND_TOP_VALUES = 5  # lines of their own; the other values are summed into one "Other" line


@dataclass(frozen=True)
class SegmentSeries:
    value: str | None  # None for the "Other" line
    label: str
    total: Split  # over every period, for the legend and the table
    points: dict[date, Split]  # the periods in which this value has answers


@dataclass(frozen=True)
class SegmentTrend:
    by: str
    periods: list[date]  # every period in which any value has answers, oldest first
    series: list[SegmentSeries]  # biggest first, "Other" last
    other_values: int  # how many values the "Other" line sums


def _segment_trend_counts(filters: Filters, by: str, grain: str) -> dict[tuple[date, str], dict[int, int]]:
    # Month rows for a trend by month, week rows for a trend by week: 30 or 7 times fewer rows to sum.
    spans = {"days_only": grain == "day", "weeks": grain == "week"}
    if by in DIMENSIONS:
        qs, column = _rollup(filters, **spans), {"campaign": "campaign_id"}.get(by, by)
        if by == "language" and filters.property_segment:
            qs = None  # the segment rollup has no language column
    else:
        qs, column = _rollup(filters, by_property=by, **spans), "value"
    if qs is None:
        return raw.segment_trend(filters, by, grain)
    # (periods × values) rows: a few hundred at most, whatever the number of answers.
    rows = qs.annotate(period=GRAINS[grain]("day")).values("period", column).annotate(**SUMS).order_by()
    return {(row["period"], str(row[column])): _counts(row) for row in rows}


def segment_trend(
    filters: Filters, by: str, grain: str = "week", *, top: int = TREND_TOP_VALUES
) -> SegmentTrend:
    """NPS per period and value of `by` (campaign, channel, language or a contact property): the `top`
    values with the most answers over the whole range each get a line, the rest are summed into "Other"."""
    per_value: dict[str, dict[date, Split]] = {}
    for (period, value), counts in _segment_trend_counts(filters, by, grain).items():
        split = Split.from_distribution(counts)
        if split.total:
            per_value.setdefault(value, {})[period] = split
    totals_ = {value: sum(points.values(), Split()) for value, points in per_value.items()}
    ranked = sorted(per_value, key=lambda value: (-totals_[value].total, value))
    kept, rest = ranked[:top], ranked[top:]
    labels = _labels(by, kept)
    series = [SegmentSeries(value, labels[value], totals_[value], per_value[value]) for value in kept]
    if rest:
        other: dict[date, Split] = {}
        for value in rest:
            for period, split in per_value[value].items():
                other[period] = other.get(period, Split()) + split
        series.append(SegmentSeries(None, "Other", sum(other.values(), Split()), other))
    periods = sorted({period for points in per_value.values() for period in points})
    return SegmentTrend(by, periods, series, len(rest))
