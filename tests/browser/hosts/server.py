"""A second local web server for the widget's browser tests: "the customer's site", on another origin.

It serves the host pages of this folder. A page is a template: `{{name}}` is replaced by the query
parameter `name` (the site key, the visitor's email, a userHash: whatever the test passes), and `{{opennps}}`
by the OpenNPS server's URL (the live_server the widget is loaded from). A missing parameter is a 400, so
a test never runs a page with a hole in it. `page.html.headers` beside a page holds extra response headers
for it, one `Name: value` a line, templated the same way (a strict Content-Security-Policy, say).

The pages stand for sites hosted elsewhere: the tests reach the same server both as http://127.0.0.1:<port>
(on the site's allowed origins) and as http://localhost:<port> (a different origin, not on the list).
"""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).parent
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
PAGE_NAME = re.compile(r"^/([a-z0-9-]+\.html)$")


class MissingParameter(KeyError):
    pass


def render(template: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise MissingParameter(match.group(1))
        return values[match.group(1)]

    return PLACEHOLDER.sub(value, template)


class HostServer:
    def __init__(self, opennps_url: str):
        self.opennps_url = opennps_url.rstrip("/")
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        """The origin the tests put on a site's allowed list."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def other_origin(self) -> str:
        """The same pages from an origin on no site's list."""
        return f"http://localhost:{self.port}"

    def url(self, page: str, *, origin: str | None = None, **params: str) -> str:
        query = "&".join(f"{name}={value}" for name, value in params.items())
        return f"{origin or self.origin}/{page}" + (f"?{query}" if query else "")

    def start(self) -> "HostServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(host: HostServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's naming)
            host.requests.append(self.path)
            url = urlsplit(self.path)
            match = PAGE_NAME.match(url.path)
            if url.path == "/favicon.ico":
                return self._send(204, b"")
            if not match or not (HERE / match.group(1)).is_file():
                return self._send(404, b"no such host page")
            values = {name: items[-1] for name, items in parse_qs(url.query).items()}
            values["opennps"] = host.opennps_url
            page = HERE / match.group(1)
            headers_file = page.with_name(page.name + ".headers")
            try:
                body = render(page.read_text(encoding="utf-8"), values)
                headers = (
                    render(headers_file.read_text(encoding="utf-8"), values) if headers_file.exists() else ""
                )
            except MissingParameter as missing:
                return self._send(400, f"missing query parameter {missing}".encode())
            extra = [line.split(":", 1) for line in headers.splitlines() if line.strip()]
            self._send(
                200, body.encode(), "text/html; charset=utf-8", [(k.strip(), v.strip()) for k, v in extra]
            )

        def _send(self, status, body: bytes, content_type="text/plain; charset=utf-8", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002  quiet test output
            pass

    return Handler
