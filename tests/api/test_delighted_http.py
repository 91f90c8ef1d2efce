"""The Delighted-compatible API over plain HTTP: authentication, error shapes, pagination headers."""

import base64
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from nps.api import keys
from responses.models import Answer
from surveys.models import Campaign, Contact, Invitation
from tests.factories import make_answer, make_campaign, make_contact

pytestmark = pytest.mark.django_db


def basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(user.encode()).decode()}


@pytest.fixture
def key():
    return keys.create_api_key(name="HTTP tests", read_only=False)[1]


@pytest.fixture
def auth(key):
    """curl -u KEY: sends the key, a colon and an empty password."""
    return basic(key + ":")


@pytest.fixture
def running():
    return make_campaign(status=Campaign.Status.RUNNING)


def post_json(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_no_credentials_is_401_in_delighteds_shape(client):
    response = client.get("/v1/metrics.json")

    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert "API key as the user name" in response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("header", ["Basic bm90LWEta2V5Og==", "Basic !!!", "Bearer whatever"])
def test_wrong_or_malformed_credentials_are_401(client, header):
    response = client.get("/v1/people.json", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_revoked_key_is_401(client, key, auth):
    keys.revoke_api_key(keys.authenticate(key))

    response = client.get("/v1/people.json", headers=auth)

    assert response.status_code == 401
    assert response.json() == {"status": 401, "message": "Invalid API key."}


def test_key_without_colon_as_the_official_clients_send_it(client, key):
    assert client.get("/v1/people", headers=basic(key)).status_code == 200


def test_read_only_key_reads_but_cannot_write(client, running):
    raw = keys.create_api_key(name="Reporting", read_only=True)[1]

    assert client.get("/v1/survey_responses.json", headers=basic(raw)).status_code == 200
    response = post_json(client, "/v1/people.json", {"email": "a@example.com"}, basic(raw))

    assert response.status_code == 403
    assert response.json() == {"status": 403, "message": "Forbidden: this API key is read-only."}
    assert not Contact.objects.exists()


def test_missing_email_is_422_with_field_errors_and_writes_nothing(client, auth, running):
    response = post_json(client, "/v1/people.json", {"name": "No Address"}, auth)

    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "message": "Unprocessable Entity",
        "errors": {"email": ["can't be blank"]},
    }
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "is not a valid email address"),
        ({"phone_number": "12"}, "phone_number", "is not a valid phone number"),
        ({"email": "a@example.com", "channel": "pigeon"}, "channel", "is not included in the list"),
        ({"email": "a@example.com", "channel": "sms"}, "phone_number", "can't be blank"),
        ({"email": "a@example.com", "delay": "soon"}, "delay", "must be an integer"),
        ({"email": "a@example.com", "delay": -5}, "delay", "must be greater than or equal to 0"),
        ({"email": "a@example.com", "properties": "plan=pro"}, "properties", "must be a hash"),
        (
            {"email": "a@example.com", "properties": {"thank_you_link_url": "javascript:alert(1)"}},
            "properties",
            "thank_you_link_url must be an http(s) URL",
        ),
        ({"email": "a" * 250 + "@example.com"}, "email", "longer than 254 characters"),
        ({"email": "a@example.com", "name": "A\x00"}, "name", "must not contain the NUL character"),
        ({"email": "a@example.com", "properties": {"plan": "\x00"}}, "properties", "NUL character"),
    ],
)
def test_bad_person_input_is_422_naming_the_field(client, auth, running, body, field, message):
    response = post_json(client, "/v1/people.json", body, auth)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not Contact.objects.exists() and not Invitation.objects.exists()


def test_no_running_campaign_for_the_channel_is_422_and_writes_nothing(client, auth):
    make_campaign(status=Campaign.Status.DRAFT)

    response = post_json(client, "/v1/people.json", {"email": "a@example.com"}, auth)

    assert response.status_code == 422
    assert "no running campaign sends by email" in response.json()["errors"]["channel"][0]
    assert not Contact.objects.exists()


def test_form_encoded_person_with_bracket_properties(client, auth, running):
    response = client.post(
        "/v1/people.json",
        "email=form%40example.com&send=false&properties%5Bplan%5D=pro&properties%5Bregion%5D=EU",
        content_type="application/x-www-form-urlencoded",
        headers=auth,
    )

    assert response.status_code == 200
    assert Contact.objects.get().properties == {"plan": "pro", "region": "EU"}


def test_body_that_is_not_json_is_400(client, auth):
    response = client.post("/v1/people.json", "{email:", content_type="application/json", headers=auth)

    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": "The request body is not valid JSON."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 9}, "person"),
        ({"person": "999999", "score": 9}, "person"),
        ({"person": "P", "score": 11}, "score"),
    ],
)
def test_bad_survey_response_is_422_and_writes_nothing(client, auth, running, body, field):
    if body.get("person") == "P":
        body["person"] = str(make_contact().pk)

    response = post_json(client, "/v1/survey_responses.json", body, auth)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/v1/people/999999"),
        ("delete", "/v1/people/email%3Anobody%40example.com"),
        ("get", "/v1/survey_responses/999999.json"),
        ("get", "/v1/autopilot/fax.json"),
        ("get", "/v1/no_such_thing.json"),
    ],
)
def test_unknown_things_are_json_404(client, auth, method, path):
    response = getattr(client, method)(path, headers=auth)

    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Not Found"}


def test_wrong_method_is_405_with_allow(client, auth):
    response = client.delete("/v1/metrics.json", headers=auth)

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["status"] == 405


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_is_429_with_retry_after(client, auth, settings):
    settings.API_RATELIMIT = "2/m"

    assert client.get("/v1/metrics.json", headers=auth).status_code == 200
    assert client.get("/v1/metrics.json", headers=auth).status_code == 200
    response = client.get("/v1/metrics.json", headers=auth)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_counts_writes_too_and_refuses_them_before_writing(client, auth, settings, running):
    settings.API_RATELIMIT = "1/m"
    client.get("/v1/metrics.json", headers=auth)

    response = post_json(client, "/v1/people.json", {"email": "late@example.com"}, auth)

    assert response.status_code == 429
    assert not Contact.objects.exists()


def test_people_link_header_walks_every_page_once(client, auth):
    created = [make_contact(email=f"p{n}@example.com").pk for n in range(5)]
    seen, url, pages = [], "/v1/people.json?per_page=2", 0

    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        seen += [int(person["id"]) for person in response.json()]
        pages += 1
        link = response.headers.get("Link")
        if link:
            match = re.fullmatch(r'<(http://testserver(/v1/people\.json\?[^>]+))>; rel="next"', link)
            assert match, link
            assert "per_page=2" in match[1] and "page_info=" in match[1]
            url = match[2]
        else:
            url = None

    assert seen == created
    assert pages == 3


def test_people_bad_cursor_is_422(client, auth):
    response = client.get("/v1/people.json?page_info=%%%", headers=auth)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["page_info"]


def test_people_list_shape_and_timestamps(client, auth, running):
    contact = make_contact(email="shape@example.com", phone="+14155550142", name="Shape")
    make_answer(campaign=running, contact=contact, score=8)

    (person,) = client.get("/v1/people.json", headers=auth).json()

    assert person == {
        "id": str(contact.pk),
        "email": "shape@example.com",
        "name": "Shape",
        "created_at": int(contact.created_at.timestamp()),
        "phone_number": "+14155550142",
        "at_risk": False,
        "last_sent_at": None,
        "last_responded_at": int(Answer.objects.get().answered_at.timestamp()),
        "next_survey_scheduled_at": None,
    }


def test_survey_response_shape_with_expanded_notes(client, auth, running, django_user_model):
    lead = django_user_model.objects.create_user(email="lead@example.com", password="x", role="lead")
    contact = make_contact(email="noted@example.com", properties={"plan": "pro"})
    answer = make_answer(campaign=running, contact=contact, score=6, notes="Called back", recorded_by=lead)

    body = client.get(f"/v1/survey_responses/{answer.pk}.json?expand[]=notes", headers=auth).json()

    assert body == {
        "id": str(answer.pk),
        "person": str(contact.pk),
        "survey_type": "nps",
        "score": 6,
        "comment": None,
        "permalink": f"http://testserver/responses/{answer.pk}/",
        "created_at": int(answer.answered_at.timestamp()),
        "updated_at": int(answer.updated_at.timestamp()),
        "person_properties": {"plan": "pro"},
        "notes": [
            {
                "id": str(answer.pk),
                "text": "Called back",
                "user_email": "lead@example.com",
                "created_at": int(answer.updated_at.timestamp()),
            }
        ],
        "tags": [],
        "themes": [],
        "additional_answers": [],
    }


def test_survey_responses_per_page_is_capped_at_100(client, auth):
    campaign = make_campaign()
    for _ in range(101):
        make_answer(campaign=campaign, score=9)

    response = client.get("/v1/survey_responses.json?per_page=101", headers=auth)

    assert response.status_code == 200
    assert len(response.json()) == 100


def test_metrics_without_responses_are_zero_as_delighted_clients_expect(client, auth):
    response = client.get("/v1/metrics.json", headers=auth)

    assert response.json() == {
        "nps": 0,
        "promoter_count": 0,
        "promoter_percent": 0.0,
        "passive_count": 0,
        "passive_percent": 0.0,
        "detractor_count": 0,
        "detractor_percent": 0.0,
        "response_count": 0,
    }


def test_listing_people_takes_a_fixed_number_of_queries(client, auth, django_assert_max_num_queries):
    for n in range(30):
        make_contact(email=f"q{n}@example.com")
    client.get("/v1/people.json", headers=auth)  # the key's last_used_at is written once a minute

    with django_assert_max_num_queries(2):
        response = client.get("/v1/people.json?per_page=30", headers=auth)
    assert len(response.json()) == 30


def test_thank_you_properties_show_on_the_customers_thank_you_page(
    client, auth, running, django_capture_on_commit_callbacks
):
    body = {
        "email": "thanks@example.com",
        "properties": {
            "thank_you_message": "Merci, Jony !",
            "thank_you_link_url": "https://reviews.example/acme",
        },
    }
    with django_capture_on_commit_callbacks(execute=True):  # the survey is sent after the commit
        assert post_json(client, "/v1/people.json", body, auth).status_code == 200
    invitation = Invitation.objects.get(state=Invitation.State.SENT)

    page = client.get(f"/r/{invitation.token}/thanks/")

    assert page.status_code == 200
    assert "Merci, Jony !" in page.text
    assert "Your answer helps" not in page.text
    assert 'href="https://reviews.example/acme"' in page.text


def test_survey_responses_filter_by_updated_time_and_trend(client, auth, running):
    now = timezone.now()
    other = make_campaign(brand=running.brand, status=Campaign.Status.RUNNING)
    stale = make_answer(campaign=running, score=9, updated_at=now - timedelta(days=3))
    fresh = make_answer(campaign=running, score=5, updated_at=now)
    elsewhere = make_answer(campaign=other, score=1, updated_at=now)
    since = int((now - timedelta(days=1)).timestamp())

    def ids(query):
        return [int(r["id"]) for r in client.get(f"/v1/survey_responses.json?{query}", headers=auth).json()]

    assert ids(f"updated_since={since}&order=asc:updated_at") == [fresh.pk, elsewhere.pk]
    assert ids(f"updated_until={since}") == [stale.pk]
    assert ids(f"trend={running.pk}&order=desc:updated_at") == [fresh.pk, stale.pk]


def test_email_update_changes_the_persons_address(client, auth, running):
    contact = make_contact(email="old@example.com")

    response = post_json(
        client,
        "/v1/people.json",
        {"email": "old@example.com", "email_update": "new@example.com", "send": False},
        auth,
    )

    assert response.status_code == 200
    assert response.json()["id"] == str(contact.pk)
    contact.refresh_from_db()
    assert contact.email == "new@example.com"


def test_trend_naming_a_draft_campaign_is_422_and_writes_nothing(client, auth, running):
    draft = make_campaign(brand=running.brand, status=Campaign.Status.DRAFT)

    response = post_json(client, "/v1/people.json", {"email": "a@example.com", "trend": str(draft.pk)}, auth)

    assert response.status_code == 422
    assert "only a launched campaign can send surveys" in response.json()["errors"]["trend"][0]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/survey_responses.json?person_id=99999999999999999999", "person_id"),
        ("/v1/survey_responses.json?trend=abc", "trend"),
        ("/v1/survey_responses.json?since=-1", "since"),
        ("/v1/survey_responses.json?page=0", "page"),
        ("/v1/survey_responses.json?order=sideways", "order"),
        ("/v1/people.json?per_page=0", "per_page"),
        ("/v1/people.json?until=soon", "until"),
        ("/v1/metrics.json?trend=99999999999999999999", "trend"),
        ("/v1/unsubscribes.json?per_page=-5", "per_page"),
        ("/v1/autopilot/email/memberships.json?person_id=x", "person_id"),
        ("/v1/people.json?email=a%00b", "email"),
        ("/v1/survey_responses.json?person_email=a%00b", "person_email"),
    ],
)
def test_bad_query_parameters_are_422_never_500(client, auth, path, field):
    make_campaign(status=Campaign.Status.RUNNING, schedule=Campaign.Schedule.RECURRING, recur_days=30)

    response = client.get(path, headers=auth)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_huge_person_id_on_a_new_response_is_422(client, auth, running):
    body = {"person": "99999999999999999999", "score": 9}

    response = post_json(client, "/v1/survey_responses.json", body, auth)

    assert response.status_code == 422
    assert response.json()["errors"] == {"person": ["no person has the id 99999999999999999999"]}


def test_nul_in_a_person_identifier_is_404_not_a_crash(client, auth):
    response = client.delete("/v1/people/email%3Aa%00b%40example.com", headers=auth)

    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Not Found"}
