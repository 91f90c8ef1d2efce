"""Every dashboard panel for one Filters: what the dashboard page (and later a shared view or a digest) shows."""

from datetime import date, timedelta

from django.utils import timezone

from responses.themes.display import themes_by_answer

from . import charts, queries, themes
from .filters import Filters, workspace_tz
from .metrics import FEW_ANSWERS, differs_significantly, nps_interval


def compute(
    filters: Filters, *, grain: str = "week", window: int = 1, by: str = "campaign", trend_by: str = ""
) -> dict:
    """Headline, change, split, distribution, trend, segments and recent comments, read from the rollups."""
    current = queries.totals(filters)
    split = current.split
    panels = {"split": split, "few_answers": FEW_ANSWERS, "theme_filtered": filters.theme_id is not None}
    if not split.total:
        return panels
    previous_filters = filters.previous()
    previous = queries.totals(previous_filters).split if previous_filters else None
    has_previous = previous is not None and previous.nps is not None
    trend = queries.trend(filters, grain)
    today = timezone.now().astimezone(workspace_tz()).date()
    panels.update(
        previous=previous,
        change=(split.nps - previous.nps) if has_previous else None,
        change_is_significant=bool(has_previous and differs_significantly(split, previous)),
        interval=nps_interval(split.promoters, split.passives, split.detractors),
        delivered=current.sent,
        response_rate=current.response_rate,
        trend_json=charts.trend_figure(trend, window=window, grain=grain, today=today),
        trend_has_few=any(s.is_few for s in charts.rolled_splits(trend, window)),
        trend_running=charts.running_period(trend, grain, today),
        split_json=charts.split_figure(split),
        distribution_json=charts.distribution_figure(current.distribution),
        segments=queries.segments(filters, by, overall=split),
        comments=with_theme_tags(list(queries.recent_comments(filters))),
    )
    panels.update(themes_panel(filters, split, grain=grain, today=today))
    if trend_by:
        panels.update(segment_trend(filters, by=trend_by, grain=grain, window=window))
    return panels


def with_theme_tags(answers: list) -> list:
    """The answers, each with `theme_tags`: its comment's themes (one query for them all)."""
    tags = themes_by_answer([answer.pk for answer in answers])
    for answer in answers:
        answer.theme_tags = tags.get(answer.pk, [])
    return answers


# Rows per side before "Show all" (the rest are in the page, for search and for readers without JavaScript).
THEMES_SHOWN = 8


def themes_panel(filters: Filters, overall, *, grain: str = "week", today: date | None = None) -> dict:
    """The Themes panel and the trend per theme (dashboards.themes), and the trend's figure."""
    panel = themes.panel(filters, overall, grain=grain, today=today)
    trend = panel.trend
    return {
        "themes": panel,
        "themes_few": FEW_ANSWERS,
        "themes_shown": THEMES_SHOWN,
        "themes_rising_z": themes.RISING_Z,
        "themes_rising_min": themes.RISING_MIN_COMMENTS,
        "theme_trend_json": charts.theme_trend_figure(trend) if trend and trend.series else None,
        # The trend's figures as a table, newest period first: (period, comments, [(share, hits) per theme]).
        "theme_trend_rows": [
            (period, trend.comments[i], [(s.shares[i], s.hits[i]) for s in trend.series])
            for i, period in enumerate(trend.periods)
        ][::-1]
        if trend
        else [],
    }


def segment_trend(filters: Filters, *, by: str, grain: str = "week", window: int = 1) -> dict:
    """Segments over time: one NPS line per value of `by`, from the segment rollup, and the same figures
    as a table (newest period first; each cell a Split, or None, and whether it has enough answers)."""
    trend = queries.segment_trend(filters, by, grain)
    columns = [charts.segment_points(s.points, trend.periods, window) for s in trend.series]
    rows = [
        (period, [(c[i], c[i] is not None and charts.is_readable(c[i])) for c in columns])
        for i, period in enumerate(trend.periods)
    ]
    cells = [readable for _, row in rows for split, readable in row if split is not None]
    today = timezone.now().astimezone(workspace_tz()).date()
    return {
        "segment_trend": trend,
        "segment_trend_label": by.replace("_", " ").capitalize(),
        "segment_trend_json": charts.segment_trend_figure(trend, grain=grain, window=window),
        "segment_trend_rows": rows[::-1],
        # The period today falls in is not over yet: its figures will still change.
        "segment_trend_current": _period_start(today, grain),
        "segment_trend_grain": grain,
        "segment_trend_max_margin": charts.SEGMENT_POINT_MAX_MARGIN,
        # Most points too uncertain to read: longer periods or smoothing would give readable lines.
        "segment_trend_mostly_faint": cells.count(False) > len(cells) / 2
        and (grain != "month" or window == 1),
    }


def _period_start(day: date, grain: str) -> date:
    if grain == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday()) if grain == "week" else day
