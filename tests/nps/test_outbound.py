"""The outbound-URL guard (nps/outbound.py) through webhooks: no URL reaches an internal service.

Name resolution is simulated only at the socket boundary (socket.getaddrinfo); receivers are real HTTP and
HTTPS servers on 127.0.0.1, the HTTPS one with a certificate from a throwaway CA (trustme).
"""

import json
import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from nps import outbound
from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.nps.test_webhooks import Receiver, make_endpoint, verify

pytestmark = pytest.mark.django_db

# One address of each class that must never be called, as a URL host.
REFUSED = [
    ("127.0.0.1:6379", "loopback"),
    ("127.1.2.3", "loopback"),
    ("[::1]", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("[fd00::1]", "private"),
    ("169.254.169.254", "link-local"),
    ("[fe80::1]", "link-local"),
    ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 (a URL host, not a bind address)
    ("[::]", "unspecified"),
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("240.0.0.1", "private"),
    ("[::ffff:127.0.0.1]", "loopback"),
    ("[::ffff:169.254.169.254]", "link-local"),
    ("[::ffff:10.0.0.5]", "private"),
    ("[64:ff9b::a00:5]", "private"),  # NAT64 of 10.0.0.5
    ("[2002:a9fe:a9fe::]", "link-local"),  # 6to4 of 169.254.169.254
]


def add_endpoint(client, url):
    return client.post(
        "/settings/webhooks/new/", {"url": url, "events": ["survey_response.created"], "is_active": "on"}
    )


@pytest.fixture
def no_loopback(settings):
    """A production server: DEBUG off, so loopback is refused like every other internal address."""
    settings.OUTBOUND_ALLOW_LOOPBACK = False


@pytest.fixture
def dns(monkeypatch):
    """A local resolver override at the getaddrinfo boundary; other names resolve as usual.

    `dns.table[name]` is the list of addresses answered, or a function returning it (a changing answer);
    `dns.lookups` counts the lookups of each overridden name.
    """
    real = socket.getaddrinfo
    table: dict = {}
    lookups: dict[str, int] = {}

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            return real(host, port, family, type, proto, flags)
        lookups[host] = lookups.get(host, 0) + 1
        answer = table[host]() if callable(table[host]) else table[host]
        flags |= socket.AI_NUMERICHOST
        return [info for address in answer for info in real(address, port, family, type, proto, flags)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    getaddrinfo.table, getaddrinfo.lookups = table, lookups
    return getaddrinfo


def deliver_one(django_capture_on_commit_callbacks, endpoint):
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test_event(endpoint)
    return WebhookDelivery.objects.get(endpoint=endpoint)


# --- Refused when saved -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_loopback")
@pytest.mark.parametrize(("host", "kind"), REFUSED)
def test_each_internal_address_class_is_refused_when_saved(client, sign_in, host, kind):
    sign_in("admin")
    response = add_endpoint(client, f"https://{host}/hooks")
    assert response.status_code == 400
    assert f"a {kind} address" in response.text
    assert "only public addresses can be called" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.usefixtures("no_loopback")
def test_a_name_that_resolves_to_loopback_is_refused_when_saved(client, sign_in):
    sign_in("admin")
    response = add_endpoint(client, "https://localhost:8443/hooks")
    assert response.status_code == 400
    assert "localhost resolves to 127.0.0.1, a loopback address" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.usefixtures("no_loopback")
def test_a_public_looking_name_of_a_private_address_is_refused_when_saved(client, sign_in, dns):
    dns.table["crm.customer.example"] = ["93.184.216.34", "10.20.30.40"]  # one public answer is not enough
    sign_in("admin")
    response = add_endpoint(client, "https://crm.customer.example/hooks")
    assert response.status_code == 400
    assert "crm.customer.example resolves to 10.20.30.40, a private address" in response.text


@pytest.mark.parametrize(
    "host", ["metadata.google.internal", "metadata.goog", "instance-data.ec2.internal", "db.corp.internal"]
)
def test_metadata_host_names_are_refused_whatever_they_resolve_to(client, sign_in, dns, host):
    dns.table[host] = ["93.184.216.34"]
    sign_in("admin")
    response = add_endpoint(client, f"https://{host}/computeMetadata/v1/")
    assert response.status_code == 400
    assert f"{host} is an internal host name" in response.text


def test_a_single_label_metadata_name_is_refused_when_connecting(dns, django_capture_on_commit_callbacks):
    """(The form refuses "metadata" as a URL already; an endpoint saved some other way meets this check.)"""
    dns.table["metadata"] = ["93.184.216.34"]
    delivery = deliver_one(
        django_capture_on_commit_callbacks, make_endpoint("http://metadata/computeMetadata/v1/")
    )
    assert delivery.state == WebhookDelivery.State.FAILED
    assert "metadata is an internal host name" in delivery.last_error


def test_port_99999_is_refused_with_a_message(client, sign_in):
    sign_in("admin")
    response = add_endpoint(client, "https://hooks.example.com:99999/x")
    assert response.status_code == 400
    assert "The port must be a number from 1 to 65535." in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:secret@hooks.example.com/x", "Remove the user name and password from the URL."),
        ("https://hooks.example.com:0/x", "Port 0 is not valid"),
        ("ftp://hooks.example.com/x", "Use an https:// URL."),
    ],
)
def test_other_invalid_urls_are_refused_with_a_message(client, sign_in, url, message):
    sign_in("admin")
    response = add_endpoint(client, url)
    assert response.status_code == 400
    assert message in response.text
    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_accepted(client, sign_in, dns):
    dns.table["hooks.customer.example"] = ["93.184.216.34"]
    sign_in("admin")
    assert add_endpoint(client, "https://hooks.customer.example/opennps").status_code == 302
    assert add_endpoint(client, "https://[2606:4700::6810:84e5]/opennps").status_code == 302
    assert WebhookEndpoint.objects.count() == 2


def test_loopback_is_accepted_in_development(client, sign_in, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    sign_in("admin")
    assert add_endpoint(client, "http://localhost:8000/hooks").status_code == 302
    # Private networks stay refused even then, and plain http only goes to this machine.
    assert "a private address" in add_endpoint(client, "https://10.0.0.5/hooks").text
    assert "Plain http:// is only accepted" in add_endpoint(client, "http://93.184.216.34/hooks").text


# --- Refused when connecting ------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_loopback")
@pytest.mark.parametrize(("host", "kind"), REFUSED)
def test_each_internal_address_class_is_refused_when_connecting_and_the_delivery_fails(
    django_capture_on_commit_callbacks, host, kind
):
    endpoint = make_endpoint(f"https://{host}/hooks")  # saved before the guard, or by a shell
    delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Not sent: ")
    assert f"a {kind} address" in delivery.last_error


@pytest.mark.usefixtures("no_loopback")
def test_a_local_service_is_never_called_and_its_reply_never_stored(django_capture_on_commit_callbacks):
    receiver = Receiver()  # an internal service on this machine that would answer
    try:
        endpoint = make_endpoint(receiver.url.replace("127.0.0.1", "localhost"))
        delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    finally:
        receiver.close()
    assert receiver.requests == []
    assert delivery.state == WebhookDelivery.State.FAILED
    assert "localhost resolves to 127.0.0.1, a loopback address" in delivery.last_error
    assert "ok" not in delivery.last_error


@pytest.mark.usefixtures("no_loopback")
def test_dns_rebinding_a_name_public_when_saved_and_private_when_connecting_is_refused(
    client, sign_in, dns, tls, django_capture_on_commit_callbacks
):
    # The attacker's name answers a public address when the URL is saved …
    dns.table["hooks.attacker.example"] = ["93.184.216.34"]
    receiver = tls.serve("hooks.attacker.example")
    tls.trust()
    sign_in("admin")
    response = add_endpoint(client, f"https://hooks.attacker.example:{receiver.port}/x")
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    # … and this machine's address when we connect, where an internal HTTPS service listens.
    dns.table["hooks.attacker.example"] = ["127.0.0.1"]
    delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    assert receiver.requests == []
    assert delivery.state == WebhookDelivery.State.FAILED
    assert "hooks.attacker.example resolves to 127.0.0.1, a loopback address" in delivery.last_error


def test_the_connection_goes_to_the_address_that_was_checked(dns, django_capture_on_commit_callbacks):
    """Resolved once: a second lookup (answering 127.0.0.2, where nothing listens) is never made."""
    receiver = Receiver()
    port = receiver.server.server_port
    answers = iter([["127.0.0.1"]])
    dns.table["hooks.dev.example"] = lambda: next(answers, ["127.0.0.2"])
    try:
        endpoint = make_endpoint(f"http://hooks.dev.example:{port}/hooks/opennps")
        delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    finally:
        receiver.close()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    (request,) = receiver.requests
    assert request["headers"]["Host"] == f"hooks.dev.example:{port}"
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert dns.lookups["hooks.dev.example"] == 1


# --- Port 99999: a clear message, never a 500, never retried ----------------------------------------------


def test_port_99999_test_button_answers_a_message_and_its_delivery_fails(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in("admin")
    endpoint = make_endpoint("https://hooks.example.com:99999/x")  # saved before the guard
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/{endpoint.pk}/test/")
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "No test event sent" in page and "The port must be a number from 1 to 65535." in page
    assert not WebhookDelivery.objects.exists()

    # An event for it (the endpoint is still active) ends failed at once instead of returning every lease.
    (pk,) = webhooks.create_deliveries("unsubscribe.created", {"person_id": "1"}, [endpoint.pk])
    assert webhooks.send_delivery(pk, 0) == WebhookDelivery.State.FAILED
    delivery = WebhookDelivery.objects.get(pk=pk)
    assert delivery.next_attempt_at is None
    assert delivery.last_error == "Not sent: The port must be a number from 1 to 65535."
    assert webhooks.send_due() == 0


@pytest.mark.usefixtures("no_loopback")
def test_test_button_on_a_refused_address_answers_a_message(client, sign_in):
    sign_in("admin")
    endpoint = make_endpoint("http://169.254.169.254/latest/meta-data/")
    response = client.post(f"/settings/webhooks/{endpoint.pk}/test/", follow=True)
    assert response.status_code == 200
    assert "No test event sent: 169.254.169.254 is a link-local address" in response.text
    assert not WebhookDelivery.objects.exists()


# --- Errors that do not tell ports apart ------------------------------------------------------------------


def test_refused_reset_and_silent_ports_read_the_same(django_capture_on_commit_callbacks):
    closed = Receiver()
    closed_port = closed.server.server_port
    closed.close()
    reset = socket.create_server(("127.0.0.1", 0))  # accepts, then resets without a word
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (the backlog does) and never answers

    def hang_up():
        connection, _ = reset.accept()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    texts = []
    try:
        for port in (closed_port, reset.getsockname()[1]):
            endpoint = make_endpoint(f"http://127.0.0.1:{port}/x")
            delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
            assert delivery.state == WebhookDelivery.State.PENDING  # retried later, as before
            texts.append(delivery.last_error.replace(str(port), "PORT"))
        # The delivery waits 10 seconds for an answer; the same guard, with a shorter wait.
        with pytest.raises(outbound.CouldNotConnect) as failure:
            outbound.post(f"http://127.0.0.1:{silent.getsockname()[1]}/x", b"{}", {}, timeout=0.5)
        texts.append(str(failure.value).replace(str(silent.getsockname()[1]), "PORT"))
    finally:
        reset.close()
        silent.close()
    assert texts[0] == texts[1] == texts[2]
    assert texts[0].startswith("Could not connect to 127.0.0.1:PORT,")


# --- HTTPS: SNI and certificate checks for the URL's name -------------------------------------------------


class TLSReceiver:
    """A real HTTPS server on 127.0.0.1 with a certificate for `names`: records SNI names and requests."""

    def __init__(self, ca: trustme.CA, *names: str):
        self.server_names: list[str | None] = []
        self.requests: list[dict] = []
        receiver = self
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(*names).configure_cert(context)
        context.sni_callback = lambda _socket, name, _context: receiver.server_names.append(name)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls(monkeypatch, tmp_path):
    """`tls.serve(*names)` starts an HTTPS receiver; `tls.trust()` makes this process trust its CA (only)."""
    ca = trustme.CA()
    receivers = []

    class TLS:
        def serve(self, *names):
            receivers.append(TLSReceiver(ca, *names))
            return receivers[-1]

        def trust(self):
            # OpenSSL reads SSL_CERT_FILE whenever a default context loads its trusted certificates.
            path = tmp_path / "ca.pem"
            ca.cert_pem.write_to_path(str(path))
            monkeypatch.setenv("SSL_CERT_FILE", str(path))

    yield TLS()
    for receiver in receivers:
        receiver.close()


def test_https_keeps_sni_and_verifies_the_certificate_for_the_urls_name(
    tls, dns, django_capture_on_commit_callbacks
):
    dns.table["hooks.customer.example"] = ["127.0.0.1"]
    receiver = tls.serve("hooks.customer.example")
    tls.trust()
    endpoint = make_endpoint(f"https://hooks.customer.example:{receiver.port}/hooks")
    delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert receiver.server_names == ["hooks.customer.example"]
    (request,) = receiver.requests
    assert json.loads(request["body"])["event_data"]["test"] is True


def test_https_to_an_untrusted_certificate_is_not_sent(tls, dns, django_capture_on_commit_callbacks):
    dns.table["hooks.customer.example"] = ["127.0.0.1"]
    receiver = tls.serve("hooks.customer.example")  # a CA this process does not trust
    endpoint = make_endpoint(f"https://hooks.customer.example:{receiver.port}/hooks")
    delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    assert receiver.requests == []
    assert delivery.state == WebhookDelivery.State.PENDING  # retried: the receiver may fix its certificate
    assert delivery.last_error.startswith(f"Could not connect to hooks.customer.example:{receiver.port},")


def test_https_to_a_certificate_for_another_name_is_not_sent(tls, dns, django_capture_on_commit_callbacks):
    """Checked against the URL's name, not the address connected to (the certificate names only that)."""
    dns.table["hooks.customer.example"] = ["127.0.0.1"]
    receiver = tls.serve("other.example", "127.0.0.1")
    tls.trust()
    endpoint = make_endpoint(f"https://hooks.customer.example:{receiver.port}/hooks")
    delivery = deliver_one(django_capture_on_commit_callbacks, endpoint)
    assert receiver.requests == []
    assert receiver.server_names == ["hooks.customer.example"]
    assert delivery.last_status_code is None and "Could not connect" in delivery.last_error


# --- Redirects --------------------------------------------------------------------------------------------


def test_a_redirect_to_the_metadata_service_is_not_followed(receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [307]
    receiver.location = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    delivery = deliver_one(django_capture_on_commit_callbacks, make_endpoint(receiver.url))
    assert len(receiver.requests) == 1
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_status_code == 307
    assert delivery.last_error.startswith(f"HTTP 307: Redirect to {receiver.location} not followed.")


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


# --- The address classes themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("fec0::1", "site-local"),
        ("2001:0:4136:e378::1", "Teredo"),
        ("255.255.255.255", "private"),
        ("192.0.2.1", "private"),
        # Public, also when embedded in an IPv6 form (NAT64 of 8.8.8.8).
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700::6810:84e5", None),
        ("64:ff9b::808:808", None),
    ],
)
def test_address_kinds(address, kind):
    assert outbound.address_kind(address) == kind
