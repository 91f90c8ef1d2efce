"""The public link /l/<token>/: anonymous answers with the link's properties, once per browser, flood
protection that flags instead of dropping, and precise refusals that write nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from responses import public_link
from responses.models import Answer
from surveys.models import Contact, Invitation
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db

STATE = re.compile(r'name="state" value="([^"]+)"')


def make_link_campaign(**fields):
    fields.setdefault("channels", ["link"])
    fields.setdefault("status", "running")
    fields.setdefault("link_properties", ["store", "agent"])
    return make_campaign(**fields)


def path(campaign, suffix=""):
    return f"/l/{campaign.public_token}/{suffix}"


def open_form(client, campaign, query="", **headers):
    response = client.get(path(campaign) + query, **headers)
    assert response.status_code == 200, response.text
    return response, STATE.search(response.text).group(1)


def submit(client, campaign, state, *, after=5, meta=None, **data):
    """Post the form `after` seconds after it was shown (a person takes a few seconds)."""
    with time_machine.travel(timezone.now() + timedelta(seconds=after)):
        return client.post(path(campaign), {"state": state, **data}, **(meta or {}))


def test_answer_with_properties_from_the_query_string(client):
    campaign = make_link_campaign()
    page, state = open_form(client, campaign, "?store=Pune&Agent=17&utm_source=poster&secret=x")
    assert "How likely are you to recommend Acme to a friend or colleague?" in page.text
    assert page["Content-Language"] == "en"
    # The form posts to the bare link: the properties travel in the signed state only.
    assert f'action="/l/{campaign.public_token}/"' in page.text

    response = submit(client, campaign, state, score="9", comment="  Quick and friendly ")

    assert response.status_code == 303
    assert response["Location"] == path(campaign, "thanks/")
    answer = Answer.objects.get()
    assert (answer.channel, answer.score, answer.comment) == ("link", 9, "Quick and friendly")
    assert answer.campaign == campaign and not answer.suspected_scanner
    contact = answer.contact
    assert contact.anonymous and contact.external_id.startswith("anon:")
    assert contact.properties == {"store": "Pune", "agent": "17"}  # utm_source and secret ignored
    assert contact.email is None and contact.phone is None
    assert answer.invitation.channel == "link" and answer.invitation.state == Invitation.State.SENT
    thanks = client.get(response["Location"])
    assert "Thank you!" in thanks.text and "Your score: 9." in thanks.text


def test_posted_properties_cannot_change_the_signed_ones(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign, "?store=Pune")
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        client.post(path(campaign) + "?store=Mumbai", {"state": state, "score": "7", "store": "Delhi"})
    assert Contact.objects.get().properties == {"store": "Pune"}


def test_a_state_from_another_campaign_or_tampered_is_refused(client):
    campaign, other = make_link_campaign(), make_link_campaign()
    _, state = open_form(client, other)
    for bad in (state, state[:-2] + "xx", "", "\x00"):
        response = submit(client, campaign, bad, score="9")
        assert response.status_code == 400
        assert "This page has expired" in response.text
    assert not Answer.objects.exists() and not Contact.objects.exists()


def test_a_day_old_form_has_expired(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    response = submit(client, campaign, state, after=2 * 86400, score="9")
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_dashboards_count_link_answers(client):
    from dashboards import queries, rollups
    from dashboards.filters import Filters

    campaign = make_link_campaign()
    for score in ("10", "9", "3"):
        client.cookies.clear()
        _, state = open_form(client, campaign)
        submit(client, campaign, state, score=score)
    rollups.refresh()
    split = queries.split(Filters(channels=("link",)))
    assert (split.promoters, split.passives, split.detractors) == (2, 0, 1)


def test_once_per_browser_shows_the_answer_and_changes_it(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign, "?store=Pune")
    submit(client, campaign, state, score="6", comment="Slow")
    answer = Answer.objects.get()

    revisit, state = open_form(client, campaign)
    assert "You have already answered." in revisit.text
    assert "Your score: 6." in revisit.text
    assert 'value="6" checked' in revisit.text and ">Slow</textarea>" in revisit.text
    assert "Change your answer" in revisit.text

    response = submit(client, campaign, state, score="9", comment="Better now")
    assert response.status_code == 303
    answer.refresh_from_db()
    assert Answer.objects.count() == 1 and Contact.objects.count() == 1
    assert (answer.score, answer.comment, answer.channel) == (9, "Better now", "link")
    assert answer.contact.properties == {"store": "Pune"}


def test_another_browser_answers_again(client):
    campaign = make_link_campaign()
    for _ in range(2):
        client.cookies.clear()
        _, state = open_form(client, campaign)
        submit(client, campaign, state, score="8")
    assert Answer.objects.count() == 2 and Contact.objects.filter(anonymous=True).count() == 2


def test_without_once_per_browser_every_visit_is_a_new_answer(client):
    campaign = make_link_campaign(link_once_per_browser=False)
    for _ in range(2):
        page, state = open_form(client, campaign)
        assert "You have already answered" not in page.text
        response = submit(client, campaign, state, score="8")
        assert not response.cookies
    assert Answer.objects.count() == 2


def test_a_forged_cookie_is_ignored(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    submit(client, campaign, state, score="6")
    token = Answer.objects.get().invitation.token
    client.cookies[public_link.cookie_name(campaign)] = token  # the token, unsigned
    page, state = open_form(client, campaign)
    assert "You have already answered" not in page.text
    submit(client, campaign, state, score="2")
    assert sorted(Answer.objects.values_list("score", flat=True)) == [2, 6]


def test_the_cookie_of_one_campaign_does_not_answer_another(client):
    campaign, other = make_link_campaign(), make_link_campaign()
    _, state = open_form(client, campaign)
    response = submit(client, campaign, state, score="6")
    cookie = response.cookies[public_link.cookie_name(campaign)]
    assert cookie["path"] == path(campaign) and cookie["httponly"] and cookie["samesite"] == "Lax"
    page, _ = open_form(client, other)
    assert "You have already answered" not in page.text


@pytest.mark.parametrize(
    ("data", "after"),
    [({"website": "http://spam.example"}, 5), ({}, 1)],
    ids=["honeypot", "too-fast"],
)
def test_suspicious_answers_are_stored_and_flagged(client, data, after):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign, "?store=Pune")
    response = submit(client, campaign, state, after=after, score="10", **data)
    assert response.status_code == 303  # the sender cannot tell
    answer = Answer.objects.get()
    assert answer.suspected_scanner and answer.score == 10
    assert answer.contact.properties == {"store": "Pune"}


def test_a_person_clears_nothing_by_being_slow(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    submit(client, campaign, state, after=public_link.MIN_SECONDS, score="4", website="")
    assert not Answer.objects.get().suspected_scanner


def test_the_form_has_a_hidden_field_people_never_fill(client):
    page, _ = open_form(client, make_link_campaign())
    assert '<div class="trap" aria-hidden="true">' in page.text
    assert 'name="website" value="" tabindex="-1" autocomplete="off"' in page.text


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_per_address(client, settings):
    settings.LINK_RATELIMIT = "2/h"
    campaign = make_link_campaign(link_once_per_browser=False)
    statuses = []
    for _ in range(3):
        _, state = open_form(client, campaign)
        statuses.append(submit(client, campaign, state, score="9").status_code)
    assert statuses == [303, 303, 429]
    assert Answer.objects.count() == 2
    response = submit(client, campaign, state, score="9", meta={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 303  # another address has its own count


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_page_says_to_wait(client, settings):
    settings.LINK_RATELIMIT = "0/h"
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    response = submit(client, campaign, state, score="9")
    assert response.status_code == 429
    assert "Too many requests" in response.text and int(response["Retry-After"]) >= 1
    assert not Answer.objects.exists()


@pytest.mark.usefixtures("rate_window")
def test_unknown_tokens_count_against_the_limit(client, settings):
    settings.LINK_RATELIMIT = "2/h"
    assert [client.get(f"/l/guess{n}/").status_code for n in range(3)] == [404, 404, 429]


@pytest.mark.parametrize(
    "fields",
    [{"status": "paused"}, {"status": "draft"}, {"status": "archived"}, {"channels": ["email"]}],
    ids=["paused", "draft", "archived", "no-link-channel"],
)
def test_closed_campaign_says_so_in_the_visitors_language(client, fields):
    campaign = make_link_campaign(**fields)
    response = client.get(path(campaign), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 410
    assert '<html lang="es"' in response.text
    assert 'name="score"' not in response.text


def test_closed_campaign_takes_no_answer(client):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    campaign.status = "paused"
    campaign.save()
    assert submit(client, campaign, state, score="9").status_code == 410
    assert not Answer.objects.exists()


def test_unknown_token_is_404(client):
    for token in ("nope", "x" * 65, "a%00b"):
        response = client.get(f"/l/{token}/")
        assert response.status_code == 404
        assert "This link is no longer valid" in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"score": "²"},
        {"score": "٣"},
        {"score": "11"},
        {"score": "-1"},
        {"score": "9" * 400},
        {"score": "9\x00"},
        {},
        {"score": "9", "comment": "bad\x00comment"},
        {"score": "9", "comment": "x" * 5001},
    ],
    ids=[
        "superscript",
        "arabic-indic",
        "eleven",
        "negative",
        "huge",
        "nul",
        "missing",
        "nul-comment",
        "long",
    ],
)
def test_hostile_answers_get_400_and_write_nothing(client, data):
    campaign = make_link_campaign()
    _, state = open_form(client, campaign)
    response = submit(client, campaign, state, **data)
    assert response.status_code == 400
    assert 'class="errors" role="alert"' in response.text
    assert not Answer.objects.exists() and not Contact.objects.exists() and not Invitation.objects.exists()
    assert STATE.search(response.text).group(1) == state  # the form keeps its original moment


def test_hostile_query_strings(client):
    campaign = make_link_campaign()
    nul = client.get(path(campaign) + "?store=Pu%00ne")
    assert nul.status_code == 400 and "not allowed" in nul.text
    nul_name = client.get(path(campaign) + "?st%00ore=1")
    assert nul_name.status_code == 400
    long = client.get(path(campaign) + "?store=" + "x" * 201)
    assert long.status_code == 400 and "200 characters" in long.text
    ok = client.get(path(campaign) + "?store=" + "x" * 200 + "&other=" + "y" * 5000)
    assert ok.status_code == 200
    assert not Contact.objects.exists()


def test_wrong_methods(client):
    campaign = make_link_campaign()
    assert client.put(path(campaign)).status_code == 405
    assert client.post(path(campaign, "thanks/")).status_code == 405


def test_arabic_page_is_right_to_left_and_translated(client):
    campaign = make_link_campaign()
    page, state = open_form(client, campaign, HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "إرسال" in page.text
    submit(client, campaign, state, score="9", meta={"HTTP_ACCEPT_LANGUAGE": "ar"})
    answer = Answer.objects.get()
    assert answer.language == "ar" and answer.contact.language == "ar"
    revisit = client.get(path(campaign), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ar"' in revisit.text  # their answer's language


def test_redirect_of_the_group_and_the_policy_that_allows_it(client):
    campaign = make_link_campaign(redirect_promoter="https://reviews.example/acme")
    page, state = open_form(client, campaign)
    assert "form-action 'self' https://reviews.example" in page["Content-Security-Policy"]
    response = submit(client, campaign, state, score="10")
    assert response["Location"] == "https://reviews.example/acme"
    _, state = open_form(client, campaign)
    assert submit(client, campaign, state, score="3")["Location"] == path(campaign, "thanks/")


def test_page_headers_and_brand(client):
    campaign = make_link_campaign()
    campaign.brand.accent_color = "#0f766e"
    campaign.brand.save()
    page, _ = open_form(client, campaign)
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "--accent:#0f766e" in page.text
    assert "'sha256-" in page["Content-Security-Policy"]
    assert "/static/js/link.js" in page.text and "/static/css/answer.css" in page.text


@pytest.mark.parametrize("language", ["hi", "ta", "bn", "es", "pt", "fr", "de", "ar", "ja", "zh-hans"])
def test_every_language_translates_the_link_pages(client, language):
    campaign = make_link_campaign()
    page, state = open_form(client, campaign, HTTP_ACCEPT_LANGUAGE=language)
    assert f'<html lang="{language}"' in page.text
    assert "Leave this field empty" not in page.text and "How likely" not in page.text
    submit(client, campaign, state, score="9", meta={"HTTP_ACCEPT_LANGUAGE": language})
    revisit = client.get(path(campaign)).text
    assert "You have already answered." not in revisit and "Your score:" not in revisit
    assert "9" in revisit
    campaign.status = "paused"
    campaign.save()
    closed = client.get(path(campaign)).text
    assert "This survey is closed" not in closed and "no longer takes answers" not in closed
