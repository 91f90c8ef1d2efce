"""Webhooks out, against a real HTTP receiver on 127.0.0.1 that checks signatures as docs/api.md says."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.utils import timezone

from nps import outbound
from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from responses import fanout
from responses.services import record_score, save_comment
from surveys.contacts import suppress
from surveys.models import Invitation, Suppression
from tests.factories import make_contact, make_invitation

pytestmark = pytest.mark.django_db


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as documented in docs/api.md."""
    timestamp = headers["X-OpenNPS-Timestamp"]
    signed = f"{timestamp}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < tolerance
    return hmac.compare_digest(expected, headers["X-OpenNPS-Signature"]) and fresh


class Receiver:
    """A real HTTP server in a thread: records every request, answers the statuses it is given."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answered in order; 200 once empty
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver is down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/opennps"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def make_endpoint(url, **fields):
    # The answer and unsubscribe events: a detractor's answer also opens a case (case.created), which the
    # case tests (tests/api/test_cases_api.py) subscribe to themselves.
    fields.setdefault("events", [event for event in WebhookEvent.values if not event.startswith("case.")])
    return webhooks.save_endpoint(WebhookEndpoint(url=url, **fields))


def sent_invitation(**fields):
    return make_invitation(state=Invitation.State.SENT, sent_at=timezone.now() - timedelta(hours=1), **fields)


def test_new_answer_is_posted_signed_in_delighteds_envelope(receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(receiver.url)
    invitation = sent_invitation(contact=make_contact(email="asha@example.com", properties={"plan": "pro"}))

    with django_capture_on_commit_callbacks(execute=True):
        answer = record_score(invitation, score=9)

    (request,) = receiver.requests
    assert request["path"] == "/hooks/opennps"
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert not verify("whsec_wrong", request["headers"], request["body"])
    envelope = json.loads(request["body"])
    assert set(envelope) == {"event_type", "event_id", "event_data"}
    assert envelope["event_type"] == "survey_response.created"
    assert request["headers"]["X-OpenNPS-Event"] == "survey_response.created"
    data = envelope["event_data"]
    assert data["id"] == str(answer.pk)
    assert data["score"] == 9
    assert data["comment"] is None
    assert data["survey_type"] == "nps"
    assert data["person"]["email"] == "asha@example.com"
    assert data["person_properties"] == {"plan": "pro"}
    assert isinstance(data["created_at"], int)
    delivery = WebhookDelivery.objects.get()
    assert str(delivery.event_id) == envelope["event_id"]
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert delivery.last_status_code == 200
    assert delivery.attempts == 1


def test_changed_score_and_comment_are_updates(receiver, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url)
    invitation = sent_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        record_score(invitation, score=3)
        record_score(invitation, score=8)
        save_comment(invitation, comment="Quick support")

    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["event_type"] for e in events] == [
        "survey_response.created",
        "survey_response.updated",
        "survey_response.updated",
    ]
    assert events[-1]["event_data"]["comment"] == "Quick support"
    assert events[-1]["event_data"]["score"] == 8


def test_unsubscribe_is_posted(receiver, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url, events=[WebhookEvent.UNSUBSCRIBE_CREATED])
    contact = make_contact(email="leaving@example.com", name="Lee")
    with django_capture_on_commit_callbacks(execute=True):
        suppress("Leaving@example.com", reason=Suppression.Reason.UNSUBSCRIBED)
        suppress("leaving@example.com", reason=Suppression.Reason.UNSUBSCRIBED)  # already there: no event
        suppress("bounced@example.com", reason=Suppression.Reason.BOUNCED)  # not an unsubscribe

    (request,) = receiver.requests
    envelope = json.loads(request["body"])
    assert envelope["event_type"] == "unsubscribe.created"
    assert envelope["event_data"]["person_id"] == str(contact.pk)
    assert envelope["event_data"]["email"] == "leaving@example.com"


def test_endpoint_only_gets_the_events_it_chose(receiver, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url, events=[WebhookEvent.UNSUBSCRIBE_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=10)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


@pytest.fixture
def webhooks_alone():
    """Only the webhook consumer listens to answers: follow-up (which always wants them) is put back after."""
    from responses.cases.consumer import consumer

    fanout.unregister(consumer.name)
    yield
    fanout.register(consumer)


def test_no_endpoint_means_no_request_and_no_extra_query(
    receiver, django_capture_on_commit_callbacks, django_assert_num_queries, webhooks_alone
):
    make_endpoint(receiver.url, is_active=False)
    first, second = sent_invitation(), sent_invitation()
    record_score(first, score=9)  # reads the (empty) list of active endpoints into the cache

    with django_capture_on_commit_callbacks(execute=True) as callbacks, django_assert_num_queries(1):
        record_score(second, score=9)  # the upsert, nothing else

    assert callbacks == []
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_new_endpoint_is_seen_at_once(receiver, django_capture_on_commit_callbacks):
    record_score(sent_invitation(), score=9)  # caches "no endpoints"
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=9)
    assert len(receiver.requests) == 1


def test_failed_delivery_is_retried_with_backoff_then_succeeds(
    receiver, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    make_endpoint(receiver.url)
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=6)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code == 500
    assert "receiver is down" in delivery.last_error
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(minutes=1)

    assert webhooks.send_due() == 0  # not due yet
    time_machine.shift(timedelta(minutes=1))
    assert webhooks.send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(minutes=2)

    time_machine.shift(timedelta(minutes=2))
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (3, 200, "")
    assert delivery.next_attempt_at is None
    # Every attempt carried the same event id and a valid signature of its own time.
    bodies = {r["body"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1
    assert all(verify(delivery.endpoint.secret, r["headers"], r["body"], 10**6) for r in receiver.requests)


def test_delivery_gives_up_after_24_hours(receiver, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    make_endpoint(receiver.url)
    receiver.statuses = [500] * 100
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=6)
    delivery = WebhookDelivery.objects.get()

    for _ in range(50):
        delivery.refresh_from_db()
        if delivery.state != WebhookDelivery.State.PENDING:
            break
        time_machine.move_to(delivery.next_attempt_at, tick=False)
        webhooks.send_due()

    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.last_attempt_at <= delivery.created_at + timedelta(hours=24)
    assert delivery.last_attempt_at >= delivery.created_at + timedelta(hours=20)
    assert len(receiver.requests) == delivery.attempts
    assert 10 <= delivery.attempts <= 20


def test_a_lost_attempt_is_handed_over_again_and_a_stale_task_does_nothing(receiver, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    endpoint = make_endpoint(receiver.url)
    (pk,) = webhooks.create_deliveries("survey_response.created", {"id": "1"}, [endpoint.pk])
    # The task was lost with the broker: nothing happens before the lease ends, then the dispatcher sends.
    assert webhooks.send_due() == 0
    time_machine.shift(webhooks.LEASE)
    assert webhooks.send_due() == 1
    assert WebhookDelivery.objects.get(pk=pk).state == WebhookDelivery.State.SUCCEEDED
    # The lost task turns up late: it finds its attempt already made and sends nothing.
    assert webhooks.send_delivery(pk, 0) == WebhookDelivery.State.SUCCEEDED
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed(receiver, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url)
    receiver.statuses = [302]
    receiver.location = "http://127.0.0.2:9/elsewhere"
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=9)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code == 302
    assert "Redirect to http://127.0.0.2:9/elsewhere not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_unreachable_receiver_is_logged_and_retried(django_capture_on_commit_callbacks):
    receiver = Receiver()
    url, port = receiver.url, receiver.server.server_port
    receiver.close()  # nothing listens on that port any more
    make_endpoint(url)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(), score=9)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code is None
    # One text for every network failure (tests/nps/test_outbound.py): no port state, no exception name.
    assert delivery.last_error.startswith(f"Could not connect to 127.0.0.1:{port},")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.example.com/x", True),
        ("http://localhost:8000/x", True),
        ("http://127.0.0.1/x", True),
        ("http://example.com/x", False),
        ("http://127.0.0.1.example.com/x", False),
        ("ftp://example.com/x", False),
        ("https:///nohost", False),
    ],
)
def test_only_https_or_local_http_is_allowed(url, allowed):
    """(An https name that does not resolve, or not yet, is accepted: it is checked on every delivery.)"""
    try:
        outbound.check_url_to_save(url)
    except outbound.RefusedURL:
        assert not allowed
    else:
        assert allowed


# --- Settings → Webhooks -----------------------------------------------------------------------------------


def test_admin_adds_an_endpoint_and_sends_a_test_event(
    client, sign_in, receiver, django_capture_on_commit_callbacks
):
    sign_in("admin")
    response = client.post(
        "/settings/webhooks/new/",
        {"url": receiver.url, "description": "CRM", "events": ["survey_response.created"], "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert endpoint.events == ["survey_response.created"] and endpoint.secret.startswith("whsec_")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/{endpoint.pk}/test/")
    response = client.get(response["Location"])

    assert "Test event sent" in response.text
    (request,) = receiver.requests
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert json.loads(request["body"])["event_data"]["test"] is True
    assert "Delivered" in response.text and "HTTP 200" in response.text
    assert endpoint.secret in response.text  # shown to admins, for their receiver


def test_plain_http_to_another_host_is_refused_with_a_message(client, sign_in):
    sign_in("admin")
    response = client.post(
        "/settings/webhooks/new/", {"url": "http://example.com/hook", "events": ["survey_response.created"]}
    )
    assert response.status_code == 400
    assert "Plain http:// is only accepted for this machine, in development." in response.text
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event(client, sign_in):
    sign_in("admin")
    response = client.post("/settings/webhooks/new/", {"url": "https://hooks.example.com/x"})
    assert response.status_code == 400
    assert "Choose at least one event to send." in response.text
    assert not WebhookEndpoint.objects.exists()


def test_rotate_secret_and_delete(client, sign_in):
    sign_in("admin")
    endpoint = make_endpoint("https://hooks.example.com/x")
    old_secret = endpoint.secret
    client.post(f"/settings/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret

    response = client.post(f"/settings/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert webhooks.subscribers("survey_response.created") == []


def test_editing_switches_an_endpoint_off_at_once(client, sign_in):
    sign_in("admin")
    endpoint = make_endpoint("https://hooks.example.com/x")
    assert webhooks.subscribers("survey_response.created") == [endpoint.pk]
    response = client.post(
        f"/settings/webhooks/{endpoint.pk}/",
        {"url": endpoint.url, "events": ["survey_response.created"]},  # the checkbox unticked
    )
    assert response.status_code == 302
    assert webhooks.subscribers("survey_response.created") == []


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_webhook_pages_are_for_admins_only(client, sign_in, role):
    sign_in(role)
    endpoint = make_endpoint("https://hooks.example.com/x")
    assert client.get("/settings/webhooks/").status_code == 403
    assert client.post(f"/settings/webhooks/{endpoint.pk}/test/").status_code == 403
    assert client.post(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 403
    assert WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_list_shows_endpoints_and_their_trouble(client, sign_in):
    sign_in("admin")
    assert "No webhook endpoints yet" in client.get("/settings/webhooks/").text
    endpoint = make_endpoint("https://hooks.example.com/x", description="Help desk")
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="unsubscribe.created", payload={}, state="failed"
    )
    page = client.get("/settings/webhooks/").text
    assert "https://hooks.example.com/x" in page and "Help desk" in page and "1 failed" in page


def test_each_process_rereads_the_endpoint_list_within_seconds(time_machine):
    """An endpoint saved by another process (which clears only the shared cache) is heard here soon."""
    time_machine.move_to(timezone.now(), tick=False)
    assert not webhooks.is_wanted(WebhookEvent.RESPONSE_CREATED)
    WebhookEndpoint.objects.create(url="https://hooks.example.com/a", events=[WebhookEvent.RESPONSE_CREATED])
    cache.delete(webhooks.CACHE_KEY)  # what forget_endpoints() in that other process does to us
    assert not webhooks.is_wanted(WebhookEvent.RESPONSE_CREATED)  # our copy, still fresh
    time_machine.shift(timedelta(seconds=webhooks.LOCAL_SECONDS + 1))
    assert webhooks.is_wanted(WebhookEvent.RESPONSE_CREATED)


def test_a_change_made_here_is_heard_here_at_once():
    assert not webhooks.is_wanted(WebhookEvent.RESPONSE_UPDATED)
    endpoint = make_endpoint("https://hooks.example.com/b", events=[WebhookEvent.RESPONSE_UPDATED])
    assert webhooks.is_wanted(WebhookEvent.RESPONSE_UPDATED)
    webhooks.delete_endpoint(endpoint)
    assert not webhooks.is_wanted(WebhookEvent.RESPONSE_UPDATED)
