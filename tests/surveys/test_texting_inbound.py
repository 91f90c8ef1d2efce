"""Incoming texts through the signed inbound webhook: STOP / START / HELP, replies, unknown numbers, and
the conversations that replies are matched to."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from surveys import delivery
from surveys.channels.texting import conversations, inbound
from surveys.channels.texting.providers import FileProvider
from surveys.models import Audience, Campaign, Conversation, Invitation, Suppression, TextMessage
from tests.factories import make_brand, make_campaign, make_contact, make_invitation
from tests.surveys.twilio_requests import INBOUND, inbound_params, post_signed

pytestmark = pytest.mark.django_db

NUMBER = "+14155550100"
OTHER = "+14155550101"


def text_in(client, body, *, from_=NUMBER, **more):
    params = inbound_params(body, from_=from_, **more)
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 200, response.content
    return TextMessage.objects.get(provider_sid=params["MessageSid"])


def texted_invitation(*, number=NUMBER, channel="sms", contact=None, campaign=None, **fields):
    """An invitation whose text went out (as the send path leaves it), with its conversation open."""
    contact = contact or make_contact(phone=number, name="Ravi")
    campaign = campaign or make_campaign(channels=["sms", "whatsapp"], text_mode="reply")
    fields.setdefault("state", Invitation.State.SENT)
    invitation = make_invitation(
        campaign=campaign,
        contact=contact,
        channel=channel,
        short_token=f"tok{Invitation.objects.count()}{channel}",
        sent_at=timezone.now(),
        **fields,
    )
    conversations.open_conversation(invitation)
    return invitation


@pytest.fixture
def reply_handler():
    """A handler in the registry responses fills (responses.texting.handle_reply in the product)."""
    saved = list(inbound._reply_handler)
    seen = []

    def handler(conversation, message):
        seen.append((conversation, message))
        return f"Read “{message.body}” for invitation {conversation.invitation_id}"

    inbound.register_reply_handler(handler)
    yield seen
    inbound._reply_handler[:] = saved


# STOP ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["STOP", "stop", "  Stop \n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"]
)
@pytest.mark.parametrize("from_", [NUMBER, f"whatsapp:{NUMBER}"])
def test_stop_words_suppress_the_number_for_sms_and_whatsapp(client, body, from_):
    contact = make_contact(phone=NUMBER)
    message = text_in(client, body, from_=from_)
    channel = "whatsapp" if from_.startswith("whatsapp:") else "sms"
    suppression = Suppression.objects.get(address=NUMBER)
    assert (suppression.reason, suppression.channel) == ("unsubscribed", channel)
    assert message.contact == contact
    assert message.outcome == "Opted out of texts (STOP)"
    assert not message.needs_attention


def test_twilio_advanced_opt_out_type_suppresses_whatever_the_words(client):
    text_in(client, "मुझे संदेश मत भेजो", OptOutType="STOP")
    assert Suppression.objects.get(address=NUMBER).reason == "unsubscribed"


@pytest.mark.parametrize("body", ["please stop", "STOP!", "stop texting me", "stopp", ""])
def test_a_keyword_counts_only_as_the_whole_text(client, body):
    message = text_in(client, body)
    assert not Suppression.objects.exists()
    assert message.needs_attention
    assert message.outcome == inbound.NO_OPEN_SURVEY


def test_full_width_stop_counts(client):
    text_in(client, "ＳＴＯＰ")
    assert Suppression.objects.filter(address=NUMBER).exists()


def test_stop_closes_conversations_and_cancels_queued_texts_but_not_email(client):
    contact = make_contact(phone=NUMBER, email="ravi@example.com")
    sms = texted_invitation(contact=contact)
    whatsapp = texted_invitation(contact=contact, channel="whatsapp")
    later = make_campaign(channels=["sms", "email"])
    queued_text = make_invitation(campaign=later, contact=contact, channel="sms", short_token="queued1")
    queued_email = make_invitation(campaign=later, contact=contact, channel="email")

    text_in(client, "STOP", from_=f"whatsapp:{NUMBER}")

    assert set(Conversation.objects.values_list("invitation", "state")) == {
        (sms.pk, "closed"),
        (whatsapp.pk, "closed"),
    }
    queued_text.refresh_from_db()
    queued_email.refresh_from_db()
    assert queued_text.state == Invitation.State.SUPPRESSED
    assert queued_email.state == Invitation.State.QUEUED
    assert not Suppression.objects.filter(address="ravi@example.com").exists()


def test_after_stop_a_campaign_never_texts_the_number(client, settings):
    settings.TEXT_QUIET_HOURS = "00:00-24:00"  # any hour: the test must not depend on the clock
    stopped, other = make_contact(phone=NUMBER), make_contact(phone=OTHER)
    text_in(client, "STOP")  # by SMS: WhatsApp stops too
    campaign = make_campaign(
        channels=["sms", "whatsapp"],
        status=Campaign.Status.RUNNING,
        window_start=time(0),
        window_end=time(0),
        weekdays_only=False,
        throttle_days=0,  # SMS and WhatsApp to the same contact in one round
    )
    for contact in (stopped, other):
        Audience.objects.create(campaign=campaign, contact=contact)

    delivery.queue_campaign(campaign)
    ids = list(Invitation.objects.filter(campaign=campaign).values_list("pk", flat=True))
    states = delivery.send_invitations(ids)

    assert set(Invitation.objects.filter(campaign=campaign).values_list("contact", "channel")) == {
        (other.pk, "sms"),
        (other.pk, "whatsapp"),
    }
    assert set(states.values()) == {Invitation.State.SENT}
    sent = FileProvider(settings.SMS_OUTBOX_DIR).sent()
    assert sorted(record["channel"] for record in sent) == ["sms", "whatsapp"]
    assert {record["to"] for record in sent} == {OTHER}
    assert not TextMessage.objects.filter(direction="out", to_number=NUMBER).exists()


# START -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["START", "unstop", "Start"])
def test_start_lifts_a_texting_opt_out(client, body):
    text_in(client, "STOP", from_=f"whatsapp:{NUMBER}")
    message = text_in(client, body)
    assert not Suppression.objects.filter(address=NUMBER).exists()
    assert message.outcome == "Opted back in to texts (START)"


def test_start_by_opt_out_type(client):
    text_in(client, "STOP")
    text_in(client, "ARRANCAR", OptOutType="START")
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("reason", "channel"), [("manual", ""), ("bounced", "sms"), ("blocked", "whatsapp"), ("unsubscribed", "")]
)
def test_start_never_lifts_what_an_admin_or_a_failure_put_there(client, reason, channel):
    Suppression.objects.create(address=NUMBER, reason=reason, channel=channel)
    message = text_in(client, "START")
    assert Suppression.objects.filter(address=NUMBER, reason=reason).exists()
    assert message.outcome == "START received; the number was not opted out"


def test_replayed_stop_after_start_stays_opted_in(client):
    stop = inbound_params("STOP", from_=NUMBER)
    post_signed(client, INBOUND, stop)
    text_in(client, "START")
    assert post_signed(client, INBOUND, stop).status_code == 200  # Twilio retries an old request
    assert not Suppression.objects.exists()
    assert TextMessage.objects.count() == 2


# HELP ------------------------------------------------------------------------------------------------


def test_help_queues_the_default_help_text_naming_the_brand(
    client, settings, django_capture_on_commit_callbacks
):
    invitation = texted_invitation(
        campaign=make_campaign(brand=make_brand(company_name="Chai Point"), channels=["sms"])
    )
    make_brand(company_name="Another company")
    with django_capture_on_commit_callbacks(execute=True):
        message = text_in(client, "help")
    answer = TextMessage.objects.get(key=f"help:{message.pk}")
    assert (answer.kind, answer.to_number, answer.invitation) == ("help", NUMBER, invitation)
    [record] = FileProvider(settings.SMS_OUTBOX_DIR).sent()
    assert record["to"] == NUMBER
    assert record["body"] == "Chai Point: we text you short surveys about our service. Reply STOP to opt out."
    assert message.outcome == "Help text sent"
    assert not Suppression.objects.exists()


def test_help_from_an_unknown_number_answers_with_the_first_brands_own_text(
    client, settings, django_capture_on_commit_callbacks
):
    make_brand(
        company_name="First", sms_help_text="First Co: surveys by text. Reply STOP to stop, call 1800 000."
    )
    make_brand(company_name="Second")
    with django_capture_on_commit_callbacks(execute=True):
        text_in(client, "HELP", from_=f"whatsapp:{OTHER}")
    [record] = FileProvider(settings.SMS_OUTBOX_DIR).sent()
    assert (record["to"], record["channel"]) == (OTHER, "whatsapp")
    assert record["body"] == "First Co: surveys by text. Reply STOP to stop, call 1800 000."


def test_replayed_help_is_answered_once(client, settings, django_capture_on_commit_callbacks):
    make_brand()
    params = inbound_params("HELP")
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, INBOUND, params)
        post_signed(client, INBOUND, params)
    assert len(FileProvider(settings.SMS_OUTBOX_DIR).sent()) == 1
    assert TextMessage.objects.filter(kind="help").count() == 1


def test_help_text_default_is_translated_into_the_contacts_language(settings):
    from django.utils import translation

    brand = make_brand(company_name="Chai Point")
    with translation.override("hi"):
        expected = translation.gettext(inbound.DEFAULT_HELP_TEXT).replace("{brand}", "Chai Point")
    assert inbound.help_text(brand, "hi") == expected
    assert inbound.help_text(brand, "") == (
        "Chai Point: we text you short surveys about our service. Reply STOP to opt out."
    )


# Replies ---------------------------------------------------------------------------------------------


def test_reply_to_an_open_conversation_goes_to_the_registered_handler(client, reply_handler):
    invitation = texted_invitation()
    message = text_in(client, "9 - great service")
    [(conversation, handled)] = reply_handler
    assert conversation.invitation == invitation
    assert handled.pk == message.pk
    assert message.outcome == f"Read “9 - great service” for invitation {invitation.pk}"
    assert (message.invitation, message.contact) == (invitation, invitation.contact)
    assert not message.needs_attention


def test_reply_on_whatsapp_finds_the_whatsapp_conversation(client, reply_handler):
    contact = make_contact(phone=NUMBER)
    texted_invitation(contact=contact, channel="sms")
    whatsapp = texted_invitation(contact=contact, channel="whatsapp")
    message = text_in(client, "10", from_=f"whatsapp:{NUMBER}")
    assert (message.channel, message.from_number) == ("whatsapp", NUMBER)
    assert reply_handler[0][0].invitation == whatsapp


def test_reply_handler_failure_keeps_the_text_for_a_person(client, caplog):
    texted_invitation()
    saved = list(inbound._reply_handler)

    def broken(conversation, message):
        Conversation.objects.filter(pk=conversation.pk).update(state="done")  # rolled back
        raise RuntimeError("boom")

    inbound.register_reply_handler(broken)
    try:
        message = text_in(client, "9")
    finally:
        inbound._reply_handler[:] = saved
    assert message.needs_attention
    assert "could not be read" in message.outcome
    assert Conversation.objects.get().state == "score"
    assert "The reply handler failed" in caplog.text


def test_text_from_an_unknown_number_is_kept_for_admins(client):
    message = text_in(client, "Who is this?", from_=OTHER)
    assert message.contact is None
    assert message.needs_attention
    assert message.outcome == "No open survey for this number"
    assert message.body == "Who is this?"


def test_text_after_the_conversation_expired_is_kept_on_the_contact(client, reply_handler):
    invitation = texted_invitation()
    Conversation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    message = text_in(client, "8")
    assert reply_handler == []
    assert message.contact == invitation.contact
    assert message.needs_attention
    assert message.outcome == inbound.NO_OPEN_SURVEY
    assert Conversation.objects.get().state == "expired"


def test_whatsapp_prefix_and_national_format_become_one_number(client):
    contact = make_contact(phone=NUMBER)
    message = text_in(client, "hello", from_="whatsapp:+1 (415) 555-0100", to="+14155238886")
    assert (message.channel, message.from_number, message.to_number) == ("whatsapp", NUMBER, "+14155238886")
    assert message.contact == contact


# Conversations ---------------------------------------------------------------------------------------


def test_a_new_survey_closes_the_older_open_conversation_of_that_number(settings):
    settings.TEXT_CONVERSATION_HOURS = 24
    contact = make_contact(phone=NUMBER)
    first = texted_invitation(contact=contact)
    second = texted_invitation(contact=contact)
    assert Conversation.objects.get(invitation=first).state == "closed"
    newest = conversations.find_open(NUMBER, "sms")
    assert newest.invitation == second
    assert timedelta(hours=23, minutes=59) < newest.expires_at - timezone.now() <= timedelta(hours=24)


def test_opening_again_reopens_the_same_conversation_unless_answered():
    invitation = texted_invitation()
    conversation = Conversation.objects.get()
    Conversation.objects.update(state="expired", reasked=True)
    assert conversations.open_conversation(invitation).pk == conversation.pk
    conversation.refresh_from_db()
    assert (conversation.state, conversation.reasked) == ("score", False)
    Conversation.objects.update(state="done")
    assert conversations.open_conversation(invitation).state == "done"
    assert Conversation.objects.count() == 1


def test_expire_stale_counts_only_open_conversations_past_their_time():
    texted_invitation(number=NUMBER)
    texted_invitation(number=OTHER)
    Conversation.objects.filter(number=NUMBER).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert conversations.expire_stale() == 1
    assert conversations.expire_stale() == 0
    assert dict(Conversation.objects.values_list("number", "state")) == {NUMBER: "expired", OTHER: "score"}


@pytest.mark.django_db(transaction=True)
def test_two_surveys_opened_at_once_leave_one_open_conversation():
    """The second opener waits on the unique index for the first to commit, then closes its conversation."""
    contact = make_contact(phone=NUMBER)
    campaign = make_campaign(channels=["sms"])
    first, second = (
        make_invitation(
            campaign=make_campaign(channels=["sms"]) if i else campaign,
            contact=contact,
            channel="sms",
            short_token=f"race{i}",
            state="sent",
        )
        for i in range(2)
    )
    opened, errors = threading.Event(), []

    def open_first_and_hold():
        try:
            with transaction.atomic():
                conversations.open_conversation(first)
                opened.set()
                threading.Event().wait(0.5)  # the other opener is blocked meanwhile
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=open_first_and_hold)
    holder.start()
    assert opened.wait(5)
    conversations.open_conversation(second)
    holder.join()
    assert errors == []
    assert dict(Conversation.objects.values_list("invitation", "state")) == {
        first.pk: "closed",
        second.pk: "score",
    }


@pytest.mark.django_db(transaction=True)
def test_the_same_text_delivered_twice_at_once_is_recorded_and_acted_on_once():
    contact = make_contact(phone=NUMBER)
    params = inbound_params("STOP")
    inserted, results = threading.Event(), []

    def receive_and_hold():
        try:
            with transaction.atomic():
                results.append(inbound.receive(params))
                inserted.set()
                threading.Event().wait(0.5)
        finally:
            connection.close()

    holder = threading.Thread(target=receive_and_hold)
    holder.start()
    assert inserted.wait(5)
    again = inbound.receive(params)
    holder.join()
    assert again.pk == results[0].pk
    assert TextMessage.objects.filter(contact=contact).count() == 1
    assert Suppression.objects.filter(address=NUMBER).count() == 1
