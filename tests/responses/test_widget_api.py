"""The on-site widget's JSON API (/w/api/<site key>/…), through Django's test client with Origin headers."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from responses import fanout
from responses.models import Answer
from surveys import widget
from surveys.models import Contact, Invitation
from tests.surveys.widget_helpers import ORIGIN, make_site, post

from .test_fanout import Recorder

pytestmark = pytest.mark.django_db


def cors_headers(response) -> dict:
    return {
        name: value for name, value in response.headers.items() if name.lower().startswith("access-control-")
    }


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}


def survey(client, site, **body):
    return post(client, site, "survey", body)


def nothing_written():
    return not Contact.objects.exists() and not Invitation.objects.exists() and not Answer.objects.exists()


# Origins and CORS --------------------------------------------------------------------------------


def test_an_allowed_origin_gets_the_survey_with_cors_headers(client):
    site = make_site(position="left", accent_color="#112233")
    response = survey(client, site, email="asha@example.com", name="Asha", properties={"plan": "pro"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "origin" in vary(response)
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    invitation = Invitation.objects.get()
    assert data["survey"] is True
    assert data["token"] == invitation.token
    assert (data["language"], data["dir"], data["accent"], data["position"]) == (
        "en",
        "ltr",
        "#112233",
        "left",
    )
    assert data["texts"]["question"] == "How likely are you to recommend Acme to a friend or colleague?"
    assert data["texts"]["followup_detractor"] == "What disappointed you?"
    assert (invitation.channel, invitation.state, invitation.contact.email) == (
        "web",
        "sent",
        "asha@example.com",
    )
    assert invitation.contact.properties == {"plan": "pro"}


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "http://app.example.com", "null", "https://app.example.com.evil.test"],
)
def test_another_origin_gets_403_no_cors_headers_and_nothing_written(client, origin):
    site = make_site()
    response = post(client, site, "survey", {"email": "asha@example.com"}, origin=origin)
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert "origin" in vary(response)
    assert response.json()["error"] == "This origin is not on the site's list of allowed origins."
    assert nothing_written()


def test_a_request_without_origin_is_refused(client):
    site = make_site()
    response = post(client, site, "survey", {"email": "asha@example.com"}, origin=None)
    assert response.status_code == 403
    assert response.json()["error"] == "The request has no Origin header."
    assert nothing_written()


def test_the_origin_is_compared_without_case_or_default_port(client):
    site = make_site()
    response = post(
        client, site, "survey", {"email": "asha@example.com"}, origin="HTTPS://App.Example.com:443"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "HTTPS://App.Example.com:443"


def test_an_unknown_site_key_is_404_without_cors(client):
    response = client.post(
        "/w/api/no-such-site/survey", data="{}", content_type="text/plain", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 404
    assert cors_headers(response) == {}
    assert "origin" in vary(response)


def test_the_preflight_of_an_allowed_origin_allows_post_and_content_type(client):
    site = make_site()
    response = client.options(
        f"/w/api/{site.key}/survey",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Allow-Methods"] == "POST"
    assert response["Access-Control-Allow-Headers"] == "content-type"
    assert response["Access-Control-Max-Age"] == "86400"
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in vary(response)


def test_the_preflight_of_another_origin_is_403_without_cors_headers(client):
    site = make_site()
    response = client.options(
        f"/w/api/{site.key}/answer",
        HTTP_ORIGIN="https://evil.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert "origin" in vary(response)


def test_other_paths_never_get_cors_headers(client):
    make_site()
    response = client.get("/healthz", HTTP_ORIGIN=ORIGIN)
    assert cors_headers(response) == {}


def test_get_is_405(client):
    site = make_site()
    response = client.get(f"/w/api/{site.key}/survey", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


def test_json_content_type_is_accepted_and_forms_are_not(client):
    site = make_site()
    response = post(client, site, "survey", {"email": "a@example.com"}, content_type="application/json")
    assert response.status_code == 200
    form = client.post(f"/w/api/{site.key}/survey", data={"email": "b@example.com"}, HTTP_ORIGIN=ORIGIN)
    assert form.status_code == 415
    assert Contact.objects.count() == 1


# Identity ----------------------------------------------------------------------------------------


def test_a_site_requiring_user_hash_refuses_missing_and_wrong_ones_and_writes_nothing(client):
    site = make_site(require_user_hash=True)
    missing = survey(client, site, email="asha@example.com")
    wrong = survey(
        client, site, email="asha@example.com", userHash=widget.user_hash(site, "ravi@example.com")
    )
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert missing.json() == {
        "error": "This site requires userHash with the email or externalId.",
        "field": "userHash",
    }
    assert wrong.json()["error"] == "userHash does not match the email."
    assert missing["Access-Control-Allow-Origin"] == ORIGIN  # the host's page may read why
    assert nothing_written()
    signed = survey(
        client, site, email="asha@example.com", userHash=widget.user_hash(site, "asha@example.com")
    )
    assert signed.status_code == 200 and signed.json()["survey"] is True


def test_anonymous_visitors_where_allowed(client):
    visitor = "c1d2e3f4-0000-4a4a-8b8b-123456789abc"
    closed = make_site(allow_anonymous=False)
    refused = survey(client, closed, anonymousId=visitor, properties={"page": "/billing"})
    assert refused.status_code == 403
    assert nothing_written()
    open_site = make_site(allow_anonymous=True)
    shown = survey(client, open_site, anonymousId=visitor, properties={"page": "/billing"})
    assert shown.json()["survey"] is True
    contact = Contact.objects.get()
    assert (contact.external_id, contact.anonymous, contact.properties) == (
        f"anon:{open_site.key}:{visitor}",
        True,
        {"page": "/billing"},
    )


def test_no_identity_at_all_is_400(client):
    site = make_site(allow_anonymous=True)
    response = survey(client, site, name="Asha")
    assert response.status_code == 400
    assert nothing_written()


# The rules, through the API ----------------------------------------------------------------------


def test_each_no_comes_with_its_reason(client):
    site = make_site(sample_factor=1.0)
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    delayed = survey(client, site, email="a@example.com", createdAt=yesterday, initialDelay=7 * 86400)
    assert delayed.json() == {"survey": False, "reason": "initial_delay"}
    sampled = survey(client, site, email="b@example.com", sampleFactor=0)
    assert sampled.json() == {"survey": False, "reason": "not_sampled"}
    assert not Invitation.objects.exists()
    forced = survey(client, site, email="b@example.com", sampleFactor=0, forceDisplay=True)
    assert forced.json()["survey"] is True


def test_a_contact_emailed_three_days_ago_is_not_asked_on_the_site(client):
    site = make_site()
    Contact.objects.create(email="asha@example.com", last_surveyed_at=timezone.now() - timedelta(days=3))
    response = survey(client, site, email="asha@example.com")
    assert response.json() == {"survey": False, "reason": "throttled"}
    assert not Invitation.objects.exists()


def test_two_tabs_asking_at_once_open_one_invitation(transactional_db):
    site = make_site()
    barrier, responses = threading.Barrier(4), []

    def ask():
        try:
            barrier.wait()
            responses.append(survey(Client(), site, email="asha@example.com").json())
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Invitation.objects.count() == 1
    assert Contact.objects.count() == 1
    shown = [data for data in responses if data["survey"]]
    assert {data["token"] for data in shown} == {Invitation.objects.get().token}
    assert len(responses) == 4


# Answers -----------------------------------------------------------------------------------------


@pytest.fixture
def recorder(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(fanout, "_consumers", [])
    fanout.register(recorder.consumer)
    return recorder


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_an_ordinary_web_answer_that_the_fanout_sees(client, recorder):
    site = make_site()
    token = survey(client, site, email="asha@example.com", properties={"plan": "pro"}).json()["token"]
    scored = post(client, site, "answer", {"token": token, "score": 9})
    assert scored.status_code == 200
    assert scored.json() == {"ok": True, "group": "promoter", "followup": "What do you like most about us?"}
    assert scored["Access-Control-Allow-Origin"] == ORIGIN
    commented = post(client, site, "answer", {"token": token, "comment": "  Fast support  "})
    assert commented.json() == {"ok": True}
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (9, "Fast support", "web")
    assert answer.contact.properties == {"plan": "pro"}
    assert answer.campaign == site.campaign
    assert recorder.seen() == [(answer.pk, "created"), (answer.pk, "updated")]


def test_score_and_comment_in_one_call(client):
    site = make_site()
    token = survey(client, site, email="asha@example.com").json()["token"]
    response = post(client, site, "answer", {"token": token, "score": 3, "comment": "Slow"})
    assert response.json()["group"] == "detractor"
    assert Answer.objects.values_list("score", "comment").get() == (3, "Slow")


@pytest.mark.parametrize("score", [True, 9.5, 9.0, "9", 11, -1, None, [9], 10**30])
def test_a_score_that_is_not_a_whole_number_0_to_10_is_refused(client, score):
    site = make_site()
    token = survey(client, site, email="asha@example.com").json()["token"]
    response = post(client, site, "answer", {"token": token, "score": score})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_comment_before_any_score_is_409(client):
    site = make_site()
    token = survey(client, site, email="asha@example.com").json()["token"]
    response = post(client, site, "answer", {"token": token, "comment": "Hello"})
    assert response.status_code == 409
    assert response.json()["error"] == "Send the score before the comment."
    assert not Answer.objects.exists()


def test_a_bad_comment_writes_no_score_either(client):
    site = make_site()
    token = survey(client, site, email="asha@example.com").json()["token"]
    for comment in ("x" * 5001, "nul\x00", 42):
        response = post(client, site, "answer", {"token": token, "score": 9, "comment": comment})
        assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_token_of_another_site_or_channel_is_404(client):
    site, other = make_site(), make_site()
    token = survey(client, other, email="asha@example.com").json()["token"]
    response = post(client, site, "answer", {"token": token, "score": 9})
    assert response.status_code == 404
    email_invitation = Invitation.objects.create(
        campaign=site.campaign,
        contact=Contact.objects.get(),
        channel="email",
        state="sent",
        sent_at=timezone.now(),
    )
    response = post(client, site, "answer", {"token": email_invitation.token, "score": 9})
    assert response.status_code == 404
    assert post(client, site, "answer", {"token": "x\x00"}).status_code == 400
    assert not Answer.objects.exists()


def test_dismiss_is_204_and_waits_before_asking_again(client):
    site = make_site(campaign=None, dismiss_wait_days=30)
    site.campaign.throttle_days = 0
    site.campaign.save()
    token = survey(client, site, email="asha@example.com").json()["token"]
    response = post(client, site, "dismiss", {"token": token})
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert Invitation.objects.get().dismissed_at is not None
    assert survey(client, site, email="asha@example.com").json() == {
        "survey": False,
        "reason": "dismissed_recently",
    }
    assert post(client, site, "dismiss", {"token": "unknown"}).status_code == 404


# Malformed input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("{not json", 400, "The body is not valid JSON"),
        ('"a string"', 400, "The body must be a JSON object."),
        ('{"email": "a\\u0000@example.com"}', 400, "email cannot contain the NUL character (U+0000)."),
        ('{"email": "a@example.com", "properties": {"pla\\u0000n": 1}}', 400, "properties.pla"),
        ('{"email": "a@example.com", "initialDelay": ٣٠}', 400, "The body is not valid JSON"),
        ('{"email": "a@example.com", "initialDelay": 1e400}', 400, "The number 1e400 is too large."),
        ('{"email": "a@example.com", "createdAt": "٢٠٢٤-٠١-٠١"}', 400, "createdAt must be an ISO 8601"),
        ('{"email": ["a@example.com"]}', 400, "email must be a string."),
        ('{"email": "a@example.com", "sampleFactor": "0.5"}', 400, "sampleFactor must be a number"),
        ("[" * 3000 + "]" * 3000, 400, "The body"),
    ],
)
def test_malformed_bodies_get_a_precise_400_and_write_nothing(client, body, status, error):
    site = make_site()
    response = post(client, site, "survey", body.encode())
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert nothing_written()


def test_a_huge_body_is_413(client):
    site = make_site()
    body = json.dumps({"email": "a@example.com", "name": "x" * 20000})
    response = post(client, site, "survey", body)
    assert response.status_code == 413
    assert response.json()["error"] == "The body is larger than 16 KB."
    assert nothing_written()


# Rate limit --------------------------------------------------------------------------------------


def test_the_sites_rate_limit_answers_429_with_retry_after(client):
    site = make_site(rate_limit="3/m")
    # 20 seconds into a fixed one-minute window, which the requests cannot leave.
    with time_machine.travel(datetime(2030, 1, 7, 9, 0, 20, tzinfo=UTC), tick=False):
        _rate_limit_applies(client, site)


def _rate_limit_applies(client, site):
    statuses = [survey(client, site, email=f"p{n}@example.com").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = survey(client, site, email="late@example.com")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "40"
    assert limited["Access-Control-Allow-Origin"] == ORIGIN
    assert not Contact.objects.filter(email="late@example.com").exists()
    # Counted per site: another site's visitors are not held back.
    assert survey(client, make_site(), email="other@example.com").status_code == 200
