"""The surveys app's data as Delighted's JSON objects: people, unsubscribes and bounces.

The Delighted-compatible API (nps/api/delighted/) answers with them and the webhooks send them
(unsubscribe.created), so both stay the same object.
"""

from datetime import datetime

from .models import Contact, Suppression


def timestamp(moment: datetime | None) -> int | None:
    """Delighted's times: whole seconds since the Unix epoch."""
    return int(moment.timestamp()) if moment else None


def person(contact: Contact, **extra) -> dict:
    """A Delighted person; `extra` adds the fields one endpoint shows (last_sent_at, properties, …).

    `at_risk` is ours (not Delighted's): the churn warning of responses/at_risk.py, a score that fell or
    detractor answers in a row.
    """
    return {
        "id": str(contact.pk),
        "email": contact.email or None,
        "name": contact.name or None,
        "created_at": timestamp(contact.created_at),
        "phone_number": str(contact.phone) if contact.phone else None,
        "at_risk": contact.at_risk,
        **extra,
    }


def _suppression(suppression: Suppression, contact: Contact | None, stamp: str) -> dict:
    address = suppression.address
    return {
        "person_id": str(contact.pk) if contact else None,
        "email": address if "@" in address else (contact.email if contact else None),
        "name": (contact.name or None) if contact else None,
        stamp: timestamp(suppression.created_at),
    }


def unsubscribe(suppression: Suppression, contact: Contact | None) -> dict:
    """A Delighted unsubscribe object, as GET /v1/unsubscribes.json lists it."""
    return _suppression(suppression, contact, "unsubscribed_at")


def bounce(suppression: Suppression, contact: Contact | None) -> dict:
    """A Delighted bounce object, as GET /v1/bounces.json lists it."""
    return _suppression(suppression, contact, "bounced_at")
