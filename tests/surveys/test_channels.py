"""The channel interface: every registered channel implements all of it; provider events and invitations
opened the one way."""

import inspect

import pytest
from django.db import IntegrityError, connection

from nps.accounts.roles import Role
from surveys import channels
from surveys.channels import ChannelEvent, EventKind, SurveyChannel
from surveys.invitations import open_invitation
from surveys.models import Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db


def interface_members() -> set[str]:
    functions = {name for name, _ in inspect.getmembers(SurveyChannel, inspect.isfunction)}
    return {name for name in functions | set(SurveyChannel.__annotations__) if not name.startswith("_")}


@pytest.mark.parametrize("value", list(channels.CHANNELS))
def test_every_registered_channel_implements_the_whole_interface(value):
    channel = channels.CHANNELS[value]
    missing = {name for name in interface_members() if not hasattr(channel, name)}
    assert not missing
    assert channel.value == value


def test_unknown_channel_has_no_address_and_cannot_send():
    contact = make_contact(email="asha@example.com", phone="+919876543210")
    assert channels.address_of(contact, "email") == "asha@example.com"
    assert channels.address_of(contact, "carrier-pigeon") == ""
    with pytest.raises(LookupError):
        channels.get_channel("carrier-pigeon")


def test_a_bounce_found_by_the_providers_id_suppresses_and_fails_the_invitation():
    invitation = make_invitation(
        contact=make_contact(email="gone@example.com"), state="sent", provider_message_id="esp-42"
    )
    event = ChannelEvent(
        EventKind.BOUNCED, address="gone@example.com", detail="Acme bounced: no", provider_message_id="esp-42"
    )

    suppression = channels.record_event(event)

    assert (suppression.address, suppression.reason) == ("gone@example.com", "bounced")
    invitation.refresh_from_db()
    assert (invitation.state, invitation.error) == ("failed", "Acme bounced: no")


def test_a_temporary_bounce_and_a_delivery_record_nothing():
    make_invitation(contact=make_contact(email="full@example.com"), state="sent", provider_message_id="m")
    for event in (
        ChannelEvent(EventKind.BOUNCED, address="full@example.com", provider_message_id="m", temporary=True),
        ChannelEvent(EventKind.DELIVERED, address="full@example.com", provider_message_id="m"),
    ):
        assert channels.record_event(event) is None
    assert not Suppression.objects.exists()
    assert Invitation.objects.get().state == "sent"


def test_opening_invitations_takes_the_next_round_the_language_and_the_texts():
    campaign = make_campaign(translations={"es": {"question": "¿Recomendarías {brand}?"}})
    contact = make_contact(language="es-MX")

    first = open_invitation(campaign, contact, "email")
    second = open_invitation(campaign, contact, "email", state=Invitation.State.SENT)

    assert (first.round, second.round) == (1, 2)
    assert first.language == "es"
    assert first.texts["question"] == "¿Recomendarías Acme?"
    assert second.state == "sent"


def test_the_database_refuses_an_unknown_invitation_state():
    invitation = make_invitation()
    with pytest.raises(IntegrityError, match="invitation_state_known"):
        Invitation.objects.filter(pk=invitation.pk).update(state="lost")


def test_provider_events_find_their_invitation_through_an_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'invitation_provider_message'")
        (definition,) = cursor.fetchone()
    assert "(provider_message_id)" in definition


def test_preview_frame_of_a_channel_that_does_not_exist_is_404(client):
    client.force_login(make_user(role=Role.LEAD))
    campaign = make_campaign()
    assert client.get(f"/campaigns/{campaign.pk}/preview/carrier-pigeon/").status_code == 404
