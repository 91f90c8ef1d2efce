"""A local Slack / Teams incoming-webhook receiver for the alert tests: a real HTTP server on 127.0.0.1.

It records every JSON body and answers the statuses it is given in order (200 "ok" once they run out), with
an optional Retry-After header, as Slack does when it rate-limits.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class AlertStub:
    def __init__(self):
        self.messages: list[dict] = []
        self.replies: list[tuple[int, str, dict]] = []  # (status, body, headers), answered in order
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, text, headers = stub.replies.pop(0) if stub.replies else (200, "ok", {})
                if 200 <= status < 300:
                    stub.messages.append(json.loads(body))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, text: str = "", **headers) -> None:
        self.replies.append(
            (status, text, {name.replace("_", "-"): value for name, value in headers.items()})
        )

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def alert_stub():
    stub = AlertStub()
    yield stub
    stub.close()
