"""Survey requests, unsubscribes and bounces, campaigns through the native API."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from surveys.models import Contact, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def running():
    return make_campaign(name="Support NPS", status="running", channels=["email"])


def test_survey_request_now_sends_the_email(api, running, django_capture_on_commit_callbacks):
    contact = make_contact(email="ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/survey-requests", {"contact_id": contact.pk, "campaign_id": running.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "queued" and body["channel"] == "email"
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert api.get(f"/api/v1/survey-requests/{body['id']}").json()["state"] == "sent"


def test_survey_request_with_email_creates_the_contact_and_waits_for_the_delay(api, running):
    response = api.post(
        "/api/v1/survey-requests",
        {
            "email": "new@example.com",
            "name": "Nia",
            "campaign_id": running.pk,
            "delay": 3600,
            "properties": {"plan": "pro", "question_product_name": "Acme Cloud"},
        },
    )
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get()
    assert invitation.state == "queued"
    assert timedelta(minutes=59) < invitation.scheduled_for - timezone.now() <= timedelta(hours=1)
    assert "Acme Cloud" in invitation.texts["question"]
    contact = Contact.objects.get(email="new@example.com")
    assert contact.name == "Nia" and contact.properties == {"plan": "pro"}
    assert not mail.outbox


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        ("draft", 409, "Campaign “Support NPS” is draft: only a launched campaign can send surveys."),
        ("archived", 409, "Campaign “Support NPS” is archived: only a launched campaign can send surveys."),
    ],
)
def test_survey_request_on_a_campaign_not_launched_is_refused(api, status, code, message):
    campaign = make_campaign(name="Support NPS", status=status)
    contact = make_contact()
    response = api.post("/api/v1/survey-requests", {"contact_id": contact.pk, "campaign_id": campaign.pk})
    assert response.status_code == code
    assert response.json()["detail"] == message
    assert not Invitation.objects.exists()


def test_survey_request_errors_are_precise_and_write_nothing(api, running):
    contact = make_contact(email="ana@example.com")
    cases = [
        ({"contact_id": 999999, "campaign_id": running.pk}, 404, "No contact with id 999999."),
        ({"contact_id": contact.pk, "campaign_id": 999999}, 404, "No campaign with id 999999."),
        ({"campaign_id": running.pk}, 422, "Give the contact: contact_id, or an email or phone number."),
        (
            {"contact_id": contact.pk, "campaign_id": running.pk, "channel": "sms"},
            422,
            f"Campaign “{running.name}” does not use the sms channel (it uses: email).",
        ),
        (
            {"contact_id": contact.pk, "campaign_id": running.pk, "delay": -1},
            422,
            "greater than or equal to 0",
        ),
        ({"email": "bad", "campaign_id": running.pk}, 422, "“bad” is not a valid email address."),
    ]
    for body, code, message in cases:
        response = api.post("/api/v1/survey-requests", body)
        assert response.status_code == code, (body, response.content)
        assert message in response.json()["detail"], (body, response.json())
    assert not Invitation.objects.exists()
    assert Contact.objects.count() == 1


def test_suppressed_throttled_and_pending_contacts_get_409(api, running):
    suppressed = make_contact(email="gone@example.com")
    Suppression.objects.create(address="gone@example.com", reason="unsubscribed")
    response = api.post("/api/v1/survey-requests", {"contact_id": suppressed.pk, "campaign_id": running.pk})
    assert response.status_code == 409
    assert "gone@example.com is on the suppression list" in response.json()["detail"]

    recent = make_contact(last_surveyed_at=timezone.now() - timedelta(days=3))
    response = api.post("/api/v1/survey-requests", {"contact_id": recent.pk, "campaign_id": running.pk})
    assert response.status_code == 409
    assert "at most once every 90 days" in response.json()["detail"]

    waiting = make_contact()
    make_invitation(campaign=running, contact=waiting, scheduled_for=timezone.now() + timedelta(days=1))
    response = api.post("/api/v1/survey-requests", {"contact_id": waiting.pk, "campaign_id": running.pk})
    assert response.status_code == 409
    assert "already has a pending survey" in response.json()["detail"]
    assert Invitation.objects.count() == 1


def test_unsubscribes_and_bounces_are_listed_and_added(api):
    Suppression.objects.create(address="bounced@example.com", reason="bounced")
    response = api.post("/api/v1/unsubscribes", {"email": "Leave@Example.com", "detail": "asked by phone"})
    assert response.status_code == 201
    assert response.json()["address"] == "leave@example.com"
    assert api.post("/api/v1/unsubscribes", {"email": "leave@example.com"}).status_code == 200

    unsubscribes = api.get("/api/v1/unsubscribes").json()["data"]
    assert [row["address"] for row in unsubscribes] == ["leave@example.com"]
    bounces = api.get("/api/v1/bounces").json()["data"]
    assert [row["address"] for row in bounces] == ["bounced@example.com"]

    response = api.post("/api/v1/bounces", {"phone": "+919876543210"})
    assert response.status_code == 201
    assert Suppression.objects.get(address="+919876543210").reason == "bounced"


def test_suppression_input_errors(api):
    response = api.post("/api/v1/unsubscribes", {"email": "a@example.com", "phone": "+919876543210"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Give exactly one of email or phone."
    response = api.post("/api/v1/unsubscribes", {"email": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.email", "message": "“nope” is not a valid email address."}
    ]
    assert not Suppression.objects.exists()


def test_read_only_key_cannot_unsubscribe(read_api):
    assert read_api.post("/api/v1/unsubscribes", {"email": "a@example.com"}).status_code == 403
    assert not Suppression.objects.exists()


def test_campaigns_list_and_read(api):
    email = make_campaign(name="Email NPS", status="running")
    make_campaign(name="Old", status="archived")
    names = [row["name"] for row in api.get("/api/v1/campaigns").json()["data"]]
    assert sorted(names) == ["Email NPS", "Old"]
    assert [r["name"] for r in api.get("/api/v1/campaigns", {"status": "running"}).json()["data"]] == [
        "Email NPS"
    ]
    body = api.get(f"/api/v1/campaigns/{email.pk}").json()
    assert body["question"] == "How likely are you to recommend Acme to a friend or colleague?"
    assert body["channels"] == ["email"]
    response = api.get("/api/v1/campaigns/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "No campaign with id 999999."
    response = api.get("/api/v1/campaigns", {"status": "sleeping"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.status"
