from django.conf import settings
from django.db import models
from django.utils import timezone

from dashboards.metrics import group_of
from surveys.models import Campaign, Channel, Contact, CsvUpload, Invitation


class Answer(models.Model):
    """A customer's 0–10 score and comment. One per invitation: a changed score replaces the old one."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="answer", null=True, blank=True
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, related_name="answers", null=True, blank=True
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Phone interviews: who recorded the answer and their notes.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    # Recorded by the answer page's automatic request in a way that looks like a link scanner running
    # JavaScript (seconds after delivery, or several score links in a row); a customer's own action clears it.
    suspected_scanner = models.BooleanField(default=False)
    # History imports: where the answer came from ("delighted:<response id>" or "csv:<hash>"), so that
    # importing the same file twice adds nothing.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="answer_score_0_10"),
        ]
        indexes = [
            # Dashboard trend and headline: answers of one campaign in a date range.
            models.Index(fields=["campaign", "answered_at"], name="answer_campaign_time"),
            # Dashboard over all campaigns in a date range.
            models.Index(fields=["answered_at"], name="answer_time"),
            # Dashboard rollup refresh: answers written or changed since its watermark.
            models.Index(fields=["updated_at"], name="answer_updated"),
        ]

    def __str__(self):
        return f"{self.score} on {self.campaign}"

    @property
    def group(self) -> str:
        return group_of(self.score)


class ResponseImport(CsvUpload):
    """One CSV upload of past answers (a Delighted export or any CSV; responses.history_import)."""

    is_delighted = models.BooleanField(
        default=False, help_text="The columns are those of a Delighted export."
    )
    # The answers join this brand's "Imported history" campaign.
    brand = models.ForeignKey("surveys.Brand", on_delete=models.CASCADE, related_name="+")
    contacts_created = models.PositiveIntegerField(default=0)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("responses:import_detail", args=[self.pk])
