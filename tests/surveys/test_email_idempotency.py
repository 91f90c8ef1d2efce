"""ESPs that honour an idempotency key get one per message, stable across resends (local stubs of their APIs)."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveys.channels import get_channel
from tests.factories import make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def esp_stub():
    """A local HTTP server answering like an ESP's send API; it keeps each request's headers and body."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"headers": dict(self.headers), "body": body})
            reply = json.dumps(server.reply).encode()
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_port}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def invitation():
    return make_invitation(campaign=make_campaign(), contact=make_contact())


def expected_key(invitation) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mid:<opennps-{invitation.pk}@acme.example>"))


def test_brevo_gets_the_same_idempotency_key_each_time_a_message_is_sent(settings, esp_stub):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "BREVO_API_KEY": "key", "BREVO_API_URL": esp_stub.url}
    esp_stub.status, esp_stub.reply = 201, {"messageId": "<brevo-1@smtp-relay.example>"}
    row = invitation()

    get_channel("email").send(row)
    get_channel("email").send(row)  # a resend after a crash, as the sweep would do

    keys = [request["body"]["headers"]["idempotencyKey"] for request in esp_stub.requests]
    assert keys == [expected_key(row)] * 2
    assert len({expected_key(row), expected_key(invitation())}) == 2


def test_resend_gets_the_idempotency_key_as_an_http_header(settings, esp_stub):
    settings.EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "RESEND_API_KEY": "key", "RESEND_API_URL": esp_stub.url}
    esp_stub.status, esp_stub.reply = 200, {"id": "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}
    row = invitation()

    assert get_channel("email").send(row) == "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"

    (request,) = esp_stub.requests
    assert request["headers"]["Idempotency-Key"] == expected_key(row)
    assert "idempotencyKey" not in request["body"].get("headers", {})


def test_an_esp_without_idempotency_keys_gets_no_stray_header(settings, esp_stub):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "POSTMARK_SERVER_TOKEN": "token",
        "POSTMARK_API_URL": esp_stub.url,
    }
    esp_stub.status, esp_stub.reply = (
        200,
        {"MessageID": "pm-1", "ErrorCode": 0, "Message": "OK", "To": "x@example.com"},
    )
    row = invitation()

    get_channel("email").send(row)

    (request,) = esp_stub.requests
    names = {header["Name"] for header in request["body"].get("Headers", [])}
    assert "Message-ID" in names
    assert "idempotencyKey" not in names
    assert "Idempotency-Key" not in request["headers"]
