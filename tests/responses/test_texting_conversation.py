"""Answering a survey by text (reply mode): score, follow-up, comment, thank-you, against the database.

Replies are handed to responses.texting.handle_reply directly, and through Twilio's signed inbound webhook.
Our texts go out through the outbox with the demo's file provider: one JSON file per text in SMS_OUTBOX_DIR.
"""

import json
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from twilio.request_validator import RequestValidator

from responses.models import Answer
from responses.texting import handle_reply
from surveys.channels.texting.compose import REASK
from surveys.channels.texting.conversations import open_conversation
from surveys.channels.texting.inbound import DEFAULT_HELP_TEXT
from surveys.models import (
    DEFAULT_SMS_BODY,
    Campaign,
    Conversation,
    Invitation,
    TextMessage,
    TextMode,
    new_short_token,
)
from tests.factories import make_brand, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db

INBOUND = "/webhooks/twilio/inbound/"
OUR_NUMBER = "+15005550006"


def texted_survey(*, language="en", phone="+14155550123", channel="sms", **invitation_fields):
    """A reply-mode survey texted to a contact a minute ago, and its open conversation."""
    campaign = make_campaign(
        brand=make_brand(company_name="Acme"),
        channels=[channel],
        text_mode=TextMode.REPLY,
        status=Campaign.Status.RUNNING,
    )
    invitation = make_invitation(
        campaign=campaign,
        contact=make_contact(phone=phone, language=language),
        channel=channel,
        state=Invitation.State.SENT,
        sent_at=timezone.now() - timedelta(minutes=1),
        short_token=new_short_token(),
        language=language,
        **invitation_fields,
    )
    return open_conversation(invitation)


def reply(conversation, body):
    """The customer's text, as inbound records it, read by the handler."""
    message = TextMessage.objects.create(
        direction=TextMessage.Direction.IN,
        channel=conversation.channel,
        kind=TextMessage.Kind.REPLY,
        contact=conversation.contact,
        invitation=conversation.invitation,
        from_number=conversation.number,
        to_number=OUR_NUMBER,
        body=body,
        provider_sid="SM" + secrets.token_hex(16),
        status=TextMessage.Status.RECEIVED,
    )
    return handle_reply(conversation, message)


def our_texts(conversation):
    """(kind, body) of what we queued in the conversation, oldest first."""
    texts = TextMessage.objects.filter(
        direction=TextMessage.Direction.OUT, invitation=conversation.invitation
    )
    return [(t.kind, t.body) for t in texts.exclude(kind__in=["invitation", "reminder"]).order_by("pk")]


def phone_screen():
    """What the demo's file provider wrote: (to, channel, body) of every text, in sending order."""
    files = sorted(settings.SMS_OUTBOX_DIR.glob("*.json")) if settings.SMS_OUTBOX_DIR.is_dir() else []
    return [(r["to"], r["channel"], r["body"]) for r in (json.loads(f.read_text("utf-8")) for f in files)]


def refreshed(conversation):
    conversation.refresh_from_db()
    return conversation


def test_a_score_with_words_records_both_and_asks_the_groups_follow_up():
    conversation = texted_survey()

    assert reply(conversation, "9 - great service") == "Score 9 recorded with a comment"

    answer = Answer.objects.get(invitation=conversation.invitation)
    assert (answer.score, answer.comment, answer.channel) == (9, "great service", "sms")
    assert refreshed(conversation).state == Conversation.State.AWAITING_COMMENT
    assert our_texts(conversation) == [("followup", "What do you like most about us?")]
    followup = TextMessage.objects.get(kind="followup")
    assert (followup.key, followup.to_number, followup.channel) == (
        f"conv:{conversation.pk}:followup",
        "+14155550123",
        "sms",
    )


@pytest.mark.parametrize(
    ("body", "score", "followup"),
    [
        ("10/10", 10, "What do you like most about us?"),
        (" 7!", 7, "What could we do better?"),
        ("3 out of 10", 3, "What disappointed you?"),
        ("٠", 0, "What disappointed you?"),
    ],
)
def test_the_follow_up_is_the_one_of_the_scores_group(body, score, followup):
    conversation = texted_survey()

    assert reply(conversation, body) == f"Score {score} recorded"

    answer = Answer.objects.get(invitation=conversation.invitation)
    assert (answer.score, answer.comment) == (score, "")
    assert our_texts(conversation) == [("followup", followup)]


def test_the_next_reply_is_the_comment_then_thanks_and_the_conversation_is_done():
    conversation = texted_survey()
    reply(conversation, "6")

    # Once the score is in, every reply is the comment, even one that looks like a new score.
    assert reply(conversation, "actually 7, the queue was long") == "Comment saved"

    answer = Answer.objects.get(invitation=conversation.invitation)
    assert (answer.score, answer.comment) == (6, "actually 7, the queue was long")
    assert refreshed(conversation).state == Conversation.State.DONE
    assert our_texts(conversation) == [
        ("followup", "What disappointed you?"),
        ("thanks", "Thank you! Your answer helps Acme get better."),
    ]


def test_words_sent_with_the_score_stay_when_the_follow_up_is_answered():
    conversation = texted_survey()
    reply(conversation, "9: fast")

    reply(conversation, "and the staff were kind")

    assert Answer.objects.get().comment == "fast\nand the staff were kind"


def test_the_thank_you_is_the_surveys_own_when_it_has_one():
    conversation = texted_survey(texts={"thank_you_message": "Merci, à bientôt !"})
    reply(conversation, "10")

    reply(conversation, "Parfait")

    assert our_texts(conversation)[-1] == ("thanks", "Thank you! Merci, à bientôt !")


def test_nonsense_is_asked_about_once_then_left():
    conversation = texted_survey()

    assert reply(conversation, "who is this?") == "Asked again: no score understood"
    conversation = refreshed(conversation)
    assert (conversation.state, conversation.reasked) == (Conversation.State.AWAITING_SCORE, True)
    assert our_texts(conversation) == [
        ("reask", "Sorry, we did not understand. Please reply with a number from 0 to 10.")
    ]

    assert reply(conversation, "eleven") == "No score understood twice: stopped asking"

    assert refreshed(conversation).state == Conversation.State.GAVE_UP
    assert len(our_texts(conversation)) == 1
    assert not Answer.objects.exists()
    assert TextMessage.objects.filter(direction="in", body="eleven").exists()


def test_a_score_after_the_question_was_asked_again_is_recorded():
    conversation = texted_survey()
    reply(conversation, "55")

    assert reply(conversation, "5") == "Score 5 recorded"

    assert Answer.objects.get().score == 5
    assert [kind for kind, _ in our_texts(conversation)] == ["reask", "followup"]


def test_an_empty_reply_to_the_follow_up_leaves_the_question_standing():
    conversation = texted_survey()
    reply(conversation, "8")

    assert reply(conversation, "  ") == "Empty reply: still waiting for a comment"

    assert refreshed(conversation).state == Conversation.State.AWAITING_COMMENT
    assert Answer.objects.get().comment == ""


def test_a_hindi_speaker_gets_every_text_in_hindi(django_capture_on_commit_callbacks):
    conversation = texted_survey(language="hi", phone="+14155550188")

    with django_capture_on_commit_callbacks(execute=True):
        reply(conversation, "कुछ नहीं")
    with django_capture_on_commit_callbacks(execute=True):
        assert reply(conversation, "८") == "Score 8 recorded"
    with django_capture_on_commit_callbacks(execute=True):
        reply(conversation, "समय पर डिलीवरी")

    assert Answer.objects.get().comment == "समय पर डिलीवरी"
    assert phone_screen() == [
        ("+14155550188", "sms", "क्षमा करें, हम समझ नहीं पाए। कृपया 0 से 10 तक कोई अंक भेजें।"),
        ("+14155550188", "sms", "हम क्या बेहतर कर सकते हैं?"),
        ("+14155550188", "sms", "धन्यवाद! आपके जवाब से Acme को और बेहतर बनने में मदद मिलती है।"),
    ]


def test_an_arabic_speaker_gets_the_follow_up_in_arabic():
    conversation = texted_survey(language="ar")

    reply(conversation, "٩")

    assert our_texts(conversation) == [("followup", "ما أكثر ما يعجبك فينا؟")]


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES if code != "en"])
def test_every_text_of_a_texted_survey_is_translated_with_its_placeholders(language):
    """The texts a customer's phone shows, in their language: placeholders kept, STOP left as the keyword."""
    texts = {
        DEFAULT_SMS_BODY["link"]: ["{question}", "{link}"],
        DEFAULT_SMS_BODY["reply"]: ["{question}", "0", "10"],
        REASK: ["0", "10"],
        DEFAULT_HELP_TEXT: ["{brand}", "STOP"],
    }
    with translation.override(language):
        for text, kept in texts.items():
            translated = translation.gettext(text)
            assert all(part in translated for part in kept), (language, translated)
            if text != DEFAULT_SMS_BODY["link"]:
                assert translated != text, (language, text)


# Through Twilio's signed webhook, as the phone simulator and Twilio send it.


def post_inbound(client, **params):
    params.setdefault("MessageSid", "SM" + secrets.token_hex(16))
    params.setdefault("AccountSid", settings.TWILIO_ACCOUNT_SID)
    params.setdefault("To", OUR_NUMBER)
    params.setdefault("NumMedia", "0")
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        "http://testserver" + INBOUND, params
    )
    return client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_customer_answers_by_sms_through_the_webhook(client, django_capture_on_commit_callbacks):
    conversation = texted_survey(language="hi", phone="+919876543210")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_inbound(client, From="+919876543210", Body="९")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        post_inbound(client, From="+919876543210", Body="बहुत अच्छी सेवा")

    answer = Answer.objects.get(invitation=conversation.invitation)
    assert (answer.score, answer.comment, answer.channel) == (9, "बहुत अच्छी सेवा", "sms")
    assert refreshed(conversation).state == Conversation.State.DONE
    received = TextMessage.objects.filter(direction="in").order_by("pk")
    assert [(m.body, m.outcome, m.needs_attention) for m in received] == [
        ("९", "Score 9 recorded", False),
        ("बहुत अच्छी सेवा", "Comment saved", False),
    ]
    assert [body for _, _, body in phone_screen()] == [
        "आपको हमारी कौन-सी बात सबसे ज़्यादा पसंद है?",
        "धन्यवाद! आपके जवाब से Acme को और बेहतर बनने में मदद मिलती है।",
    ]


def test_a_replayed_score_webhook_is_read_once(client):
    conversation = texted_survey()
    params = {"From": "+14155550123", "Body": "8", "MessageSid": "SM" + "8" * 32}

    post_inbound(client, **params)
    post_inbound(client, **params)

    assert refreshed(conversation).state == Conversation.State.AWAITING_COMMENT
    assert TextMessage.objects.filter(direction="in").count() == 1
    assert our_texts(conversation) == [("followup", "What could we do better?")]


def test_a_whatsapp_reply_is_an_answer_on_whatsapp(client):
    conversation = texted_survey(channel="whatsapp", phone="+14155550177")

    post_inbound(client, From="whatsapp:+14155550177", To=f"whatsapp:{OUR_NUMBER}", Body="10 👍")

    answer = Answer.objects.get(invitation=conversation.invitation)
    assert (answer.score, answer.channel) == (10, "whatsapp")
    followup = TextMessage.objects.get(kind="followup")
    assert (followup.channel, followup.to_number) == ("whatsapp", "+14155550177")


def test_a_reply_after_the_conversation_expired_is_kept_on_the_contact(client):
    conversation = texted_survey()
    Conversation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    post_inbound(client, From="+14155550123", Body="9")

    assert not Answer.objects.exists()
    assert refreshed(conversation).state == Conversation.State.EXPIRED
    kept = TextMessage.objects.get(direction="in")
    assert (kept.contact, kept.needs_attention, kept.outcome) == (
        conversation.contact,
        True,
        "No open survey for this number",
    )


def test_a_reply_to_an_archived_campaign_is_kept_for_a_person_and_records_nothing(client):
    conversation = texted_survey()
    Campaign.objects.update(status=Campaign.Status.ARCHIVED)

    post_inbound(client, From="+14155550123", Body="9")

    assert refreshed(conversation).state == Conversation.State.CLOSED
    assert not Answer.objects.exists()
    assert our_texts(conversation) == []
    kept = TextMessage.objects.get(direction="in")
    assert (kept.needs_attention, kept.outcome) == (True, "Survey closed: reply kept for a person to read")
