"""The contact's latest score and the at-risk flag (a churn warning), kept on every answer.

At risk: the contact's latest answer is `FollowUpSettings.at_risk_drop` points or more below the one before,
or their latest `at_risk_streak` answers are all detractors. "Latest" is by `answered_at`, not by arrival,
so a history import loading old answers after new ones changes nothing it should not; a later answer that
is no longer at risk clears the flag.
"""

from django.db import transaction

from dashboards.metrics import DETRACTOR, group_of
from surveys.models import Contact

from .models import Answer, FollowUpSettings


def assess(scores: list[int], *, drop: int, streak: int) -> str:
    """Why a contact whose answers (latest first) are `scores` is at risk, or "" when they are not."""
    if len(scores) >= 2 and scores[1] - scores[0] >= drop:
        return f"Score fell from {scores[1]} to {scores[0]}"
    if len(scores) >= streak and all(group_of(score) == DETRACTOR for score in scores[:streak]):
        return f"{streak} detractor answers in a row"
    return ""


def update_for(answer) -> None:
    """Bring the answer's contact's last score, last answer time and at-risk flag in step with their answers."""
    if answer.contact_id is None:
        return
    with transaction.atomic():
        # The contact row is the lock: two answers of one contact considered at once agree on the result.
        contact = Contact.objects.select_for_update().filter(pk=answer.contact_id).first()
        if contact is None:
            return
        settings = FollowUpSettings.get()
        latest = list(
            Answer.objects.filter(contact_id=contact.pk)
            .order_by("-answered_at", "-pk")
            .values_list("score", "answered_at")[: max(2, settings.at_risk_streak)]
        )
        scores = [score for score, _ in latest]
        reason = assess(scores, drop=settings.at_risk_drop, streak=settings.at_risk_streak)
        values = {
            "last_score": scores[0] if scores else None,
            "last_answered_at": latest[0][1] if latest else None,
            "at_risk": bool(reason),
            "at_risk_reason": reason,
        }
        if any(getattr(contact, name) != value for name, value in values.items()):
            # A queryset update: the contact's own updated_at (their details) stays as it was.
            Contact.objects.filter(pk=contact.pk).update(**values)
            # The caller's copy of the contact, if it has one, shows the new values too.
            cached = answer._state.fields_cache.get("contact")
            for target in (contact, cached):
                if target is not None:
                    for name, value in values.items():
                        setattr(target, name, value)
