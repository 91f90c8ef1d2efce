"""Rollups: small tables the dashboard reads instead of scanning every answer (see docs/dashboards.md).

Each row counts answers per score (n0 … n10) and surveys delivered (sent) in one bucket. They are derived
data: `dashboards.rollups` rebuilds them from answers and invitations at any time.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from surveys.models import Campaign

SCORE_FIELDS = [f"n{score}" for score in range(11)]


class Span(models.TextChoices):
    DAY = "day", "Day"
    # The sum of a month's day rows, dated the 1st: long date ranges read whole months from these.
    MONTH = "month", "Month"
    # The sum of a week's day rows, dated the Monday: weekly lines per segment read whole weeks from these.
    WEEK = "week", "Week"


class ScoreCounts(models.Model):
    """Answers per score and surveys delivered in one bucket."""

    span = models.CharField(max_length=5, choices=Span.choices, default=Span.DAY)
    day = models.DateField(help_text="In the workspace time zone; the 1st for a month row.")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    sent = models.IntegerField(default=0)
    n0 = models.IntegerField(default=0)
    n1 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)
    n6 = models.IntegerField(default=0)
    n7 = models.IntegerField(default=0)
    n8 = models.IntegerField(default=0)
    n9 = models.IntegerField(default=0)
    n10 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(ScoreCounts):
    """Per day, campaign, channel and language (answer's language for answers, invitation's for sent)."""

    language = models.CharField(max_length=10)

    class Meta:
        constraints = [
            # Also serves the refresh (one campaign's days) and one campaign's panels over a date range.
            models.UniqueConstraint(
                fields=["campaign", "day", "span", "channel", "language"], name="dailyrollup_bucket_unique"
            ),
        ]
        # Panels over all campaigns in a date range.
        indexes = [models.Index(fields=["span", "day"], name="dailyrollup_span_day")]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.channel} {self.language}"


class SegmentRollup(ScoreCounts):
    """Per day, campaign, channel and contact property (key, value), for the segmentable keys only."""

    key = models.TextField()
    value = models.TextField()

    class Meta:
        constraints = [
            # Also serves the refresh, which replaces (campaign, day) buckets.
            models.UniqueConstraint(
                fields=["campaign", "day", "span", "channel", "key", "value"],
                name="segmentrollup_bucket_unique",
            ),
        ]
        # Split by one property, or every panel filtered by one property value, over a date range.
        indexes = [models.Index(fields=["key", "span", "day"], name="segmentrollup_key_span_day")]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.channel} {self.key}={self.value}"


class ThemeRollup(ScoreCounts):
    """Per day, campaign, channel and language (the answer's): answers with a comment per score, for one
    theme, and (theme NULL) for all of them: the Themes panel reads these (dashboards.themes). `sent` unused."""

    language = models.CharField(max_length=10)
    theme = models.ForeignKey("responses.Theme", on_delete=models.CASCADE, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "span", "channel", "language", "theme"],
                name="themerollup_bucket_unique",
                nulls_distinct=False,
            ),
        ]
        # The panel: one span over a period, all themes.
        indexes = [models.Index(fields=["span", "day"], name="themerollup_span_day")]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.channel} {self.language} theme {self.theme_id}"


class RollupState(models.Model):
    """One row: how far the rollups are current, and what they were built with."""

    refreshed_until = models.DateTimeField(
        null=True, blank=True, help_text="Answers updated before this (less a safety overlap) are counted."
    )
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="The workspace time zone of the days.")
    # Contact property keys rolled up for segments: those with few distinct values.
    segment_keys = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="rollupstate_single_row")]

    def __str__(self):
        return f"Rollups current until {self.refreshed_until}"


# ---- Saved views, share links and the weekly digest (see docs/dashboards.md) ----


class SavedView(models.Model):
    """A named dashboard filter (its query string), visible to the whole team; leads save them."""

    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True, help_text="The dashboard's filter query string.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="savedview_name_ci_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dashboards:home") + "?" + self.query_with_view

    @property
    def query_with_view(self) -> str:
        return f"{self.query}&view={self.pk}" if self.query else f"view={self.pk}"


class ShareLinkQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(models.Model):
    """A read-only public link to a saved view: anyone with the URL sees its panels, signed out."""

    saved_view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="share_links")
    # 256 random bits, kept in clear so that leads can copy the link again; it only shows aggregates.
    token = models.CharField(max_length=64, unique=True)
    include_comments = models.BooleanField(
        default=False, help_text="Show recent comments, without any contact, on the shared page."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Share link of {self.saved_view}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def url(self) -> str:
        return settings.PUBLIC_BASE_URL + reverse("dashboards:shared", args=[self.token])


class DigestSubscription(models.Model):
    """A user's opt-in to the weekly digest email, on a weekday and hour of the workspace time zone."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday.")
    hour = models.PositiveSmallIntegerField(help_text="0–23, workspace time zone.")
    next_send_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="digest_weekday_0_6"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_hour_0_23"),
        ]
        # The dispatcher: subscriptions due now.
        indexes = [models.Index(fields=["next_send_at"], name="digest_next_send")]

    def __str__(self):
        return f"Digest for {self.user}"
