"""Hand tags on comments (TEMPORARY: the theme pages' services.py replaces this file; these two keep their
names and arguments)."""

from django.db import transaction
from django.utils import timezone

from nps import audit

from ..models import Answer, AnswerTheme, Theme
from . import assign


def _set(answer: Answer, theme: Theme, source: str, *, by) -> AnswerTheme:
    with transaction.atomic():
        link, created = AnswerTheme.objects.select_for_update().get_or_create(
            answer=answer,
            theme=theme,
            defaults={"source": source, "weight": 1.0, "tagged_by": by, "created_at": timezone.now()},
        )
        if not created and link.source != source:
            before = link.source
            link.source, link.weight, link.tagged_by, link.created_at = source, 1.0, by, timezone.now()
            link.save(update_fields=["source", "weight", "tagged_by", "created_at"])
        else:
            before = None if created else link.source
        if before != source:
            action = "theme.tag" if source == AnswerTheme.Source.HAND else "theme.untag"
            audit.record(
                action, obj=theme, changes={"answer": answer.pk, "source": [before, source]}, actor=by
            )
            answer_id = answer.pk
            transaction.on_commit(lambda: assign.changed([answer_id]))
    return link


def tag_answer(answer: Answer, theme: Theme, *, by) -> AnswerTheme:
    """The comment has this theme, by hand: never taken away by automatic assignment."""
    return _set(answer, theme, AnswerTheme.Source.HAND, by=by)


def untag_answer(answer: Answer, theme: Theme, *, by) -> AnswerTheme:
    """The comment does not have this theme, by hand: never given it again automatically."""
    return _set(answer, theme, AnswerTheme.Source.REMOVED, by=by)
