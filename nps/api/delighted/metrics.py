"""Metrics: /v1/metrics.json, the dashboard's own figures (dashboards.queries) in Delighted's shape."""

import math

from django.http import HttpRequest, HttpResponse

from dashboards import queries
from dashboards.filters import workspace_tz
from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER

from .protocol import id_param, json_response, moment_param


def _rounded(value: float | None) -> int | None:
    """Half away from zero, as people round percentages (Python's round() rounds half to even)."""
    if value is None:
        return None
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def metrics(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/metrics.json: the dashboard's own figures for whole days from `since` to `until`."""
    since, until = moment_param(params, "since"), moment_param(params, "until")
    campaign_ids: tuple[int, ...] = ()
    if params.get("trend"):
        campaign_ids = (id_param(params, "trend"),)
    zone = workspace_tz()
    filters = queries.Filters(
        start=since.astimezone(zone).date() if since else None,
        end=until.astimezone(zone).date() if until else None,
        campaign_ids=campaign_ids,
    )
    split = queries.split(filters)
    # Delighted's shape: a whole NPS (0, not null, with no responses, as its clients expect) and
    # percentages as numbers with one decimal.
    return json_response(
        {
            "nps": _rounded(split.nps) or 0,
            "promoter_count": split.promoters,
            "promoter_percent": _percent(split, PROMOTER),
            "passive_count": split.passives,
            "passive_percent": _percent(split, PASSIVE),
            "detractor_count": split.detractors,
            "detractor_percent": _percent(split, DETRACTOR),
            "response_count": split.total,
        }
    )


def _percent(split, group: str) -> float:
    share = split.percent(group)
    return 0.0 if share is None else _rounded(share * 10) / 10
