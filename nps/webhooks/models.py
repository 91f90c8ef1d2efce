"""Outgoing webhook endpoints and deliveries (app label "nps": nps/models.py imports them)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    # Delighted's event names, so that receivers written for Delighted keep working.
    RESPONSE_CREATED = "survey_response.created", "A new answer (survey_response.created)"
    RESPONSE_UPDATED = "survey_response.updated", "A changed score or a comment (survey_response.updated)"
    UNSUBSCRIBE_CREATED = "unsubscribe.created", "An unsubscribe (unsubscribe.created)"
    CASE_CREATED = "case.created", "A follow-up case was opened (case.created)"
    CASE_UPDATED = (
        "case.updated",
        "A case changed: status, owner, priority, tags, a note or a reply (case.updated)",
    )


class WebhookEndpoint(models.Model):
    """A URL that receives signed event notifications (see nps/webhooks/services.py and docs/api.md)."""

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
    # The envelope sent, exactly: {"event_type", "event_id", "event_data"}; redacted when the person it is
    # about is erased (see redact_deliveries_about).
    payload = models.JSONField()
    # The contact the event is about (surveys.Contact's id; not a foreign key: nps.webhooks sits below
    # surveys), so that erasing them reaches their deliveries. None for test events.
    contact_id = models.BigIntegerField(null=True, blank=True)
    # When the person's data was removed from the payload because they were erased.
    redacted_at = models.DateTimeField(null=True, blank=True)
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
            # Erasing a contact: the deliveries about them.
            models.Index(
                fields=["contact_id"],
                name="webhookdelivery_contact",
                condition=models.Q(contact_id__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint} ({self.state})"
