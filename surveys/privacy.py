"""Everything OpenNPS holds about one person, as one JSON document (GDPR art. 15 and 20, DPDP Act s. 11).

`export_contact` builds it for the contact page's button and the native API alike, and records the export
in the audit log. Surveys holds the contact, their campaigns, invitations and suppressions; apps above
surveys (responses: the answers and their comments; cases next) add their part through an Exporter they
register from their AppConfig.ready(), as they register an Eraser for erasure.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from nps import audit
from nps.webhooks.models import WebhookDelivery

from .models import Contact, Invitation, Suppression

FORMAT = "opennps.contact-export/1"


@dataclass(frozen=True)
class Exporter:
    """What another app holds about a contact, for their export.

    key:    the document's key for it ("answers"); unique.
    export: the records as JSON-ready values (a list of objects), read only.
    """

    key: str
    export: Callable[[Contact], list[dict]]


_exporters: list[Exporter] = []


def register_exporter(exporter: Exporter) -> Exporter:
    """Have export_contact include `exporter`'s records (once, however often it is registered)."""
    if exporter not in _exporters:
        _exporters.append(exporter)
    return exporter


def _time(value) -> str | None:
    return value.isoformat() if value else None


def _contact(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "email": contact.email,
        "phone": str(contact.phone) if contact.phone else None,
        "name": contact.name,
        "language": contact.language,
        "time_zone": contact.time_zone,
        "properties": contact.properties or {},
        "created_at": _time(contact.created_at),
        "updated_at": _time(contact.updated_at),
        "last_surveyed_at": _time(contact.last_surveyed_at),
        "last_score": contact.last_score,
        "last_answered_at": _time(contact.last_answered_at),
        "at_risk": contact.at_risk,
        "at_risk_reason": contact.at_risk_reason,
    }


def _campaigns(contact: Contact) -> list[dict]:
    memberships = contact.memberships.select_related("campaign").order_by("added_at", "pk")
    return [
        {"campaign_id": m.campaign_id, "campaign": m.campaign.name, "added_at": _time(m.added_at)}
        for m in memberships
    ]


def _invitations(contact: Contact) -> list[dict]:
    invitations = contact.invitations.select_related("campaign").order_by("created_at", "pk")
    return [
        {
            "id": invitation.pk,
            "campaign_id": invitation.campaign_id,
            "campaign": invitation.campaign.name,
            "channel": invitation.channel,
            "round": invitation.round,
            "state": invitation.state,
            "language": invitation.language,
            "scheduled_for": _time(invitation.scheduled_for),
            "sent_at": _time(invitation.sent_at),
            "reminder_sent_at": _time(invitation.reminder_sent_at),
            "error": invitation.error,
            "created_at": _time(invitation.created_at),
        }
        for invitation in invitations
    ]


def _suppressions(contact: Contact) -> list[dict]:
    addresses = [address for address in (contact.email and contact.email.lower(), contact.phone) if address]
    suppressions = Suppression.objects.filter(address__in=[str(a) for a in addresses]).order_by("created_at")
    return [
        {
            "address": s.address,
            "reason": s.reason,
            "detail": s.detail,
            "created_at": _time(s.created_at),
        }
        for s in suppressions
    ]


def _webhook_events(contact: Contact) -> list[dict]:
    """Where their data was sent: the webhook events about them (the recipients, not the payloads)."""
    deliveries = WebhookDelivery.objects.filter(contact_id=contact.pk).select_related("endpoint")
    return [
        {
            "event": delivery.event_type,
            "event_id": str(delivery.event_id),
            "recipient": delivery.endpoint.url,
            "state": delivery.state,
            "created_at": _time(delivery.created_at),
            "delivered_at": _time(delivery.delivered_at),
        }
        for delivery in deliveries.order_by("created_at", "pk")
    ]


def contact_document(contact: Contact) -> dict:
    """The contact's full data as JSON-ready values, without recording anything."""
    document = {
        "format": FORMAT,
        "exported_at": _time(timezone.now()),
        "contact": _contact(contact),
        "campaigns": _campaigns(contact),
        "invitations": _invitations(contact),
        # The suppression list matches addresses, not contacts: it stays after an erasure.
        "suppressions": _suppressions(contact),
        "webhook_events": _webhook_events(contact),
    }
    for exporter in _exporters:
        document[exporter.key] = exporter.export(contact)
    return document


def export_contact(contact: Contact) -> dict:
    """The contact's full data as one JSON-ready document; the export is recorded in the audit log."""
    document = contact_document(contact)
    counts = {key: len(value) for key, value in document.items() if isinstance(value, list)}
    # By id only: the audit log must not keep what a later erasure removes.
    audit.record("contact.export", object_id=contact.pk, label=f"Contact {contact.pk}", changes=counts)
    return document


# Retention (nps.retention applies the settings every night) -------------------------------------------


def inactive_contacts(before):
    """Contacts with no activity since `before`: not created, changed (edits, imports, API updates),
    surveyed, sent an invitation or answering since then."""
    recent = (
        Q(created_at__gte=before)
        | Q(updated_at__gte=before)
        | Q(last_surveyed_at__gte=before)
        | Q(invitations__created_at__gte=before)
        | Q(invitations__sent_at__gte=before)
        # The answers' table belongs to responses; the reverse relation reads it without importing it.
        | Q(answers__answered_at__gte=before)
        | Q(answers__updated_at__gte=before)
    )
    return Contact.objects.exclude(pk__in=Contact.objects.filter(recent).values("pk"))


def clear_invitation_errors(before) -> int:
    """Blank the provider error texts (which may quote an address) of invitations settled before `before`."""
    settled = Invitation.objects.exclude(state__in=[Invitation.State.QUEUED, Invitation.State.SENDING])
    return settled.filter(state_changed_at__lt=before).exclude(error="").update(error="")
