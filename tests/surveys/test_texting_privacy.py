"""A contact's texts and reply-mode conversations: erased with them, and part of their data export."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nps.accounts.roles import Role
from surveys.models import Channel, Contact, Conversation, Invitation, TextMessage
from tests.factories import make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db

NUMBER = "+14155550123"
SENDER = "+15005550006"


def text(**fields) -> TextMessage:
    fields.setdefault("channel", Channel.SMS)
    fields.setdefault("direction", TextMessage.Direction.OUT)
    fields.setdefault("kind", TextMessage.Kind.INVITATION)
    fields.setdefault("status", TextMessage.Status.DELIVERED)
    return TextMessage.objects.create(**fields)


def texted_contact():
    """A contact surveyed in reply mode: the survey, their score, the follow-up; a conversation open."""
    contact = make_contact(phone=NUMBER, name="Ravi Iyer")
    campaign = make_campaign(name="SMS pulse", channels=["sms"], text_mode="reply")
    invitation = make_invitation(
        campaign=campaign, contact=contact, channel="sms", state=Invitation.State.SENT
    )
    survey = text(
        contact=contact,
        invitation=invitation,
        key=f"inv:{invitation.pk}:invitation",
        from_number=SENDER,
        to_number=NUMBER,
        body="How likely are you to recommend Acme? Reply with a number from 0 to 10.",
        provider_sid="SM" + "a" * 32,
    )
    reply = text(
        contact=contact,
        invitation=invitation,
        direction=TextMessage.Direction.IN,
        kind=TextMessage.Kind.REPLY,
        status=TextMessage.Status.RECEIVED,
        from_number=NUMBER,
        to_number=SENDER,
        body="९ great chai",
        outcome="Score 9 recorded",
        provider_sid="SM" + "b" * 32,
    )
    conversation = Conversation.objects.create(
        invitation=invitation,
        contact=contact,
        channel=Channel.SMS,
        number=NUMBER,
        state=Conversation.State.AWAITING_COMMENT,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    return contact, invitation, survey, reply, conversation


def test_erasing_a_contact_deletes_their_texts_and_conversations_and_empties_unlinked_ones(client):
    client.force_login(make_user(role=Role.ADMIN))
    contact, _invitation, survey, reply, conversation = texted_contact()
    # Before they were a contact, the number wrote in: kept unlinked, for an admin to read.
    early = text(
        direction=TextMessage.Direction.IN,
        kind=TextMessage.Kind.REPLY,
        status=TextMessage.Status.RECEIVED,
        from_number=NUMBER,
        to_number=SENDER,
        body="Is this Chaiwala? Call me, Ravi",
        outcome="No open survey for this number",
        needs_attention=True,
        provider_sid="SM" + "c" * 32,
    )
    someone_else = make_contact(phone="+14155550199", name="Mei Tanaka")
    other = text(contact=someone_else, from_number=SENDER, to_number="+14155550199", body="Hello Mei")

    page = client.get(reverse("surveys:contact_delete", args=[contact.pk]))
    assert "the texts sent to and received from them" in page.text
    assert "1 text</strong> stays among the received texts" in page.text

    response = client.post(reverse("surveys:contact_delete", args=[contact.pk]), follow=True)

    assert "Kept among the received texts, anonymised: 1 text." in response.text
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not TextMessage.objects.filter(pk__in=[survey.pk, reply.pk]).exists()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    early.refresh_from_db()
    assert (early.from_number, early.to_number, early.body, early.outcome) == ("", "", "", "")
    assert early.provider_sid == "SM" + "c" * 32  # a replay of that webhook still finds its row
    other.refresh_from_db()
    assert (other.contact, other.to_number, other.body) == (someone_else, "+14155550199", "Hello Mei")
    assert not TextMessage.objects.filter(body__contains="Ravi").exists()
    assert not TextMessage.objects.filter(from_number=NUMBER).exists()
    assert not TextMessage.objects.filter(to_number=NUMBER).exists()


def test_erasing_a_contact_without_a_phone_leaves_every_text_alone(client):
    client.force_login(make_user(role=Role.ADMIN))
    unlinked = text(from_number=SENDER, to_number=NUMBER, body="Hello")
    contact = make_contact(email="asha@example.com")

    page = client.get(reverse("surveys:contact_delete", args=[contact.pk]))
    assert "the texts sent to and received from them" not in page.text
    assert "No texts to keep." in page.text
    client.post(reverse("surveys:contact_delete", args=[contact.pk]))

    unlinked.refresh_from_db()
    assert (unlinked.to_number, unlinked.body) == (NUMBER, "Hello")


def test_the_data_export_holds_the_contacts_texts_and_conversations(client):
    client.force_login(make_user(role=Role.ADMIN))
    contact, _invitation, _survey, _reply, _conversation = texted_contact()
    text(
        direction=TextMessage.Direction.IN,
        kind=TextMessage.Kind.REPLY,
        status=TextMessage.Status.RECEIVED,
        from_number=NUMBER,
        to_number=SENDER,
        body="hello?",
        provider_sid="SM" + "d" * 32,
    )
    text(contact=make_contact(phone="+14155550199"), to_number="+14155550199", body="not theirs")

    response = client.post(reverse("surveys:contact_export", args=[contact.pk]))

    data = json.loads(response.content)
    assert [(t["direction"], t["kind"], t["body"]) for t in data["texts"]] == [
        ("out", "invitation", "How likely are you to recommend Acme? Reply with a number from 0 to 10."),
        ("in", "reply", "९ great chai"),
        ("in", "reply", "hello?"),
    ]
    first = data["texts"][0]
    assert (first["from"], first["to"], first["campaign"], first["status"]) == (
        SENDER,
        NUMBER,
        "SMS pulse",
        "delivered",
    )
    assert data["texts"][1]["outcome"] == "Score 9 recorded"
    assert [(c["campaign"], c["channel"], c["number"], c["state"]) for c in data["text_conversations"]] == [
        ("SMS pulse", "sms", NUMBER, "comment")
    ]


def test_a_contact_never_texted_exports_empty_lists(client):
    client.force_login(make_user(role=Role.ADMIN))
    contact = make_contact(email="asha@example.com")

    data = json.loads(client.post(reverse("surveys:contact_export", args=[contact.pk])).content)

    assert data["texts"] == [] and data["text_conversations"] == []
