"""Unsubscribe: a GET only asks, a POST (the button or RFC 8058 one-click) suppresses the address."""

import pytest
from django.core import mail
from django.test import Client

from surveys import delivery
from surveys.models import Campaign, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation():
    contact = make_contact(email="Asha.Rao@Example.com")
    return make_invitation(contact=contact, campaign=make_campaign(status=Campaign.Status.RUNNING))


def test_get_asks_and_writes_nothing(client, invitation):
    response = client.get(f"/u/{invitation.token}/")
    assert response.status_code == 200
    assert "Unsubscribe from surveys?" in response.text
    assert "Asha.Rao@Example.com".lower() in response.text
    assert '<button type="submit">Unsubscribe</button>' in response.text
    assert client.head(f"/u/{invitation.token}/").status_code == 200
    assert not Suppression.objects.exists()


def test_post_from_the_page_unsubscribes(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/u/{invitation.token}/")
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    suppression = Suppression.objects.get()
    assert suppression.address == "asha.rao@example.com"
    assert suppression.reason == "unsubscribed"

    again = client.get(f"/u/{invitation.token}/")
    assert "is already unsubscribed" in again.text


def test_rfc8058_one_click_post_unsubscribes_without_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/u/{invitation.token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Suppression.objects.filter(address="asha.rao@example.com").exists()


def test_later_sends_to_an_unsubscribed_address_are_suppressed(client, invitation):
    client.post(f"/u/{invitation.token}/")
    other = make_invitation(
        contact=invitation.contact, campaign=make_campaign(status=Campaign.Status.RUNNING)
    )

    assert delivery.send_invitation(other.pk) == "suppressed"
    assert mail.outbox == []
    assert Invitation.objects.get(pk=other.pk).state == "suppressed"


def test_unknown_token_gets_a_friendly_page_and_writes_nothing(client):
    for response in (client.get("/u/not-a-token/"), client.post("/u/not-a-token/")):
        assert response.status_code == 404
        assert "This link is no longer valid" in response.text
    assert not Suppression.objects.exists()


def test_other_methods_are_refused(client, invitation):
    assert client.put(f"/u/{invitation.token}/").status_code == 405
    assert not Suppression.objects.exists()


def test_page_in_the_invitations_language(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(language="de")
    response = client.get(f"/u/{invitation.token}/")
    assert 'lang="de"' in response.text
