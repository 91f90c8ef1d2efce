"""The demo's follow-up (docs/follow-up.md): case rules, assignment, about forty cases worth opening, alerts.

Follow-up was switched on a few days before the seed: every detractor since then (and the passives who
mention a refund, a delay or slowness) has a case, owned through the assignment rules (LATAM to Diego, the
lead, who speaks Spanish; everyone else in turn to Diego and Anika). Cases opened in the last two days are
new or being worked; older ones are mostly resolved or marked won't fix, and a few are overdue. Their
timelines hold what people did: notes, replies by email out and in, tags, status changes, the alerts.
A few customers answered again after their case was closed (in the app's widget), most of them higher.

History is written as rows with bulk_create, in the seed's transaction: no service is called, no mail or
alert leaves. The alert rules point at the demo's Slack catcher (nps/demo/slack.py) and at the lead's
mailbox (the .eml outbox), so the next detractor answer during the demo really alerts both.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Max, OuterRef, Q, Subquery

from dashboards.metrics import group_of
from nps.accounts.models import User
from responses import at_risk
from responses.cases import rules
from responses.models import (
    Alert,
    AlertRule,
    Answer,
    AnswerTag,
    AssignmentRule,
    Case,
    CaseEvent,
    CaseMessage,
    CaseRule,
    FollowUpSettings,
    Tag,
)
from surveys.invitations import SNAPSHOT_FIELDS
from surveys.models import Campaign, Channel, Contact, Invitation

CASES = 40  # the recent ones, worth opening: new, being worked, overdue, closed
SWITCHED_ON_DAYS = 75  # the quarter before them: closed cases that make the loop's figures
DEFAULT_RULE = "Every detractor"
PASSIVE_RULE = "Passives who mention a refund, a delay or slowness"
PASSIVE_KEYWORDS = ["refund", "delay", "late", "slow"]
SLACK_RULE = "Detractors to #customer-love on Slack"
EMAIL_RULE = "Enterprise detractors: email Diego"
REPLY_DOMAIN = "demo.opennps.test"
TAGS = ["billing", "delivery", "callback-done", "printer", "app-stability", "pricing"]
BATCH = 1000

# The topic of a comment (English comments; other languages get the "general" texts): its tags, the owner's
# note, their reply and the customer's answer.
TOPICS = {
    "payments": {
        "words": ("upi", "payment", "card", "declined"),
        "tags": ["billing"],
        "note": "Checked the gateway logs: the failures match the acquirer outage of that day. Refund of the "
        "failed attempts requested; offered a month of the Starter plan free.",
        "reply": "the payment failures you saw came from our card partner's outage that afternoon. We have asked "
        "them to refund every failed attempt, and your next month is on us.",
        "answer": "Thanks for the quick answer. The refunds arrived this morning, and payments have worked since.",
    },
    "billing": {
        "words": ("gst", "invoice", "billed", "charged", "outlet i closed"),
        "tags": ["billing"],
        "note": "Their account still had last year's tax settings (the old GST rate for tea). Fixed them, "
        "reissued the quarter's invoices and credited the double charge.",
        "reply": "you were right: your account still had old tax settings, so the GST on your invoices was off. "
        "We fixed them, reissued this quarter's invoices and credited anything we charged twice.",
        "answer": "Great, the new invoices are right and I can see the credit. Thank you for sorting it out.",
    },
    "pricing": {
        "words": ("expensive", "price", "pricing", "plan", "rip off"),
        "tags": ["pricing"],
        "note": "Price-sensitive single outlet. Walked them through the annual plan (two months free).",
        "reply": "thank you for being frank about the price. For a single shop the annual Starter plan works out "
        "two months cheaper; I have attached a quote in case it helps.",
        "answer": "The annual plan makes more sense for us. Please switch us over from next month.",
    },
    "printer": {
        "words": ("printer", "receipt", "kot"),
        "tags": ["printer", "delivery"],
        "note": "Firmware 4.2 breaks this printer model. Replacement printer shipped by courier; tracking sent.",
        "reply": "the last update broke the driver of your receipt printer model. A replacement printer is on "
        "its way by courier (you will get the tracking link today), and the fixed driver ships on Friday.",
        "answer": "The new printer arrived and works. Delivery was faster than promised!",
    },
    "app": {
        "words": ("slow", "crash", "logged us out", "hangs", "freezes", "tablet", "closes"),
        "tags": ["app-stability"],
        "note": "Old tablet on Android 8. Turned on lite mode remotely and cleared the offline queue.",
        "reply": "we looked at your account: your tablet runs an older Android version that our last release "
        "handles badly. We switched your shop to lite mode, which should make it fast again.",
        "answer": "Much better since yesterday, thank you. Staff noticed it straight away.",
    },
    "support": {
        "words": ("support", "ticket", "call back", "callback", "replies"),
        "tags": [],
        "note": "Ticket was closed by the bot by mistake. Reopened it and gave them the direct line.",
        "reply": "I am sorry your ticket was closed before it was solved; that was our mistake. I have reopened "
        "it and I will look after it myself until it is fixed.",
        "answer": "Thank you for taking it personally, it is working now.",
    },
    "general": {
        "words": (),
        "tags": [],
        "note": "Called the owner; they were busy with customers. Left a message and will try again tomorrow.",
        "reply": "I would like to understand what went wrong and put it right. Could you tell me a good time "
        "to call you this week?",
        "answer": "Tomorrow after 3 pm works. Thanks for reaching out.",
    },
}
WONT_FIX_NOTES = [
    "Table transfer is on the roadmap for next quarter; nothing more we can do for now. Told them so.",
    "They are moving to a competitor for the integrated loyalty app. Not something we will build this year.",
    "Customer did not want a call and asked us not to follow up. Closing.",
]
CALL_NOTES = [
    "Called back: long talk, they are happy with the fix.",
    "Callback done. Owner confirmed it works on their busiest morning.",
    "Called them at the agreed time; all good now.",
]
HANDBACK_NOTE = "Back to the queue: I am at the partner summit until Friday. Can someone pick this up?"


@dataclass
class Plan:
    """What happens to one case: its status, and its timeline as rows to write."""

    answer: Answer
    rule: CaseRule
    group: str
    topic: str
    status: str = Case.Status.NEW
    owner: User | None = None
    overdue: bool = False
    brief: bool = False  # the quarter's closed cases: a shorter timeline
    slow: bool = False  # picked up days late (after the customer answered again, sometimes)
    handback: bool = False
    opened: datetime | None = None
    events: list[CaseEvent] = field(default_factory=list)
    messages: list[CaseMessage] = field(default_factory=list)


def seed(brand, campaigns: dict[str, Campaign], users: dict[str, User], now: datetime) -> dict[str, int]:
    """Rules, cases with their timelines, tags, re-surveys, alert rules and the contacts' last scores."""
    rng = random.Random(1414)
    due_hours.cache = None  # the targets are read once per seed
    lead, admin = users["lead"], users["admin"]
    switched_on = now - timedelta(days=SWITCHED_ON_DAYS)
    answers = case_answers(switched_on, now)
    if not answers:
        update_contacts(now)
        return {"answers": 0, "cases": 0, "open": 0, "overdue": 0}
    switched_on = min(switched_on, answers[0].answered_at - timedelta(hours=1))
    rules = create_rules(lead, admin, switched_on)
    slack, email = create_alert_rules(lead, admin, switched_on, rng)
    plans = [
        Plan(
            a,
            rules["passive" if group_of(a.score) == "passive" else "default"],
            group_of(a.score),
            topic_of(a),
        )
        for a in answers
    ]
    assign(plans, lead, admin, rules["assignment"])
    history, recent = plans[:-CASES], plans[-CASES:]
    choose_statuses(recent, now)
    for plan in history:  # the quarter before: closed, a few of them late
        plan.status = Case.Status.WONT_FIX if rng.random() < 0.12 else Case.Status.RESOLVED
        plan.slow = rng.random() < 0.15
        plan.brief = rng.random() < 0.8
    again = resurvey(rng, recent, campaigns["web"], now)
    for answer in again:
        if group_of(answer.score) == "detractor":  # answered again, still unhappy: a new case
            plans.append(Plan(answer, rules["default"], "detractor", "general", owner=lead))
    alert_rules = {"slack": slack, "email": email}
    cases = write_cases(rng, plans, now, alert_rules, lead, admin)
    brighten_next_answers(rng, plans, cases)
    # Unhappy again before anyone called: their new answer opened a case of its own, closed since.
    while_waiting = answered_while_waiting(rng, plans, cases, campaigns["web"])
    waiting = [
        Plan(
            answer,
            rules["default"],
            "detractor",
            "general",
            owner=lead,
            status=Case.Status.RESOLVED,
            brief=True,
        )
        for answer in while_waiting
        if group_of(answer.score) == "detractor"
    ]
    cases += write_cases(rng, waiting, now, alert_rules, lead, admin)
    record_next_answers(cases)
    update_contacts(now)
    return {
        "answers": len(again) + len(while_waiting),  # answered again in the app's widget
        "cases": len(cases),
        "open": sum(c.status in Case.OPEN for c in cases),
        "overdue": sum(c.is_open and c.due_at is not None and c.due_at <= now for c in cases),
    }


def case_answers(since: datetime, now: datetime) -> list[Answer]:
    """The answers a rule opened a case for since follow-up was switched on: detractors, and the passives who
    mention a keyword. Oldest first."""
    mentions = Q()
    for word in PASSIVE_KEYWORDS:
        mentions |= Q(comment__icontains=word)
    wanted = Q(score__lte=6) | (Q(score__in=[7, 8]) & mentions)
    rows = (
        Answer.objects.filter(wanted, contact__isnull=False, answered_at__lt=now - timedelta(minutes=5))
        .select_related("contact", "campaign__brand")
        .order_by("-answered_at", "-pk")
    )
    # The passives' keywords as the rule matches them: whole words ("late", not "chocolate").
    passives = rules.parse({"groups": ["passive"], "has_comment": True, "keywords": PASSIVE_KEYWORDS})
    recent, older = [], []
    for answer in rows.iterator(chunk_size=2000):
        if len(recent) == CASES and answer.answered_at < since:
            break
        if group_of(answer.score) == "passive" and not rules.matches(passives, answer):
            continue
        (recent if len(recent) < CASES else older).append(answer)
    return sorted(older + recent, key=lambda a: (a.answered_at, a.pk))


def brighten_next_answers(rng: random.Random, plans: list[Plan], cases: list[Case]) -> int:
    """The story the outcome figures tell: customers called back before they answered again are happier.

    Some next answers after a followed-up detractor case are raised from passive to promoter (answers with a
    case of their own stay as they are, so every case keeps its answer's score).
    """
    followed = {
        c.contact_id: (c.answer.answered_at, c.first_response_at)
        for p, c in zip(plans, cases, strict=True)
        if p.group == "detractor" and c.first_response_at and c.contact_id
    }
    later = (
        Answer.objects.filter(contact_id__in=list(followed), score__in=[7, 8], case__isnull=True)
        .order_by("answered_at", "pk")
        .values_list("pk", "contact_id", "answered_at")
    )
    raised: dict[int, list[int]] = {}
    seen = set()
    for pk, contact_id, answered_at in later.iterator(chunk_size=2000):
        case_answered, responded = followed[contact_id]
        if contact_id in seen or answered_at <= responded or answered_at <= case_answered:
            continue
        seen.add(contact_id)
        if rng.random() < 0.5:
            raised.setdefault(rng.choice([9, 10]), []).append(pk)
    for score, ids in raised.items():
        Answer.objects.filter(pk__in=ids).update(score=score)
    return sum(len(ids) for ids in raised.values())


def record_next_answers(cases: list[Case]) -> int:
    """Each case's re-survey, as the answer fan-out keeps it (responses.cases.services.note_answered_again):
    the contact's first answer after the case opened."""
    contacts = {c.contact_id for c in cases if c.contact_id}
    answers: dict[int, list[tuple]] = {}
    rows = (
        Answer.objects.filter(contact_id__in=list(contacts))
        .order_by("answered_at", "pk")
        .values_list("contact_id", "answered_at", "pk", "score")
    )
    for contact_id, answered_at, pk, score in rows.iterator(chunk_size=2000):
        answers.setdefault(contact_id, []).append((answered_at, pk, score))
    changed = []
    for case in cases:
        later = (
            (at, score)
            for at, pk, score in answers.get(case.contact_id, ())
            if at > case.opened_at and pk != case.answer_id
        )
        first = next(later, None)
        if first is not None:
            case.next_answered_at, case.next_score = first
            changed.append(case)
    Case.objects.bulk_update(changed, ["next_answered_at", "next_score"], batch_size=BATCH)
    return len(changed)


def topic_of(answer: Answer) -> str:
    comment = answer.comment.casefold()
    if answer.language == "en" and comment:
        for name, topic in TOPICS.items():
            if any(word in comment for word in topic["words"]):
                return name
    return "general"


def create_rules(lead: User, admin: User, at: datetime) -> dict:
    FollowUpSettings.get()
    default = CaseRule.objects.filter(name=DEFAULT_RULE).first() or CaseRule.objects.create(
        name=DEFAULT_RULE, conditions={"groups": ["detractor"]}
    )
    CaseRule.objects.filter(pk=default.pk).update(created_at=at)
    passive = CaseRule.objects.create(
        name=PASSIVE_RULE,
        position=1,
        conditions={"groups": ["passive"], "has_comment": True, "keywords": PASSIVE_KEYWORDS},
        priority=Case.Priority.LOW,
        created_at=at,
    )
    latam = AssignmentRule.objects.create(position=0, property="region", value="LATAM", created_at=at)
    latam.owners.set([lead])
    everyone = AssignmentRule.objects.create(position=1, created_at=at)
    everyone.owners.set([lead, admin])
    return {"default": default, "passive": passive, "assignment": (latam, everyone)}


def catcher_url(rng: random.Random) -> str:
    """The demo Slack catcher's hook on this server; the token looks like Slack's, for the docs' sake."""
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    token = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(24))
    return f"{parts.scheme}://{parts.netloc}/demo/slack/hooks/T0DEMO/B0CHAI/{token}"


def create_alert_rules(
    lead: User, admin: User, at: datetime, rng: random.Random
) -> tuple[AlertRule, AlertRule]:
    slack = AlertRule.objects.create(
        name=SLACK_RULE,
        trigger=AlertRule.Trigger.ANSWER,
        conditions={"groups": ["detractor"]},
        destination=AlertRule.Destination.SLACK,
        url=catcher_url(rng),
        created_by=admin,
        created_at=at,
        last_result="200 ok",
    )
    email = AlertRule.objects.create(
        name=EMAIL_RULE,
        trigger=AlertRule.Trigger.ANSWER,
        conditions={"groups": ["detractor"], "property": "plan", "property_values": ["enterprise"]},
        destination=AlertRule.Destination.EMAIL,
        created_by=admin,
        created_at=at,
    )
    email.recipients.set([lead])
    return slack, email


def assign(plans: list[Plan], lead: User, admin: User, rules) -> None:
    """What the assignment rules did: LATAM to the lead, the others in turn; the round robin's last owner."""
    latam, everyone = rules
    turn = [lead, admin]
    last = None
    for n, plan in enumerate(
        p for p in plans if (p.answer.contact.properties or {}).get("region") != "LATAM"
    ):
        plan.owner = last = turn[n % 2]
    for plan in plans:
        if plan.owner is None:
            plan.owner = lead
    if last:
        AssignmentRule.objects.filter(pk=everyone.pk).update(last_owner=last)


# Statuses for the cases not due yet (newest first), and for the older ones after the overdue few.
RECENT = [
    "new",
    "new",
    "in_progress",
    "new",
    "waiting",
    "in_progress",
    "resolved",
    "new",
    "waiting",
    "in_progress",
]
OVERDUE = ["in_progress", "new", "in_progress", "waiting", "in_progress"]
OLDER = ["resolved", "resolved", "wont_fix", "resolved", "resolved", "resolved", "wont_fix", "resolved"]


def due_hours(group: str) -> int:
    hours = getattr(due_hours, "cache", None)
    if hours is None:
        row = FollowUpSettings.get()
        hours = due_hours.cache = {g: row.due_hours(g) for g in ("detractor", "passive", "promoter")}
    return hours[group]


def choose_statuses(plans: list[Plan], now: datetime) -> None:
    """Recent cases are being worked; of the older ones a few are overdue, the others closed."""
    recent = [p for p in plans if p.answer.answered_at + timedelta(hours=due_hours(p.group)) > now]
    older = [p for p in plans if p not in recent]
    for n, plan in enumerate(reversed(recent)):
        plan.status = RECENT[n % len(RECENT)]
    # Admin handed two of the newest back to the queue.
    for plan in [p for p in reversed(recent) if p.status == "new" and p.owner and p.owner.role == "admin"][
        :2
    ]:
        plan.handback = True
    for n, plan in enumerate(reversed(older)):
        if n < len(OVERDUE):
            plan.status, plan.overdue = OVERDUE[n], True
        else:
            plan.status = OLDER[(n - len(OVERDUE)) % len(OLDER)]


def resurvey(rng: random.Random, plans: list[Plan], web: Campaign, now: datetime) -> list[Answer]:
    """The oldest resolved customers of the recent cases answered again in the app: most of them higher."""
    closed = [p for p in plans if p.status == "resolved"][:6]
    again = []
    for n, plan in enumerate(closed):
        start = plan.answer.answered_at + timedelta(days=2)
        if start >= now - timedelta(hours=2):
            continue
        answered_at = start + (now - timedelta(hours=1) - start) * rng.uniform(0.3, 0.9)
        old = plan.answer.score
        score = old if n == len(closed) - 1 else min(10, max(7, old + rng.randint(3, 5)))
        comment = RESURVEY_COMMENTS[score >= 9] if plan.answer.contact.language == "en" and score >= 7 else ""
        again.append((plan.answer.contact, answered_at, score, comment))
    return answer_again(web, again)


def answer_again(web: Campaign, again: list[tuple[Contact, datetime, int, str]]) -> list[Answer]:
    """Answers in the app's widget (with their invitations, as the widget opens them) at the given moments."""
    rounds = dict(
        Invitation.objects.filter(campaign=web, contact__in=[contact.pk for contact, *_ in again])
        .values("contact_id")
        .annotate(last=Max("round"))
        .values_list("contact_id", "last")
    )
    texts: dict[str, dict] = {}
    invitations, answers = [], []
    for contact, answered_at, score, comment in again:
        language = contact.language
        if language not in texts:
            texts[language] = {name: web.text(name, language) for name in SNAPSHOT_FIELDS}
        rounds[contact.pk] = rounds.get(contact.pk, 0) + 1
        invitations.append(
            Invitation(
                campaign=web,
                contact=contact,
                channel=Channel.WEB,
                round=rounds[contact.pk],
                state=Invitation.State.SENT,
                language=language,
                texts=texts[language],
                scheduled_for=answered_at - timedelta(minutes=2),
                state_changed_at=answered_at - timedelta(minutes=1),
                sent_at=answered_at - timedelta(minutes=1),
                attempts=1,
                created_at=answered_at - timedelta(minutes=2),
            )
        )
        answers.append(
            Answer(
                campaign=web,
                contact=contact,
                channel=Channel.WEB,
                score=score,
                comment=comment,
                language=language,
                answered_at=answered_at,
                updated_at=answered_at,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    for invitation, answer in zip(invitations, answers, strict=True):
        answer.invitation = invitation
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    return answers


def answered_while_waiting(
    rng: random.Random, plans: list[Plan], cases: list[Case], web: Campaign
) -> list[Answer]:
    """Some customers whose case was picked up days late answered again before anyone called."""
    again = []
    for plan, case in zip(plans, cases, strict=True):
        if plan.slow and case.first_response_at and plan.group == "detractor" and rng.random() < 0.5:
            gap = case.first_response_at - case.opened_at
            moment = case.opened_at + gap * rng.uniform(0.3, 0.8)
            score = rng.choice([2, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9])
            comment = WAITING_COMMENT if score <= 6 and plan.answer.contact.language == "en" else ""
            again.append((plan.answer.contact, moment, score, comment))
    return answer_again(web, again)


WAITING_COMMENT = "Still waiting for someone to get back to me about my last answer."
RESURVEY_COMMENTS = {
    False: "Better since your team called. Still a few rough edges.",
    True: "Night and day since the fix. Thanks for calling us back!",
}


def first_name(contact: Contact) -> str:
    name = contact.name or ""
    if name.isascii() and name.strip():
        return name.split()[0]
    return name or "there"


def write_cases(
    rng, plans: list[Plan], now: datetime, alert_rules: dict, lead: User, admin: User
) -> list[Case]:
    """The cases, then their messages, events, tags and alerts, each kind in one bulk_create."""
    if not plans:
        return []
    cases = []
    for plan in plans:
        answer = plan.answer
        opened = answer.answered_at + timedelta(seconds=rng.randint(3, 40))
        plan.opened = opened
        cases.append(
            Case(
                answer=answer,
                campaign_id=answer.campaign_id,
                contact_id=answer.contact_id,
                score=answer.score,
                group=plan.group,
                status=Case.Status.NEW,
                priority=plan.rule.priority
                if plan.group != "detractor" or answer.score > 2
                else Case.Priority.HIGH,
                owner=None if plan.handback else plan.owner,
                rule=plan.rule,
                opened_at=opened,
                due_at=opened + timedelta(hours=due_hours(plan.group)),
                updated_at=opened,
            )
        )
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    Tag.objects.filter(name__in=TAGS).update(created_at=min(p.opened for p in plans))
    answer_tags: list[AnswerTag] = []
    alerts: list[Alert] = []
    for plan, case in zip(plans, cases, strict=True):
        timeline(rng, plan, case, now, lead, admin)
        names = TOPICS[plan.topic]["tags"] + (
            ["callback-done"] if plan.status == "resolved" and rng.random() < 0.5 else []
        )
        if names and case.status != Case.Status.NEW:
            at = case.updated_at
            answer_tags += [
                AnswerTag(answer=plan.answer, tag=tags[n], added_by=plan.owner, added_at=at) for n in names
            ]
            plan.events.append(
                CaseEvent(
                    case=case, kind=CaseEvent.Kind.TAGS, actor=plan.owner, data={"to": names}, created_at=at
                )
            )
        alerts += alerts_for(plan, case, alert_rules)
    Case.objects.bulk_create(cases, batch_size=BATCH)
    for plan, case in zip(plans, cases, strict=True):
        thread(plan, case)
    CaseMessage.objects.bulk_create([m for p in plans for m in p.messages], batch_size=BATCH)
    events = [e for p in plans for e in p.events]
    for event in events:
        if event.message is not None:
            event.message_id = event.message.pk
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    AnswerTag.objects.bulk_create(answer_tags, batch_size=BATCH)
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    for rule in alert_rules.values():
        last = max((a.sent_at for a in alerts if a.rule is rule), default=None)
        AlertRule.objects.filter(pk=rule.pk).update(last_sent_at=last, last_result="200 ok" if last else "")
    return cases


def alerts_for(plan: Plan, case: Case, rules: dict) -> list[Alert]:
    """The alerts the answer raised: every detractor to Slack, enterprise detractors by email too."""
    if plan.group != "detractor":
        return []
    sent_at = case.opened_at + timedelta(seconds=31)
    wanted = [rules["slack"]]
    if (plan.answer.contact.properties or {}).get("plan") == "enterprise":
        wanted.append(rules["email"])
    for rule in wanted:
        plan.events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.ALERT,
                text=rule.name,
                data={"rule": rule.name},
                created_at=sent_at,
            )
        )
    return [
        Alert(
            rule=rule,
            key=f"answer:{plan.answer.pk}",
            answer=plan.answer,
            case=case,
            state=Alert.State.SENT,
            attempts=1,
            next_attempt_at=sent_at,
            sent_at=sent_at,
            batch_size=1,
            created_at=case.opened_at,
        )
        for rule in wanted
    ]


def timeline(rng, plan: Plan, case: Case, now: datetime, lead: User, admin: User) -> None:
    """Fill the plan's events and messages and the case's status and times, in order, all before `now`."""
    kind, status = CaseEvent.Kind, Case.Status
    owner = plan.owner
    contact = plan.answer.contact
    topic = TOPICS[plan.topic]
    add = plan.events.append
    moment = case.opened_at

    def later(low_minutes: float, high_minutes: float) -> datetime:
        nonlocal moment
        step = timedelta(minutes=rng.uniform(low_minutes, high_minutes))
        # Never past now: squeeze what is left of the time into the remaining steps.
        left = now - timedelta(minutes=2) - moment
        moment += max(min(step, left / 3), timedelta(0))
        return moment

    def change(to: str, at: datetime, by: User | None) -> None:
        add(
            CaseEvent(
                case=case, kind=kind.STATUS, actor=by, data={"from": case.status, "to": to}, created_at=at
            )
        )
        case.status = to
        if by is not None and case.first_response_at is None and to != status.NEW:
            case.first_response_at = at
        if to in Case.CLOSED:
            case.closed_at = at

    add(
        CaseEvent(
            case=case, kind=kind.OPENED, data={"rule": plan.rule.name, "score": case.score}, created_at=moment
        )
    )
    if plan.overdue or plan.slow:  # what the sweep did when the due time passed: the event, the alert once
        case.overdue_alerted_at = case.due_at + timedelta(seconds=40)
        add(CaseEvent(case=case, kind=kind.OVERDUE, data={"due_at": case.due_at.isoformat()},
                      created_at=case.overdue_alerted_at))  # fmt: skip
    add(
        CaseEvent(
            case=case,
            kind=kind.OWNER,
            data={"from": None, "to": owner.name},
            created_at=moment + timedelta(seconds=1),
        )
    )
    if plan.handback:
        add(
            CaseEvent(case=case, kind=kind.OWNER, actor=owner, data={"from": owner.name, "to": None},
                      created_at=later(20, 90))
        )  # fmt: skip
        add(CaseEvent(case=case, kind=kind.NOTE, actor=owner, text=HANDBACK_NOTE, created_at=later(0.2, 1)))
    if plan.status == status.NEW:
        case.updated_at = moment
        return
    # Someone picks it up within hours (overdue ones: after the due time, or barely).
    if plan.slow:
        later(60 * 24 * 3, 60 * 24 * 8)
    elif plan.overdue:
        later(60 * 20, 60 * 40)
    change(status.IN_PROGRESS, later(25, 60 * 6), owner)
    if plan.brief and plan.status == status.RESOLVED:  # the quarter before: a call, a note, done
        add(
            CaseEvent(
                case=case, kind=kind.NOTE, actor=owner, text=topic["note"], created_at=later(20, 60 * 8)
            )
        )
        change(status.RESOLVED, later(1, 60 * 6), owner)
        case.updated_at = moment
        return
    if plan.status == status.IN_PROGRESS:
        add(CaseEvent(case=case, kind=kind.NOTE, actor=owner, text=topic["note"] if not plan.overdue else
                      "Tried calling twice, no answer. Will email instead.", created_at=later(10, 50)))  # fmt: skip
        case.updated_at = moment
        return
    if plan.status == status.WONT_FIX:
        add(
            CaseEvent(
                case=case,
                kind=kind.NOTE,
                actor=owner,
                text=rng.choice(WONT_FIX_NOTES),
                created_at=later(30, 240),
            )
        )
        change(status.WONT_FIX, later(1, 5), owner)
        case.updated_at = moment
        return
    add(CaseEvent(case=case, kind=kind.NOTE, actor=owner, text=topic["note"], created_at=later(10, 60)))
    sent = reply_out(plan, case, owner, later(5, 30), contact, topic)
    change(status.WAITING, moment, owner)
    if plan.status == status.WAITING:
        if not plan.overdue:  # waiting for the customer: the owner gave them three days
            due = moment + timedelta(days=3)
            add(CaseEvent(case=case, kind=kind.DUE, actor=owner, data={"from": case.due_at.isoformat(), "to":
                          due.isoformat()}, created_at=moment))  # fmt: skip
            case.due_at = due
        case.updated_at = moment
        return
    # Resolved: the customer wrote back (English speakers; the others were called), then a last note.
    if contact.language == "en":
        reply_in(plan, case, sent, later(60, 60 * 8), contact, topic)
        change(status.IN_PROGRESS, later(10, 90), owner)
    add(
        CaseEvent(
            case=case, kind=kind.NOTE, actor=owner, text=rng.choice(CALL_NOTES), created_at=later(10, 120)
        )
    )
    change(status.RESOLVED, later(1, 10), owner)
    case.updated_at = moment


def reply_address(case: Case) -> str:
    """The case's signed Reply-To when replies are configured (the demo sets CASE_REPLY_ADDRESS)."""
    from responses.cases import replies

    return replies.reply_address(case) or f"replies@{REPLY_DOMAIN}"


def thread(plan: Plan, case: Case) -> None:
    """Once the case has its id: the messages' Message-IDs, the threading and the signed reply address."""
    last_out = ""
    for n, message in enumerate(plan.messages, start=1):
        stamp = int(message.created_at.timestamp())
        if message.direction == CaseMessage.Direction.OUT:
            message.message_id = last_out = f"<case-{case.pk}-{n}.{stamp}@{REPLY_DOMAIN}>"
        else:
            domain = (message.from_address or "x@example.com").rpartition("@")[2]
            message.message_id = f"<{stamp}.{case.pk}.{n}@mail.{domain}>"
            message.in_reply_to = last_out
            message.to_address = reply_address(case)


def reply_out(
    plan: Plan, case: Case, owner: User, at: datetime, contact: Contact, topic: dict
) -> CaseMessage:
    campaign = plan.answer.campaign
    brand = campaign.brand
    body = (
        f"Hi {first_name(contact)},\n\nI am {owner.name.split()[0]} from {brand.company_name or brand.name}'s "
        f"customer success team. You gave us {case.score} out of 10 in our survey, and {topic['reply']}\n\n"
        f"Just reply to this email if anything is still not right.\n\n{owner.name}\n{brand.company_name or brand.name}"
    )
    message = CaseMessage(
        case=case,
        direction=CaseMessage.Direction.OUT,
        channel=Channel.EMAIL,
        author=owner,
        to_address=contact.email or "",
        from_address=brand.sender_email,
        subject=f"Your feedback on {brand.name}",
        body=body,
        state=CaseMessage.State.SENT,
        attempts=1,
        created_at=at,
        sent_at=at + timedelta(seconds=2),
    )
    plan.messages.append(message)
    plan.events.append(
        CaseEvent(case=case, kind=CaseEvent.Kind.REPLY_OUT, actor=owner, message=message, created_at=at)
    )
    return message


def reply_in(plan: Plan, case: Case, sent: CaseMessage, at: datetime, contact: Contact, topic: dict) -> None:
    message = CaseMessage(
        case=case,
        direction=CaseMessage.Direction.IN,
        channel=Channel.EMAIL,
        from_address=contact.email or "",
        subject=f"Re: {sent.subject}",
        body=f"{topic['answer']}\n\n{contact.name}",
        state=CaseMessage.State.RECEIVED,
        created_at=at,
    )
    plan.messages.append(message)
    plan.events.append(CaseEvent(case=case, kind=CaseEvent.Kind.REPLY_IN, message=message, created_at=at))


def update_contacts(now: datetime) -> int:
    """Each contact's last score and at-risk flag, from all their answers (as responses/at_risk.py keeps them).

    The last score in one UPDATE (correlated subqueries on the answers' contact index), the flag in one
    UPDATE per reason: a few statements instead of a CASE over thousands of rows.
    """
    latest = Answer.objects.filter(contact=OuterRef("pk")).order_by("-answered_at", "-pk")
    Contact.objects.filter(answers__isnull=False).update(
        last_score=Subquery(latest.values("score")[:1]),
        last_answered_at=Subquery(latest.values("answered_at")[:1]),
    )
    thresholds = FollowUpSettings.get()
    rows = (
        Answer.objects.filter(contact__isnull=False)
        .order_by("contact_id", "answered_at", "pk")
        .values_list("contact_id", "score")
    )
    scores: dict[int, list[int]] = {}
    for contact_id, score in rows.iterator(chunk_size=5000):
        scores.setdefault(contact_id, []).append(score)
    flagged: dict[str, list[int]] = {}
    for contact_id, history in scores.items():
        if reason := at_risk_reason(history, thresholds):
            flagged.setdefault(reason, []).append(contact_id)
    for reason, ids in flagged.items():
        for start in range(0, len(ids), BATCH):
            Contact.objects.filter(pk__in=ids[start : start + BATCH]).update(
                at_risk=True, at_risk_reason=reason
            )
    return sum(len(ids) for ids in flagged.values())


def at_risk_reason(scores: list[int], thresholds: FollowUpSettings) -> str:
    """Why the latest answer is a churn warning, or "": responses/at_risk.py's own rule (scores oldest first)."""
    return at_risk.assess(
        scores[::-1][: max(2, thresholds.at_risk_streak)],
        drop=thresholds.at_risk_drop,
        streak=thresholds.at_risk_streak,
    )
