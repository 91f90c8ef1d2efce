"""Themes of answers as pages show them (tags on comments)."""

from dataclasses import dataclass

from responses.models import COUNTED_THEME_SOURCES, AnswerTheme


@dataclass(frozen=True)
class ThemeTag:
    id: int
    name: str
    source: str  # responses.models.AnswerTheme.Source

    @property
    def suggested(self) -> bool:
        return self.source == AnswerTheme.Source.LEARNED


def themes_by_answer(answer_ids) -> dict[int, list[ThemeTag]]:
    """{answer id: its active themes, by name}, in one query."""
    out: dict[int, list[ThemeTag]] = {}
    rows = (
        AnswerTheme.objects.filter(
            answer_id__in=list(answer_ids),
            source__in=COUNTED_THEME_SOURCES,
            theme__hidden=False,
            theme__retired=False,
            theme__merged_into=None,
        )
        .select_related("theme")
        .order_by("theme__name", "theme__label", "theme_id")
    )
    for row in rows:
        out.setdefault(row.answer_id, []).append(ThemeTag(row.theme_id, row.theme.display_name, row.source))
    return out
