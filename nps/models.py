import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        # People type their address with capitals now and then; addresses are stored lower-case.
        return self.get(email__iexact=email)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_known"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email.split("@")[0]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TeamInvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def invitation_expiry():
    return timezone.now() + timedelta(days=settings.TEAM_INVITATION_DAYS)


class TeamInvitation(models.Model):
    """An admin's invitation to a teammate; only the hash of the emailed token is kept."""

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TeamInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="teaminvitation_role_known"
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def accept_url(self, token: str) -> str:
        return settings.PUBLIC_BASE_URL + reverse("nps:accept_invitation", args=[token])


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key for the APIs; only the SHA-256 of the raw key is kept, the key is shown once."""

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


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    # Delighted's event names, so that receivers written for Delighted keep working.
    RESPONSE_CREATED = "survey_response.created", "A new answer (survey_response.created)"
    RESPONSE_UPDATED = "survey_response.updated", "A changed score or a comment (survey_response.updated)"
    UNSUBSCRIBE_CREATED = "unsubscribe.created", "An unsubscribe (unsubscribe.created)"


class WebhookEndpoint(models.Model):
    """A URL that receives signed event notifications (see nps/webhooks.py and docs/api.md)."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Event type values, e.g. ["survey_response.created", "unsubscribe.created"].
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=64, default=new_webhook_secret)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("nps:webhook_detail", args=[self.pk])

    def event_labels(self) -> list[str]:
        return [event for event in WebhookEvent.values if event in self.events]


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload, its retry schedule and what the receiver answered."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4)
    # The envelope sent, exactly: {"event_type", "event_id", "event_data"}.
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Pending rows: when the next attempt is due (or when a handed-over attempt counts as lost).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhookdelivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "succeeded", "failed"]),
                name="webhookdelivery_state_known",
            ),
        ]
        indexes = [
            # The dispatcher: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_due",
                condition=models.Q(state="pending"),
            ),
            # The delivery log of one endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_log"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint} ({self.state})"
