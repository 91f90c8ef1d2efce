"""Per-address limits of the public answer pages, counted in the shared cache in one round trip.

Two fixed-window counters per client address (rates and windows: nps.ratelimit):
- writes (POST), at most ANSWER_RATELIMIT;
- requests with an unknown or expired token, at most ANSWER_MISS_RATELIMIT: an address that guesses
  tokens waits, even with a right one.
Opening a page writes nothing, so a GET only reads the miss counter. These are the product's hottest
requests (`capture_rps` in `make bench`), so one request's reads and increments go in one pipeline.
"""

from django.core.cache import caches

from nps.cache import counters
from nps.ratelimit import client_address, rate_of, window_key


def _misses(address: str) -> tuple[str, int]:
    """The key of this address's unknown-token counter in the current window, and the window's length."""
    _, period = rate_of("ANSWER_MISS_RATELIMIT")
    return window_key("answer-miss", address, period), period


def over_limit(request) -> bool:
    """True when this address must wait; a POST counts as one write."""
    address = client_address(request)
    miss_limit, _ = rate_of("ANSWER_MISS_RATELIMIT")
    miss_key, _ = _misses(address)
    bump = []
    if request.method == "POST":
        write_limit, write_period = rate_of("ANSWER_RATELIMIT")
        bump.append((window_key("answer", address, write_period), write_period))
    misses, *writes = counters(caches["default"], [miss_key], bump)
    return misses > miss_limit or bool(writes and writes[0] > write_limit)


def count_miss(request) -> None:
    """Count a request whose token matched no answerable invitation."""
    counters(caches["default"], [], [_misses(client_address(request))])
