"""The audit log: one row per admin action, written once and never changed (app label "nps")."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReadOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    # No bulk path either: QuerySet.update() and delete() bypass Model.save() and delete().
    def update(self, **kwargs):
        raise ReadOnlyError("Audit entries are never changed.")

    def delete(self):
        raise ReadOnlyError("Audit entries are never deleted.")

    _raw_delete = delete


class AuditEntry(models.Model):
    """Who did what, when, from which client address, and what changed.

    Append-only in three places: save() refuses an existing row, delete() and the queryset's update() and
    delete() refuse always, and on PostgreSQL a trigger (migration 0005_audit_log) refuses UPDATE and
    DELETE from any client, the app's own connection included.
    """

    at = models.DateTimeField(default=timezone.now)
    # No foreign key constraint and DO_NOTHING: deleting a user would otherwise have to change or delete
    # rows here. actor_label keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=300)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    # A name at the time of the action ("Quarterly NPS"); never a contact's address or name, so that
    # erasing a person leaves nothing of them here (contacts are "Contact 123").
    object_label = models.CharField(max_length=300, blank=True)
    # {"field": [before, after]} for edits, or counts and options for other actions.
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # The audit page: newest first, whole log or filtered by action or object type.
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["object_type", "at"], name="audit_type_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReadOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReadOnlyError("Audit entries are never deleted.")

    @property
    def action_label(self) -> str:
        """The action for people ("Campaign launched"); the code itself for one no longer listed."""
        from . import ACTIONS

        return ACTIONS.get(self.action, self.action)

    @property
    def change_lines(self) -> list[tuple[str, str]]:
        """The changes for people: ("role", "viewer → admin"), ("queued", "120")."""
        lines = []
        for key, value in (self.changes or {}).items():
            if isinstance(value, list) and len(value) == 2:
                before, after = ("—" if item in (None, "") else str(item) for item in value)
                lines.append((key, f"{before} → {after}"))
            else:
                lines.append((key, str(value)))
        return lines
