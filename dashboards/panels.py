"""Every dashboard panel for one Filters: what the dashboard page (and later a shared view or a digest) shows."""

from . import charts, queries
from .filters import Filters
from .metrics import differs_significantly


def compute(filters: Filters, *, grain: str = "week", window: int = 1, by: str = "campaign") -> dict:
    """Headline, change, split, distribution, trend, segments and recent comments, read from the rollups."""
    current = queries.totals(filters)
    split = current.split
    panels = {"split": split}
    if not split.total:
        return panels
    previous_filters = filters.previous()
    previous = queries.totals(previous_filters).split if previous_filters else None
    has_previous = previous is not None and previous.nps is not None
    panels.update(
        previous=previous,
        change=(split.nps - previous.nps) if has_previous else None,
        change_is_significant=bool(has_previous and differs_significantly(split, previous)),
        delivered=current.sent,
        response_rate=current.response_rate,
        trend_json=charts.trend_figure(queries.trend(filters, grain), window=window),
        split_json=charts.split_figure(split),
        distribution_json=charts.distribution_figure(current.distribution),
        segments=queries.segments(filters, by, overall=split),
        comments=queries.recent_comments(filters),
    )
    return panels
