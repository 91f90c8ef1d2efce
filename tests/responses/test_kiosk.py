import json
import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from nps.accounts.roles import Role
from responses import kiosk
from responses.models import Answer
from surveys.models import Campaign, Contact, Invitation
from tests.factories import make_campaign, make_user

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def make_kiosk(**fields):
    fields.setdefault("channels", ["kiosk"])
    fields.setdefault("status", Campaign.Status.RUNNING)
    return make_campaign(**fields)


def answer_body(**fields):
    fields.setdefault("key", str(uuid.uuid4()))
    fields.setdefault("score", 9)
    fields.setdefault("comment", "")
    fields.setdefault("answered_at", timezone.now().isoformat())
    return fields


def post(client, campaign, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers.setdefault("HTTP_ORIGIN", ORIGIN)
    return client.post(
        f"/k/{campaign.public_token}/answers", data, content_type="application/json", **headers
    )


# The page


def test_kiosk_page_carries_every_language_and_the_idle_time(client):
    campaign = make_kiosk(kiosk_idle_seconds=25, translations={"hi": {"question": "{brand} के बारे में राय?"}})
    response = client.get(f"/k/{campaign.public_token}/")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.text
    assert "How likely are you to recommend Acme to a friend or colleague?" in response.text
    assert response["Cache-Control"].startswith("max-age=0")
    assert "noindex" in response["X-Robots-Tag"]
    data = json.loads(
        response.text.split('id="kiosk-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["idle"] == 25 and data["start"] == "en"
    assert data["post"] == f"/k/{campaign.public_token}/answers"
    assert len(data["texts"]) == 11
    assert data["texts"]["hi"]["question"] == "Acme के बारे में राय?"
    assert data["texts"]["ar"]["dir"] == "rtl" and data["texts"]["fr"]["dir"] == "ltr"
    assert data["texts"]["fr"]["pending"]["other"] == "%(count)s réponses en attente d’envoi"
    assert data["texts"]["en"]["pending"]["one"] == "%(count)s answer waiting to be sent"
    assert data["texts"]["ar"]["skip"] == "تخطٍّ"


def test_kiosk_page_starts_in_the_language_asked_for(client):
    campaign = make_kiosk()
    page = client.get(f"/k/{campaign.public_token}/?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in page
    assert "إرسال" in page
    assert '<html lang="en"' in client.get(f"/k/{campaign.public_token}/?lang=xx%00").text


@pytest.mark.parametrize(
    "fields",
    [{"status": Campaign.Status.PAUSED}, {"status": Campaign.Status.DRAFT}, {"channels": ["email", "link"]}],
)
def test_closed_kiosk_says_so(client, fields):
    campaign = make_kiosk(**fields)
    response = client.get(f"/k/{campaign.public_token}/")
    assert response.status_code == 410
    assert "This survey is closed" in response.text
    assert "kiosk-data" not in response.text


@pytest.mark.parametrize("token", ["not-a-token", "a%00b", "x" * 300])
def test_unknown_kiosk_is_404(client, token):
    make_kiosk()
    response = client.get(f"/k/{token}/")
    assert response.status_code == 404
    assert "This link is no longer valid" in response.text


def test_kiosk_page_is_public_and_get_only(client):
    campaign = make_kiosk()
    assert client.post(f"/k/{campaign.public_token}/").status_code == 405


# Answers


def test_answer_is_stored_as_an_anonymous_kiosk_answer(client):
    campaign = make_kiosk()
    body = answer_body(score=4, comment="  Long queue  ", language="hi")
    response = post(client, campaign, body)
    assert response.status_code == 201
    assert response.json() == {"key": body["key"], "created": True, "score": 4}
    answer = Answer.objects.get()
    assert (answer.channel, answer.score, answer.comment, answer.language) == ("kiosk", 4, "Long queue", "hi")
    assert answer.external_id == f"kiosk:{body['key']}"
    assert answer.invitation.channel == "kiosk"
    assert answer.invitation.state == Invitation.State.SENT
    contact = answer.contact
    assert contact.external_id == f"anon:kiosk:{body['key']}"
    assert contact.anonymous and contact.properties == {"source": "kiosk"}
    assert contact.email is None and contact.phone is None


def test_replay_of_the_same_key_is_stored_once(client):
    campaign = make_kiosk()
    body = answer_body(score=10)
    assert post(client, campaign, body).status_code == 201
    replay = post(client, campaign, {**body, "score": 0, "comment": "changed?"})
    assert replay.status_code == 200
    assert replay.json() == {"key": body["key"], "created": False, "score": 10}
    assert Answer.objects.count() == 1 and Invitation.objects.count() == 1 and Contact.objects.count() == 1
    assert Answer.objects.get().score == 10


def test_upper_case_key_is_the_same_key(client):
    campaign = make_kiosk()
    key = str(uuid.uuid4())
    assert post(client, campaign, answer_body(key=key)).status_code == 201
    assert post(client, campaign, answer_body(key=key.upper())).status_code == 200
    assert Answer.objects.count() == 1


def test_key_whose_answer_is_gone_is_refused_not_stored_again():
    """Retention deleted the answer but kept its anonymous contact: the key is used, nothing is written."""
    campaign = make_kiosk()
    key = str(uuid.uuid4())
    kiosk.record_kiosk_answer(campaign, key=key, score=8)
    Answer.objects.all().delete()
    with pytest.raises(kiosk.KeyUsedElsewhere):
        kiosk.record_kiosk_answer(campaign, key=key, score=8)
    assert not Answer.objects.exists() and Contact.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sends_of_one_key_store_one_answer():
    """Requests racing past the lookup collide on the unique key; the losers return the winner's answer."""
    campaign = make_kiosk()
    key = str(uuid.uuid4())
    barrier = threading.Barrier(6)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            answer, created = kiosk.record_kiosk_answer(campaign, key=key, score=7)
            results.append((answer.pk, created))
        except Exception as error:  # noqa: BLE001  reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(created for _, created in results) == 1
    assert len({pk for pk, _ in results}) == 1
    assert Answer.objects.count() == 1 and Contact.objects.count() == 1


def test_key_of_another_campaign_is_refused(client):
    body = answer_body()
    assert post(client, make_kiosk(), body).status_code == 201
    response = post(client, make_kiosk(), body)
    assert response.status_code == 409
    assert response.json()["field"] == "key"
    assert Answer.objects.count() == 1


def test_device_time_within_seven_days_is_kept():
    now = timezone.now()
    two_days_ago = now - timedelta(days=2)
    assert kiosk.answer_time(two_days_ago, now=now) == two_days_ago
    assert kiosk.answer_time(now - timedelta(days=8), now=now) == now
    assert kiosk.answer_time(now + timedelta(minutes=3), now=now) == now  # skew: believed, capped at now
    assert kiosk.answer_time(now + timedelta(minutes=10), now=now) == now
    assert kiosk.answer_time(None, now=now) == now


def test_answered_at_rules_through_the_endpoint(client):
    campaign = make_kiosk()
    yesterday = timezone.now() - timedelta(days=1)
    post(client, campaign, answer_body(score=1, answered_at=yesterday.isoformat()))
    post(client, campaign, answer_body(score=2, answered_at="2001-01-01T10:00:00Z"))
    post(client, campaign, answer_body(score=3, answered_at=(timezone.now() + timedelta(days=3)).isoformat()))
    times = dict(Answer.objects.values_list("score", "answered_at"))
    assert times[1] == yesterday
    assert timezone.now() - times[2] < timedelta(minutes=1)
    assert timezone.now() - times[3] < timedelta(minutes=1)
    invitation = Answer.objects.get(score=1).invitation
    assert invitation.sent_at == yesterday


@pytest.mark.parametrize("fields", [{"status": Campaign.Status.PAUSED}, {"channels": ["email"]}])
def test_closed_campaign_refuses_answers(client, fields):
    response = post(client, make_kiosk(**fields), answer_body())
    assert response.status_code == 410
    assert not Answer.objects.exists() and not Contact.objects.exists()


def test_unknown_token_refuses_answers(client):
    response = client.post(
        "/k/nope/answers", json.dumps(answer_body()), content_type="application/json", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


BAD_BODIES = [
    ("not json", "key"),
    ("[1, 2]", None),
    ('"a string"', None),
    ("{", None),
    ('{"score": NaN}', None),
    ('{"score": Infinity}', None),
    ("[" * 5000 + "]" * 5000, None),
    ('{"key": "a\\u0000"}', None),
    ("1" * 5000, None),
]


@pytest.mark.parametrize("raw", [raw for raw, _ in BAD_BODIES])
def test_malformed_json_is_400(client, raw):
    response = post(client, make_kiosk(), raw)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"score": True}, "score"),
        ({"score": False}, "score"),
        ({"score": 9.0}, "score"),
        ({"score": "9"}, "score"),
        ({"score": "٩"}, "score"),
        ({"score": 11}, "score"),
        ({"score": -1}, "score"),
        ({"score": 10**30}, "score"),
        ({"score": None}, "score"),
        ({"key": "not-a-uuid"}, "key"),
        ({"key": str(uuid.uuid1())}, "key"),
        ({"key": 12345}, "key"),
        ({"key": None}, "key"),
        ({"comment": "x" * 5001}, "comment"),
        ({"comment": 42}, "comment"),
        ({"comment": ["a"]}, "comment"),
        ({"answered_at": "yesterday"}, "answered_at"),
        ({"answered_at": "2026-11-30T10:00:00"}, "answered_at"),
        ({"answered_at": "٢٠٢٦-١١-٣٠T10:00:00Z"}, "answered_at"),
        ({"answered_at": 1764500000}, "answered_at"),
        ({"language": 7}, "language"),
        ({"language": "x" * 100}, "language"),
    ],
)
def test_wrong_types_and_values_are_400_naming_the_field(client, fields, field):
    response = post(client, make_kiosk(), answer_body(**fields))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Answer.objects.exists() and not Contact.objects.exists()


def test_nul_anywhere_is_400(client):
    response = post(client, make_kiosk(), answer_body(comment="fine\x00"))
    assert response.status_code == 400
    response = post(client, make_kiosk(), {**answer_body(), "extra\x00": 1})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_missing_comment_time_and_language_are_fine(client):
    campaign = make_kiosk()
    response = post(client, campaign, {"key": str(uuid.uuid4()), "score": 0})
    assert response.status_code == 201
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.language) == (0, "", "")


def test_unknown_language_is_stored_without_one(client):
    post(client, make_kiosk(), answer_body(language="xx-yy"))
    assert Answer.objects.get().language == ""


def test_body_over_16_kb_is_413(client):
    response = post(client, make_kiosk(), answer_body(comment="x" * 17_000))
    assert response.status_code == 413
    assert not Answer.objects.exists()


def test_non_json_content_type_is_415(client):
    campaign = make_kiosk()
    response = client.post(
        f"/k/{campaign.public_token}/answers",
        json.dumps(answer_body()),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 415
    response = client.post(f"/k/{campaign.public_token}/answers", answer_body(), HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 415
    assert not Answer.objects.exists()


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://testserver.evil.example"])
def test_foreign_origin_is_403(client, origin):
    response = post(client, make_kiosk(), answer_body(), HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_no_origin_and_public_base_url_origin_are_accepted(client, settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    campaign = make_kiosk()
    body = answer_body()
    client.post(f"/k/{campaign.public_token}/answers", json.dumps(body), content_type="application/json")
    assert post(client, campaign, answer_body(), HTTP_ORIGIN="https://nps.example.com").status_code == 201
    assert Answer.objects.count() == 2


def test_get_on_the_answers_endpoint_is_405(client):
    campaign = make_kiosk()
    assert client.get(f"/k/{campaign.public_token}/answers").status_code == 405


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_per_address_then_429_with_retry_after(client, settings):
    settings.KIOSK_RATELIMIT = "3/m"
    campaign = make_kiosk()
    for _ in range(3):
        assert post(client, campaign, answer_body()).status_code == 201
    response = post(client, campaign, answer_body())
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get(f"/k/{campaign.public_token}/").status_code == 429
    assert Answer.objects.count() == 3
    # Another address is not limited.
    assert post(client, campaign, answer_body(), REMOTE_ADDR="198.51.100.7").status_code == 201


def test_store_and_replay_query_counts(client, django_assert_max_num_queries):
    campaign = make_kiosk()
    body = answer_body()
    post(client, campaign, body)
    with django_assert_max_num_queries(2):  # the campaign, the answer by key
        assert post(client, campaign, body).status_code == 200


def test_service_worker_is_scoped_to_its_kiosk_and_caches_the_page_and_its_files(client):
    campaign = make_kiosk()
    response = client.get(f"/k/{campaign.public_token}/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    # The constants are JavaScript strings (escapejs writes "-" as \u002D): read them as JSON strings.
    page_url = re.search(r'var PAGE = ("[^"]*");', response.text).group(1)
    assets = re.search(r"var ASSETS = (\[[^\]]*\]);", response.text).group(1)
    assert json.loads(page_url) == f"/k/{campaign.public_token}/"
    assert json.loads(assets) == ["/static/js/kiosk.js", "/static/css/kiosk.css"]
    assert "{%" not in response.text
    page = client.get(f"/k/{campaign.public_token}/").text
    assert f"/k/{campaign.public_token}/sw.js" in page


def test_service_worker_of_an_unknown_kiosk_is_404(client):
    assert client.get("/k/nope/sw.js").status_code == 404


def test_staff_preview_panel_gives_the_kiosk_address_and_tablet_setup(client, settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    campaign = make_kiosk(kiosk_idle_seconds=20)
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(f"/campaigns/{campaign.pk}/preview/").text
    url = f"https://nps.example.com/k/{campaign.public_token}/"
    assert f'<code id="kiosk-url-{campaign.pk}" class="copy-value">{url}</code>' in page
    assert f'href="{url}"' in page and "Open the kiosk" in page
    assert "Guided Access" in page and "App pinning" in page
    assert "after 20 seconds without a touch" in page
    assert "This survey is closed" not in page


def test_staff_preview_panel_warns_while_the_kiosk_is_closed(client):
    campaign = make_kiosk(status=Campaign.Status.DRAFT)
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(f"/campaigns/{campaign.pk}/preview/").text
    assert "The kiosk takes answers only while the campaign is running" in page
