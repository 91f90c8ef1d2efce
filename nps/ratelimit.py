"""Rate limits: one syntax for every limit in the settings, and fixed-window counters in the shared cache.

A rate is `<count>/<period>`: at most `count` events per window of `period`, where the period is a unit
(`s`, `m`, `h`, `d`) with an optional whole multiplier before it:

    "20/m"     20 a minute           "10/5m"    10 per 5 minutes
    "100/h"    100 an hour           "1000/d"   1000 a day

Nothing else is a rate (no spaces, no "min" or "hour", no default unit): a setting that is not one stops
the start of every process (`NpsConfig.ready()` calls `check_settings()`), naming the setting, and one
changed at run time fails with the same `InvalidRate` (a ValueError) on first use.

Windows are fixed and aligned on the epoch: "10/5m" counts 10:00:00–10:04:59, then starts again at zero.
Users of this module:
- the answer pages (responses.throttle): their own two counters, read and bumped in one round trip;
- API keys, public share links and password reset requests: `hit()`, one bump, one round trip;
- the on-site widget's API, per site (Site.rate_limit): `hit_rate()`.
Per-address limits count `client_address(request)`: the client behind the trusted proxies (nps.clientip).
"""

import contextlib
import ipaddress
import math
import re
import time
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from nps import clientip
from nps.cache import counters

# Every setting that holds a rate (see docs/configuration.md, "Rate limits").
SETTINGS = (
    "ANSWER_RATELIMIT",
    "ANSWER_MISS_RATELIMIT",
    "SHARE_RATELIMIT",
    "LINK_RATELIMIT",
    "API_RATELIMIT",
    "PASSWORD_RESET_RATELIMIT",
    "PASSWORD_RESET_EMAIL_RATELIMIT",
    "TWILIO_WEBHOOK_RATELIMIT",
    "KIOSK_RATELIMIT",
)
RATE = re.compile(r"^(\d+)/([1-9]\d*)?([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UNIT_NAMES = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


class InvalidRate(ImproperlyConfigured, ValueError):
    """A rate setting that does not follow the syntax; the message names the setting and the syntax."""


@memoize
def parse_rate(rate: str, setting: str = "") -> tuple[int, int]:
    """'20/m' → (20, 60): at most 20 per 60 seconds; '10/5m' → (10, 300)."""
    match = RATE.match(rate) if isinstance(rate, str) else None
    if not match:
        where = f"{setting} must be a rate" if setting else "A rate looks like"
        raise InvalidRate(f"{where}: '300/m' or '10/5m' (count/[multiplier]s|m|h|d), not {rate!r}.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * UNIT_SECONDS[unit]


def rate_of(setting: str) -> tuple[int, int]:
    """(count, seconds) of the rate in `settings.<setting>`."""
    return parse_rate(getattr(settings, setting), setting)


def check_settings() -> None:
    """Raise InvalidRate, naming the setting, for the first rate setting that is not a rate."""
    for setting in SETTINGS:
        rate_of(setting)


def describe_rate(rate: str) -> str:
    """'600/m' → '600 requests a minute', '10/5m' → '10 requests every 5 minutes', for people."""
    count, seconds = parse_rate(rate)
    match = RATE.match(rate)
    multiplier, unit = match.group(2), UNIT_NAMES[match.group(3)]
    requests = f"{count} request{'s' if count != 1 else ''}"
    if multiplier:
        return f"{requests} every {multiplier} {unit}s"
    return f"{requests} {'an' if unit == 'hour' else 'a'} {unit}"


def client_address(request) -> str:
    """The address counted: the client's (nps.clientip, behind the trusted proxies), or its /64 for IPv6
    (one customer network). Every per-address limit and django-axes count this value."""
    address = clientip.client_ip(request)
    if ":" in address:
        with contextlib.suppress(ValueError):
            address = str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def window_key(group: str, who: str, seconds: int, now: float | None = None) -> str:
    """The cache key of `who`'s counter in `group` for the window of `seconds` holding `now`."""
    return f"rate:{group}:{who}:{int(time.time() if now is None else now) // seconds}"


def hit(group: str, who: str, setting: str) -> int | None:
    """Count one event of `who` against the rate in `settings.<setting>`, in one cache round trip.

    None when it is allowed, else the seconds until the window ends (at least 1).
    """
    return hit_rate(group, who, *rate_of(setting))


def hit_rate(group: str, who: str, limit: int, seconds: int) -> int | None:
    """Like hit(), for a rate that is not a setting (a site's own, parsed with parse_rate)."""
    now = time.time()
    (count,) = counters(caches["default"], [], [(window_key(group, who, seconds, now), seconds)])
    if count <= limit:
        return None
    return max(1, math.ceil((int(now) // seconds + 1) * seconds - now))
