"""The demo's phone simulator: texts shown per number, replies signed like Twilio's through the real
inbound webhook, and nothing at all unless texts go to files."""

import json
from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from nps.accounts.roles import Role
from responses.models import Answer
from surveys import delivery
from surveys.channels.texting import simulator
from surveys.models import Campaign, Conversation, Invitation, Suppression, TextMessage
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

NUMBER = "+12125550142"


@pytest.fixture
def texting(settings, tmp_path):
    """Texts to files under tmp_path, at any hour (quiet hours are tested on their own)."""
    settings.SMS_BACKEND = "file"
    settings.SMS_OUTBOX_DIR = tmp_path / "sms-outbox"
    settings.TEXT_QUIET_HOURS = "00:00-24:00"
    return tmp_path / "sms-outbox"


@pytest.fixture
def admin(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def texted_in_reply_mode(**contact_fields) -> Invitation:
    """A reply-mode survey sent by SMS through the real send path: its conversation waits for a score."""
    campaign = make_campaign(
        name="SMS pulse",
        channels=["sms"],
        text_mode="reply",
        status=Campaign.Status.RUNNING,
        window_start=time(0),
        window_end=time(0),
        weekdays_only=False,
    )
    contact = make_contact(phone=contact_fields.pop("phone", NUMBER), name="Jessica Miller", **contact_fields)
    campaign.audience.create(contact=contact)
    delivery.queue_campaign(campaign)
    invitation = Invitation.objects.get(campaign=campaign, contact=contact)
    assert delivery.send_invitation(invitation.pk) == Invitation.State.SENT
    return invitation


def outbox(directory) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def reply(client, body, *, channel="sms", number=NUMBER, **extra):
    return client.post(
        reverse("demo:phone_reply", args=[channel, number]), {"body": body, **extra}, follow=True
    )


def test_a_reply_typed_in_the_simulator_answers_the_survey_through_the_signed_webhook(
    texting, admin, django_capture_on_commit_callbacks
):
    invitation = texted_in_reply_mode()

    with django_capture_on_commit_callbacks(execute=True):  # the follow-up is sent once the reply commits
        response = reply(admin, "९")

    assert response.status_code == 200
    answer = Answer.objects.get(invitation=invitation)
    assert (answer.score, answer.channel) == (9, "sms")
    received = TextMessage.objects.get(direction="in")
    assert received.body == "९" and received.from_number == NUMBER
    assert received.provider_sid.startswith("SM") and len(received.provider_sid) == 34
    # The follow-up went out as a text (a JSON file) and shows on the phone, newest last.
    followup = invitation.text("followup_promoter")
    assert [text["body"] for text in outbox(texting)][-1] == followup
    assert response.text.index("९") < response.text.index(followup)
    assert Conversation.objects.get(invitation=invitation).state == Conversation.State.AWAITING_COMMENT

    with django_capture_on_commit_callbacks(execute=True):
        reply(admin, "Always fresh chai")

    answer.refresh_from_db()
    assert answer.comment == "Always fresh chai"
    assert Conversation.objects.get(invitation=invitation).state == Conversation.State.DONE


def test_quick_reply_stop_opts_the_number_out(texting, admin):
    texted_in_reply_mode()

    reply(admin, "", quick="STOP")

    suppression = Suppression.objects.get(address=NUMBER)
    assert (suppression.reason, suppression.channel) == ("unsubscribed", "sms")


def test_the_signature_is_twilios_over_the_public_inbound_url(settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    params = simulator.inbound_params(number=NUMBER, channel="whatsapp", body="9")

    signature = simulator.sign_inbound(params)

    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    assert validator.validate("https://nps.example.com/webhooks/twilio/inbound/", params, signature)
    assert not validator.validate("https://nps.example.com/webhooks/twilio/status/", params, signature)
    assert params["From"] == f"whatsapp:{NUMBER}"
    assert params["To"] == f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}"
    assert params["AccountSid"] == settings.TWILIO_ACCOUNT_SID and params["NumMedia"] == "0"
    assert (
        params["MessageSid"] != simulator.inbound_params(number=NUMBER, channel="sms", body="9")["MessageSid"]
    )


def test_the_list_shows_each_texted_number_and_the_texts_waiting_for_quiet_hours(texting, admin, settings):
    texted_in_reply_mode()
    # Quiet hours that exclude this very hour in the late customer's zone: their text waits.
    settings.TEXT_QUIET_HOURS = "13:00-14:00" if timezone.now().hour < 12 else "01:00-02:00"
    late = make_campaign(
        name="Late campaign",
        channels=["sms"],
        status=Campaign.Status.RUNNING,
        window_start=time(0),
        window_end=time(0),
        weekdays_only=False,
    )
    late.audience.create(contact=make_contact(phone="+13055550187", name="Emily Johnson", time_zone="UTC"))
    delivery.queue_campaign(late)
    queued = Invitation.objects.get(campaign=late)
    assert queued.scheduled_for > timezone.now()

    page = admin.get(reverse("demo:phone"))

    assert page.status_code == 200
    assert "Jessica Miller" in page.text and NUMBER in page.text
    assert reverse("demo:phone_conversation", args=["sms", NUMBER]) in page.text
    waiting = page.text[page.text.index("Waiting for quiet hours") :]
    assert "Emily Johnson" in waiting and "Late campaign" in waiting
    assert f"{queued.scheduled_for:%H:%M}" in waiting  # in the customer's own zone, UTC here


def test_send_what_is_due_runs_the_dispatcher(texting, admin):
    campaign = make_campaign(
        channels=["sms"],
        status=Campaign.Status.RUNNING,
        window_start=time(0),
        window_end=time(0),
        weekdays_only=False,
    )
    campaign.audience.create(contact=make_contact(phone=NUMBER))
    delivery.queue_campaign(campaign)

    response = admin.post(reverse("demo:phone_dispatch"), follow=True)

    assert "Dispatcher run: 1 survey handed over for sending." in response.text
    assert Invitation.objects.get().state == Invitation.State.SENT
    assert [text["to"] for text in outbox(texting)] == [NUMBER]


def test_a_reply_with_a_nul_byte_or_nothing_is_refused_and_records_nothing(texting, admin):
    texted_in_reply_mode()

    nul = reply(admin, "9\x00")
    empty = reply(admin, "   ")

    assert nul.status_code == 400 and "Null characters are not allowed." in nul.text
    assert empty.status_code == 400 and "Type a reply first." in empty.text
    assert not TextMessage.objects.filter(direction="in").exists()
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("channel", "number"), [("email", NUMBER), ("sms", "12125550142"), ("sms", "+1"), ("web", "+12125550142")]
)
def test_an_unknown_channel_or_a_number_that_is_not_e164_is_404(texting, admin, channel, number):
    assert admin.get(reverse("demo:phone_conversation", args=[channel, number])).status_code == 404
    assert admin.post(reverse("demo:phone_reply", args=[channel, number]), {"body": "9"}).status_code == 404
    assert not TextMessage.objects.exists()


def test_the_simulator_is_404_unless_texts_go_to_files(admin, settings):
    settings.SMS_BACKEND = "twilio"
    contact = make_contact(phone=NUMBER)

    assert admin.get(reverse("demo:phone")).status_code == 404
    assert admin.get(reverse("demo:phone_conversation", args=["sms", NUMBER])).status_code == 404
    assert admin.post(reverse("demo:phone_reply", args=["sms", NUMBER]), {"body": "STOP"}).status_code == 404
    assert admin.post(reverse("demo:phone_dispatch")).status_code == 404
    assert not TextMessage.objects.exists() and not Suppression.objects.exists()
    assert contact.pk


def test_the_nav_links_the_simulator_for_admins_only(texting, client):
    client.force_login(make_user(role=Role.ADMIN))
    assert f'href="{reverse("demo:phone")}"' in client.get(reverse("dashboards:home")).text
    client.force_login(make_user(role=Role.LEAD))
    assert f'href="{reverse("demo:phone")}"' not in client.get(reverse("dashboards:home")).text


def test_links_in_texts_can_be_tapped_exactly_as_sent(texting, admin):
    campaign = make_campaign(
        channels=["whatsapp"],
        status=Campaign.Status.RUNNING,
        whatsapp_templates={"en": "HX" + "0" * 32},
        window_start=time(0),
        window_end=time(0),
        weekdays_only=False,
    )
    campaign.audience.create(contact=make_contact(phone="+919741234567", name="Priya Nair"))
    delivery.queue_campaign(campaign)
    invitation = Invitation.objects.get()
    delivery.send_invitation(invitation.pk)

    page = admin.get(reverse("demo:phone_conversation", args=["whatsapp", "+919741234567"]))

    # Django's urlize would make it /s?<token>= : a link that no longer opens the survey.
    link = invitation.short_url()
    assert f'<a href="{link}" dir="ltr">{link}</a>' in page.text


@pytest.mark.parametrize(
    ("body", "pieces"),
    [
        (
            "Rate us: https://nps.example.com/s?k3Jd9aQx2LmZ.",
            ["Rate us: ", "https://nps.example.com/s?k3Jd9aQx2LmZ", "."],
        ),
        ("Q?\nhttp://127.0.0.1:8000/s?a_b-c", ["Q?\n", "http://127.0.0.1:8000/s?a_b-c"]),
        ("No link here", ["No link here"]),
    ],
)
def test_texts_are_cut_into_text_and_links(body, pieces):
    parts = simulator.parts(body)
    assert [piece for piece, _ in parts] == pieces
    assert [piece for piece, is_link in parts if is_link] == [p for p in pieces if p.startswith("http")]
