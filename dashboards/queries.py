"""Database reads for dashboards: each returns plain numbers for dashboards.metrics to work on."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from responses.models import Answer
from surveys.models import Invitation

from .metrics import Split

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
GRAINS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def workspace_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    """What every panel is filtered by; parsed from the URL by dashboards.forms."""

    start: date | None = None  # inclusive, workspace time zone
    end: date | None = None  # inclusive
    campaign_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        tz = workspace_tz()
        start = datetime.combine(self.start, time.min, tz) if self.start else None
        end = datetime.combine(self.end + timedelta(days=1), time.min, tz) if self.end else None
        return start, end

    def previous(self) -> "Filters | None":
        """The period of the same length just before this one."""
        if not (self.start and self.end):
            return None
        length = (self.end - self.start).days + 1
        return Filters(
            start=self.start - timedelta(days=length),
            end=self.start - timedelta(days=1),
            campaign_ids=self.campaign_ids,
            channels=self.channels,
        )


def answers(filters: Filters) -> QuerySet[Answer]:
    qs = Answer.objects.all()
    start, end = filters.bounds()
    if start:
        qs = qs.filter(answered_at__gte=start)
    if end:
        qs = qs.filter(answered_at__lt=end)
    if filters.campaign_ids:
        qs = qs.filter(campaign_id__in=filters.campaign_ids)
    if filters.channels:
        qs = qs.filter(channel__in=filters.channels)
    return qs


def _split_aggregates(prefix: str = "") -> dict:
    return {
        "promoters": Count("id", filter=Q(**{f"{prefix}score__gte": 9})),
        "passives": Count("id", filter=Q(**{f"{prefix}score__in": (7, 8)})),
        "detractors": Count("id", filter=Q(**{f"{prefix}score__lte": 6})),
    }


def split(filters: Filters) -> Split:
    return Split(**answers(filters).aggregate(**_split_aggregates()))


def distribution(filters: Filters) -> dict[int, int]:
    """{score: count} for all eleven scores, zeros included."""
    counts = dict.fromkeys(range(11), 0)
    for row in answers(filters).values("score").annotate(n=Count("id")).order_by():
        counts[row["score"]] = row["n"]
    return counts


def delivered(filters: Filters) -> int:
    """Surveys delivered in the period: the denominator of the response rate."""
    qs = Invitation.objects.filter(state=Invitation.State.SENT)
    start, end = filters.bounds()
    if start:
        qs = qs.filter(sent_at__gte=start)
    if end:
        qs = qs.filter(sent_at__lt=end)
    if filters.campaign_ids:
        qs = qs.filter(campaign_id__in=filters.campaign_ids)
    if filters.channels:
        qs = qs.filter(channel__in=filters.channels)
    return qs.count()


def trend(filters: Filters, grain: str = "week") -> list[tuple[date, Split]]:
    """One Split per day, week (Monday) or month, cut in the workspace time zone."""
    trunc = GRAINS[grain]("answered_at", tzinfo=workspace_tz())
    rows = answers(filters).annotate(period=trunc).values("period").annotate(**_split_aggregates()).order_by("period")
    return [
        (timezone.localtime(row["period"], workspace_tz()).date() if isinstance(row["period"], datetime) else row["period"],
         Split(row["promoters"], row["passives"], row["detractors"]))
        for row in rows
    ]


def recent_comments(filters: Filters, limit: int = 8) -> QuerySet[Answer]:
    return (
        answers(filters)
        .exclude(comment="")
        .select_related("contact", "campaign")
        .order_by("-answered_at")[:limit]
    )
