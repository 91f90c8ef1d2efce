"""Sending surveys by SMS and WhatsApp: the real twilio client against the local stub of Twilio's REST API
(tests/twilio_stub.py), the demo's file provider, quiet hours, errors, and the outbox of other texts."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings

from surveys import delivery
from surveys.channels import CHANNELS
from surveys.channels.texting import compose, outbox
from surveys.models import Audience, Campaign, Conversation, Invitation, Suppression, TextMessage
from tests.factories import make_brand, make_campaign, make_contact

pytestmark = pytest.mark.django_db

# 10:00 in Washington DC (+1 202), 20:30 in India: inside every number's quiet hours used here.
DAYTIME = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# 03:00 in Washington DC: a text must wait until 08:00 there (13:00 UTC).
NIGHT_IN_DC = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
DC_MORNING = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
US_NUMBER = "+12025550143"
INDIAN_NUMBER = "+919876543210"
TEMPLATE_EN = "HX" + "a" * 32
TEMPLATE_HI = "HX" + "b" * 32
QUESTION = "How likely are you to recommend Acme to a friend or colleague?"


def launch(channel="sms", *contacts, **fields):
    """A running campaign that may send at any hour (its own window never defers: quiet hours do)."""
    campaign = make_campaign(
        channels=[channel],
        status=Campaign.Status.RUNNING,
        weekdays_only=False,
        window_start=time(0),
        window_end=time(0),
        **fields,
    )
    for contact in contacts:
        Audience.objects.create(campaign=campaign, contact=contact)
    delivery.queue_campaign(campaign)
    return campaign


def posted(stub) -> list[dict]:
    return [r["params"] for r in stub.requests if r["method"] == "POST"]


@time_machine.travel(DAYTIME, tick=False)
def test_link_mode_sms_carries_the_question_and_the_short_link_from_the_sender_number(twilio_stub, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    campaign = launch("sms", make_contact(phone=US_NUMBER))

    delivery.dispatch_due()

    invitation = campaign.invitations.get()
    (params,) = posted(twilio_stub)
    assert params == {
        "To": US_NUMBER,
        "From": "+15005550006",
        "Body": f"{QUESTION} http://testserver/s?{invitation.short_token}",
        "StatusCallback": "http://testserver/webhooks/twilio/status/",
    }
    assert all(r["authorised"] for r in twilio_stub.requests)
    (message,) = twilio_stub.sent()
    assert (invitation.state, invitation.provider_message_id, invitation.attempts) == (
        "sent",
        message["sid"],
        1,
    )
    text = TextMessage.objects.get(key=f"inv:{invitation.pk}:invitation")
    assert (text.provider_sid, text.status, text.to_number, text.direction) == (
        message["sid"],
        "queued",
        US_NUMBER,
        "out",
    )
    assert text.body == params["Body"]
    assert not Conversation.objects.exists()  # a link answers: nobody waits for a reply


@time_machine.travel(DAYTIME, tick=False)
def test_reply_mode_sms_asks_for_a_number_through_the_messaging_service_and_waits_for_the_reply(twilio_stub):
    contact = make_contact(phone=US_NUMBER)
    campaign = launch("sms", contact, text_mode="reply")

    delivery.dispatch_due()

    (params,) = posted(twilio_stub)
    assert params["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in params
    assert params["Body"] == f"{QUESTION} Reply with a number from 0 (not likely) to 10 (very likely)."
    invitation = campaign.invitations.get()
    assert TextMessage.objects.get(invitation=invitation).status == "accepted"
    conversation = Conversation.objects.get()
    assert (conversation.invitation, conversation.number, conversation.state) == (
        invitation,
        US_NUMBER,
        "score",
    )


@time_machine.travel(DAYTIME, tick=False)
def test_an_indian_number_gets_the_link_even_from_a_reply_mode_campaign(twilio_stub):
    campaign = launch("sms", make_contact(phone=INDIAN_NUMBER, language="hi"), text_mode="reply")

    delivery.dispatch_due()

    invitation = campaign.invitations.get()
    (params,) = posted(twilio_stub)
    assert params["Body"].endswith(f" http://testserver/s?{invitation.short_token}")
    assert "Reply with a number" not in params["Body"]
    assert not Conversation.objects.exists()


@time_machine.travel(DAYTIME, tick=False)
def test_whatsapp_sends_the_approved_template_of_the_contacts_language_with_the_token_as_its_variable(
    twilio_stub,
):
    twilio_stub.content_templates[TEMPLATE_HI] = "Acme की सिफ़ारिश करेंगे? बटन दबाएँ।"
    english, hindi = make_contact(phone=US_NUMBER), make_contact(phone=INDIAN_NUMBER, language="hi")
    campaign = launch("whatsapp", english, hindi, whatsapp_templates={"en": TEMPLATE_EN, "hi": TEMPLATE_HI})

    delivery.dispatch_due()

    by_number = {p["To"]: p for p in posted(twilio_stub)}
    for contact, template in ((english, TEMPLATE_EN), (hindi, TEMPLATE_HI)):
        invitation = campaign.invitations.get(contact=contact)
        params = by_number[f"whatsapp:{contact.phone}"]
        assert params == {
            "To": f"whatsapp:{contact.phone}",
            "From": "whatsapp:+14155238886",
            "MessagingServiceSid": "MG" + "1" * 32,
            "ContentSid": template,
            "ContentVariables": json.dumps({"1": invitation.short_token}),
            "StatusCallback": "http://testserver/webhooks/twilio/status/",
        }
        assert invitation.state == "sent"
        # The customer may write back inside WhatsApp's 24-hour window: a conversation waits.
        assert Conversation.objects.get(invitation=invitation).channel == "whatsapp"
    hindi_message = twilio_stub.sent(f"whatsapp:{INDIAN_NUMBER}")[0]
    assert hindi_message["body"] == "Acme की सिफ़ारिश करेंगे? बटन दबाएँ।"
    assert TextMessage.objects.get(invitation__contact=english).body.endswith(
        campaign.invitations.get(contact=english).short_url()
    )


@time_machine.travel(DAYTIME, tick=False)
def test_a_whatsapp_campaign_without_a_template_fails_its_invitations_at_once(twilio_stub):
    campaign = launch("whatsapp", make_contact(phone=US_NUMBER))

    delivery.dispatch_due()

    invitation = campaign.invitations.get()
    assert invitation.state == "failed"
    assert "WhatsApp template" in invitation.error
    assert posted(twilio_stub) == []


@pytest.mark.parametrize(
    ("channel", "code", "reason"),
    [("sms", 21610, "unsubscribed"), ("whatsapp", 63014, "blocked")],
)
@time_machine.travel(DAYTIME, tick=False)
def test_an_opted_out_or_blocking_number_fails_at_once_and_is_suppressed(twilio_stub, channel, code, reason):
    gone, fine = make_contact(phone=US_NUMBER), make_contact(phone="+12025550144")
    campaign = launch(channel, gone, fine, whatsapp_templates={"en": TEMPLATE_EN})
    twilio_stub.fail_next(code=code, message="The recipient said no", to=compose_address(channel, US_NUMBER))

    delivery.dispatch_due()

    failed = campaign.invitations.get(contact=gone)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert str(code) in failed.error
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.channel) == (US_NUMBER, reason, channel)
    text = TextMessage.objects.get(invitation=failed)
    assert (text.status, text.error_code) == ("failed", str(code))
    assert campaign.invitations.get(contact=fine).state == "sent"
    # The other texting channel respects the same suppression.
    assert delivery.queue_campaign(make_campaign(channels=["sms", "whatsapp"], status="running")) == 0


def compose_address(channel, number):
    return f"whatsapp:{number}" if channel == "whatsapp" else number


def test_a_temporary_error_is_retried_after_the_backoff_and_sent_once(twilio_stub):
    with time_machine.travel(DAYTIME, tick=False):
        campaign = launch("sms", make_contact(phone=US_NUMBER))
        twilio_stub.fail_next(code=30008, message="Unknown error")
        delivery.dispatch_due()
        invitation = campaign.invitations.get()
        assert (invitation.state, invitation.attempts) == ("queued", 1)
        assert invitation.scheduled_for == DAYTIME + delivery.BACKOFF[0]
        assert "30008" in invitation.error
        assert twilio_stub.sent() == []

    with time_machine.travel(DAYTIME + delivery.BACKOFF[0], tick=False):
        delivery.dispatch_due()

    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts) == ("sent", 2)
    (message,) = twilio_stub.sent()
    text = TextMessage.objects.get(invitation=invitation)
    assert (text.provider_sid, text.attempts, text.error_code) == (message["sid"], 2, "")


def test_a_send_whose_answer_never_came_is_found_at_twilio_instead_of_sent_again(twilio_stub, settings):
    settings.TWILIO_TIMEOUT = 1
    with time_machine.travel(DAYTIME):
        campaign = launch("sms", make_contact(phone=US_NUMBER))
        held = twilio_stub.hold_after_accepting(US_NUMBER)
        delivery.dispatch_due()  # Twilio took the text; the answer never arrived (read timeout)
        held.set()
        invitation = campaign.invitations.get()
        assert invitation.state == "queued"
        assert TextMessage.objects.get(invitation=invitation).status == "sending"

    with time_machine.travel(DAYTIME + delivery.BACKOFF[0] + timedelta(seconds=5)):
        delivery.dispatch_due()

    (message,) = twilio_stub.sent()  # never a second text
    invitation.refresh_from_db()
    assert (invitation.state, invitation.provider_message_id) == ("sent", message["sid"])
    assert TextMessage.objects.get(invitation=invitation).provider_sid == message["sid"]


def test_quiet_hours_schedule_a_text_for_the_recipients_morning_and_email_at_once(twilio_stub):
    contact = make_contact(phone=US_NUMBER, email="asha@example.com")
    with time_machine.travel(NIGHT_IN_DC, tick=False):
        campaign = make_campaign(
            channels=["email", "sms"],
            status="running",
            weekdays_only=False,
            window_start=time(0),
            window_end=time(0),
        )
        Audience.objects.create(campaign=campaign, contact=contact)
        delivery.queue_campaign(campaign)
        delivery.dispatch_due()

    email = campaign.invitations.get(channel="email")
    text = campaign.invitations.get(channel="sms")
    assert email.state == "sent"
    assert (text.state, text.scheduled_for) == ("queued", DC_MORNING)
    assert posted(twilio_stub) == []

    with time_machine.travel(DC_MORNING, tick=False):
        delivery.dispatch_due()
    text.refresh_from_db()
    assert text.state == "sent"
    assert len(twilio_stub.sent()) == 1


def test_a_text_due_at_night_goes_back_to_wait_for_the_morning_without_counting_an_attempt(twilio_stub):
    contact = make_contact(phone=US_NUMBER)
    campaign = make_campaign(channels=["sms"], status="running")
    invitation = Invitation.objects.create(
        campaign=campaign,
        contact=contact,
        channel="sms",
        short_token="nightowl1234",
        scheduled_for=NIGHT_IN_DC,
    )

    with time_machine.travel(NIGHT_IN_DC, tick=False):
        assert delivery.send_invitation(invitation.pk) == "queued"

    invitation.refresh_from_db()
    assert (invitation.state, invitation.scheduled_for, invitation.attempts) == ("queued", DC_MORNING, 0)
    assert invitation.enqueued_at is None
    assert posted(twilio_stub) == []
    assert not TextMessage.objects.exists()


def test_a_text_reminder_waits_for_the_morning_too(twilio_stub):
    contact = make_contact(phone=US_NUMBER)
    campaign = make_campaign(channels=["sms"], status="running", reminder_days=1, weekdays_only=False,
                             window_start=time(0), window_end=time(0))  # fmt: skip
    invitation = Invitation.objects.create(
        campaign=campaign, contact=contact, channel="sms", short_token="remindme1234", state="sent",
        sent_at=NIGHT_IN_DC - timedelta(days=2),
    )  # fmt: skip

    with time_machine.travel(NIGHT_IN_DC, tick=False):
        assert delivery.send_reminder(invitation.pk) is False
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is None
    assert invitation.enqueued_at == DC_MORNING - delivery.LEASE

    with time_machine.travel(DC_MORNING, tick=False):
        assert delivery.send_reminder(invitation.pk) is True
    (params,) = posted(twilio_stub)
    assert params["Body"].endswith(f"/s?{invitation.short_token}")
    assert (
        TextMessage.objects.get(key=f"inv:{invitation.pk}:reminder").provider_sid
        == twilio_stub.sent()[0]["sid"]
    )


@time_machine.travel(DAYTIME, tick=False)
def test_the_demo_file_provider_writes_one_json_file_per_text_and_finds_it_again(settings):
    campaign = launch("sms", make_contact(phone=US_NUMBER))
    delivery.dispatch_due()

    invitation = campaign.invitations.get()
    (path,) = settings.SMS_OUTBOX_DIR.glob("*.json")
    record = json.loads(path.read_text())
    assert record | {"created_at": "", "sid": ""} == {
        "to": US_NUMBER,
        "from": "MG" + "1" * 32,  # the test workspace sends through its Messaging Service
        "channel": "sms",
        "body": f"{QUESTION} http://testserver/s?{invitation.short_token}",
        "link": f"http://testserver/s?{invitation.short_token}",
        "kind": "invitation",
        "sid": "",
        "created_at": "",
    }
    assert invitation.provider_message_id == record["sid"]
    # A worker killed after the file was written and before anything was recorded: found again.
    TextMessage.objects.update(provider_sid=None, status="sending")
    assert CHANNELS["sms"].find_sent(invitation) == record["sid"]


def test_find_sent_is_none_when_the_provider_never_got_the_text(twilio_stub):
    campaign = launch("sms", make_contact(phone=US_NUMBER))
    invitation = campaign.invitations.get()
    assert CHANNELS["sms"].find_sent(invitation) is None  # no attempt recorded
    TextMessage.objects.create(
        key=f"inv:{invitation.pk}:invitation", direction="out", channel="sms", kind="invitation",
        to_number=US_NUMBER, body="x", status="sending", invitation=invitation,
    )  # fmt: skip
    assert CHANNELS["sms"].find_sent(invitation) is None  # asked Twilio: nothing there
    assert [r["method"] for r in twilio_stub.requests] == ["GET"]


def test_channels_are_offered_only_when_twilio_is_configured(settings):
    sms, whatsapp = CHANNELS["sms"], CHANNELS["whatsapp"]
    assert sms.is_configured() and whatsapp.is_configured()  # the file backend
    settings.SMS_BACKEND = "twilio"
    assert sms.is_configured() and whatsapp.is_configured()
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    assert sms.is_configured() and not whatsapp.is_configured()
    make_brand(messaging_service_sid="MG" + "2" * 32)
    assert whatsapp.is_configured()
    settings.TWILIO_AUTH_TOKEN = ""
    assert not sms.is_configured() and not whatsapp.is_configured()


def test_email_keeps_any_hour():
    contact = make_contact(phone=US_NUMBER)
    assert CHANNELS["email"].deliverable_at(contact, NIGHT_IN_DC) == NIGHT_IN_DC
    assert CHANNELS["sms"].deliverable_at(contact, NIGHT_IN_DC) == DC_MORNING


def test_template_texts_to_register_mark_the_token_as_the_variable():
    campaign = make_campaign(channels=["sms", "whatsapp"])
    assert compose.dlt_template_text(campaign, "en") == f"{QUESTION} http://testserver/s?{{#var#}}"
    reply = make_campaign(text_mode="reply")
    assert compose.dlt_template_text(reply, "en") == f"{QUESTION} http://testserver/s?{{#var#}}"
    assert compose.whatsapp_template_text(campaign, "en") == (QUESTION, "http://testserver/s?{{1}}")
    assert django_settings.PUBLIC_BASE_URL == "http://testserver"


# The outbox: texts that are not invitations ----------------------------------------------------


def queue_help(key="help:1", **fields):
    return outbox.queue_text(
        channel="sms", to=US_NUMBER, body="Acme: reply STOP to opt out.", kind="help", key=key, **fields
    )


def test_a_text_queued_twice_under_one_key_is_sent_once(twilio_stub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_help()
        second = queue_help()

    assert first.pk == second.pk
    (message,) = twilio_stub.sent()
    first.refresh_from_db()
    assert (first.status, first.provider_sid, first.attempts) == ("accepted", message["sid"], 1)
    assert message["body"] == "Acme: reply STOP to opt out."
    assert outbox.send_text(first.pk) == "accepted"  # a redelivered task finds nothing to do
    assert len(twilio_stub.sent()) == 1


def test_an_outbox_text_retries_a_temporary_error_and_gives_up_on_a_permanent_one(
    twilio_stub, django_capture_on_commit_callbacks
):
    twilio_stub.fail_next(code=20429, message="Too Many Requests", status=429)
    with django_capture_on_commit_callbacks(execute=True):
        retried = queue_help("help:1")  # eager tasks: the retry runs at once
    retried.refresh_from_db()
    assert (retried.status, retried.attempts) == ("accepted", 2)

    twilio_stub.fail_next(code=21211, message="Invalid 'To' Phone Number")
    with django_capture_on_commit_callbacks(execute=True):
        refused = queue_help("help:2")
    refused.refresh_from_db()
    assert (refused.status, refused.attempts, refused.error_code) == ("failed", 1, "21211")
    assert len(twilio_stub.sent()) == 1


def test_an_outbox_text_to_a_suppressed_number_is_not_sent(twilio_stub):
    Suppression.objects.create(address=US_NUMBER, reason="unsubscribed", channel="sms")
    message = queue_help()
    assert outbox.send_text(message.pk) == "failed"
    assert twilio_stub.requests == []


def test_the_sweep_hands_lost_texts_over_again_and_settles_those_of_dead_workers(
    twilio_stub, django_capture_on_commit_callbacks
):
    with time_machine.travel(DAYTIME, tick=False):
        lost = queue_help("help:lost")  # its task never ran (not committed in this test)
        delivered = queue_help("help:delivered")
        TextMessage.objects.filter(pk=delivered.pk).update(status="sending", attempts=1)
        twilio_stub.create({"To": US_NUMBER, "MessagingServiceSid": "MG1", "Body": delivered.body})
        waiting = queue_help("help:waiting")
        TextMessage.objects.filter(pk=waiting.pk).update(attempts=4)  # backing off for 2 hours

    with (
        time_machine.travel(DAYTIME + outbox.LEASE + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox.sweep_stuck() == 2

    lost.refresh_from_db()
    delivered.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == "accepted"  # handed over again and sent (tasks run in process)
    assert (delivered.status, delivered.provider_sid) == ("sent", twilio_stub.sent()[0]["sid"])
    assert waiting.status == "pending"
    assert len(twilio_stub.sent()) == 2  # the delivered one was not sent again
