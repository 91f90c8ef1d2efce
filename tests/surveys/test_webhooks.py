"""ESP tracking webhooks (anymail's real endpoints, documented ESP payloads) feed the suppression list."""

import base64
import json

import pytest

from surveys.models import Campaign, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db

AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook-user:hook-secret-123").decode()}
WRONG_AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook-user:guess").decode()}


def sent_invitation(email="john@example.com", provider_message_id="883953f4-6105-42a2-a16a-77a8eac79483"):
    return make_invitation(
        contact=make_contact(email=email),
        campaign=make_campaign(status=Campaign.Status.RUNNING),
        state="sent",
        provider_message_id=provider_message_id,
    )


def postmark_bounce(**fields):
    # Postmark's documented bounce webhook example.
    payload = {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "nps-survey",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "John@example.com",
        "From": "support@acme.example",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "A quick question from Acme",
    }
    return {**payload, **fields}


def post_postmark(client, payload, auth=AUTH):
    return client.post(
        "/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json", **auth
    )


def test_postmark_hard_bounce_suppresses_address_and_fails_the_invitation(client):
    invitation = sent_invitation()

    response = post_postmark(client, postmark_bounce())

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason) == ("john@example.com", "bounced")
    assert "does not exist" in suppression.detail
    invitation.refresh_from_db()
    assert invitation.state == "failed"
    assert "Postmark bounced" in invitation.error


def test_bounce_is_matched_by_our_metadata_key(client):
    invitation = sent_invitation(provider_message_id="something-else")
    post_postmark(
        client, postmark_bounce(Metadata={"invitation": f"opennps-{invitation.pk}", "campaign": "1"})
    )
    assert Invitation.objects.get(pk=invitation.pk).state == "failed"


def test_postmark_spam_complaint_suppresses_address(client):
    invitation = sent_invitation()
    payload = postmark_bounce(
        RecordType="SpamComplaint", Type="SpamComplaint", TypeCode=512, Name="Spam complaint", Description=""
    )

    assert post_postmark(client, payload).status_code == 200

    assert Suppression.objects.get().reason == "complained"
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"  # delivered, then complained


def test_postmark_delivery_event_suppresses_nothing(client):
    sent_invitation()
    payload = {
        "RecordType": "Delivery",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "john@example.com",
        "DeliveredAt": "2026-11-05T16:33:54Z",
        "Details": "Test delivery webhook details",
        "Tag": "nps-survey",
        "ServerID": 23,
        "Metadata": {},
        "MessageStream": "outbound",
    }
    assert post_postmark(client, payload).status_code == 200
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("auth", [{}, WRONG_AUTH], ids=["no-auth", "wrong-secret"])
def test_webhook_without_the_secret_is_refused_and_writes_nothing(client, auth):
    invitation = sent_invitation()

    response = post_postmark(client, postmark_bounce(), auth=auth)

    assert 400 <= response.status_code < 500
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_postmark_soft_bounce_does_not_suppress(client):
    invitation = sent_invitation()
    payload = postmark_bounce(Type="SoftBounce", TypeCode=4096, Name="Soft bounce", Inactive=False)
    assert post_postmark(client, payload).status_code == 200
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_brevo_hard_bounce_and_spam(client):
    bouncing = sent_invitation(email="bounce@example.com", provider_message_id="")

    def brevo_event(**fields):
        # Brevo's documented transactional webhook example; our metadata comes back in X-Mailin-custom.
        return {
            "id": 1234,
            "date": "2026-11-09 00:00:00",
            "ts": 1604933619,
            "message-id": "<201798300811.5787683@relay.domain.com>",
            "ts_event": 1604933654,
            "subject": "A quick question from Acme",
            "sending_ip": "198.51.100.7",
            "ts_epoch": 1604933654,
            "tags": ["nps-survey"],
            **fields,
        }

    events = [
        brevo_event(
            event="hard_bounce",
            email="bounce@example.com",
            reason="server relay error",
            **{"X-Mailin-custom": json.dumps({"invitation": f"opennps-{bouncing.pk}"})},
        ),
        brevo_event(event="spam", email="Spam@Example.com"),
    ]
    for event in events:
        response = client.post(
            "/anymail/brevo/tracking/", json.dumps(event), content_type="application/json", **AUTH
        )
        assert response.status_code == 200

    assert dict(Suppression.objects.values_list("address", "reason")) == {
        "bounce@example.com": "bounced",
        "spam@example.com": "complained",
    }
    assert Invitation.objects.get(pk=bouncing.pk).state == "failed"


def test_repeated_events_keep_one_suppression(client):
    sent_invitation()
    post_postmark(client, postmark_bounce())
    post_postmark(client, postmark_bounce(RecordType="SpamComplaint", Type="SpamComplaint"))
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("esp", ["postmark", "brevo", "sparkpost", "mailjet", "mandrill"])
@pytest.mark.parametrize(
    "body", ["not json", "[]", "{}", '[{"event": "bounce"}]', '{"RecordType": "Bounce"}']
)
def test_authenticated_webhook_with_an_unreadable_payload_gets_4xx_and_writes_nothing(client, esp, body):
    invitation = sent_invitation()

    response = client.post(f"/anymail/{esp}/tracking/", body, content_type="application/json", **AUTH)

    assert 200 <= response.status_code < 500
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_webhook_of_a_provider_that_is_not_configured_gets_404(client):
    # Mailgun signs its webhooks with a key this workspace has not set.
    response = client.post("/anymail/mailgun/tracking/", "{}", content_type="application/json", **AUTH)
    assert response.status_code == 404
    assert response.text == "This email provider is not configured."
