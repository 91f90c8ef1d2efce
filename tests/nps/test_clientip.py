"""Behind the reverse proxy, every limit counts the real client: one client's flood never blocks another.

The proxy (PROXY) forwards with X-Forwarded-For as nginx's `$proxy_add_x_forwarded_for` does: whatever
the client sent, then the address the proxy saw.
"""

import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from dashboards.models import SavedView, ShareLink
from nps import clientip, ratelimit
from responses.models import Answer
from tests.factories import PASSWORD, make_user
from tests.responses.helpers import make_sent_invitation

ROOT = Path(__file__).resolve().parents[2]
PROXY = "172.18.0.1"
rf = RequestFactory()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ("10.0.0.0/8", PROXY)


def via_proxy(client_address: str, sent: str = "") -> dict[str, str]:
    """The WSGI environ of a request the proxy forwards for `client_address` (which sent `sent`)."""
    forwarded = f"{sent}, {client_address}" if sent else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


# --- the derivation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (PROXY, "1.1.1.1, 203.0.113.7", "203.0.113.7"),  # what the client sent itself is never read
        (PROXY, "203.0.113.7, 10.1.2.3", "203.0.113.7"),  # two trusted proxies in a row
        (PROXY, "203.0.113.7:4711", "203.0.113.7"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (PROXY, "::ffff:203.0.113.7", "203.0.113.7"),
        (PROXY, "not-an-address", PROXY),  # a broken header: the proxy is all we know
        (PROXY, "203.0.113.7, unknown", PROXY),
        (PROXY, "", PROXY),
        (PROXY, None, PROXY),
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # a direct client cannot name itself
    ],
)
def test_the_client_is_the_last_address_before_the_trusted_proxies(peer, forwarded, client):
    assert clientip.derive(peer, forwarded, ("10.0.0.0/8", PROXY)) == client


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = ()
    assert clientip.client_ip(rf.get("/", **via_proxy("203.0.113.7"))) == PROXY


def test_the_address_is_derived_once_per_request(settings):
    request = rf.get("/", **via_proxy("203.0.113.7"))
    assert clientip.client_ip(request) == "203.0.113.7"
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    assert clientip.client_ip(request) == "203.0.113.7"
    assert ratelimit.client_address(request) == "203.0.113.7"


def test_an_ipv6_client_behind_the_proxy_counts_per_network():
    first = rf.get("/", **via_proxy("2001:db8:1:2::aaaa"))
    second = rf.get("/", **via_proxy("2001:db8:1:2::bbbb"))
    assert ratelimit.client_address(first) == ratelimit.client_address(second) == "2001:db8:1:2::"


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up(settings):
    settings.TRUSTED_PROXIES = ("10.0.0.0/8", "proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES .* not 'proxy.internal'"):
        clientip.check_settings()


def test_nothing_but_the_helper_reads_remote_addr():
    """The class of defect: a limiter or a log that counts the proxy instead of the client."""
    readers = [
        str(path.relative_to(ROOT))
        for folder in ("nps", "surveys", "responses", "dashboards", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt")
        and re.search(r"REMOTE_ADDR|remote_addr", path.read_text(errors="replace"))
    ]
    assert readers == ["nps/clientip.py"]


def test_request_logs_name_the_client_not_the_proxy(settings):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: /x", None, None)
    record.request = rf.get("/x", **via_proxy("203.0.113.7"))
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    assert clientip.ClientAddressFilter().filter(record)
    assert formatter.format(record).endswith(" django.request 203.0.113.7 Not Found: /x")
    outside = logging.LogRecord("celery", logging.INFO, __file__, 1, "task done", None, None)
    clientip.ClientAddressFilter().filter(outside)
    assert formatter.format(outside).endswith(" celery - task done")


# --- answer pages -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("rate_window")
def test_a_flood_of_unknown_tokens_through_the_proxy_leaves_other_customers_links_working(client):
    invitation = make_sent_invitation()
    # A botnet: many addresses, one guess each; and one flooder who keeps guessing.
    for n in range(60):
        assert client.get(f"/r/guess-{n}/9/", **via_proxy(f"198.51.100.{n}")).status_code == 404
    for n in range(25):
        client.post(f"/r/guess-{n}/", {"score": "9"}, **via_proxy("203.0.113.66"))

    # A different customer opens and answers their real link.
    customer = via_proxy("192.0.2.10")
    assert client.get(invitation.answer_path(9), **customer).status_code == 200
    response = client.post(invitation.answer_path(), {"score": "9", "source": "page"}, **customer)
    assert response.status_code == 200
    assert Answer.objects.get(invitation=invitation).score == 9

    # The flooder waits, even with a right token, and whatever it writes into X-Forwarded-For itself.
    flooder = via_proxy("203.0.113.66", sent="192.0.2.10")
    assert client.get(invitation.answer_path(9), **flooder).status_code == 429
    assert client.post(invitation.answer_path(), {"score": "3"}, **flooder).status_code == 429
    assert Answer.objects.get(invitation=invitation).score == 9


@pytest.mark.usefixtures("rate_window")
def test_a_direct_client_cannot_spoof_x_forwarded_for(client, settings):
    settings.ANSWER_MISS_RATELIMIT = "5/m"
    invitation = make_sent_invitation()
    for n in range(6):
        # Not through the proxy: the header is the client's own claim, a new address each time.
        client.get(f"/r/guess-{n}/9/", REMOTE_ADDR="198.51.100.99", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    spoofing = {"REMOTE_ADDR": "198.51.100.99", "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert client.get(invitation.answer_path(9), **spoofing).status_code == 429
    # The address it pretended to be is not blocked.
    assert client.get(invitation.answer_path(9), **via_proxy("192.0.2.0")).status_code == 200


# --- share pages ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("rate_window")
def test_the_share_page_limit_counts_each_real_client(client, settings):
    settings.SHARE_RATELIMIT = "2/m"
    link = ShareLink.objects.create(
        saved_view=SavedView.objects.create(name="Board", query="period=30d"), token="p" * 43
    )
    statuses = [client.get(f"/s/{link.token}/", **via_proxy("203.0.113.66")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(f"/s/{link.token}/", **via_proxy("192.0.2.10")).status_code == 200


# --- sign-in lockout (django-axes) ------------------------------------------------------------------------


@pytest.mark.usefixtures("rate_window")
def test_wrong_passwords_from_one_client_do_not_lock_the_admin_out_elsewhere(client, settings):
    make_user(email="admin@example.com")
    attacker = via_proxy("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "admin@example.com", "password": "wrong-password-1"}, **attacker)
    locked = client.post("/login/", {"username": "admin@example.com", "password": PASSWORD}, **attacker)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    response = client.post(
        "/login/", {"username": "admin@example.com", "password": PASSWORD}, **via_proxy("192.0.2.10")
    )
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"]
