"""Alert rows for matching events: an answer that matches an enabled rule, or a case that became overdue.

Raising only writes rows; sending (responses/alerts/sending.py) posts them later, from Celery. The row is
unique per (rule, key), so an answer considered twice (intake is idempotent, the sweep re-runs it) raises
one alert. An answer alert waits ALERT_SETTLE_SECONDS before it may go: on the answer page the score is
saved first and the comment a few seconds later, and the alert should carry the comment.

The list of enabled rules is read for every saved answer, so it lives in the shared cache (one Redis read,
no query). Every change to a rule (forms, API, admin, shell) invalidates it through the model signals
connected below. (No per-process copy as for webhook endpoints: raising runs in a Celery task, not on the
answer page, and a stale copy could name a rule that was just deleted.)
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from responses.models import Alert, AlertRule

log = logging.getLogger(__name__)

CACHE_KEY = "alerts:rules:v1"
# Invalidated on every change; the timeout only bounds a change made behind the ORM's back (raw SQL).
CACHE_SECONDS = 600


def _rules() -> list[tuple[int, str, dict]]:
    """(id, trigger, conditions) of the enabled rules: the shared cache, else the database."""
    rules = cache.get(CACHE_KEY)
    if rules is None:
        rules = [
            (pk, trigger, conditions or {})
            for pk, trigger, conditions in AlertRule.objects.filter(enabled=True).values_list(
                "pk", "trigger", "conditions"
            )
        ]
        cache.set(CACHE_KEY, rules, CACHE_SECONDS)
    return rules


def _forget() -> None:
    cache.delete(CACHE_KEY)


def forget_rules(**_kwargs) -> None:
    """Called on any change to alert rules (model signals): the next answer reads the rules again."""
    _forget()
    # Inside a transaction others see the change only once it commits: forget again then.
    transaction.on_commit(_forget)


post_save.connect(forget_rules, sender=AlertRule, dispatch_uid="alerts.forget_rules.save")
post_delete.connect(forget_rules, sender=AlertRule, dispatch_uid="alerts.forget_rules.delete")
m2m_changed.connect(forget_rules, sender=AlertRule.recipients.through, dispatch_uid="alerts.forget_rules.m2m")


def rules_wanted() -> bool:
    """Some enabled alert rule exists: a cached flag (one cache read), no query."""
    return bool(_rules())


def settle_delay() -> timedelta:
    return timedelta(seconds=getattr(settings, "ALERT_SETTLE_SECONDS", 30))


def _create(rule_ids: list[int], key: str, *, answer=None, case=None, due) -> list[Alert]:
    """One pending Alert per rule for this event; rows that exist already are left alone (never twice)."""
    if not rule_ids:
        return []
    rows = [
        Alert(rule_id=rule_id, key=key, answer=answer, case=case, next_attempt_at=due) for rule_id in rule_ids
    ]
    # ON CONFLICT DO NOTHING on (rule, key): an event raised twice, even at the same moment, is one row.
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    alerts = list(Alert.objects.filter(rule_id__in=rule_ids, key=key))
    _queue_sending({alert.rule_id for alert in alerts if alert.state == Alert.State.PENDING}, due)
    return alerts


def _queue_sending(rule_ids: set[int], due) -> None:
    """Queue each rule's sender for when the alert may go (after commit); the beat sweep makes up for a lost task."""
    if not rule_ids:
        return
    countdown = max(0.0, (due - timezone.now()).total_seconds())

    def queue():
        from .tasks import send_alerts

        for rule_id in sorted(rule_ids):
            try:
                send_alerts.apply_async((rule_id,), countdown=countdown)
            except Exception:  # broker down: send_due_alerts (beat) picks the rows up
                log.warning("Could not queue the alerts of rule %s; the sweep will.", rule_id)

    transaction.on_commit(queue)


def raise_for_answer(answer) -> list[Alert]:
    """Every enabled ANSWER rule matching `answer` gets an Alert(key="answer:<id>"), once."""
    rules = [(pk, conditions) for pk, trigger, conditions in _rules() if trigger == AlertRule.Trigger.ANSWER]
    if not rules:
        return []
    from responses.cases import rules as conditions_of

    matching = []
    for pk, raw in rules:
        try:
            conditions = conditions_of.parse(raw)
        except ValueError:
            continue  # a rule saved with conditions that no longer parse matches nothing
        if conditions_of.matches(conditions, answer):
            matching.append(pk)
    if not matching:
        return []
    from responses.models import Case

    case = Case.objects.filter(answer_id=answer.pk).first()
    return _create(
        matching, f"answer:{answer.pk}", answer=answer, case=case, due=timezone.now() + settle_delay()
    )


def raise_for_overdue(case) -> list[Alert]:
    """Every enabled CASE_OVERDUE rule whose conditions match the case's answer: one alert per due time."""
    rules = [
        (pk, conditions) for pk, trigger, conditions in _rules() if trigger == AlertRule.Trigger.CASE_OVERDUE
    ]
    if not rules:
        return []
    from responses.cases import rules as conditions_of

    answer = case.answer
    matching = []
    for pk, raw in rules:
        try:
            conditions = conditions_of.parse(raw)
        except ValueError:
            continue
        if not raw or conditions_of.matches(conditions, answer):
            matching.append(pk)
    stamp = int(case.due_at.timestamp()) if case.due_at else 0
    return _create(matching, f"case:{case.pk}:overdue:{stamp}", answer=answer, case=case, due=timezone.now())
