"""Giving comments their themes (STUB: the real module replaces this; the signatures stay)."""

from collections.abc import Callable, Iterable

from responses.models import COUNTED_THEME_SOURCES, AnswerTheme

_listeners: list[Callable[[list[int] | None], None]] = []


def on_changed(fn: Callable[[list[int] | None], None]) -> None:
    """Call fn(answer_ids) after themes of these answers changed (None: of any answer, after a learn or
    merge). dashboards.apps registers its theme rollup refresh."""
    _listeners.append(fn)


def changed(answer_ids: list[int] | None) -> None:
    for fn in _listeners:
        fn(answer_ids)


def assign_answers(answer_ids: Iterable[int]) -> int:
    """Give these answers' comments their themes now (automatic and rule themes, suggestions), keeping hand
    tags and hand removals; idempotent. Returns how many comments were read."""
    return 0


def assign_answer(answer) -> list[int]:
    """Themes of one answer, assigning them first when its comment was not read since it changed. Ids of
    counted themes (responses.models.COUNTED_THEME_SOURCES), active themes only."""
    return list(
        AnswerTheme.objects.filter(
            answer=answer, source__in=COUNTED_THEME_SOURCES, theme__hidden=False, theme__merged_into=None
        ).values_list("theme_id", flat=True)
    )


def assign_new() -> int:
    """Every minute: comments new or changed since the last pass get their themes."""
    return 0
