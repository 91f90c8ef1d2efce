"""The Themes panel: what detractors complain about and what promoters love, and what each theme costs or
earns in NPS points, for the dashboard's filters (see docs/dashboards.md, "Themes").

The numbers come from the theme rollup (dashboards.theme_rollups) on PostgreSQL, in one query for every
theme and period; from the answers themselves (dashboards.raw) on SQLite, under a contact-property segment
(the rollup holds none) and under a theme filter (the rollup holds no pair of themes). The arithmetic
(impact, its margin, the rising test) is dashboards.metrics.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from responses.models import Theme

from . import charts, queries, raw, rollups
from .filters import Filters, workspace_tz
from .metrics import (
    DETRACTOR,
    FEW_ANSWERS,
    PROMOTER,
    Z_95,
    Impact,
    Split,
    differs_significantly,
    share_rise_z,
    theme_impact,
)
from .models import SCORE_FIELDS, ThemeRollup

# Themes of their own in the trend: the others are in the table only.
TREND_TOP_THEMES = 5
# A theme is "rising" when its share of comments in the last complete period is above its share in the
# periods before by at least this z (two-proportion test, 95%), on at least this many comments.
RISING_Z = Z_95
RISING_MIN_COMMENTS = 10
SUMS = {f: Sum(f) for f in SCORE_FIELDS}

Counts = dict[int, int]  # {score: answers}


def _empty() -> Counts:
    return dict.fromkeys(range(11), 0)


def _as_date(day) -> date:
    if isinstance(day, datetime):
        return timezone.localtime(day, workspace_tz()).date()
    return day


def _from_rollup(filters: Filters, grain: str) -> dict[tuple[date, int | None], Counts] | None:
    """{(period, theme id or None for every comment): {score: answers}} from the theme rollup, or None when
    it does not hold these filters."""
    if not rollups.is_supported() or filters.theme_id is not None or filters.property_segment:
        return None
    if grain == "week":
        days = queries._weeks(filters.start, filters.end)
    else:
        days = queries._days(filters.start, filters.end, whole_months=grain == "month")
    qs = ThemeRollup.objects.filter(days)
    if filters.campaign_ids:
        qs = qs.filter(campaign_id__in=filters.campaign_ids)
    if filters.channels:
        qs = qs.filter(channel__in=filters.channels)
    if filters.segment:
        key, value = filters.segment
        qs = qs.filter(**{"campaign_id" if key == "campaign" else key: value})
    rows = (
        qs.annotate(period=queries.GRAINS[grain]("day"))
        .values("period", "theme_id")
        .annotate(**SUMS)
        .order_by()
    )
    return {(row["period"], row["theme_id"]): {s: row[f"n{s}"] or 0 for s in range(11)} for row in rows}


def _from_answers(filters: Filters, grain: str) -> dict[tuple[date, int | None], Counts]:
    """The same numbers read from the answers: every database, every filter."""
    tz = workspace_tz()
    commented = raw.answers(filters).exclude(comment="")
    out: dict[tuple[date, int | None], Counts] = {}
    every = (
        commented.annotate(period=raw.GRAINS[grain]("answered_at", tzinfo=tz))
        .values("period", "score")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in every:
        out.setdefault((_as_date(row["period"]), None), _empty())[row["score"]] += row["n"]
    links = (
        raw.theme_links()
        .filter(answer__in=commented.values("pk"))
        .annotate(period=raw.GRAINS[grain]("answer__answered_at", tzinfo=tz))
        .values("period", "theme_id", "answer__score")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in links:
        out.setdefault((_as_date(row["period"]), row["theme_id"]), _empty())[row["answer__score"]] += row["n"]
    return out


def theme_counts(filters: Filters, grain: str = "week") -> dict[tuple[date, int | None], Counts]:
    """{(period, theme id): {score: answers with a comment that has the theme}}, and (period, None) for
    every answer with a comment; periods by day, week (Monday) or month in the workspace time zone."""
    counts = _from_rollup(filters, grain)
    counts = _from_answers(filters, grain) if counts is None else counts
    return {key: value for key, value in counts.items() if any(value.values())}


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    pinned: bool
    group: str  # DETRACTOR or PROMOTER: the side of the panel
    comments: int  # the group's comments with this theme
    share: float  # of the group's comments, 0…1
    split: Split  # every answer whose comment has the theme: its NPS
    impact: Impact | None  # points the theme costs (detractors) or earns (promoters)
    rising: bool
    # With vs without, as for segments: the NPS of the answers with the theme differs from the NPS of the
    # other answers by more than the noise (two samples, 95%). The impact itself is never zero once a theme
    # has a comment, so its own interval says how large it is, not whether the theme matters.
    differs: bool = False

    @property
    def is_few(self) -> bool:
        return self.comments < FEW_ANSWERS


@dataclass(frozen=True)
class TrendSeries:
    id: int
    name: str
    shares: list[float | None]  # percent of the period's comments, per period of ThemeTrend.periods
    hits: list[int]
    rising: bool


@dataclass(frozen=True)
class ThemeTrend:
    grain: str
    periods: list[date]  # every period from the first with comments to the last, oldest first
    comments: list[int]  # comments per period
    series: list[TrendSeries]
    current: date | None  # the period still running, if in the trend
    last_complete: date | None  # the period the rising test looks at


@dataclass(frozen=True)
class ThemesPanel:
    overall: Split
    comments: Split  # answers with a comment, by group
    detractors: list[ThemeRow] = field(default_factory=list)
    promoters: list[ThemeRow] = field(default_factory=list)
    trend: ThemeTrend | None = None
    has_themes: bool = False  # any active theme exists at all (else: the empty state)

    @property
    def rising(self) -> list[str]:
        names = {row.id: row.name for row in self.detractors + self.promoters if row.rising}
        return sorted(names.values())


def _rest(overall: Split, part: Split) -> Split:
    """The answers of `overall` that are not in `part` (a theme's answers are among them)."""
    return Split(
        max(overall.promoters - part.promoters, 0),
        max(overall.passives - part.passives, 0),
        max(overall.detractors - part.detractors, 0),
    )


def _period_end(period: date, grain: str) -> date:
    return charts._step(period, grain, 1) - timedelta(days=1)


def _rising(per_period: dict[date, int], totals: dict[date, int], last: date | None) -> bool:
    if last is None:
        return False
    recent, recent_total = per_period.get(last, 0), totals.get(last, 0)
    earlier = sum(n for period, n in per_period.items() if period < last)
    earlier_total = sum(n for period, n in totals.items() if period < last)
    if recent < RISING_MIN_COMMENTS:
        return False
    z = share_rise_z(recent, recent_total, earlier, earlier_total)
    return z is not None and z >= RISING_Z


def panel(filters: Filters, overall: Split, *, grain: str = "week", today: date | None = None) -> ThemesPanel:
    """The Themes panel for these filters; `overall` is the Split of every filtered answer (the headline)."""
    today = today or timezone.now().astimezone(workspace_tz()).date()
    counts = theme_counts(filters, grain)
    ids = {theme_id for _, theme_id in counts if theme_id is not None}
    active = Theme.objects.filter(hidden=False, retired=False, merged_into=None)
    themes = {theme.pk: theme for theme in active.filter(pk__in=ids)}
    totals: dict[int | None, Counts] = {}
    per_period: dict[int | None, dict[date, int]] = {}
    for (period, theme_id), scores in counts.items():
        if theme_id is not None and theme_id not in themes:
            continue  # hidden, retired or merged since the rollup was written
        total = totals.setdefault(theme_id, _empty())
        for score, n in scores.items():
            total[score] += n
        per_period.setdefault(theme_id, {})[period] = sum(scores.values())
    comments = Split.from_distribution(totals.get(None, {}))
    if not themes:
        return ThemesPanel(overall, comments, has_themes=active.exists())

    # The rising test looks at the last period that is over (and inside the filtered range).
    period_totals = per_period.get(None, {})
    current = charts.period_start(today, grain)
    complete = [
        p
        for p in period_totals
        if p < current and (filters.end is None or _period_end(p, grain) <= filters.end)
    ]
    last = max(complete, default=None)
    rising = {pk: _rising(per_period.get(pk, {}), period_totals, last) for pk in themes}

    sides = {DETRACTOR: [], PROMOTER: []}
    for pk, theme in themes.items():
        split = Split.from_distribution(totals[pk])
        for group, rows in sides.items():
            count = split.count(group)
            if not count:
                continue
            # A theme's comments are among the headline's answers; the two rollups are refreshed together,
            # but a tag written between two refreshes may briefly count here first.
            removed = min(count, overall.count(group))
            group_total = max(comments.count(group), count)
            rows.append(
                ThemeRow(
                    id=pk,
                    name=theme.display_name,
                    pinned=theme.pinned,
                    group=group,
                    comments=count,
                    share=count / group_total,
                    split=split,
                    impact=theme_impact(overall, removed, group),
                    rising=rising[pk],
                    differs=differs_significantly(split, _rest(overall, split)),
                )
            )
    for rows in sides.values():
        rows.sort(
            key=lambda row: (
                not row.pinned,
                row.impact is None,
                -(row.impact.points if row.impact else 0),
                -row.comments,
                row.name.lower(),
            )
        )
    return ThemesPanel(
        overall,
        comments,
        detractors=sides[DETRACTOR],
        promoters=sides[PROMOTER],
        trend=_trend(themes, per_period, rising, grain=grain, current=current, last=last),
        has_themes=True,
    )


def _trend(themes, per_period, rising, *, grain: str, current: date, last: date | None) -> ThemeTrend | None:
    """Share of comments per period for the themes with the most comments (pinned ones first)."""
    period_totals = per_period.get(None, {})
    if not period_totals:
        return None
    periods = charts.trend_periods(min(period_totals), max(period_totals), grain)
    ranked = sorted(
        themes,
        key=lambda pk: (
            not themes[pk].pinned,
            -sum(per_period.get(pk, {}).values()),
            themes[pk].display_name.lower(),
        ),
    )
    series = []
    for pk in ranked[:TREND_TOP_THEMES]:
        points = per_period.get(pk, {})
        hits = [points.get(p, 0) for p in periods]
        shares = [
            100.0 * hit / period_totals[p] if period_totals.get(p) else None
            for hit, p in zip(hits, periods, strict=True)
        ]
        series.append(TrendSeries(pk, themes[pk].display_name, shares, hits, rising[pk]))
    return ThemeTrend(
        grain=grain,
        periods=periods,
        comments=[period_totals.get(p, 0) for p in periods],
        series=series,
        current=current if current in period_totals else None,
        last_complete=last,
    )
