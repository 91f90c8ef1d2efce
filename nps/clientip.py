"""The client's address: derived once per request from the peer and the proxies we trust.

Behind a reverse proxy, REMOTE_ADDR is the proxy. `TRUSTED_PROXIES` (addresses or networks, e.g.
`172.16.0.0/12`) lists the proxies whose `X-Forwarded-For` we believe. The client is then the
right-most address of that header that is not a trusted proxy: each proxy appends the address it was
called from, so everything left of that one is whatever the client chose to send and is never read.
A request from a peer that is not a trusted proxy is its own client, whatever headers it sends.

This module is the only reader of REMOTE_ADDR. Every consumer reads `client_ip(request)` (the exact
address: logs, the audit log) or `nps.ratelimit.client_address(request)` (the counted one: answer and
share pages, django-axes), which is derived from it.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MEMO = "_nps_client_ip"


@lru_cache(maxsize=8)
def parse_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES' entries as networks; ImproperlyConfigured, naming the setting, for a bad one."""
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must list IP addresses or networks (10.0.0.2, 172.16.0.0/12), not {entry!r}."
            ) from None
    return tuple(networks)


def check_settings() -> None:
    """Raise ImproperlyConfigured for a TRUSTED_PROXIES entry that is not an address or a network."""
    parse_networks(tuple(settings.TRUSTED_PROXIES))


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.7`, `2001:db8::1`, `203.0.113.7:4711`, `[2001:db8::1]:80`)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        host = text[1 : text.find("]")] if text.startswith("[") else text.rpartition(":")[0]
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
    # An IPv4 client seen through a dual-stack socket is the same client as its IPv4 address.
    return getattr(address, "ipv4_mapped", None) or address


# Parsing an address costs microseconds; the same clients come back request after request (open, then
# answer), so a hop's reading is remembered. A flood of new addresses only churns this bounded memo.
@lru_cache(maxsize=4096)
def read_hop(text: str, proxies: tuple[str, ...]) -> tuple[str | None, bool]:
    """(the address in `text` written canonically or None when it is none, whether it is a trusted proxy)."""
    address = parse_address(text.strip())
    if address is None:
        return None, False
    return str(address), any(address in network for network in parse_networks(proxies))


def derive(peer: str, forwarded: str | None, proxies: tuple[str, ...]) -> str:
    """The client's address, from the peer (REMOTE_ADDR) and X-Forwarded-For (None when absent)."""
    if not forwarded or not proxies or not read_hop(peer, proxies)[1]:
        return peer
    client = peer
    for hop in reversed(forwarded.split(",")):
        address, trusted = read_hop(hop, proxies)
        if address is None:
            break  # not an address: nothing left of it can be trusted; the last proxy is the client
        client = address
        if not trusted:
            break
    return client


def client_ip(request) -> str:
    """The address of the client that made `request`, computed once and kept on the request."""
    address = getattr(request, MEMO, None)
    if address is not None:
        return address
    meta = request.META
    address = derive(
        meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR"), tuple(settings.TRUSTED_PROXIES)
    )
    setattr(request, MEMO, address)
    return address


class ClientAddressFilter(logging.Filter):
    """Adds `client_ip` to every log record: the client of the record's request, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        meta = getattr(request, "META", None)
        record.client_ip = client_ip(request) if isinstance(meta, dict) else "-"
        return True
