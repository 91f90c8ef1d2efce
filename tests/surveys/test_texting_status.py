"""Status callbacks through the signed webhook: out of order, repeated, and the error codes that fail,
retry or suppress."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from surveys import delivery
from surveys.channels import EventKind, get_channel
from surveys.channels.texting import conversations
from surveys.channels.texting.providers import FileProvider
from surveys.models import Campaign, Conversation, Invitation, Suppression, TextMessage
from tests.factories import make_campaign, make_contact, make_invitation
from tests.surveys.twilio_requests import STATUS, new_sid, post_signed, status_params

pytestmark = pytest.mark.django_db

NUMBER = "+14155550100"


def texted(*, channel="sms", kind="invitation", status="queued", attempts=1, invitation_state="sent"):
    """An invitation sent by text and its TextMessage, as the send path leaves them (conversation open)."""
    contact = make_contact(phone=NUMBER)
    sid = new_sid()
    invitation = make_invitation(
        campaign=make_campaign(channels=[channel], text_mode="reply"),
        contact=contact,
        channel=channel,
        short_token=f"st{sid[-10:]}",
        state=invitation_state,
        attempts=attempts,
        sent_at=timezone.now(),
        provider_message_id=sid,
    )
    message = TextMessage.objects.create(
        direction="out",
        channel=channel,
        kind=kind,
        contact=contact,
        invitation=invitation,
        key=f"inv:{invitation.pk}:{kind}",
        from_number="+15005550006",
        to_number=NUMBER,
        body="How likely are you to recommend us? Reply with a number from 0 to 10.",
        provider_sid=sid,
        status=status,
    )
    conversations.open_conversation(invitation)
    return invitation, message


def callback(client, message, status, *, error_code=""):
    params = status_params(message.provider_sid, status, error_code=error_code, channel=message.channel)
    response = post_signed(client, STATUS, params)
    assert response.status_code == 200, response.content
    message.refresh_from_db()
    return message


def test_statuses_move_forward(client):
    _, message = texted()
    for status in ("sent", "delivered", "read"):
        assert callback(client, message, status).status == status


def test_statuses_out_of_order_never_move_backwards(client):
    _, message = texted()
    callback(client, message, "delivered")
    changed_at = message.status_changed_at
    for late in ("queued", "accepted", "sending", "sent"):
        assert callback(client, message, late).status == "delivered"
    assert message.status_changed_at == changed_at


def test_repeated_callback_changes_nothing(client):
    invitation, message = texted()
    callback(client, message, "failed", error_code="21610")
    first = (message.status, message.status_changed_at, message.error)
    Suppression.objects.all().delete()  # an admin lifted it meanwhile
    callback(client, message, "failed", error_code="21610")
    assert (message.status, message.status_changed_at, message.error) == first
    assert not Suppression.objects.exists()


def test_repeated_temporary_failure_does_not_queue_the_invitation_twice(client):
    invitation, message = texted()
    params = status_params(message.provider_sid, "failed", error_code="30008")
    post_signed(client, STATUS, params)
    invitation.refresh_from_db()
    first = (invitation.state, invitation.scheduled_for, invitation.attempts)
    Invitation.objects.filter(pk=invitation.pk).update(state="sent")  # as if a worker sent it again
    assert post_signed(client, STATUS, params).status_code == 200
    invitation.refresh_from_db()
    assert (invitation.state, invitation.scheduled_for) == ("sent", first[1])


def test_after_a_temporary_failure_the_text_is_really_sent_again(client, settings):
    settings.TEXT_QUIET_HOURS = "00:00-24:00"
    invitation, message = texted()
    Campaign.objects.filter(pk=invitation.campaign_id).update(
        status=Campaign.Status.RUNNING, window_start=time(0), window_end=time(0), weekdays_only=False
    )
    first_sid = message.provider_sid
    callback(client, message, "undelivered", error_code="30008")
    Invitation.objects.filter(pk=invitation.pk).update(scheduled_for=timezone.now())  # the backoff is over

    assert delivery.send_invitation(invitation.pk) == Invitation.State.SENT

    [record] = FileProvider(settings.SMS_OUTBOX_DIR).sent()
    message.refresh_from_db()
    invitation.refresh_from_db()
    assert record["to"] == NUMBER
    assert message.provider_sid == record["sid"] != first_sid
    assert invitation.provider_message_id == record["sid"]
    assert invitation.attempts == 2
    assert Conversation.objects.get().state == "score"  # open again for the reply
    # The first message's late callbacks change nothing now.
    post_signed(client, STATUS, status_params(first_sid, "failed", error_code="30008"))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT


def test_a_failure_never_undoes_a_delivery(client):
    invitation, message = texted()
    callback(client, message, "delivered")
    assert callback(client, message, "undelivered", error_code="30003").status == "delivered"
    invitation.refresh_from_db()
    assert invitation.state == "sent"


def test_final_statuses_stay(client):
    _, message = texted()
    callback(client, message, "canceled")
    assert callback(client, message, "delivered").status == "canceled"


def test_21610_fails_the_invitation_and_suppresses_the_number_for_every_texting_channel(client):
    invitation, message = texted()
    callback(client, message, "undelivered", error_code="21610")
    assert (message.status, message.error_code) == ("undelivered", "21610")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED
    assert "21610" in invitation.error
    suppression = Suppression.objects.get(address=NUMBER)
    assert (suppression.reason, suppression.channel) == ("unsubscribed", "sms")
    assert Conversation.objects.get().state == "closed"


def test_63014_on_whatsapp_suppresses_as_blocked(client):
    invitation, message = texted(channel="whatsapp")
    callback(client, message, "failed", error_code="63014")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED
    suppression = Suppression.objects.get(address=NUMBER)
    assert (suppression.reason, suppression.channel) == ("blocked", "whatsapp")


def test_permanent_error_about_the_number_fails_without_suppressing(client):
    invitation, message = texted()
    callback(client, message, "undelivered", error_code="30006")  # a landline
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("attempts", [1, 2, 3, 4])
def test_30008_queues_the_invitation_again_with_the_backoff(client, attempts):
    invitation, message = texted(attempts=attempts)
    before = timezone.now()
    callback(client, message, "failed", error_code="30008")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.QUEUED
    assert invitation.enqueued_at is None
    wait = delivery.BACKOFF[attempts - 1]
    assert before + wait <= invitation.scheduled_for <= timezone.now() + wait
    assert "30008" in invitation.error
    assert not Suppression.objects.exists()
    assert Conversation.objects.get().state == "closed"  # opened again when the text is sent again


def test_temporary_error_after_the_last_attempt_fails(client):
    invitation, message = texted(attempts=delivery.MAX_ATTEMPTS)
    callback(client, message, "undelivered", error_code="30008")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.FAILED


def test_failed_reminder_suppresses_but_leaves_the_invitation(client):
    invitation, message = texted(kind="reminder")
    callback(client, message, "undelivered", error_code="21610")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT
    assert Suppression.objects.get(address=NUMBER).reason == "unsubscribed"


def test_old_callback_does_not_touch_an_invitation_sent_again(client):
    """The invitation was re-sent with a new message: a late failure of the first one changes nothing."""
    invitation, message = texted()
    Invitation.objects.filter(pk=invitation.pk).update(provider_message_id=new_sid())
    callback(client, message, "failed", error_code="30008")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT


def test_unknown_status_value_changes_nothing(client):
    _, message = texted()
    assert callback(client, message, "partially_delivered").status == "queued"


def test_callback_does_not_touch_an_incoming_text(client):
    incoming = TextMessage.objects.create(
        direction="in",
        channel="sms",
        kind="reply",
        from_number=NUMBER,
        provider_sid=new_sid(),
        status="received",
    )
    post_signed(client, STATUS, status_params(incoming.provider_sid, "failed", error_code="21610"))
    incoming.refresh_from_db()
    assert incoming.status == "received"
    assert not Suppression.objects.exists()


def test_the_channel_reads_a_callback_as_an_event():
    sms = get_channel("sms")
    event = sms.read_event(status_params("SM1", "undelivered", error_code="21610", channel="whatsapp"))
    assert (event.kind, event.address, event.temporary, event.provider_message_id) == (
        EventKind.OPTED_OUT,
        NUMBER,
        False,
        "SM1",
    )
    assert sms.read_event(status_params("SM1", "failed", error_code="63014")).kind == EventKind.COMPLAINED
    assert sms.read_event(status_params("SM1", "failed", error_code="30008")).temporary
    assert sms.read_event(status_params("SM1", "delivered")).kind == EventKind.DELIVERED
    assert sms.read_event(status_params("SM1", "sent")) is None


def test_expired_conversation_is_not_reopened_by_a_failure(client):
    invitation, message = texted()
    Conversation.objects.update(state="expired", expires_at=timezone.now() - timedelta(hours=1))
    callback(client, message, "failed", error_code="30006")
    assert Conversation.objects.get().state == "expired"
