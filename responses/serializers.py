"""Answers and cases as the JSON objects of the Delighted-compatible API and the webhooks.

`survey_response` is Delighted's survey response object: the Delighted-compatible API (nps/api/delighted/)
answers with it and the webhooks send it (with the person and notes expanded, as Delighted's webhooks do),
so both stay the same object. `case` is a follow-up case (webhook events case.created and case.updated), with
its answer's survey response inside it. Times are Unix seconds, as everywhere in Delighted's objects.
"""

from collections.abc import Collection

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse

from surveys.serializers import person, timestamp

from .models import COUNTED_THEME_SOURCES, Answer, AnswerTheme, Case, CaseEvent, Tag, Theme
from .themes.assign import assign_answer

# What Delighted's webhooks expand; the API expands what its `expand[]` parameter asks for.
WEBHOOK_EXPAND = frozenset({"person", "notes"})

# Set by `with_payload_relations` so that a page of answers reads its cases' notes in one query.
_NOTES_ATTR = "payload_notes"
# …and their comments' themes.
_THEMES_ATTR = "payload_themes"


def _theme_links():
    """An answer's counted links to active themes (responses.models: what a comment's themes are)."""
    return AnswerTheme.objects.filter(
        source__in=COUNTED_THEME_SOURCES, theme__hidden=False, theme__retired=False, theme__merged_into=None
    ).select_related("theme")


def with_payload_relations(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """`answers` with what `survey_response` reads (contact, tags, case notes, themes) fetched in a few
    queries, not a few per answer: for the API's pages of up to 100 responses."""
    notes = (
        CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return answers.select_related("contact", "recorded_by", "case").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch("case__events", queryset=notes, to_attr=_NOTES_ATTR),
        Prefetch("theme_links", queryset=_theme_links(), to_attr=_THEMES_ATTR),
    )


def answer_permalink(answer_id: int) -> str:
    """The answer's page in OpenNPS (the response page: contact, history, case)."""
    try:
        path = reverse("responses:answer_detail", args=[answer_id])
    except NoReverseMatch:  # while the page is not mounted (it is /responses/<pk>/ by design)
        path = f"/responses/{answer_id}/"
    return settings.PUBLIC_BASE_URL + path


def _case_of(answer: Answer) -> Case | None:
    try:
        return answer.case
    except Case.DoesNotExist:
        return None


def _tag_names(answer: Answer) -> list[str]:
    # .all() uses the prefetched tags when there are some; otherwise one query.
    return sorted((tag.name for tag in answer.tags.all()), key=str.casefold)


def _themes(answer: Answer, *, assign: bool) -> list[dict]:
    """The comment's themes as `{"id", "name"}`, by name. `assign`: give the comment its themes first if it
    was not read since it changed (the webhooks: a comment saved a second ago has its themes in the event,
    not a minute later); else what is stored (the API's pages: prefetched, no query per answer)."""
    if not (answer.comment or "").strip():
        return []
    if assign:
        themes = list(Theme.objects.filter(pk__in=assign_answer(answer)))
    else:
        links = getattr(answer, _THEMES_ATTR, None)
        if links is None:
            links = list(_theme_links().filter(answer=answer))
        themes = [link.theme for link in links]
    ordered = sorted(themes, key=lambda theme: (theme.display_name.casefold(), theme.pk))
    return [{"id": str(theme.pk), "name": theme.display_name} for theme in ordered]


def _note_events(case: Case | None) -> list[CaseEvent]:
    if case is None:
        return []
    prefetched = getattr(case, _NOTES_ATTR, None)
    if prefetched is not None:
        return prefetched
    return list(
        case.events.filter(kind=CaseEvent.Kind.NOTE).select_related("actor").order_by("created_at", "pk")
    )


def _note(pk: int, text: str, author, moment) -> dict:
    """Delighted's expanded note."""
    return {
        "id": str(pk),
        "text": text,
        "user_email": author.email if author else None,
        "created_at": timestamp(moment),
    }


def case_notes(case: Case | None) -> list[dict]:
    """The notes written on a case (its NOTE events), oldest first."""
    return [_note(event.pk, event.text, event.actor, event.created_at) for event in _note_events(case)]


def _notes(answer: Answer) -> list[dict]:
    """An answer's notes: the interviewer's notes (if any), then the notes of its case."""
    notes = [_note(answer.pk, answer.notes, answer.recorded_by, answer.updated_at)] if answer.notes else []
    return notes + case_notes(_case_of(answer))


def survey_response(
    answer: Answer, expand: Collection[str] = WEBHOOK_EXPAND, *, assign_themes: bool = False
) -> dict:
    """A Delighted survey response object; `expand` may hold "person" and "notes".

    `notes` are the interviewer's notes and the notes written on the answer's case; `tags` the answer's tags
    (names); `themes` (an OpenNPS addition) the comment's themes, `{"id", "name"}`, assigned first with
    `assign_themes` (the webhooks); `permalink` the answer's page in OpenNPS; the expanded person carries
    `at_risk`.
    """
    contact = answer.contact
    person_data: dict | str | None = None
    if contact is not None:
        person_data = person(contact) if "person" in expand else str(contact.pk)
    notes = _notes(answer)
    if "notes" not in expand:
        notes = [note["id"] for note in notes]
    return {
        "id": str(answer.pk),
        "person": person_data,
        "survey_type": "nps",
        "score": answer.score,
        "comment": answer.comment or None,
        "permalink": answer_permalink(answer.pk),
        "created_at": timestamp(answer.answered_at),
        "updated_at": timestamp(answer.updated_at),
        "person_properties": (contact.properties or None) if contact else None,
        "notes": notes,
        "tags": _tag_names(answer),
        "themes": _themes(answer, assign=assign_themes),
        "additional_answers": [],
    }


def case(case: Case) -> dict:
    """A follow-up case as the webhooks send it (case.created, case.updated).

    `survey_response` is the answer's survey response (person and notes expanded); `notes` are the case's
    notes in the same shape; `tags` are the answer's tags; `at_risk` is the contact's flag (false without
    a contact); `overdue` is true for an open case past its due time.
    """
    # Read afresh: the caller's objects may predate the write that this event is about.
    answer = with_payload_relations(Answer.objects.all()).filter(pk=case.answer_id).first()
    response = survey_response(answer, assign_themes=True) if answer is not None else None
    contact = answer.contact if answer is not None else None
    fresh = _case_of(answer) if answer is not None else None
    owner = case.owner
    return {
        "id": str(case.pk),
        "status": case.status,
        "priority": case.priority,
        "owner_email": owner.email if owner else None,
        "due_at": timestamp(case.due_at),
        "overdue": case.is_overdue,
        "score": case.score,
        "group": case.group,
        "tags": response["tags"] if response else [],
        "at_risk": bool(contact and contact.at_risk),
        "opened_at": timestamp(case.opened_at),
        "updated_at": timestamp(case.updated_at),
        "first_response_at": timestamp(case.first_response_at),
        "closed_at": timestamp(case.closed_at),
        "permalink": answer_permalink(case.answer_id),
        "survey_response": response,
        "notes": case_notes(fresh or case),
    }
