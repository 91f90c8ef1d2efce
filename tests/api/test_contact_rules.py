"""Both APIs follow the one contact rule (surveys.contacts): phone numbers, property names, erasing."""

import json

import pytest

from nps.api import keys
from responses.models import Answer
from surveys.models import Campaign, Contact, Invitation
from tests.api.test_delighted_http import basic
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def delighted(client):
    raw = keys.create_api_key(name="Delighted rules", read_only=False)[1]
    auth = basic(raw + ":")

    def call(method, path, body=None):
        if body is None:
            return getattr(client, method)(path, headers=auth)
        return getattr(client, method)(path, json.dumps(body), content_type="application/json", headers=auth)

    return call


def test_native_api_reads_a_national_number_in_the_default_region(api, settings):
    settings.DEFAULT_PHONE_REGION = "IN"
    response = api.post("/api/v1/contacts", {"phone": "98765 43210", "name": "Ravi"})
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "+919876543210"
    # The same number written another way is the same contact.
    response = api.post("/api/v1/contacts", {"phone": "+91 98765-43210", "name": "Ravi Iyer"})
    assert response.status_code == 200
    assert Contact.objects.get().name == "Ravi Iyer"
    assert api.get("/api/v1/contacts", {"phone": "098765 43210"}).json()["data"][0]["name"] == "Ravi Iyer"


def test_delighted_api_reads_a_national_number_in_the_default_region(delighted):
    make_campaign(status=Campaign.Status.RUNNING, channels=["email", "sms"])
    response = delighted("post", "/v1/people.json", {"phone_number": "98765 43210", "send": False})
    assert response.status_code == 200, response.content
    assert str(Contact.objects.get().phone) == "+919876543210"
    assert response.json()["phone_number"] == "+919876543210"


def test_native_api_keeps_one_property_plan(api):
    api.post("/api/v1/contacts", {"email": "ana@example.com", "properties": {"plan": "free"}})
    response = api.post("/api/v1/contacts", {"email": "ana@example.com", "properties": {"Plan": "pro"}})
    assert response.json()["properties"] == {"plan": "pro"}
    contact = Contact.objects.get()
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"properties": {" PLAN ": "enterprise"}})
    assert response.json()["properties"] == {"plan": "enterprise"}


def test_delighted_api_keeps_one_property_plan(delighted):
    make_contact(email="ana@example.com", properties={"plan": "free"})
    response = delighted(
        "post", "/v1/people.json", {"email": "ana@example.com", "send": False, "properties": {"Plan": "pro"}}
    )
    assert response.status_code == 200, response.content
    assert Contact.objects.get().properties == {"plan": "pro"}


def test_delighted_erase_is_the_same_erasure_as_the_browser(delighted):
    contact = make_contact(email="gone@example.com")
    invitation = make_invitation(contact=contact, state=Invitation.State.SENT)
    make_answer(invitation=invitation, score=2, notes="private")

    response = delighted("delete", "/v1/people/email%3Agone%40example.com")
    assert response.status_code == 202

    assert not Contact.objects.exists() and not Invitation.objects.exists()
    answer = Answer.objects.get()
    assert (answer.score, answer.contact, answer.invitation, answer.notes) == (2, None, None, "")
