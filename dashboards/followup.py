"""Measuring the loop: how many detractors were followed up, how fast, and whether it changed their next score.

Read by the dashboard's follow-up panel, the weekly digest and the API (`GET /api/v1/metrics/follow-up`),
so all three show the same numbers for the same filters. The period is when a case opened (seconds after
its answer arrived, so these are the cases of the period's answers). What each figure means:

- **Detractors followed up**: detractor cases of the period that got a first response (a reply to the
  customer, or a person moving it beyond "new": `Case.first_response_at`), out of every detractor answer of
  the period (those no rule opened a case for count as not followed up). A share with its 95% margin.
- **Median time to first response / to resolution**: from the case's opening to its first response, and to
  "resolved" (won't-fix cases are left out), over the period's cases (every group).
- **Open and overdue cases**: now, whatever the period (an old open case is still work to do); narrowed by
  campaign, channel and segment like everything else.
- **Outcome**: for detractor cases of the period whose customer answered again later, the NPS of that next
  answer, split by whether the case was followed up *before* that next answer (a reply sent after the
  customer answered again cannot have changed it); and how many of those next scores rose above the
  detractor score. Each case counts once.

Everything reads the case table (small next to the answers, indexed by opening time and status/due; the
next answer is kept on the case when it arrives); the detractor count comes from the rollups.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.http import urlencode

from responses.models import Case

from . import charts, queries, raw
from .filters import Filters
from .metrics import DETRACTOR, Proportion, Split, differs_significantly

# Below this many answers a share or an NPS is shown as "not enough data yet" (with its margin, which is
# then ±30 points or more).
MIN_SAMPLE = 10
# Without PostgreSQL's percentile_cont (the SQLite demo), the medians are taken over the latest cases.
MEDIAN_SAMPLE = 5_000


@dataclass(frozen=True)
class LoopFigures:
    detractors: int  # detractor answers of the period
    detractors_followed_up: Proportion  # of `detractors`
    cases: int  # cases on the period's answers, every group
    first_responses: int  # of `cases`: with a first response (the sample of the median)
    median_first_response: timedelta | None
    resolved: int  # of `cases`: resolved
    median_resolution: timedelta | None
    open_cases: int  # now
    overdue_cases: int  # now: open and past due
    nps_followed_up: Split  # next answers after a followed-up detractor case
    nps_not_followed_up: Split  # next answers after a detractor case not followed up (before it)
    rose_followed_up: Proportion  # of nps_followed_up.total: next score higher than the detractor score
    rose_not_followed_up: Proportion

    @property
    def resurveyed(self) -> int:
        """Detractor cases whose customer answered again later."""
        return self.nps_followed_up.total + self.nps_not_followed_up.total

    @property
    def rose(self) -> Proportion:
        """Of the re-surveyed: how many next scores were higher."""
        return Proportion(
            self.rose_followed_up.hits + self.rose_not_followed_up.hits,
            self.rose_followed_up.total + self.rose_not_followed_up.total,
        )

    @property
    def outcome_differs(self) -> bool:
        """Whether the two NPS values differ beyond the noise (95%)."""
        return differs_significantly(self.nps_followed_up, self.nps_not_followed_up)

    @property
    def has_cases(self) -> bool:
        return bool(self.cases or self.open_cases)


def enough(sample: int) -> bool:
    """Whether a figure over `sample` answers is worth reading as more than noise."""
    return sample >= MIN_SAMPLE


class _Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont), NULLs ignored."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds_between(later: str, earlier: str) -> Func:
    # date_part gives a float; EXTRACT a numeric, which the medians sort a third slower.
    return Func(
        F(later),
        F(earlier),
        template="date_part('epoch', %(expressions)s)",
        arg_joiner=" - ",
        output_field=FloatField(),
    )


def cases(filters: Filters, *, period: bool = True) -> QuerySet[Case]:
    """The cases opened in the period (a case opens as its answer arrives: these are the cases of the
    period's answers) for the filters' campaigns, channels and segment; without `period`, whenever opened.

    The period, campaign and contact are the case's own copies (indexes case_opened, case_status_due); only
    a channel or language filter reads the answer.
    """
    when = "opened_at" if period else None
    return raw.narrow(Case.objects.all(), filters, when, answer="answer__").order_by()


def _median(pairs) -> timedelta | None:
    durations = [max(later - earlier, timedelta(0)) for earlier, later in pairs]
    return statistics.median(durations) if durations else None


def _timing(in_period: QuerySet[Case]) -> dict:
    """Counts and both medians: one query on PostgreSQL, three elsewhere."""
    resolved = Q(status=Case.Status.RESOLVED, closed_at__isnull=False)
    counts = {
        "cases": Count("pk"),
        "detractor_cases": Count("pk", filter=Q(group=DETRACTOR)),
        "followed": Count("pk", filter=Q(group=DETRACTOR, first_response_at__isnull=False)),
        "first_responses": Count("pk", filter=Q(first_response_at__isnull=False)),
        "resolved": Count("pk", filter=resolved),
    }
    if connection.vendor == "postgresql":
        row = in_period.aggregate(
            **counts,
            first=_Median(_seconds_between("first_response_at", "opened_at")),
            resolution=_Median(_seconds_between("closed_at", "opened_at"), filter=resolved),
        )
        for key in ("first", "resolution"):
            row[key] = None if row[key] is None else timedelta(seconds=max(row[key], 0))
        return row
    row = in_period.aggregate(**counts)
    latest = in_period.order_by("-opened_at")
    row["first"] = _median(
        latest.filter(first_response_at__isnull=False).values_list("opened_at", "first_response_at")[
            :MEDIAN_SAMPLE
        ]
    )
    row["resolution"] = _median(latest.filter(resolved).values_list("opened_at", "closed_at")[:MEDIAN_SAMPLE])
    return row


def _outcome(in_period: QuerySet[Case]) -> tuple[Split, Split, Proportion, Proportion]:
    """Next answers after the period's detractor cases, by followed up (before that answer) or not."""
    # The contact's first answer after the case opened is kept on the case (next_score, next_answered_at),
    # so this reads the case table alone, whatever the number of answers.
    rows = (
        in_period.filter(group=DETRACTOR, next_score__isnull=False)
        .annotate(
            followed=ExpressionWrapper(
                Q(first_response_at__lte=F("next_answered_at")), output_field=BooleanField()
            )
        )
        .values_list("followed", "score", "next_score")
        .annotate(n=Count("pk"))
    )
    scores = {True: dict.fromkeys(range(11), 0), False: dict.fromkeys(range(11), 0)}
    rose = {True: 0, False: 0}
    for followed, score, next_score, n in rows:
        if next_score is None:
            continue  # not answered again (yet)
        scores[bool(followed)][next_score] += n
        if next_score > score:
            rose[bool(followed)] += n
    yes, no = Split.from_distribution(scores[True]), Split.from_distribution(scores[False])
    return yes, no, Proportion(rose[True], yes.total), Proportion(rose[False], no.total)


def loop_figures(
    filters: Filters, *, detractors: int | None = None, now: datetime | None = None
) -> LoopFigures:
    """Every follow-up figure for the dashboard's filters; pass `detractors` when the caller has the split."""
    now = now or timezone.now()
    if detractors is None:
        detractors = queries.totals(filters).split.detractors
    in_period = cases(filters)
    # No savepoint: nothing here writes, the block only scopes the setting below.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Thousands of small index lookups (each case's next answer): compiling them costs seconds.
                cursor.execute("SET LOCAL jit = off")
        timing = _timing(in_period)
        backlog = (
            cases(filters, period=False)
            .filter(status__in=Case.OPEN)
            # Counting the indexed columns: read from the (status, due_at) index alone, not the cases.
            .aggregate(open=Count("status"), overdue=Count("due_at", filter=Q(due_at__lte=now)))
        )
        yes, no, rose_yes, rose_no = _outcome(in_period)
    # The rollups catch up within a minute; a detractor case is a detractor answer even before they do.
    detractors = max(detractors, timing["detractor_cases"])
    return LoopFigures(
        detractors=detractors,
        detractors_followed_up=Proportion(timing["followed"], detractors),
        cases=timing["cases"],
        first_responses=timing["first_responses"],
        median_first_response=timing["first"],
        resolved=timing["resolved"],
        median_resolution=timing["resolution"],
        open_cases=backlog["open"],
        overdue_cases=backlog["overdue"],
        nps_followed_up=yes,
        nps_not_followed_up=no,
        rose_followed_up=rose_yes,
        rose_not_followed_up=rose_no,
    )


def inbox_query(filters: Filters, view: str) -> str:
    """The case inbox's query string for a view, narrowed like the dashboard where the inbox can be (one
    campaign, a contact property), so that its count matches the panel's."""
    params = {"view": view}
    if len(filters.campaign_ids) == 1:
        params["campaign"] = filters.campaign_ids[0]
    elif filters.segment and filters.segment[0] == "campaign":
        params["campaign"] = filters.segment[1]
    if filters.property_segment:
        params["property"], params["value"] = filters.property_segment
    return urlencode(params)


def panel(filters: Filters, *, detractors: int | None = None) -> dict:
    """The dashboard's follow-up panel: the figures, the outcome chart (only the sides with enough answers)
    and the inbox links."""
    figures = loop_figures(filters, detractors=detractors)
    yes, no = figures.nps_followed_up, figures.nps_not_followed_up
    chart = None
    if enough(yes.total) or enough(no.total):
        chart = charts.followup_figure(yes if enough(yes.total) else None, no if enough(no.total) else None)
    return {
        "followup": figures,
        "followup_json": chart,
        "followup_enough": {
            "share": enough(figures.detractors_followed_up.total),
            "followed": enough(yes.total),
            "not_followed": enough(no.total),
            "rose": enough(figures.rose.total),
        },
        "outcome_rows": [("Followed up", yes, enough(yes.total)), ("Not followed up", no, enough(no.total))],
        "followup_min_sample": MIN_SAMPLE,
        "open_query": inbox_query(filters, "open"),
        "overdue_query": inbox_query(filters, "overdue"),
    }
