"""Answers as Delighted's survey response objects.

The Delighted-compatible API (nps/api/delighted/) answers with them and the webhooks send them (with the
person and notes expanded, as Delighted's webhooks do), so both stay the same object.
"""

from collections.abc import Collection

from django.conf import settings
from django.urls import reverse

from surveys.serializers import person, timestamp

from .models import Answer

# What Delighted's webhooks expand; the API expands what its `expand[]` parameter asks for.
WEBHOOK_EXPAND = frozenset({"person", "notes"})


def survey_response(answer: Answer, expand: Collection[str] = WEBHOOK_EXPAND) -> dict:
    """A Delighted survey response object; `expand` may hold "person" and "notes"."""
    contact = answer.contact
    person_data: dict | str | None = None
    if contact is not None:
        person_data = person(contact) if "person" in expand else str(contact.pk)
    notes: list = []
    if answer.notes:
        if "notes" in expand:
            author = answer.recorded_by.email if answer.recorded_by else None
            notes = [
                {
                    "id": str(answer.pk),
                    "text": answer.notes,
                    "user_email": author,
                    "created_at": timestamp(answer.updated_at),
                }
            ]
        else:
            notes = [str(answer.pk)]
    permalink = ""
    if contact is not None:
        permalink = settings.PUBLIC_BASE_URL + reverse("surveys:contact_detail", args=[contact.pk])
    return {
        "id": str(answer.pk),
        "person": person_data,
        "survey_type": "nps",
        "score": answer.score,
        "comment": answer.comment or None,
        "permalink": permalink,
        "created_at": timestamp(answer.answered_at),
        "updated_at": timestamp(answer.updated_at),
        "person_properties": (contact.properties or None) if contact else None,
        "notes": notes,
        "tags": [],
        "additional_answers": [],
    }
