"""The contact page's "Export data" button: everything held about the person as a JSON file, admins only."""

import json

import pytest
from django.urls import reverse

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from surveys.models import Invitation
from tests.factories import make_answer, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db


def test_an_admin_downloads_the_contacts_data_and_the_export_is_recorded(client):
    admin = make_user(role=Role.ADMIN)
    client.force_login(admin)
    contact = make_contact(email="asha.rao@example.com", name="Asha Rao", properties={"plan": "pro"})
    make_answer(
        score=10, invitation=make_invitation(contact=contact, state=Invitation.State.SENT), comment="Love it"
    )

    response = client.post(reverse("surveys:contact_export", args=[contact.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="contact-{contact.pk}.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["contact"]["name"] == "Asha Rao" and data["contact"]["properties"] == {"plan": "pro"}
    assert [(a["score"], a["comment"]) for a in data["answers"]] == [(10, "Love it")]
    entry = AuditEntry.objects.get(action="contact.export")
    assert (entry.actor, entry.object_id) == (admin, str(contact.pk))


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER])
def test_only_admins_may_export_a_contact(client, role):
    client.force_login(make_user(role=role))
    contact = make_contact()
    assert client.post(reverse("surveys:contact_export", args=[contact.pk])).status_code == 403
    assert not AuditEntry.objects.exists()


def test_the_export_is_a_post_and_an_unknown_contact_is_404(client):
    client.force_login(make_user(role=Role.ADMIN))
    contact = make_contact()
    assert client.get(reverse("surveys:contact_export", args=[contact.pk])).status_code == 405
    assert client.post(reverse("surveys:contact_export", args=[987654])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_the_button_shows_for_admins_only(client):
    contact = make_contact()
    client.force_login(make_user(role=Role.ADMIN))
    assert "Export data" in client.get(contact.get_absolute_url()).text
    client.force_login(make_user(role=Role.LEAD))
    assert "Export data" not in client.get(contact.get_absolute_url()).text
