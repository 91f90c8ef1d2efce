"""GET /api/v1/contacts/{id}/export: everything held about a person, as JSON, recorded in the audit log."""

import base64

import pytest

from nps.api import keys
from nps.audit.models import AuditEntry
from surveys.contacts import suppress
from surveys.models import Invitation, Suppression
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


def asha():
    contact = make_contact(
        email="asha.rao@example.com", phone="+919876543210", name="Asha Rao", properties={"plan": "pro"}
    )
    campaign = make_campaign(name="Quarterly NPS")
    campaign.audience.create(contact=contact)
    sent = make_invitation(campaign=campaign, contact=contact, state=Invitation.State.SENT)
    make_answer(score=4, invitation=sent, comment="Slow support", notes="Called back on Monday")
    suppress("asha.rao@example.com", reason=Suppression.Reason.UNSUBSCRIBED)
    suppress("someone.else@example.com", reason=Suppression.Reason.BOUNCED)
    return contact, campaign, sent


def test_the_export_holds_the_contact_invitations_answers_and_suppressions(read_api):
    contact, campaign, sent = asha()
    response = read_api.get(f"/api/v1/contacts/{contact.pk}/export")
    assert response.status_code == 200
    data = response.json()
    assert data["format"] == "opennps.contact-export/1"
    assert data["contact"]["email"] == "asha.rao@example.com"
    assert data["contact"]["phone"] == "+919876543210"
    assert data["contact"]["properties"] == {"plan": "pro"}
    assert [c["campaign"] for c in data["campaigns"]] == ["Quarterly NPS"]
    assert [(i["id"], i["state"]) for i in data["invitations"]] == [(sent.pk, "sent")]
    (answer,) = data["answers"]
    assert (answer["score"], answer["comment"], answer["notes"]) == (
        4,
        "Slow support",
        "Called back on Monday",
    )
    assert [s["address"] for s in data["suppressions"]] == ["asha.rao@example.com"]
    assert data["webhook_events"] == []


def test_the_export_is_recorded_with_the_key_and_without_the_person(read_api):
    contact, _campaign, _sent = asha()
    read_api.get(f"/api/v1/contacts/{contact.pk}/export")
    entry = AuditEntry.objects.get(action="contact.export")
    assert entry.actor_label.startswith("API key “Reporting”")
    assert (entry.object_id, entry.object_label) == (str(contact.pk), f"Contact {contact.pk}")
    assert entry.changes["answers"] == 1 and entry.changes["invitations"] == 1
    assert "asha" not in str(entry.changes).lower()


def test_an_unknown_contact_is_404_and_records_nothing(read_api):
    response = read_api.get("/api/v1/contacts/987654/export")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="contact.export").exists()


def test_the_export_needs_a_key(client):
    contact = make_contact()
    assert client.get(f"/api/v1/contacts/{contact.pk}/export").status_code == 401
    assert not AuditEntry.objects.exists()


def test_an_api_erasure_names_the_key_and_keeps_nothing_of_the_person(api):
    contact = make_contact(email="asha.rao@example.com", name="Asha Rao")
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    entry = AuditEntry.objects.get(action="contact.erase")
    assert entry.actor is None
    assert entry.actor_label.startswith("API key “Tests”")
    assert entry.object_label == f"Contact {contact.pk}"
    assert "asha" not in str(list(AuditEntry.objects.values())).lower()


def test_a_delighted_api_erasure_names_the_key_too(client):
    _key, raw = keys.create_api_key(name="Delighted client", read_only=False)
    contact = make_contact(email="ravi@example.com")
    headers = {"Authorization": "Basic " + base64.b64encode(f"{raw}:".encode()).decode()}
    assert client.delete(f"/v1/people/{contact.pk}", headers=headers).status_code == 202
    entry = AuditEntry.objects.get(action="contact.erase")
    assert entry.actor_label.startswith("API key “Delighted client”")
