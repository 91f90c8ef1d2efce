"""The comments page: filtered answers with a comment, newest first, with full-text search."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet

from responses.models import Answer

from . import queries
from .filters import Filters
from .metrics import SCORES_OF

PER_PAGE = 25


def search_comments(
    filters: Filters, *, group: str = "", score: int | None = None, text: str = ""
) -> QuerySet[Answer]:
    """Answers with a comment under the filters, newest first."""
    qs = queries.answers(filters).exclude(comment="")
    if group:
        low, high = SCORES_OF[group]
        qs = qs.filter(score__gte=low, score__lte=high)
    if score is not None:
        qs = qs.filter(score=score)
    if text:
        if connection.vendor == "postgresql":
            # Served by the GIN index of migration dashboards 0003 (the same expression); "simple" keeps
            # words as typed, whatever the language of the comment.
            qs = qs.annotate(_search=SearchVector("comment", config="simple")).filter(
                _search=SearchQuery(text, config="simple", search_type="websearch")
            )
        else:
            qs = qs.filter(comment__icontains=text)
    return qs.select_related("campaign", "contact").order_by("-answered_at", "-id")


def page_of(qs: QuerySet[Answer], page: int) -> tuple[list[Answer], bool]:
    """One page and whether there is a next one, without counting every match (cheap on millions)."""
    offset = (page - 1) * PER_PAGE
    rows = list(qs[offset : offset + PER_PAGE + 1])
    return rows[:PER_PAGE], len(rows) > PER_PAGE
