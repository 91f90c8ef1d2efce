"""Unsubscribes and bounces: /v1/unsubscribes.json (list, add) and /v1/bounces.json (list)."""

from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from surveys import serializers
from surveys.contacts import ContactError, normalize_email, suppress
from surveys.models import Contact, Suppression

from .protocol import created_between, invalid, json_response, page_params, text_param


def _suppressions(
    params: dict, queryset, serialize: Callable[[Suppression, Contact | None], dict]
) -> list[dict]:
    """One page of suppressions (page/per_page, oldest first), each with the contact of its address."""
    per_page, page = page_params(params)
    rows = list(
        created_between(queryset, params, "created_at").order_by("created_at", "pk")[
            (page - 1) * per_page : page * per_page
        ]
    )
    emails = [row.address for row in rows if "@" in row.address]
    phones = [row.address for row in rows if "@" not in row.address]
    contacts = {}
    for contact in Contact.objects.filter(Q(email__in=emails) | Q(phone__in=phones)):
        contacts[(contact.email or "").lower()] = contact
        contacts[str(contact.phone or "")] = contact
    return [serialize(row, contacts.get(row.address)) for row in rows]


def list_unsubscribes(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/unsubscribes.json: unsubscribed, complained or suppressed by an admin."""
    queryset = Suppression.objects.exclude(reason=Suppression.Reason.BOUNCED)
    return json_response(_suppressions(params, queryset, serializers.unsubscribe))


def create_unsubscribe(request: HttpRequest, params: dict) -> HttpResponse:
    """POST /v1/unsubscribes.json: person_email never receives a survey again."""
    email = text_param(params, "person_email")
    if not email:
        raise invalid("person_email", "can't be blank")
    try:
        email = normalize_email(email)
    except ContactError:
        raise invalid("person_email", "is invalid") from None
    suppress(email, reason=Suppression.Reason.UNSUBSCRIBED, detail="Unsubscribed through the API")
    return json_response({"ok": True})


def list_bounces(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/bounces.json"""
    queryset = Suppression.objects.filter(reason=Suppression.Reason.BOUNCED)
    return json_response(_suppressions(params, queryset, serializers.bounce))
