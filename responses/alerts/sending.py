"""Sending alerts: one rule (= one destination) at a time, batched, rate-limited, retried, never twice.

`send_for_rule(rule_id)` locks the rule's row, so two workers never send for one destination at once:

1. The destination's rate limit: nothing goes before `rule.next_send_at` (ALERT_MIN_INTERVAL_SECONDS apart,
   later after a 429's Retry-After). Too early: the task is queued again for that moment.
2. Every pending alert of the rule that is due is claimed in the lock (attempts + 1, next_attempt_at moved a
   lease ahead), so a second task finds nothing to send. One alert makes one message; several make ONE
   summary (formats.py): 500 detractors in a minute become a handful of messages.
3. The lock is released, then the message is posted (Slack, Teams through nps.outbound) or emailed. A 2xx
   (or the mail sent) marks them all sent with the message's batch size; a failure (5xx, 429, no
   connection) keeps them pending with a backoff, until RETRY_FOR or MAX_ATTEMPTS, then failed. A URL the
   outbound guard refuses fails them at once (retrying would only give a DNS rebinding more tries).

A worker lost between the post and the record leaves the rows claimed: the lease expires and the sweep
sends them again (at least once, as every delivery over HTTP). `send_due()` is the beat sweep: it queues the
rules that have due alerts, which also makes good a task lost with Redis.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from nps import outbound
from nps.accounts.roles import has_role
from nps.logsafe import mask_addresses
from responses.models import Alert, AlertRule, CaseEvent

from . import formats

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A claimed message not recorded after this long (a lost worker) is sent again by the sweep.
LEASE = timedelta(minutes=5)
# One message tells at most this many alerts; more wait for the next message (a second later).
BATCH_LIMIT = 1000
# Retries: 30 s, 1, 2, 4 … minutes, at most MAX_WAIT; given up after RETRY_FOR or MAX_ATTEMPTS.
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)
RETRY_FOR = timedelta(hours=24)
MAX_ATTEMPTS = 40
# A Retry-After longer than this is not believed (a misbehaving receiver cannot park alerts for a week).
MAX_RETRY_AFTER = timedelta(hours=1)
USER_AGENT = "OpenNPS-Alerts/1"


@dataclass(frozen=True)
class Result:
    """What the destination answered: ok, a short line for the rules page, and the reply's body."""

    ok: bool
    summary: str  # "200 ok", "500 Internal Server Error", "not connected", "sent to 3 people"
    body: str = ""
    retry_after: timedelta | None = None
    permanent: bool = False  # refused by the outbound guard, no recipients: retrying cannot help


def min_interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "ALERT_MIN_INTERVAL_SECONDS", 1.0)))


def backoff(attempts: int) -> timedelta:
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), MAX_WAIT)


def _later(rule_id: int, delay: timedelta) -> None:
    """Queue the rule's sender again in `delay` (after commit). An eager Celery (tests, the demo) cannot
    wait: there the sweep, run by beat or by the caller, takes the rule up."""
    from .tasks import send_alerts

    if send_alerts.app.conf.task_always_eager:
        return
    countdown = max(delay.total_seconds(), 0.0)

    def queue():
        try:
            send_alerts.apply_async((rule_id,), countdown=countdown)
        except Exception:  # broker down: the sweep takes it
            log.warning("Could not queue alerts of rule %s; the sweep will.", rule_id)

    transaction.on_commit(queue)


# --- Building the message ---------------------------------------------------------------------------------


def _contact_label(contact) -> str:
    if contact is None or getattr(contact, "anonymous", False):
        return ""
    name, email = (contact.name or "").strip(), (contact.email or "").strip()
    phone = str(contact.phone or "") if getattr(contact, "phone", None) else ""
    address = email or phone
    if name and address:
        return f"{name} <{address}>"
    return name or address


def _person(user) -> str:
    if user is None:
        return ""
    return (getattr(user, "name", "") or "").strip() or user.email


def item_of(alert: Alert) -> formats.Item | None:
    answer, case = alert.answer, alert.case
    if answer is None and case is None:
        return None  # the answer was deleted since (retention): nothing left to tell
    if answer is None:
        answer = case.answer
    url, on_case = formats.link_for(answer.pk if answer else None, case.pk if case else None)
    overdue = alert.key.startswith("case:")
    return formats.Item(
        kind="overdue" if overdue else "answer",
        score=answer.score,
        comment=answer.comment or "",
        contact=_contact_label(answer.contact),
        campaign=answer.campaign.name,
        url=url,
        on_case=on_case,
        owner=_person(case.owner) if (overdue and case is not None) else "",
    )


def build_message(rule: AlertRule, alerts: list[Alert]) -> tuple[formats.Message, list[Alert]]:
    """The message for these alerts, and the alerts it tells (those whose answer still exists)."""
    told, items, groups = [], [], Counter()
    for alert in alerts:
        item = item_of(alert)
        if item is None:
            continue
        told.append(alert)
        groups[item.group] += 1
        if len(items) < formats.SUMMARY_ITEMS:
            items.append(item)
    return formats.message_for(rule.name, items, len(told), groups), told


# --- Posting -----------------------------------------------------------------------------------------------


def _retry_after(value: str) -> timedelta | None:
    try:
        seconds = float(value.strip())
    except (ValueError, AttributeError):
        return None
    if seconds < 0:
        return None
    return min(timedelta(seconds=seconds), MAX_RETRY_AFTER)


def _short(status: int, text: str) -> str:
    first = " ".join((text or "").split())[:120]
    return f"{status} {first}".strip()[:300]


def post_json(url: str, payload: dict) -> Result:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    try:
        reply = outbound.post(url, body, headers, timeout=TIMEOUT_SECONDS)
    except outbound.RefusedURL as exc:
        return Result(False, f"not sent: {exc}"[:300], permanent=True)
    except outbound.CouldNotConnect as exc:
        return Result(False, "not connected", body=str(exc))
    if 300 <= reply.status < 400:
        text = f"Redirect to {reply.location or '?'} not followed. {reply.text}"
        return Result(False, _short(reply.status, "redirect not followed"), body=text)
    retry_after = _retry_after(reply.retry_after) if reply.status in (429, 503) else None
    return Result(200 <= reply.status < 300, _short(reply.status, reply.text), reply.text, retry_after)


def recipients_of(rule: AlertRule) -> list[str]:
    """The rule's recipients who may still get alerts: active leads and admins with an address."""
    return sorted(
        {
            user.email
            for user in rule.recipients.filter(is_active=True)
            if user.email and has_role(user, "lead")
        }
    )


def send_email(rule: AlertRule, message: formats.Message, to: list[str] | None = None) -> Result:
    to = recipients_of(rule) if to is None else to
    if not to:
        return Result(False, "no recipients", permanent=True)
    subject, text, html = formats.email(message)
    connection = get_connection()
    mails = []
    for address in to:
        mail = EmailMultiAlternatives(subject, text, to=[address], connection=connection)
        mail.attach_alternative(html, "text/html")
        mails.append(mail)
    try:
        connection.send_messages(mails)
    except Exception as exc:  # the ESP's error: retried like a 5xx
        log.info("Alert email of rule %s failed: %s", rule.pk, mask_addresses(str(exc)))
        return Result(False, "email not sent", body=str(exc)[:2000])
    people = "person" if len(to) == 1 else "people"
    return Result(True, f"sent to {len(to)} {people}")


def deliver(rule: AlertRule, message: formats.Message) -> Result:
    if rule.destination == AlertRule.Destination.SLACK:
        return post_json(rule.url, formats.slack(message))
    if rule.destination == AlertRule.Destination.TEAMS:
        return post_json(rule.url, formats.teams(message))
    return send_email(rule, message)


def send_test(rule: AlertRule, *, by=None) -> Result:
    """The "Send test alert" button: a sample message now, and what the destination answered."""
    from nps import audit

    result = deliver(rule, formats.sample_message(rule.name))
    AlertRule.objects.filter(pk=rule.pk).update(last_result=f"Test: {result.summary}"[:300])
    audit.record("alert_rule.test", obj=rule, changes={"result": result.summary})
    return result


# --- The send ----------------------------------------------------------------------------------------------


def send_for_rule(rule_id: int, *, now=None) -> str:
    """Send what is due for one rule; returns what happened ("sent", "retry", "wait", "nothing" …)."""
    now = now or timezone.now()
    with transaction.atomic():
        rule = AlertRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            return "missing"
        pending = Alert.objects.filter(rule_id=rule_id, state=Alert.State.PENDING)
        if not rule.enabled:
            pending.update(state=Alert.State.FAILED, error="The rule was switched off before this was sent.")
            return "disabled"
        if rule.next_send_at and rule.next_send_at > now:
            if pending.filter(next_attempt_at__lte=rule.next_send_at).exists():
                _later(rule_id, rule.next_send_at - now)
            return "wait"
        ids = list(
            pending.filter(next_attempt_at__lte=now)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:BATCH_LIMIT]
        )
        if not ids:
            return "nothing"
        # The claim: no other task can take these rows now (they are a lease ahead), nor send to this
        # destination before the interval. Queryset updates: a rule's save would drop the rules cache.
        Alert.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
        AlertRule.objects.filter(pk=rule_id).update(next_send_at=now + min_interval())
    alerts = list(
        Alert.objects.filter(pk__in=ids)
        .select_related("answer__contact", "answer__campaign", "case__owner", "case__answer__campaign")
        .order_by("created_at", "pk")
    )
    message, told = build_message(rule, alerts)
    gone = [alert.pk for alert in alerts if alert not in told]
    if gone:
        Alert.objects.filter(pk__in=gone).update(
            state=Alert.State.FAILED, error="The answer was deleted before the alert was sent."
        )
    if not told:
        return "nothing"
    result = deliver(rule, message)
    return _record(rule, told, result, now=now)


def _record(rule: AlertRule, alerts: list[Alert], result: Result, *, now) -> str:
    rule_fields = {"last_result": result.summary[:300]}
    if result.ok:
        ids = [alert.pk for alert in alerts]
        Alert.objects.filter(pk__in=ids, state=Alert.State.PENDING).update(
            state=Alert.State.SENT, sent_at=now, batch_size=len(ids), error="", next_attempt_at=now
        )
        rule_fields["last_sent_at"] = now
        AlertRule.objects.filter(pk=rule.pk).update(**rule_fields)
        _case_events(rule, alerts, len(ids))
        outcome = "sent"
    else:
        if result.retry_after:
            rule_fields["next_send_at"] = now + result.retry_after
        AlertRule.objects.filter(pk=rule.pk).update(**rule_fields)
        failed, waiting = [], []
        error = f"{result.summary}. {result.body}".strip()[:2000]
        for alert in alerts:
            wait = max(backoff(alert.attempts), result.retry_after or timedelta(0))
            alert.error, alert.next_attempt_at = error, now + wait
            if (
                result.permanent
                or alert.attempts >= MAX_ATTEMPTS
                or alert.next_attempt_at > alert.created_at + RETRY_FOR
            ):
                alert.state = Alert.State.FAILED
                failed.append(alert)
            else:
                waiting.append(alert)
        Alert.objects.bulk_update(alerts, ["state", "error", "next_attempt_at"], batch_size=500)
        log.info("Alerts of rule %s not sent (%s): %s", rule.pk, len(alerts), mask_addresses(result.summary))
        if waiting:
            _later(rule.pk, min(alert.next_attempt_at for alert in waiting) - now)
        outcome = "retry" if waiting else "failed"
    # Alerts that came in while this message was on its way go after the interval.
    if Alert.objects.filter(rule_id=rule.pk, state=Alert.State.PENDING, next_attempt_at__lte=now).exists():
        _later(rule.pk, min_interval())
    return outcome


def _case_events(rule: AlertRule, alerts: list[Alert], batch: int) -> None:
    """An ALERT line on the timeline of each case whose answer (or overdue) was told."""
    case_ids = {alert.case_id for alert in alerts if alert.case_id}
    if not case_ids:
        return
    from responses.models import Case

    from ..cases.services import record_event

    text = f"Alert sent to {rule.get_destination_display()} ({rule.name})"
    for case in Case.objects.filter(pk__in=case_ids):
        try:
            record_event(case, CaseEvent.Kind.ALERT, text=text, data={"rule": rule.pk, "batch": batch})
        except Exception:  # the alert went: a timeline line must not turn it into a retry
            log.exception("Could not record the alert on case %s", case.pk)


def send_due(*, now=None) -> int:
    """The sweep: queue each rule that has due pending alerts (retries, lost tasks); returns how many."""
    from .tasks import send_alerts

    now = now or timezone.now()
    rule_ids = list(
        Alert.objects.filter(state=Alert.State.PENDING, next_attempt_at__lte=now)
        .values("rule_id")
        .annotate(first=Min("next_attempt_at"))
        .order_by("first")
        .values_list("rule_id", flat=True)
    )
    for rule_id in rule_ids:
        if send_alerts.app.conf.task_always_eager:
            send_for_rule(rule_id, now=now)
        else:
            send_alerts.delay(rule_id)
    return len(rule_ids)
