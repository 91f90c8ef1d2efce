"""Retention: every night, what the RETENTION_* settings say is too old goes (docs/privacy.md, "Retention").

- contacts without activity for RETENTION_CONTACT_MONTHS are erased (surveys.contacts.erase_contact, the one
  erasure path); with RETENTION_CONTACT_ACTION=delete their answers are deleted first, else they stay in
  the figures, anonymised;
- answers older than RETENTION_ANSWER_MONTHS are anonymised or deleted (RETENTION_ANSWER_ACTION);
- finished webhook deliveries and invitations' error texts older than RETENTION_DELIVERY_LOG_DAYS go.

0 keeps forever (the default). Import files have their own setting and task (IMPORT_FILE_RETENTION_DAYS,
surveys.import_files). The run logs one line with the counts and records them in the audit log. It sees
every app, so it sits with the wiring; each app's part is a function of that app.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from nps import audit
from nps.webhooks.services import delete_finished_deliveries
from responses.services import delete_answers_of, expire_answers
from surveys.contacts import erase_contact
from surveys.privacy import clear_invitation_errors, inactive_contacts

log = logging.getLogger(__name__)
BATCH = 500


def months_ago(now, months: int):
    """`now` minus whole calendar months (31 March - 1 month = 28 or 29 February)."""
    year, month = divmod(now.month - 1 - months, 12)
    year, month = now.year + year, month + 1
    for day in range(now.day, 27, -1):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return now.replace(year=year, month=month, day=min(now.day, 28))


def apply_retention(*, now=None) -> dict[str, int]:
    """Apply the RETENTION_* settings once; returns the counts (all 0 when every setting is 0)."""
    now = now or timezone.now()
    counts = {"contacts_erased": 0, "answers": 0, "webhook_deliveries": 0, "invitation_errors": 0}
    if settings.RETENTION_CONTACT_MONTHS:
        before = months_ago(now, settings.RETENTION_CONTACT_MONTHS)
        delete_answers = settings.RETENTION_CONTACT_ACTION == "delete"
        last = 0
        while batch := list(inactive_contacts(before).filter(pk__gt=last).order_by("pk")[:BATCH]):
            for contact in batch:
                # One contact at a time, each through the one erasure path; a run cut short resumes the
                # next night with whoever is left.
                if delete_answers:
                    counts["answers"] += delete_answers_of(contact)
                erase_contact(contact)
                counts["contacts_erased"] += 1
            last = batch[-1].pk
    if settings.RETENTION_ANSWER_MONTHS:
        before = months_ago(now, settings.RETENTION_ANSWER_MONTHS)
        counts["answers"] += expire_answers(before, delete=settings.RETENTION_ANSWER_ACTION == "delete")
    if settings.RETENTION_DELIVERY_LOG_DAYS:
        before = now - timedelta(days=settings.RETENTION_DELIVERY_LOG_DAYS)
        counts["webhook_deliveries"] = delete_finished_deliveries(before)
        counts["invitation_errors"] = clear_invitation_errors(before)
    policy = {
        "contact_months": settings.RETENTION_CONTACT_MONTHS,
        "contact_action": settings.RETENTION_CONTACT_ACTION,
        "answer_months": settings.RETENTION_ANSWER_MONTHS,
        "answer_action": settings.RETENTION_ANSWER_ACTION,
        "delivery_log_days": settings.RETENTION_DELIVERY_LOG_DAYS,
    }
    log.info("Retention applied: %s", ", ".join(f"{key}={value}" for key, value in counts.items()))
    if any(policy[key] for key in ("contact_months", "answer_months", "delivery_log_days")):
        audit.record("retention.run", label="Nightly retention", changes={**counts, "policy": policy})
    return counts


@shared_task(name="nps.tasks.apply_retention")
def apply_retention_task() -> dict[str, int]:
    """Nightly (nps/celery.py); safe to run twice: what is gone stays gone, anonymised answers are skipped."""
    return apply_retention()
