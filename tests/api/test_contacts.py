"""Contacts through the native API: create/update, list by cursor, read, erase."""

import pytest

from responses.models import Answer
from surveys.models import Audience, Contact, Invitation
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


def test_create_contact_then_same_email_updates_it(api):
    response = api.post(
        "/api/v1/contacts",
        {
            "email": "Ana@Example.com",
            "phone": "+91 98765 43210",
            "name": "Ana",
            "properties": {"plan": "pro"},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ana@example.com" and body["phone"] == "+919876543210"
    assert body["properties"] == {"plan": "pro"}

    response = api.post("/api/v1/contacts", {"email": "ana@example.com", "properties": {"region": "EU"}})
    assert response.status_code == 200
    assert response.json()["id"] == body["id"]
    assert response.json()["properties"] == {"plan": "pro", "region": "EU"}
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "Nobody"}, "body.email", "A contact needs an email or a phone number."),
        ({"email": "not-an-email"}, "body.email", "“not-an-email” is not a valid email address."),
        ({"phone": "12"}, "body.phone", "“12” is not a valid phone number"),
        (
            {"email": "a@example.com", "time_zone": "Mars/Base"},
            "body.time_zone",
            "“Mars/Base” is not a time zone",
        ),
        ({"email": "a@example.com", "colour": "red"}, "body.colour", "Unknown field."),
        ({"email": "a\x00@example.com"}, "body", "NUL character"),
        ({"email": 5}, "body.email", "valid string"),
    ],
)
def test_bad_contact_input_is_422_with_the_field_and_writes_nothing(api, body, field, message):
    response = api.post("/api/v1/contacts", body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert any(e["field"] == field and message in e["message"] for e in error["errors"]), error
    assert message in error["detail"]
    assert not Contact.objects.exists()


def test_email_and_phone_of_two_different_contacts_is_refused(api):
    first = make_contact(email="one@example.com")
    second = make_contact(phone="+919876543210")
    response = api.post("/api/v1/contacts", {"email": "one@example.com", "phone": "+919876543210"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"The email belongs to contact {first.pk} and the phone number to contact {second.pk}; "
        "update them one at a time."
    )


def test_patch_changes_only_what_is_sent_and_removes_null_properties(api):
    contact = make_contact(email="ana@example.com", name="Ana", properties={"plan": "pro", "region": "EU"})
    response = api.patch(
        f"/api/v1/contacts/{contact.pk}", {"name": "Ana Rao", "properties": {"region": None, "seats": 5}}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.name == "Ana Rao" and contact.email == "ana@example.com"
    assert contact.properties == {"plan": "pro", "seats": 5}


def test_patch_to_an_email_taken_by_another_contact_is_refused(api):
    make_contact(email="taken@example.com")
    contact = make_contact(email="mine@example.com")
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"email": "taken@example.com"})
    assert response.status_code == 422
    assert "has this email" in response.json()["detail"]
    contact.refresh_from_db()
    assert contact.email == "mine@example.com"


def test_unknown_contact_is_404_json(api):
    response = api.get("/api/v1/contacts/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No contact with id 999999.", "errors": []}
    assert api.patch("/api/v1/contacts/999999", {"name": "x"}).status_code == 404
    assert api.delete("/api/v1/contacts/999999").status_code == 404


def test_cursor_pagination_walks_every_contact_once_even_while_rows_are_added(api):
    ids = {make_contact().pk for _ in range(23)}
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/api/v1/contacts", {"limit": 5, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        body = response.json()
        seen += [row["id"] for row in body["data"]]
        pages += 1
        if pages == 2:
            ids.add(make_contact().pk)  # added mid-walk: still seen, once
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 24
    assert pages == 5


def test_contacts_filter_by_email_and_phone(api):
    ana = make_contact(email="ana@example.com", phone="+919876543210")
    make_contact(email="other@example.com")
    assert [c["id"] for c in api.get("/api/v1/contacts", {"email": "ANA@example.com"}).json()["data"]] == [
        ana.pk
    ]
    assert [c["id"] for c in api.get("/api/v1/contacts", {"phone": "+91 98765 43210"}).json()["data"]] == [
        ana.pk
    ]


@pytest.mark.parametrize("cursor", ["garbage", "YWZ0ZXI6LTE", "%%%"])
def test_bad_cursor_is_400(api, cursor):
    response = api.get("/api/v1/contacts", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["detail"] == "This cursor is not valid: pass the `next_cursor` of a previous page."


def test_limit_above_100_is_422(api):
    response = api.get("/api/v1/contacts", {"limit": 1000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


def test_erasing_a_contact_wipes_personal_data_and_keeps_the_answers_anonymised(api):
    campaign = make_campaign()
    contact = make_contact(
        email="erase@example.com", phone="+919876543210", name="Erin", properties={"plan": "pro"}
    )
    invitation = make_invitation(campaign=campaign, contact=contact, state="sent")
    answer = make_answer(invitation=invitation, score=3, comment="Too slow", notes="Called twice")
    Audience.objects.create(campaign=campaign, contact=contact)

    response = api.delete(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 204

    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Contact.objects.filter(email="erase@example.com").exists()
    assert not Invitation.objects.filter(contact_id=contact.pk).exists()
    assert not Audience.objects.exists()
    answer = Answer.objects.get(pk=answer.pk)
    assert (answer.score, answer.comment, answer.campaign_id) == (3, "Too slow", campaign.pk)
    assert answer.contact_id is None and answer.invitation_id is None and answer.notes == ""
    assert api.get(f"/api/v1/responses/{answer.pk}").json()["contact_id"] is None


def test_body_that_is_not_json_is_400(api):
    response = api.client.post(
        "/api/v1/contacts", "{not json", content_type="application/json", headers=api._headers()
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    assert not Contact.objects.exists()
