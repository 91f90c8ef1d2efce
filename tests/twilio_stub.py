"""A local stand-in for Twilio's REST Messages API, for the real `twilio` client to talk to.

Tests point the client at it with settings.TWILIO_API_BASE_URL (the `twilio_stub` fixture does), so what
is tested is the request the official client really builds and the response it really parses: only the
far side of the wire is ours. It implements what OpenNPS uses:

- POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form-encoded, HTTP Basic auth = account SID and
  auth token): creates a message and answers as Twilio does (201, "SM" + 32 hex, status "queued", or
  "accepted" when sent through a Messaging Service);
- GET  /2010-04-01/Accounts/{AccountSid}/Messages.json with To, From, DateSent, DateSent< and DateSent>
  filters and Twilio's paging (PageSize, Page, next_page_uri), newest first.

A test can make the next sends fail with a Twilio error (HTTP 400 and {"code", "message", "status"}), a 500,
or a dropped connection, and can hold the answer to one number's message after the message was accepted:
the moment a worker killed there leaves a text that Twilio has and our database does not know about.
"""

import base64
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-zA-Z]+)/Messages\.json$")
API_VERSION = "2010-04-01"


@dataclass
class Failure:
    """How the next matching sends fail: a Twilio error (400 + code), a server error, or a dropped line."""

    remaining: int
    to: str = ""  # only sends to this address ("+1…" or "whatsapp:+1…"); "" any
    status: int = 400
    code: int | None = None
    message: str = ""
    drop: bool = False


class TwilioStub:
    """The stub's state: every request and message it saw, and the failures it was told to produce."""

    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        # Message bodies Twilio renders from an approved template ("HX…": "text with {{1}}").
        self.content_templates: dict[str, str] = {}
        self.requests: list[dict] = []  # every request: method, path, params, authorised
        self.messages: list[dict] = []  # every message created, as Twilio returns it
        self._failures: list[Failure] = []
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "TwilioStub":
        self._thread.start()
        return self

    def stop(self) -> None:
        for event in self._holds.values():
            event.set()
        self._server.shutdown()
        self._server.server_close()

    # What a test asks for -------------------------------------------------------------------------

    def fail_next(self, count: int = 1, *, code: int | None = None, message: str = "", status: int = 400,
                  to: str = "") -> None:  # fmt: skip
        """The next `count` sends (to `to`, else any) fail with this Twilio error code, or with a bare
        HTTP `status` (500: Twilio's own trouble) when no code is given."""
        self._failures.append(Failure(count, to=to, status=status, code=code, message=message))

    def drop_next(self, count: int = 1, *, to: str = "") -> None:
        """The next `count` sends get no answer at all: the connection closes (a network failure)."""
        self._failures.append(Failure(count, to=to, drop=True))

    def hold_after_accepting(self, to: str) -> threading.Event:
        """Accept the message to `to`, then hold the answer until the returned event is set."""
        event = threading.Event()
        self._holds[to] = event
        return event

    def sent(self, to: str | None = None) -> list[dict]:
        """The messages created, oldest first; only those to `to` when given."""
        with self._lock:
            return [m for m in self.messages if to is None or m["to"] == to]

    # The API ------------------------------------------------------------------------------------

    def authorised(self, header: str) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return hmac.compare_digest(header.encode(), expected.encode())

    def take_failure(self, to: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.remaining > 0 and failure.to in ("", to):
                    failure.remaining -= 1
                    return failure
        return None

    def create(self, params: dict) -> tuple[int, dict]:
        to = params.get("To", "")
        sender = params.get("From", "")
        service = params.get("MessagingServiceSid", "")
        content_sid = params.get("ContentSid", "")
        if not to:
            return 400, error(21604, "A 'To' phone number is required.")
        if not (sender or service):
            return 400, error(21603, "A 'From' phone number is required.")
        if not (params.get("Body") or content_sid or params.get("MediaUrl")):
            return 400, error(21602, "Message body is required.")
        variables = json.loads(params["ContentVariables"]) if params.get("ContentVariables") else {}
        body = params.get("Body", "")
        if content_sid:  # Twilio renders the approved template; Body is not what goes out
            body = self.content_templates.get(content_sid, "")
            for name, value in variables.items():
                body = body.replace("{{%s}}" % name, str(value))  # noqa: UP031  braces in the template
        now = datetime.now(UTC)
        sid = "SM" + secrets.token_hex(16)
        message = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": format_datetime(now, usegmt=True),
            "date_sent": None,
            "date_updated": format_datetime(now, usegmt=True),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "num_media": "0",
            "num_segments": "0" if service else "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            # Not in Twilio's answer: what the stub keeps for the tests.
            "_created": now,
            "_content_sid": content_sid,
            "_content_variables": variables,
            "_status_callback": params.get("StatusCallback", ""),
        }
        with self._lock:
            self.messages.append(message)
        return 201, public(message)

    def list(self, params: dict, path: str) -> dict:
        with self._lock:
            found = [m for m in reversed(self.messages) if _matches(m, params)]
        size = max(1, min(int(params.get("PageSize", 50)), 1000))
        page = max(0, int(params.get("Page", 0)))
        rows = found[page * size : (page + 1) * size]
        query = {k: v for k, v in params.items() if k not in ("Page", "PageToken")}

        def page_uri(number):
            return f"{path}?{urlencode({**query, 'Page': number, 'PageToken': f'PA{number}'})}"

        return {
            "messages": [public(m, listed=True) for m in rows],
            "end": page * size + max(len(rows) - 1, 0),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if (page + 1) * size < len(found) else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": page_uri(page - 1) if page else None,
            "start": page * size,
            "uri": page_uri(page),
        }


def error(code: int, message: str, status: int = 400) -> dict:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}  # fmt: skip


def public(message: dict, *, listed: bool = False) -> dict:
    """The message as Twilio shows it; listed later, it has been sent (date_sent set)."""
    shown = {k: v for k, v in message.items() if not k.startswith("_")}
    if listed:
        shown["status"] = "sent"
        shown["date_sent"] = shown["date_created"]
    return shown


def _when(value: str) -> datetime:
    """Twilio's DateSent filters take a day (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM:SSZ)."""
    if len(value) == 10:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _matches(message: dict, params: dict) -> bool:
    if params.get("To") and message["to"] != params["To"]:
        return False
    if params.get("From") and message["from"] != params["From"]:
        return False
    sent = message["_created"].replace(microsecond=0)
    if (value := params.get("DateSent")) and sent.date() != _when(value).date():
        return False
    if (value := params.get("DateSent>")) and sent < _when(value):
        return False
    return not ((value := params.get("DateSent<")) and sent > _when(value))


def _handler_for(stub: TwilioStub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: pytest shows failures, not every request
            pass

        def _answer(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self, method: str) -> tuple[str, dict] | None:
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                params = {k: v[-1] for k, v in form.items()}
            match = MESSAGES_PATH.match(parts.path)
            authorised = stub.authorised(self.headers.get("Authorization", ""))
            with stub._lock:
                stub.requests.append({"method": method, "path": parts.path, "params": params,
                                      "authorised": authorised})  # fmt: skip
            if match is None:
                self._answer(404, error(20404, "The requested resource was not found", 404))
                return None
            if not authorised or match["account"] != stub.account_sid:
                self._answer(401, error(20003, "Authenticate", 401))
                return None
            return parts.path, params

        def do_GET(self):
            if routed := self._route("GET"):
                path, params = routed
                self._answer(200, stub.list(params, path))

        def do_POST(self):
            if not (routed := self._route("POST")):
                return
            _, params = routed
            failure = stub.take_failure(params.get("To", ""))
            if failure is not None and failure.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if failure is not None:
                code = failure.code or 20500
                self._answer(
                    failure.status, error(code, failure.message or "Internal Server Error", failure.status)
                )
                return
            status, payload = stub.create(params)
            hold = stub._holds.get(params.get("To", ""))
            if status == 201 and hold is not None:
                hold.wait()
            try:
                self._answer(status, payload)
            except OSError:  # the client died while the answer was held
                self.close_connection = True

    return Handler


@pytest.fixture
def twilio_stub(settings):
    """The stub running on a free local port, with the real client pointed at it (SMS_BACKEND "twilio")."""
    stub = TwilioStub(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = stub.url
    yield stub
    stub.stop()
