"""Per-address limits of the public answer pages, counted in the shared cache in one round trip.

Two fixed-window counters per client address:
- writes (POST), at most ANSWER_RATELIMIT;
- requests with an unknown or expired token, at most ANSWER_MISS_RATELIMIT: an address that guesses
  tokens waits, even with a right one.
Opening a page writes nothing, so a GET only reads the miss counter. django-ratelimit, used by the other
public pages, takes two or three cache round trips per check; these are the product's hottest requests
(`capture_rps` in `make bench`), so one request's reads and increments go in one pipeline.
"""

import contextlib
import ipaddress
import re
import time
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from nps.cache import counters

RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@memoize
def parse_rate(rate: str) -> tuple[int, int]:
    """'300/m' → (300, 60): at most 300 per 60 seconds; '10/5m' → (10, 300)."""
    match = RATE.match(rate)
    if not match:
        raise ImproperlyConfigured(f"A rate looks like '300/m' or '10/5m', not {rate!r}.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * UNIT_SECONDS[unit]


def client_address(request) -> str:
    """The address counted: REMOTE_ADDR, or its /64 for IPv6 (one customer network)."""
    address = request.META.get("REMOTE_ADDR", "")
    if ":" in address:
        with contextlib.suppress(ValueError):
            address = str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def _key(group: str, address: str, period: int) -> str:
    return f"throttle:{group}:{address}:{int(time.time()) // period}"


def _misses(address: str) -> tuple[str, int]:
    """The key of this address's unknown-token counter in the current window, and the window's length."""
    _, period = parse_rate(settings.ANSWER_MISS_RATELIMIT)
    return _key("answer-miss", address, period), period


def over_limit(request) -> bool:
    """True when this address must wait; a POST counts as one write."""
    address = client_address(request)
    miss_limit, _ = parse_rate(settings.ANSWER_MISS_RATELIMIT)
    miss_key, _ = _misses(address)
    bump = []
    if request.method == "POST":
        write_limit, write_period = parse_rate(settings.ANSWER_RATELIMIT)
        bump.append((_key("answer", address, write_period), write_period))
    misses, *writes = counters(caches["default"], [miss_key], bump)
    return misses > miss_limit or bool(writes and writes[0] > write_limit)


def count_miss(request) -> None:
    """Count a request whose token matched no answerable invitation."""
    counters(caches["default"], [], [_misses(client_address(request))])
