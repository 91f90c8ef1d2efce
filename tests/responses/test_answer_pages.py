import base64
import hashlib
import re
from datetime import timedelta

import pytest

from responses import pages
from responses.models import Answer
from surveys.models import Campaign, Invitation
from tests.factories import make_answer, make_brand, make_campaign, make_contact, make_invitation

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db


def test_score_link_shows_page_with_score_chosen_and_records_nothing(client):
    invitation = make_sent_invitation()
    response = client.get(invitation.answer_path(9))
    assert response.status_code == 200
    page = response.text
    assert "How likely are you to recommend Acme to a friend or colleague?" in page
    assert re.search(r'id="score-9" value="9" checked', page)
    assert "What do you like most about us?" in page  # the promoter follow-up
    assert "data-autosave" in page
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("score", "followup"), [(0, "What disappointed you?"), (7, "What could we do better?")]
)
def test_page_asks_the_follow_up_of_the_score_group(client, score, followup):
    invitation = make_sent_invitation()
    assert '<label for="comment" id="followup"' in client.get(invitation.answer_path(score)).text
    assert followup in client.get(invitation.answer_path(score)).text.split('id="followup"')[1][:400]


def test_head_records_nothing(client):
    invitation = make_sent_invitation()
    response = client.head(invitation.answer_path(10))
    assert response.status_code == 200
    assert response.content == b""
    assert not Answer.objects.exists()


def test_automatic_post_records_the_score(client):
    invitation = make_sent_invitation()
    response = client.post(invitation.answer_path(), {"score": "9", "source": "link"})
    assert response.status_code == 200
    assert response.json() == {"saved": True, "group": "promoter"}
    answer = Answer.objects.get()
    assert (answer.invitation, answer.score, answer.channel) == (invitation, 9, "email")
    assert answer.campaign == invitation.campaign and answer.contact == invitation.contact
    assert not answer.suspected_scanner


def test_changing_the_score_keeps_one_answer_with_the_new_score(client):
    invitation = make_sent_invitation()
    client.post(invitation.answer_path(), {"score": "9", "source": "link"})
    client.post(invitation.answer_path(), {"score": "4", "source": "page"})
    answer = Answer.objects.get()
    assert answer.score == 4
    assert answer.updated_at >= answer.answered_at


def test_send_saves_score_and_comment_and_thanks(client):
    invitation = make_sent_invitation()
    response = client.post(invitation.answer_path(), {"score": "8", "comment": "  Faster delivery please "})
    assert response.status_code == 302
    assert response["Location"] == f"/r/{invitation.token}/thanks/"
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (8, "Faster delivery please")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you!" in thanks.text


def test_page_shows_the_saved_answer_when_opened_again(client):
    invitation = make_sent_invitation()
    client.post(invitation.answer_path(), {"score": "3", "comment": "Slow support"})
    page = client.get(invitation.answer_path()).text
    assert re.search(r'id="score-3" value="3" checked', page)
    assert "Slow support</textarea>" in page
    assert "data-autosave" not in page


@pytest.mark.parametrize(("score", "group"), [(10, "promoter"), (7, "passive"), (2, "detractor")])
def test_send_redirects_to_the_campaigns_page_for_the_group(client, score, group):
    campaign = make_campaign(**{f"redirect_{group}": f"https://reviews.example/{group}"})
    invitation = make_sent_invitation(campaign=campaign)
    response = client.post(invitation.answer_path(), {"score": str(score), "comment": ""})
    assert response.status_code == 302
    assert response["Location"] == f"https://reviews.example/{group}"


def test_promoter_without_redirect_gets_thanks_even_if_others_have_one(client):
    invitation = make_sent_invitation(campaign=make_campaign(redirect_detractor="https://help.example/"))
    response = client.post(invitation.answer_path(), {"score": "10"})
    assert response["Location"].endswith("/thanks/")


@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_unknown_token_gets_friendly_page_and_writes_nothing(client, method):
    response = getattr(client, method)("/r/not-a-token/9/", {"score": "9"} if method == "post" else None)
    assert response.status_code == 404
    if method != "head":
        assert "This link is no longer valid" in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_sent_invitation(campaign=make_campaign(status=Campaign.Status.ARCHIVED)),
        lambda: make_sent_invitation(sent_ago=timedelta(days=200)),
        lambda: make_invitation(state=Invitation.State.QUEUED),
        lambda: make_sent_invitation(state=Invitation.State.SUPPRESSED),
    ],
    ids=["archived", "expired", "never-sent", "suppressed"],
)
def test_expired_or_unsent_invitation_gets_friendly_page(client, make):
    invitation = make()
    response = client.post(invitation.answer_path(), {"score": "9"})
    assert response.status_code == 404
    assert "This link is no longer valid" in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize("score", ["11", "-1", "x", "99999999999999999999"])
def test_bad_score_in_link_gets_400_with_message(client, score):
    invitation = make_sent_invitation()
    response = client.get(f"/r/{invitation.token}/{score}/")
    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize("score", ["11", "-1", "x", ""])
def test_bad_score_posted_gets_400_with_message_and_writes_nothing(client, score):
    invitation = make_sent_invitation()
    response = client.post(invitation.answer_path(), {"score": score, "comment": "hello"})
    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    automatic = client.post(invitation.answer_path(), {"score": score, "source": "link"})
    assert automatic.status_code == 400
    assert automatic.json() == {"error": "Choose a score from 0 to 10."}
    assert not Answer.objects.exists()


def test_too_long_comment_is_refused_and_keeps_nothing(client):
    invitation = make_sent_invitation()
    response = client.post(invitation.answer_path(), {"score": "9", "comment": "x" * 5001})
    assert response.status_code == 400
    assert "under 5,000 characters" in response.text
    assert not Answer.objects.exists()


def test_put_is_not_allowed(client):
    invitation = make_sent_invitation()
    assert client.put(invitation.answer_path()).status_code == 405


def test_answer_post_needs_no_csrf_token(settings):
    from django.test import Client

    invitation = make_sent_invitation()
    response = Client(enforce_csrf_checks=True).post(invitation.answer_path(), {"score": "6", "comment": ""})
    assert response.status_code == 302
    assert Answer.objects.get().score == 6


def test_page_is_strict_csp_allowing_only_the_brand_style_by_its_hash(client):
    invitation = make_sent_invitation(campaign=make_campaign(brand=make_brand(accent_color="#0E7C66")))
    response = client.get(invitation.answer_path(9))
    policy = response["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", response.text).group(1)
    assert style == ":root{--accent:#0e7c66;--accent-ink:#ffffff}"
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "nonce-" not in policy
    assert "script-src 'self'" in policy
    assert "style=" not in response.text and "<script>" not in response.text
    assert "no-store" in response["Cache-Control"]


def test_page_carries_no_token_and_is_served_again_from_memory(client):
    """The page posts back to its own address, so one rendering serves every invitation alike."""
    campaign = make_campaign()
    first, second = make_sent_invitation(campaign=campaign), make_sent_invitation(campaign=campaign)
    pages._blank_answer_page.cache_clear()
    page = client.get(first.answer_path(7)).content
    assert first.token not in page.decode()
    assert client.get(second.answer_path(7)).content == page
    assert pages._blank_answer_page.cache_info().hits == 1
    # Another score is another page.
    assert b'value="3" checked' in client.get(second.answer_path(3)).content


def test_an_edited_question_is_a_new_page_at_once(client):
    campaign = make_campaign()
    invitation = make_sent_invitation(campaign=campaign)
    assert "recommend" in client.get(invitation.answer_path(8)).text
    campaign.question = "Would you tell a friend about {brand}?"
    campaign.save()
    later = make_sent_invitation(campaign=campaign)
    assert "Would you tell a friend about Acme?" in client.get(later.answer_path(8)).text


def test_light_accent_gets_dark_text():
    assert pages.ink_for("#ffee00") == "#000000"
    assert pages.ink_for("#1e3a8a") == "#ffffff"


def test_brand_logo_is_shown(client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    brand = make_brand()
    brand.logo.save("logo.svg", SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    invitation = make_sent_invitation(campaign=make_campaign(brand=brand))
    assert (
        f'<img src="{brand.logo.url}" alt="Acme" class="logo">' in client.get(invitation.answer_path()).text
    )


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_by_ip_answers_429_page(client, settings):
    settings.ANSWER_RATELIMIT = "3/m"
    invitation = make_sent_invitation()
    for _ in range(3):
        assert client.post(invitation.answer_path(), {"score": 9, "source": "page"}).status_code == 200
    # Opening pages is not counted: only answers saved are.
    assert client.get(invitation.answer_path(9)).status_code == 200
    response = client.post(invitation.answer_path(), {"score": 9, "source": "page"})
    assert response.status_code == 429
    assert "Too many requests" in response.text
    assert response["Retry-After"] == "60"


@pytest.mark.usefixtures("rate_window")
def test_guessing_tokens_locks_the_address_out(client, settings):
    settings.ANSWER_MISS_RATELIMIT = "5/m"
    invitation = make_sent_invitation()
    for n in range(6):
        assert client.get(f"/r/guess-{n}/9/").status_code == 404
    # Now even a right token from that address waits: guessing is pointless.
    assert client.post(invitation.answer_path(), {"score": "9"}).status_code == 429
    assert not Answer.objects.exists()
    other = client.get(invitation.answer_path(9), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_answer_page_query_count(client, django_assert_max_num_queries):
    invitation = make_sent_invitation()
    with django_assert_max_num_queries(2):
        client.get(invitation.answer_path(9))


def test_phone_channel_invitation_page_works_too(client):
    contact = make_contact(language="")
    invitation = make_sent_invitation(contact=contact, channel="sms")
    client.post(invitation.answer_path(), {"score": "10"})
    assert Answer.objects.get().channel == "sms"


def test_answer_left_before_campaign_was_archived_is_kept(client):
    invitation = make_sent_invitation()
    make_answer(invitation=invitation, score=5)
    Campaign.objects.filter(pk=invitation.campaign_id).update(status=Campaign.Status.ARCHIVED)
    assert client.post(invitation.answer_path(), {"score": "9"}).status_code == 404
    assert Answer.objects.get().score == 5


def test_preview_renders_an_unsaved_invitation_without_a_post_target(rf):

    campaign = make_campaign()
    invitation = Invitation(campaign=campaign, token="preview", language="fr")
    response = pages.answer_page(rf.get("/preview/"), invitation, score=10, preview=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aperçu\u202f: les réponses ne sont pas enregistrées." in page
    assert "Qu’appréciez-vous le plus chez nous\u202f?" in page
    assert "action=" not in page and "data-autosave" not in page and "answer.js" not in page
    assert not Invitation.objects.exists() and not Answer.objects.exists()
