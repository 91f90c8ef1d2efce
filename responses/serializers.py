"""Answers, contacts and unsubscribes as Delighted's JSON objects (webhooks and the compatible API).

Delighted gives ids as strings and times as Unix seconds; an empty comment is null.
"""

from django.conf import settings
from django.urls import reverse

from surveys.models import Contact, Suppression

from .models import Answer


def unix(moment) -> int | None:
    return int(moment.timestamp()) if moment else None


def person(contact: Contact) -> dict:
    """A Delighted person object."""
    return {
        "id": str(contact.pk),
        "name": contact.name or None,
        "email": contact.email or None,
        "phone_number": str(contact.phone) if contact.phone else None,
        "created_at": unix(contact.created_at),
        "last_sent_at": unix(contact.last_surveyed_at),
    }


def permalink(answer: Answer) -> str:
    """Where a teammate sees the answer: the contact's page, else the dashboard."""
    if answer.contact_id:
        path = reverse("surveys:contact_detail", args=[answer.contact_id])
    else:
        path = reverse("dashboards:home")
    return f"{settings.PUBLIC_BASE_URL}{path}#answer-{answer.pk}"


def survey_response(answer: Answer, *, expand_person: bool = True) -> dict:
    """A Delighted survey response object; `person` is the person object or only its id."""
    contact = answer.contact
    notes = []
    if answer.notes:
        notes.append(
            {
                "id": str(answer.pk),
                "text": answer.notes,
                "user_email": answer.recorded_by.email if answer.recorded_by_id else None,
                "created_at": unix(answer.updated_at),
            }
        )
    person_value = None if contact is None else person(contact) if expand_person else str(contact.pk)
    return {
        "id": str(answer.pk),
        "person": person_value,
        "survey_type": "nps",
        "score": answer.score,
        "comment": answer.comment or None,
        "permalink": permalink(answer),
        "created_at": unix(answer.answered_at),
        "updated_at": unix(answer.updated_at),
        "person_properties": dict(contact.properties) if contact is not None else {},
        "notes": notes,
        "tags": [],
        "additional_answers": [],
        "channel": answer.channel,
    }


def unsubscribe(suppression: Suppression, contact: Contact | None) -> dict:
    """A Delighted unsubscribe object."""
    return {
        "person_id": str(contact.pk) if contact else None,
        "email": contact.email if contact and contact.email else suppression.address,
        "name": (contact.name or None) if contact else None,
        "unsubscribed_at": unix(suppression.created_at),
    }
