"""The same numbers as dashboards.queries, computed from every answer and invitation.

The reference the rollups are tested against, the path of databases without rollups (the SQLite demo),
and the fallback for the few combinations no rollup holds (a property filter split by another property).
Slow at millions of answers: the dashboard itself reads the rollups.
"""

from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from nps.jsonkeys import PropertyText
from responses.models import COUNTED_THEME_SOURCES, Answer, AnswerTheme
from surveys.models import Invitation

from .filters import Filters, workspace_tz

GRAINS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _property(key: str) -> Cast:
    """The contact's property as text. An explicit transform: property names may contain "__" or spaces;
    cast, so that SQLite compares it as text rather than as JSON."""
    return Cast(PropertyText(key, "contact__properties"), TextField())


def theme_links() -> QuerySet[AnswerTheme]:
    """The themes comments have: counted sources (not a hand removal) of active themes (not hidden, retired
    or merged). Merging rewrites the rows to the target, so no merge needs resolving here."""
    return AnswerTheme.objects.filter(
        source__in=COUNTED_THEME_SOURCES, theme__hidden=False, theme__retired=False, theme__merged_into=None
    )


def narrow(qs: QuerySet, filters: Filters, time_field: str | None, *, answer: str = "") -> QuerySet:
    """`qs` narrowed to the filters: the period on `time_field` (None: whenever), campaigns, channels,
    segment and theme. `answer` is the path to the row's answer fields (channel, language): "" for answers
    (and invitations, which hold them but no comment: see sent_invitations), "answer__" for cases
    (dashboards.followup)."""
    start, end = filters.bounds()
    if time_field and start:
        qs = qs.filter(**{f"{time_field}__gte": start})
    if time_field and end:
        qs = qs.filter(**{f"{time_field}__lt": end})
    if filters.campaign_ids:
        qs = qs.filter(campaign_id__in=filters.campaign_ids)
    if filters.channels:
        qs = qs.filter(**{f"{answer}channel__in": filters.channels})
    if filters.segment:
        key, value = filters.segment
        if key == "campaign":
            qs = qs.filter(campaign_id=int(value))
        elif key in ("channel", "language"):
            qs = qs.filter(**{f"{answer}{key}": value})
        else:
            qs = qs.alias(_segment=_property(key)).filter(_segment=value)
    if filters.theme_id is not None:
        # The theme belongs to the comment: an answer whose comment was emptied has no theme any more.
        linked = theme_links().filter(theme_id=filters.theme_id, answer_id=OuterRef(f"{answer}pk"))
        qs = qs.filter(Exists(linked)).exclude(**{f"{answer}comment": ""})
    return qs


def answers(filters: Filters) -> QuerySet[Answer]:
    return narrow(Answer.objects.all(), filters, "answered_at")


def sent_invitations(filters: Filters) -> QuerySet[Invitation]:
    """Surveys delivered: invitations in state sent, by the day they were sent. None under a theme filter:
    an invitation has no comment, so "delivered" cannot be narrowed to a theme (the page says so)."""
    if filters.theme_id is not None:
        return Invitation.objects.none()
    return narrow(Invitation.objects.filter(state=Invitation.State.SENT), filters, "sent_at")


def distribution(filters: Filters) -> dict[int, int]:
    counts = dict.fromkeys(range(11), 0)
    for row in answers(filters).values("score").annotate(n=Count("id")).order_by():
        counts[row["score"]] = row["n"]
    return counts


def delivered(filters: Filters) -> int:
    return sent_invitations(filters).count()


def trend(filters: Filters, grain: str = "week") -> list[tuple[date, dict[int, int]]]:
    """{score: count} per day, week (Monday) or month with answers, cut in the workspace time zone."""
    period = GRAINS[grain]("answered_at", tzinfo=workspace_tz())
    rows = (
        answers(filters).annotate(period=period).values("period", "score").annotate(n=Count("id")).order_by()
    )
    points: dict[date, dict[int, int]] = {}
    for row in rows:
        day = row["period"]
        if isinstance(day, datetime):
            day = timezone.localtime(day, workspace_tz()).date()
        points.setdefault(day, dict.fromkeys(range(11), 0))[row["score"]] = row["n"]
    return sorted(points.items())


def _value_of(by: str):
    if by == "campaign":
        return F("campaign_id")
    if by in ("channel", "language"):
        return F(by)
    return _property(by)


def segments(filters: Filters, by: str) -> dict[str, tuple[dict[int, int], int]]:
    """{segment value: ({score: count}, surveys delivered)} for one dimension or contact property."""
    out: dict[str, tuple[dict[int, int], int]] = {}

    def entry(value) -> tuple[dict[int, int], list[int]]:
        return out.setdefault(str(value), (dict.fromkeys(range(11), 0), [0]))

    rows = answers(filters).annotate(_value=_value_of(by)).filter(_value__isnull=False)
    for row in rows.values("_value", "score").annotate(n=Count("id")).order_by():
        entry(row["_value"])[0][row["score"]] = row["n"]
    sent = sent_invitations(filters).annotate(_value=_value_of(by)).filter(_value__isnull=False)
    for row in sent.values("_value").annotate(n=Count("id")).order_by():
        entry(row["_value"])[1][0] = row["n"]
    return {value: (counts, sent[0]) for value, (counts, sent) in out.items()}


def property_keys() -> list[str]:
    """Contact property keys with few distinct values (the rollups' rule), for small databases."""
    from surveys.models import Contact

    from .rollups import SEGMENT_MAX_VALUES

    values: dict[str, set] = {}
    for properties in Contact.objects.exclude(properties={}).values_list("properties", flat=True).iterator():
        if isinstance(properties, dict):
            for key, value in properties.items():
                if value is not None:
                    values.setdefault(key, set()).add(str(value))
    return sorted(key for key, seen in values.items() if len(seen) <= SEGMENT_MAX_VALUES)


def segment_trend(filters: Filters, by: str, grain: str = "week") -> dict[tuple[date, str], dict[int, int]]:
    """{(period, value): {score: count}} for one dimension or contact property, per day, week or month."""
    period = GRAINS[grain]("answered_at", tzinfo=workspace_tz())
    rows = (
        answers(filters)
        .annotate(period=period, _value=_value_of(by))
        .filter(_value__isnull=False)
        .values("period", "_value", "score")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[tuple[date, str], dict[int, int]] = {}
    for row in rows:
        day = row["period"]
        if isinstance(day, datetime):
            day = timezone.localtime(day, workspace_tz()).date()
        out.setdefault((day, str(row["_value"])), dict.fromkeys(range(11), 0))[row["score"]] += row["n"]
    return out
