"""Answers and unsubscribes as Delighted's JSON objects, for webhooks.

A survey response is exactly the object of the Delighted-compatible API (surveys.delighted), with the
person and notes expanded as Delighted's webhooks send them, so that both never drift apart.
"""

from surveys.models import Contact, Suppression

from .models import Answer


def survey_response(answer: Answer) -> dict:
    """A Delighted survey response object with `person` and `notes` expanded."""
    # Imported here: the compatible API imports the answer services, which import this module.
    from surveys.delighted import _response

    return _response(answer, {"person", "notes"})


def unsubscribe(suppression: Suppression, contact: Contact | None) -> dict:
    """A Delighted unsubscribe object, as GET /v1/unsubscribes.json lists it."""
    address = suppression.address
    return {
        "person_id": str(contact.pk) if contact else None,
        "email": address if "@" in address else (contact.email if contact else None),
        "name": (contact.name or None) if contact else None,
        "unsubscribed_at": int(suppression.created_at.timestamp()),
    }
