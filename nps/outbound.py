"""Outbound URLs: the one guard for every URL the product calls (webhooks today; Slack and Teams alerts next).

An admin types a URL and our server calls it: without a guard that is a way to reach what only the server
can reach (the cloud metadata service at 169.254.169.254, a database on 10.0.0.5, an admin port on
localhost) and to read its answer in the delivery log. So:

- `check_url(url)` parses the URL and resolves its host. It raises `RefusedURL` (a message for the person
  who typed it) unless the scheme is https (plain http only to this machine, when loopback is allowed),
  the port is 1–65535, there is no user name or password, the host is not a metadata service's name, and
  every address the host resolves to is public: loopback, private, link-local, multicast, reserved,
  unspecified, shared (100.64/10) addresses and the IPv6 forms that embed them are refused. Forms call it
  when a URL is saved.
- `post(url, body, headers)` checks again when connecting, then connects to an address it checked: the
  host is resolved once, so a DNS answer that changes between the check and the connection (DNS rebinding)
  cannot send the request elsewhere. HTTPS keeps SNI and certificate verification for the URL's host name.
  No redirect is followed. Every network failure raises the same `CouldNotConnect`, whose text does not
  tell a closed port from a filtered or a reset one.

Loopback is allowed only when `settings.OUTBOUND_ALLOW_LOOPBACK` is true (it defaults to DEBUG): the demo
and the tests post to receivers on 127.0.0.1.
"""

import http.client
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

# Cloud metadata services by name (their addresses are link-local or shared, refused anyway); the
# ".internal" top-level domain is reserved for private networks.
METADATA_HOSTS = {
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
}
PRIVATE_SUFFIXES = (".internal",)
# DNS64 prefixes (RFC 6052, RFC 8215): the IPv4 address is in the last 32 bits.
NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
SHARED = ipaddress.ip_network("100.64.0.0/10")
READ_LIMIT = 2000


class RefusedURL(ValueError):
    """This URL may not be called; str() says why, for the person who entered it."""


class CouldNotConnect(Exception):
    """No HTTP answer: the same text whatever went wrong (refused, timed out, reset, TLS), on purpose."""

    def __init__(self, host: str, port: int):
        super().__init__(
            f"Could not connect to {host}:{port}, or the connection failed before an HTTP answer "
            "(the server refused or did not answer in time, or its HTTPS certificate is not valid for "
            f"{host})."
        )


class CouldNotResolve(CouldNotConnect):
    def __init__(self, host: str, port: int):
        Exception.__init__(self, f"Could not resolve the host name {host}.")


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the addresses checked) and what to ask for."""

    scheme: str
    host: str  # ASCII (IDNA), lower case, IPv6 without brackets
    port: int
    path: str  # path and query
    addresses: tuple[tuple[int, tuple], ...]  # (family, sockaddr) from one resolution


class Reply(NamedTuple):
    status: int
    text: str  # at most READ_LIMIT bytes of the body, decoded
    location: str  # the Location header of a redirect (not followed), else ""
    retry_after: str = ""  # the Retry-After header (429, 503: Slack's rate limit), else ""


def _parse(url: str) -> tuple[str, str, int, str]:
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise RefusedURL("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        # urlsplit's words: "Port out of range 0-65535", "Port could not be cast …", "Invalid IPv6 URL".
        if "Port" in str(exc):
            raise RefusedURL("The port must be a number from 1 to 65535.") from exc
        raise RefusedURL("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL("Use an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("Remove the user name and password from the URL.")
    if not parts.hostname:
        raise RefusedURL("The URL has no host name.")
    if port is None:
        port = 443 if scheme == "https" else 80
    elif not 1 <= port <= 65535:
        raise RefusedURL(f"Port {port} is not valid: the port must be a number from 1 to 65535.")
    try:
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise RefusedURL("The host name is not valid.") from exc
    if not host:
        raise RefusedURL("The URL has no host name.")
    if host in METADATA_HOSTS or host.endswith(PRIVATE_SUFFIXES):
        raise RefusedURL(f"{host} is an internal host name: only public addresses can be called.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def address_kind(address: str) -> str | None:
    """Why this address may not be called ("loopback", "private" …), or None for a public address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(str(embedded))
        if ip.teredo:
            return "Teredo"
        if ip.is_site_local:
            return "site-local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip in SHARED:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def _resolve(host: str, port: int) -> tuple[tuple[int, tuple], ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise CouldNotResolve(host, port) from exc
    addresses = tuple(dict.fromkeys((family, sockaddr) for family, _, _, _, sockaddr in infos))
    if not addresses:
        raise CouldNotResolve(host, port)
    return addresses


def _refuse_addresses(scheme: str, host: str, addresses) -> None:
    allow_loopback = settings.OUTBOUND_ALLOW_LOOPBACK
    kinds = []
    for _, sockaddr in addresses:
        ip = sockaddr[0].split("%")[0]  # an IPv6 zone (fe80::1%eth0) is no part of the address
        kind = address_kind(ip)
        kinds.append(kind)
        if kind is None or (kind == "loopback" and allow_loopback):
            continue
        named = f"{ip} is" if ip == host else f"{host} resolves to {ip},"
        hint = " (allowed only in development)" if kind == "loopback" else ""
        raise RefusedURL(f"{named} a {kind} address{hint}: only public addresses can be called.")
    if scheme == "http" and any(kind != "loopback" for kind in kinds):
        raise RefusedURL(
            "Use an https:// URL. Plain http:// is only accepted for this machine, in development."
        )


def check_url(url: str) -> Target:
    """Parse, resolve and check `url`; raises RefusedURL, or CouldNotResolve when the name does not resolve."""
    scheme, host, port, path = _parse(url)
    addresses = _resolve(host, port)
    _refuse_addresses(scheme, host, addresses)
    return Target(scheme, host, port, path, addresses)


def check_url_to_save(url: str) -> None:
    """The check when a URL is saved: like check_url, but an https name that does not resolve yet is accepted.

    (Its addresses are checked on every connection anyway.)
    """
    try:
        check_url(url)
    except CouldNotResolve:
        if _parse(url)[0] != "https":
            raise RefusedURL(
                "Use an https:// URL. Plain http:// is only accepted for this machine, in development."
            ) from None


def _connect(target: Target, timeout: float) -> socket.socket:
    """A TCP connection to one of the addresses that were checked (never a new resolution)."""
    error: OSError | None = None
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
        else:
            return sock
    raise error or OSError("no address")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self):
        self.sock = _connect(self.target, self.timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        # The default context verifies the certificate chain and the host name.
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self.target = target

    def connect(self):
        sock = _connect(self.target, self.timeout)
        try:
            # SNI and the host-name check use the URL's name, not the address connected to.
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Reply:
    """One POST to a checked address; no redirect followed. Raises RefusedURL or CouldNotConnect."""
    target = check_url(url)
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _CheckedHTTPSConnection(target, timeout)
    else:
        connection = _CheckedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(READ_LIMIT).decode("utf-8", errors="replace")
        location = response.getheader("Location", "") if 300 <= response.status < 400 else ""
        return Reply(response.status, text, location, response.getheader("Retry-After", "") or "")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # The detail goes to the operator's log only; the caller shows one text for every failure.
        log.info("POST to %s:%s failed: %s: %s", target.host, target.port, type(exc).__name__, exc)
        raise CouldNotConnect(target.host, target.port) from exc
    finally:
        connection.close()
