"""API keys: the model, creation, authentication and the per-key rate limit shared by both APIs."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from nps import audit, ratelimit

KEY_PREFIX = "onps_"
# last_used_at is a hint for admins; writing it on every request would make reads write.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key for the APIs; only the SHA-256 of the raw key is kept, the key is shown once.

    nps/models.py imports it, so it keeps app label "nps" (table nps_apikey).
    """

    name = models.CharField(max_length=100)
    # The first characters of the raw key, shown in the list so admins can tell keys apart.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def can_write(self) -> bool:
        return not self.read_only and self.revoked_at is None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_label(self) -> str:
        return "Read-only" if self.read_only else "Read and write"


def hash_key(raw: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: no dictionary attack applies.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, name: str, read_only: bool, by=None) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(), read_only=read_only, created_by=by, key_hash=hash_key(raw), prefix=raw[:12]
    )
    audit.record("api_key.create", obj=key, changes={"scope": key.scope_label, "prefix": key.prefix})
    return key, raw


def revoke_api_key(key: ApiKey) -> None:
    """Revoke a key at once; requests with it get 401 from now on."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record("api_key.revoke", obj=key, changes={"prefix": key.prefix})


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


def check_rate(key: ApiKey) -> int | None:
    """Count one request of `key`; None when allowed, else the seconds to wait before the next one.

    A fixed window per key (API_RATELIMIT) in the shared cache, so every web process counts together.
    """
    return ratelimit.hit("apikey", str(key.pk), "API_RATELIMIT")
