"""Rollups: small tables the dashboard reads instead of scanning every answer (see docs/dashboards.md).

Each row counts answers per score (n0 … n10) and surveys delivered (sent) in one bucket. They are derived
data: `dashboards.rollups` rebuilds them from answers and invitations at any time.
"""

from django.db import models

from surveys.models import Campaign

SCORE_FIELDS = [f"n{score}" for score in range(11)]


class ScoreCounts(models.Model):
    """Answers per score and surveys delivered in one bucket."""

    day = models.DateField(help_text="In the workspace time zone.")
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
                fields=["campaign", "day", "channel", "language"], name="dailyrollup_bucket_unique"
            ),
        ]
        # Panels over all campaigns in a date range.
        indexes = [models.Index(fields=["day"], name="dailyrollup_day")]

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
                fields=["campaign", "day", "channel", "key", "value"], name="segmentrollup_bucket_unique"
            ),
        ]
        # Split by one property, or every panel filtered by one property value, over a date range.
        indexes = [models.Index(fields=["key", "value", "day"], name="segmentrollup_key_value_day")]

    def __str__(self):
        return f"{self.day} {self.campaign_id} {self.channel} {self.key}={self.value}"


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
