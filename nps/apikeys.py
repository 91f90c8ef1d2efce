"""API keys: creation, authentication and the per-key rate limit shared by both APIs."""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "onps_"
# last_used_at is a hint for admins; writing it on every request would make reads write.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: no dictionary attack applies.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, name: str, read_only: bool, by=None) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(), read_only=read_only, created_by=by, key_hash=hash_key(raw), prefix=raw[:12]
    )
    return key, raw


def revoke_api_key(key: ApiKey) -> None:
    """Revoke a key at once; requests with it get 401 from now on."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def authenticate(raw: str) -> ApiKey | None:
    """The active key for a raw key, or None."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    key = ApiKey.objects.filter(key_hash=digest, revoked_at__isnull=True).first()
    # The lookup is by hash, so timing reveals nothing about the raw key; compare anyway, in constant time.
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/m' -> (600, 60): requests per window of seconds."""
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip().lower()[:1] or "m"]
    return int(count), seconds


def describe_rate(rate: str) -> str:
    """'600/m' -> '600 requests a minute', for people."""
    count, seconds = parse_rate(rate)
    unit = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}[seconds]
    return f"{count} request{'s' if count != 1 else ''} a {unit}"


def check_rate(key: ApiKey) -> int | None:
    """Count one request of `key`; None when allowed, else the seconds to wait before the next one.

    A fixed window per key in the shared cache, so every web process counts together.
    """
    limit, window = parse_rate(settings.API_RATELIMIT)
    now = time.time()
    window_start = int(now // window) * window
    cache_key = f"apikey-rate:{key.pk}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int(window_start + window - now + 0.999))
