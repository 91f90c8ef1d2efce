"""ESP tracking webhooks (anymail's real endpoints, documented ESP payloads) feed the suppression list."""

import base64
import hashlib
import hmac
import importlib
import json

import pytest
from django.core import checks
from django.urls import clear_url_caches

from surveys.models import Campaign, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db

SECRET = "hook-user:hook-secret-123"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
WRONG_AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook-user:guess").decode()}
MANDRILL_KEY = "mandrill-webhook-key-for-tests"

# Every ESP anymail has a tracking webhook for, its tracking path, and the settings its view needs to start.
ESPS = {
    "amazon_ses": ("/anymail/amazon_ses/tracking/", {}),
    "brevo": ("/anymail/brevo/tracking/", {}),
    "mailersend": ("/anymail/mailersend/tracking/", {"MAILERSEND_SIGNING_SECRET": "ms-signing-secret"}),
    "mailgun": ("/anymail/mailgun/tracking/", {"MAILGUN_WEBHOOK_SIGNING_KEY": "mg-signing-key"}),
    "mailjet": ("/anymail/mailjet/tracking/", {}),
    "mailtrap": ("/anymail/mailtrap/tracking/", {}),
    "mandrill": ("/anymail/mandrill/", {"MANDRILL_WEBHOOK_KEY": MANDRILL_KEY}),
    "postal": ("/anymail/postal/tracking/", {"POSTAL_WEBHOOK_KEY": "cG9zdGFsLWtleQ=="}),
    "postmark": ("/anymail/postmark/tracking/", {}),
    "resend": ("/anymail/resend/tracking/", {}),
    "sendgrid": ("/anymail/sendgrid/tracking/", {}),
    "sendinblue": ("/anymail/sendinblue/tracking/", {}),
    "sparkpost": ("/anymail/sparkpost/tracking/", {}),
    "unisender_go": ("/anymail/unisender_go/tracking/", {"UNISENDER_GO_API_KEY": "ug-api-key"}),
}
# Every path anymail can serve: only the configured ESP's tracking webhook may answer.
ALL_ANYMAIL_PATHS = [
    *(url for url, _ in ESPS.values()),
    "/anymail/mandrill/tracking/",
    *(f"/anymail/{esp}/inbound/" for esp in ESPS if esp != "mandrill"),
    "/anymail/mailgun/inbound_mime/",
]


def reload_urls():
    """The URLconf built again from the settings, as a process starting with them would build it."""
    from django.conf import settings

    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def mount_esp(settings):
    """Configures one ESP as EMAIL_BACKEND (with the webhook secret and `anymail` settings) and mounts
    the URLs again; afterwards the test settings' URLs come back."""
    original = settings.EMAIL_BACKEND

    def mount(esp, backend=None, **anymail):
        settings.EMAIL_BACKEND = backend or f"anymail.backends.{esp}.EmailBackend"
        settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **anymail}
        reload_urls()

    yield mount
    settings.EMAIL_BACKEND = original
    reload_urls()


@pytest.fixture(autouse=True)
def postmark(mount_esp):
    """Postmark is the configured ESP unless a test mounts another."""
    mount_esp("postmark")


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

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="OpenNPS ESP webhooks"'
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


@pytest.mark.parametrize("auth", [{}, AUTH, WRONG_AUTH], ids=["no-auth", "any-auth", "wrong-auth"])
def test_without_a_configured_secret_every_webhook_is_refused(client, settings, auth):
    # The demo and the deploy-check environment ran without ANYMAIL_WEBHOOK_SECRET: anymail then
    # accepted anyone's bounce, and that customer was never surveyed again.
    settings.ANYMAIL = {}
    invitation = sent_invitation()

    response = post_postmark(client, postmark_bounce(), auth=auth)

    assert response.status_code == 403
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_postmark_soft_bounce_does_not_suppress(client):
    invitation = sent_invitation()
    payload = postmark_bounce(Type="SoftBounce", TypeCode=4096, Name="Soft bounce", Inactive=False)
    assert post_postmark(client, payload).status_code == 200
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_brevo_hard_bounce_and_spam(client, mount_esp):
    mount_esp("brevo")
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


def mandrill_signature(url, events):
    # Mandrill signs the exact URL it calls (with the credentials in it) and the sorted form fields.
    signed = (url + "mandrill_events" + events).encode()
    return base64.b64encode(hmac.new(MANDRILL_KEY.encode(), signed, hashlib.sha1).digest()).decode()


def post_mandrill(client, events, *, auth=AUTH, signature=None):
    url = f"http://{SECRET}@testserver/anymail/mandrill/"
    signature = mandrill_signature(url, events) if signature is None else signature
    return client.post(
        "/anymail/mandrill/",
        {"mandrill_events": events},
        HTTP_X_MANDRILL_SIGNATURE=signature,
        **auth,
    )


def mandrill_hard_bounce(invitation):
    # Mandrill's documented hard_bounce event, with our metadata echoed back.
    return [
        {
            "event": "hard_bounce",
            "_id": "exampleaaaaaaaaaaaaaaaaaaaaaaaaa",
            "ts": 1365109999,
            "msg": {
                "_id": "exampleaaaaaaaaaaaaaaaaaaaaaaaaa",
                "email": "John@Example.com",
                "state": "bounced",
                "bounce_description": "bad_mailbox",
                "diag": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
                "metadata": {"invitation": f"opennps-{invitation.pk}"},
                "tags": ["nps-survey"],
            },
        }
    ]


def test_signed_mandrill_bounce_suppresses_the_address(client, mount_esp):
    mount_esp("mandrill", MANDRILL_WEBHOOK_KEY=MANDRILL_KEY)
    invitation = sent_invitation(provider_message_id="")

    response = post_mandrill(client, json.dumps(mandrill_hard_bounce(invitation)))

    assert response.status_code == 200
    assert dict(Suppression.objects.values_list("address", "reason")) == {"john@example.com": "bounced"}
    assert Invitation.objects.get(pk=invitation.pk).state == "failed"


@pytest.mark.parametrize(
    ("auth", "signature", "status"),
    [
        (AUTH, "", 403),
        (AUTH, "bm90IHRoZSBzaWduYXR1cmU=", 403),
        (WRONG_AUTH, None, 401),  # signed for the wrong credentials' URL: refused before the signature
        ({}, None, 401),
    ],
    ids=["no-signature", "wrong-signature", "wrong-auth", "no-auth"],
)
def test_mandrill_bounce_without_its_signature_or_the_secret_is_refused(
    client, mount_esp, auth, signature, status
):
    mount_esp("mandrill", MANDRILL_WEBHOOK_KEY=MANDRILL_KEY)
    invitation = sent_invitation(provider_message_id="")

    response = post_mandrill(
        client, json.dumps(mandrill_hard_bounce(invitation)), auth=auth, signature=signature
    )

    assert response.status_code == status
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_mandrill_without_its_webhook_key_answers_503_so_mandrill_retries_later(client, mount_esp):
    mount_esp("mandrill")  # MANDRILL_WEBHOOK_KEY not set
    invitation = sent_invitation(provider_message_id="")

    response = post_mandrill(client, json.dumps(mandrill_hard_bounce(invitation)))

    assert response.status_code == 503
    assert not Suppression.objects.exists()


# What an authenticated (and, for Mandrill, signed) request gets for each body: 400 for a body that is
# not what the provider sends; 200 for a readable batch that names no one we could suppress (an empty
# batch, an event without a type or a recipient, as the providers' "send a test" buttons post), which
# then records nothing.
UNREADABLE_BODIES = {
    "not json": {"postmark": 400, "brevo": 400, "sparkpost": 400, "mailjet": 400, "mandrill": 400},
    "[]": {"postmark": 400, "brevo": 400, "sparkpost": 200, "mailjet": 200, "mandrill": 200},
    "{}": {"postmark": 200, "brevo": 200, "sparkpost": 200, "mailjet": 400, "mandrill": 200},
    '[{"event": "bounce"}]': {
        "postmark": 400,
        "brevo": 400,
        "sparkpost": 400,
        "mailjet": 200,
        "mandrill": 200,
    },
    '{"RecordType": "Bounce"}': {
        "postmark": 200,
        "brevo": 200,
        "sparkpost": 400,
        "mailjet": 400,
        "mandrill": 400,  # an object, not a list of events
    },
}


@pytest.mark.parametrize("esp", ["postmark", "brevo", "sparkpost", "mailjet", "mandrill"])
@pytest.mark.parametrize("body", list(UNREADABLE_BODIES))
def test_authenticated_webhook_with_a_payload_naming_no_one_gets_400_or_200_and_writes_nothing(
    client, mount_esp, esp, body
):
    mount_esp(esp, **ESPS[esp][1])
    invitation = sent_invitation()

    if esp == "mandrill":
        response = post_mandrill(client, body)
    else:
        response = client.post(ESPS[esp][0], body, content_type="application/json", **AUTH)

    assert response.status_code == UNREADABLE_BODIES[body][esp]
    assert not Suppression.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


@pytest.mark.parametrize("esp", list(ESPS))
@pytest.mark.parametrize("auth", [{}, WRONG_AUTH], ids=["no-auth", "wrong-auth"])
def test_every_esp_refuses_a_webhook_without_the_secret(client, mount_esp, esp, auth):
    url, needs = ESPS[esp]
    mount_esp(esp, **needs)

    response = client.post(url, "[]", content_type="application/json", **auth)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize("esp", list(ESPS))
def test_only_the_configured_esps_tracking_webhook_is_mounted(client, mount_esp, esp):
    url, needs = ESPS[esp]
    mount_esp(esp, **needs)

    answers = {
        path: client.post(path, "{}", content_type="application/json").status_code
        for path in ALL_ANYMAIL_PATHS
    }

    assert answers.pop(url) == 401
    if esp == "mandrill":  # anymail's older address for Mandrill's one webhook
        assert answers.pop("/anymail/mandrill/tracking/") == 401
    assert set(answers.values()) == {404}


@pytest.mark.parametrize(
    "backend",
    [
        "surveys.channels.email.backends.EmlFileBackend",
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "anymail.backends.test.EmailBackend",
    ],
)
def test_no_esp_webhook_is_mounted_without_an_esp(client, mount_esp, backend):
    mount_esp("none", backend=backend)

    answers = {
        path: client.post(path, "{}", content_type="application/json", **AUTH).status_code
        for path in ALL_ANYMAIL_PATHS
    }

    assert set(answers.values()) == {404}


def test_mailgun_webhook_with_a_wrong_signature_is_refused(client, mount_esp):
    mount_esp("mailgun", MAILGUN_WEBHOOK_SIGNING_KEY="mg-signing-key")
    sent_invitation()
    payload = {
        "signature": {
            "timestamp": "1529006854",
            "token": "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            "signature": "0" * 64,
        },
        "event-data": {"event": "failed", "severity": "permanent", "recipient": "john@example.com"},
    }

    response = client.post(
        "/anymail/mailgun/tracking/", json.dumps(payload), content_type="application/json", **AUTH
    )

    assert response.status_code == 403
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("esp", "anymail", "missing"),
    [
        ("mandrill", {}, "MANDRILL_WEBHOOK_KEY"),
        ("mailgun", {}, "MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("postal", {}, "POSTAL_WEBHOOK_KEY"),
        ("mailersend", {}, "MAILERSEND_SIGNING_SECRET"),
        ("mandrill", {"MANDRILL_WEBHOOK_KEY": MANDRILL_KEY}, None),
        ("postmark", {}, None),
    ],
)
def test_the_start_up_check_names_the_signing_key_the_esps_webhook_lacks(settings, esp, anymail, missing):
    settings.EMAIL_BACKEND = f"anymail.backends.{esp}.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, **anymail}

    errors = [error for error in checks.run_checks(tags=[checks.Tags.security]) if error.id == "surveys.E001"]

    if missing is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].level == checks.ERROR
        assert missing in errors[0].msg


def test_the_esps_setup_probe_gets_200_without_credentials_and_a_get_gets_405(client):
    # Providers check a webhook URL with HEAD when it is set up; it records nothing.
    assert client.head("/anymail/postmark/tracking/").status_code == 200
    assert client.get("/anymail/postmark/tracking/").status_code == 405
    assert not Suppression.objects.exists()
