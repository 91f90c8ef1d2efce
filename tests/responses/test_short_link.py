"""The texts' short link, /s?<short_token>: the answer page itself, in the contact's language."""

import pytest
from django.utils import timezone

from responses.models import Answer
from surveys.invitations import open_invitation
from surveys.models import Invitation, new_short_token
from tests.factories import make_campaign, make_contact

pytestmark = pytest.mark.django_db


def texted_invitation(*, language="es", **fields):
    campaign = make_campaign(
        channels=["sms"], translations={"es": {"question": "¿Recomendarías {brand} a un amigo?"}}, **fields
    )
    return open_invitation(
        campaign,
        make_contact(phone="+12025550143", language=language),
        "sms",
        state=Invitation.State.SENT,
        sent_at=timezone.now(),
    )


def test_a_texted_link_shows_the_answer_page_in_the_contacts_language(client):
    invitation = texted_invitation()
    response = client.get(f"/s?{invitation.short_token}")

    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert "¿Recomendarías Acme a un amigo?" in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_page_reached_by_a_texted_link_records_the_answer_it_posts_back(client):
    invitation = texted_invitation()
    url = f"/s?{invitation.short_token}"

    response = client.post(url, {"score": "9", "comment": "Rápido"})

    assert response.status_code == 302
    assert response["Location"] == f"/r/{invitation.token}/thanks/"
    answer = Answer.objects.get(invitation=invitation)
    assert (answer.score, answer.comment) == (9, "Rápido")


@pytest.mark.parametrize("query", ["", "not-a-token", "%00", "x" * 5000])
def test_an_unknown_short_token_gets_the_invalid_link_page(client, query):
    texted_invitation()
    response = client.get(f"/s?{query}")
    assert response.status_code == 404
    assert "This link is no longer valid" in response.text
    assert not Answer.objects.exists()


def test_a_long_token_never_opens_a_texted_survey(client):
    invitation = texted_invitation()
    assert client.get(f"/s?{invitation.token}").status_code == 404  # the email's token is no short token


@pytest.mark.usefixtures("rate_window")
def test_guessing_short_tokens_is_rate_limited_like_the_answer_links(client, settings):
    settings.ANSWER_MISS_RATELIMIT = "3/m"
    invitation = texted_invitation()
    statuses = [client.get(f"/s?guess{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 404]
    response = client.get(f"/s?{invitation.short_token}")  # even the right one waits
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_short_tokens_carry_at_least_64_random_bits():
    tokens = {new_short_token() for _ in range(1000)}
    assert len(tokens) == 1000
    for token in tokens:
        assert len(token) == 12  # URL-safe base64: 6 bits a character, 72 in all
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    invitation = texted_invitation()
    assert len(invitation.short_token) * 6 >= 64
    assert invitation.short_url() == f"http://testserver/s?{invitation.short_token}"
