"""Every write of a case, and the inbox's reads.

Each write locks the case row, records one line of its timeline (`CaseEvent`: who, what, from → to), bumps
`updated_at`, emits the `case.updated` webhook, and, when a person did it, writes the audit log. Cases are
opened by `open_or_update_for` (the intake, after an answer is saved): the first enabled case rule that
matches decides, the assignment rules pick an owner, the workspace's target for the group sets the due time.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dashboards.metrics import group_of
from nps import audit
from nps.accounts.roles import Role, has_role
from nps.inputs import has_nul
from nps.jsonkeys import PropertyText
from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookEvent

from ..models import Answer, AnswerTag, AssignmentRule, Case, CaseEvent, CaseRule, FollowUpSettings, Tag
from . import rules

Kind = CaseEvent.Kind
Status = Case.Status
OWNER_ROLES = (Role.LEAD, Role.ADMIN)
NOTE_MAX = 5_000  # as long as a customer's comment may be
TAG_MAX = 50
TAGS_PER_ANSWER = 20
NAV_COUNTS_SECONDS = 30
VIEWS = ("mine", "unassigned", "overdue", "open", "all")


# --- Timeline, webhooks ------------------------------------------------------------------------------------


def _case_payload(case: Case) -> dict:
    """The webhook payload of a case: responses.serializers.case once it exists, else the essentials."""
    from .. import serializers

    serialize = getattr(serializers, "case", None)
    if serialize is not None:
        return serialize(case)
    return {
        "id": case.pk,
        "status": case.status,
        "priority": case.priority,
        "owner": case.owner.email if case.owner_id else None,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "overdue": case.is_overdue,
        "score": case.score,
        "group": case.group,
        "opened_at": case.opened_at.isoformat(),
        "first_response_at": case.first_response_at.isoformat() if case.first_response_at else None,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "survey_response": case.answer_id,
    }


def _emit(case: Case, *, created: bool = False) -> None:
    case_id = case.pk

    def build():
        fresh = (
            Case.objects.select_related("owner", "answer", "contact", "campaign").filter(pk=case_id).first()
        )
        if fresh is None:
            return None
        # About the case's contact: erasing them redacts these deliveries.
        return webhooks.Event(_case_payload(fresh), contact_id=fresh.contact_id)

    webhooks.emit(WebhookEvent.CASE_CREATED if created else WebhookEvent.CASE_UPDATED, build)


def record_event(case: Case, kind, *, actor=None, text: str = "", data=None, message=None) -> CaseEvent:
    """One line of the case's timeline; bumps the case's updated_at and tells the webhooks (case.updated)."""
    return _record(case, kind, actor=actor, text=text, data=data, message=message)


def _record(case: Case, kind, *, actor=None, text="", data=None, message=None, announce=True) -> CaseEvent:
    now = timezone.now()
    event = CaseEvent.objects.create(
        case=case, kind=Kind(kind), actor=actor, text=text, data=data or {}, message=message, created_at=now
    )
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    case.updated_at = now
    if announce and kind != Kind.OPENED:  # an opened case is announced as case.created
        _emit(case)
    _forget_counts(case.owner_id)
    return event


def _audit(action: str, case: Case, by, changes: dict) -> None:
    audit.record(action, obj=case, changes=changes, actor=by)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("owner").get(pk=case.pk)


def _refresh(target: Case, source: Case) -> Case:
    """Copy the locked row's fields onto the caller's object, so that it sees what was written."""
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _label(user) -> str | None:
    return None if user is None else (user.name or user.email)


# --- Opening and updating from answers ---------------------------------------------------------------------


def _skipped(answer: Answer) -> bool:
    """Answers that open no case: imported history (last year's detractors are not today's call-backs) and
    answers anonymised by an erasure or retention (nobody to follow up)."""
    return answer.external_id is not None or (answer.contact_id is None and answer.invitation_id is None)


def _rule_for(answer: Answer) -> CaseRule | None:
    for rule in CaseRule.objects.filter(enabled=True).order_by("position", "pk"):
        try:
            conditions = rules.parse(rule.conditions)
        except ValueError:
            continue  # a rule broken by hand in the database opens nothing rather than stopping the intake
        if rules.matches(conditions, answer):
            return rule
    return None


def _last_comment(case: Case) -> str:
    """The comment the timeline last showed (the opening or the latest comment change)."""
    event = case.events.filter(kind__in=[Kind.OPENED, Kind.COMMENT]).order_by("-created_at", "-pk").first()
    if event is None:
        return ""
    return event.data.get("to", event.data.get("comment", "")) or ""


def open_or_update_for(answer: Answer, *, created: bool) -> Case | None:
    """The answer's case: opened when a rule matches and it has none, or brought in step with a changed score
    or comment. An answer that no longer matches keeps its case: the lead decides what to do with it."""
    with transaction.atomic():
        # One intake at a time per answer (the task and the sweep may race): the answer row is the lock.
        answer = (
            Answer.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk=answer.pk)
            .first()
        )
        if answer is None:
            return None
        case = Case.objects.select_for_update().filter(answer=answer).first()
        if case is not None:
            _follow_answer(case, answer)
            return case
        if _skipped(answer):
            return None
        rule = _rule_for(answer)
        if rule is None:
            return None
        now = timezone.now()
        group = group_of(answer.score)
        hours = FollowUpSettings.get().due_hours(group)
        case = Case.objects.create(
            answer=answer,
            campaign_id=answer.campaign_id,
            contact_id=answer.contact_id,
            score=answer.score,
            group=group,
            priority=rule.priority if rule.priority in Case.Priority.values else Case.Priority.NORMAL,
            rule=rule,
            opened_at=now,
            updated_at=now,
            due_at=now + timedelta(hours=hours),
        )
        record_event(
            case, Kind.OPENED, data={"score": answer.score, "comment": answer.comment, "rule": rule.name}
        )
        _emit(case, created=True)
        _auto_assign(case, answer.contact)
    return case


def _follow_answer(case: Case, answer: Answer) -> None:
    """A score or comment changed on the case's answer: the case follows, each change on the timeline."""
    score_before = case.score
    if case.score != answer.score:
        case.score, case.group = answer.score, group_of(answer.score)
        case.save(update_fields=["score", "group"])
        record_event(case, Kind.SCORE, data={"from": score_before, "to": answer.score})
    comment = answer.comment or ""
    before = _last_comment(case)
    if comment != before:
        data = {"from": before, "to": comment}
        if not comment and score_before != answer.score:
            # A changed score leaves the comment with the score it was written for (the answer's history).
            data["kept_with"] = score_before
        record_event(case, Kind.COMMENT, text=comment, data=data)


def note_answered_again(answer: Answer) -> CaseEvent | None:
    """The contact answered again: their latest earlier case says so (the re-survey's outcome), once."""
    if answer.contact_id is None or _skipped(answer):
        return None
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .filter(contact_id=answer.contact_id, opened_at__lte=answer.answered_at)
            .exclude(answer=answer)
            .order_by("-opened_at", "-pk")
            .first()
        )
        if case is None or case.events.filter(kind=Kind.ANSWERED_AGAIN, data__answer=answer.pk).exists():
            return None
        if case.next_answered_at is None or answer.answered_at < case.next_answered_at:
            # The re-survey's outcome: the first answer after the case opened (dashboards/followup.py).
            Case.objects.filter(pk=case.pk).update(
                next_score=answer.score, next_answered_at=answer.answered_at
            )
        return record_event(
            case,
            Kind.ANSWERED_AGAIN,
            text=answer.comment,
            data={"answer": answer.pk, "from": case.score, "to": answer.score},
        )


# --- Assignment --------------------------------------------------------------------------------------------


def _eligible_owners(rule: AssignmentRule) -> list:
    return list(rule.owners.filter(is_active=True, role__in=OWNER_ROLES).order_by("pk"))


def _auto_assign(case: Case, contact) -> None:
    """The first assignment rule whose property matches the contact (empty property: every case) picks the
    owner: its only owner, or the next one after the last it chose. No rule: the unassigned queue."""
    properties = contact.properties if contact is not None else {}
    for candidate in AssignmentRule.objects.order_by("position", "pk"):
        if candidate.property:
            value = rules.property_value(properties, candidate.property)
            if value is None or value.casefold() != candidate.value.strip().casefold():
                continue
        # The rule row is the round robin's lock: two cases opened at once get two different owners.
        rule = AssignmentRule.objects.select_for_update().get(pk=candidate.pk)
        owners = _eligible_owners(rule)
        if not owners:
            continue  # nobody left to take it (deactivated, demoted): the next rule may have someone
        owner = owners[0]
        if len(owners) > 1 and rule.last_owner_id is not None:
            later = [user for user in owners if user.pk > rule.last_owner_id]
            owner = later[0] if later else owners[0]
        rule.last_owner = owner
        rule.save(update_fields=["last_owner"])
        case.owner = owner
        case.save(update_fields=["owner"])
        # Part of the opening: case.created (built after the commit) already carries the owner.
        data = {"from": None, "to": _label(owner), "to_id": owner.pk, "rule": rule.pk}
        _record(case, Kind.OWNER, data=data, announce=False)
        _notify_assigned(case, by=None)
        return


def _notify_assigned(case: Case, *, by) -> None:
    from . import notify

    notify.case_assigned(case, by=by)


def assign(case: Case, owner, *, by) -> Case:
    """Give the case to `owner` (an active lead or admin), or back to the unassigned queue (None)."""
    if owner is not None and not (owner.is_active and owner.role in OWNER_ROLES):
        raise ValueError("Cases can only be assigned to an active lead or admin.")
    with transaction.atomic():
        locked = _locked(case)
        before = locked.owner
        if (before.pk if before else None) == (owner.pk if owner else None):
            return _refresh(case, locked)
        locked.owner = owner
        locked.save(update_fields=["owner"])
        _forget_counts(before.pk if before else None)
        record_event(
            locked,
            Kind.OWNER,
            actor=by,
            data={
                "from": _label(before),
                "to": _label(owner),
                "from_id": before.pk if before else None,
                "to_id": owner.pk if owner else None,
            },
        )
        _audit("case.assign", locked, by, {"owner": [_label(before), _label(owner)]})
        if owner is not None:
            _notify_assigned(locked, by=by)
    return _refresh(case, locked)


# --- Status, priority, due time -----------------------------------------------------------------------------


def set_status(case: Case, status: str, *, by) -> Case:
    """Move the case along; resolved and won't fix close it (closed_at), reopening clears that. The first move
    away from "new" counts as the first response."""
    if status not in Status.values:
        raise ValueError(f"Unknown status: {status!r}.")
    with transaction.atomic():
        locked = _locked(case)
        before = locked.status
        if before == status:
            return _refresh(case, locked)
        now = timezone.now()
        locked.status = status
        if status in Case.CLOSED and before in Case.OPEN:
            locked.closed_at = now
        elif status in Case.OPEN:
            locked.closed_at = None
        if before == Status.NEW and locked.first_response_at is None:
            locked.first_response_at = now
        locked.save(update_fields=["status", "closed_at", "first_response_at"])
        record_event(locked, Kind.STATUS, actor=by, data={"from": before, "to": status})
        _audit("case.status", locked, by, {"status": [before, status]})
    return _refresh(case, locked)


def set_priority(case: Case, priority: str, *, by) -> Case:
    if priority not in Case.Priority.values:
        raise ValueError(f"Unknown priority: {priority!r}.")
    with transaction.atomic():
        locked = _locked(case)
        before = locked.priority
        if before == priority:
            return _refresh(case, locked)
        locked.priority = priority
        locked.save(update_fields=["priority"])
        record_event(locked, Kind.PRIORITY, actor=by, data={"from": before, "to": priority})
        _audit("case.priority", locked, by, {"priority": [before, priority]})
    return _refresh(case, locked)


def set_due(case: Case, due_at, *, by) -> Case:
    """A new due time (None: no due time). A later due time makes an overdue case due again, and alerts anew
    when that passes too."""
    if due_at is not None and timezone.is_naive(due_at):
        raise ValueError("The due time needs a time zone.")
    with transaction.atomic():
        locked = _locked(case)
        before = locked.due_at
        if before == due_at:
            return _refresh(case, locked)
        locked.due_at = due_at
        locked.save(update_fields=["due_at"])
        data = {"from": before.isoformat() if before else None, "to": due_at.isoformat() if due_at else None}
        record_event(locked, Kind.DUE, actor=by, data=data)
        _audit("case.due", locked, by, {"due_at": [data["from"], data["to"]]})
    return _refresh(case, locked)


def mark_first_response(case: Case, moment) -> None:
    """The first reply to the customer (replies.py) or first status move: kept once, the earliest."""
    Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(first_response_at=moment)
    if case.first_response_at is None:
        case.first_response_at = moment


# --- Notes and tags ----------------------------------------------------------------------------------------


def add_note(case: Case, text: str, *, by) -> CaseEvent:
    """An internal note on the timeline (never sent to the customer)."""
    if not isinstance(text, str):
        raise ValueError("A note is text.")
    text = text.strip()
    if not text:
        raise ValueError("Write the note first.")
    if has_nul(text):
        raise ValueError("The note contains a NUL character.")
    if len(text) > NOTE_MAX:
        raise ValueError(f"A note is at most {NOTE_MAX:,} characters.")
    with transaction.atomic():
        locked = _locked(case)
        event = record_event(locked, Kind.NOTE, actor=by, text=text)
        _audit("case.note", locked, by, {"note": len(text)})
    _refresh(case, locked)
    return event


def clean_tag_names(names) -> list[str]:
    """Tag names as typed: trimmed, inner spaces collapsed, repeats (ignoring case) dropped; ValueError when
    one is too long or has a NUL, or there are too many."""
    if isinstance(names, str):
        names = names.split(",")
    if not isinstance(names, list | tuple):
        raise ValueError("Tags are a list of names.")
    result, seen = [], set()
    for name in names:
        if not isinstance(name, str):
            raise ValueError("A tag is a name.")
        name = " ".join(name.split())
        if not name:
            continue
        if has_nul(name):
            raise ValueError("A tag contains a NUL character.")
        if len(name) > TAG_MAX:
            raise ValueError(f"A tag is at most {TAG_MAX} characters: “{name[:TAG_MAX]}…”.")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    if len(result) > TAGS_PER_ANSWER:
        raise ValueError(f"At most {TAGS_PER_ANSWER} tags on one answer.")
    return result


def _tag_named(name: str) -> Tag:
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name)
    except IntegrityError:  # made at the same moment by someone else
        return Tag.objects.get(name__iexact=name)


def set_tags(answer: Answer, names: list[str], *, by) -> list[Tag]:
    """The answer's tags become exactly `names` (existing tags reused ignoring case); its case's timeline
    shows what was added and removed."""
    names = clean_tag_names(names)
    with transaction.atomic():
        answer = Answer.objects.select_for_update(of=("self",)).get(pk=answer.pk)
        current = {tag.name.casefold(): tag for tag in Tag.objects.filter(answer_tags__answer=answer)}
        wanted = [_tag_named(name) for name in names]
        wanted_keys = {tag.name.casefold() for tag in wanted}
        removed = [tag for key, tag in current.items() if key not in wanted_keys]
        added = [tag for tag in wanted if tag.name.casefold() not in current]
        if removed:
            AnswerTag.objects.filter(answer=answer, tag__in=removed).delete()
        AnswerTag.objects.bulk_create(
            [AnswerTag(answer=answer, tag=tag, added_by=by) for tag in added], ignore_conflicts=True
        )
        if added or removed:
            before = sorted(tag.name for tag in current.values())
            after = sorted(tag.name for tag in wanted)
            case = Case.objects.select_for_update().filter(answer=answer).first()
            if case is not None:
                record_event(
                    case,
                    Kind.TAGS,
                    actor=by,
                    data={
                        "from": before,
                        "to": after,
                        "added": [tag.name for tag in added],
                        "removed": [tag.name for tag in removed],
                    },
                )
                _audit("case.tags", case, by, {"tags": [before, after]})
    return sorted(wanted, key=lambda tag: tag.name.casefold())


# --- Overdue -----------------------------------------------------------------------------------------------


def _overdue_unalerted(now):
    return Case.objects.filter(status__in=Case.OPEN, due_at__lte=now).filter(
        Q(overdue_alerted_at__isnull=True) | Q(overdue_alerted_at__lt=F("due_at"))
    )


def mark_overdue(*, limit: int = 1000) -> int:
    """Open cases whose due time passed and were not told about yet (for this due time): an OVERDUE line,
    the "case overdue" alert rules, an email to the owner. Safe beside another sweep (skip locked)."""
    from ..alerts.raising import raise_for_overdue
    from . import notify

    now = timezone.now()
    marked = 0
    for pk in list(_overdue_unalerted(now).order_by("due_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            case = (
                _overdue_unalerted(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("owner", "contact", "campaign", "answer")
                .filter(pk=pk)
                .first()
            )
            if case is None:
                continue
            case.overdue_alerted_at = now
            case.save(update_fields=["overdue_alerted_at"])
            record_event(case, Kind.OVERDUE, data={"due_at": case.due_at.isoformat()})
            raise_for_overdue(case)
            notify.case_overdue(case)
            marked += 1
    return marked


# --- Reading: the inbox and the menu's counts --------------------------------------------------------------


def queryset_for(user) -> QuerySet:
    """The cases a user may see: every case for every role (viewers read only); nothing when signed out."""
    if not has_role(user, Role.VIEWER):
        return Case.objects.none()
    return Case.objects.all()


def _int(value, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} must be a number.") from None
    if not 0 < number < 2**31:
        raise ValueError(f"{what} must be a number.")
    return number


def _filter_text(value, what: str) -> str:
    value = str(value).strip()
    if has_nul(value):
        raise ValueError(f"{what} contains a NUL character.")
    return value[:200]


def inbox(user, *, view: str = "open", filters: dict | None = None) -> QuerySet:
    """The cases of one inbox view, filtered; overdue first, then by due time (soonest first).

    view: mine (my open cases), unassigned (open, nobody's), overdue (open, past due), open, all.
    filters (blank values ignored; ValueError on a malformed one): status (a status, or "open"/"closed"),
    owner (a user id, or "none"), group, campaign (id), tag (name, any case), property + value (a segment
    of contacts; or segment "name=value"), q (words in the comment, the contact's name or email).
    """
    if view not in VIEWS:
        raise ValueError(f"Unknown view: {view!r}.")
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    now = timezone.now()
    cases = queryset_for(user).select_related("answer", "contact", "owner", "campaign")
    if view == "mine":
        cases = cases.filter(owner=user, status__in=Case.OPEN)
    elif view == "unassigned":
        cases = cases.filter(owner__isnull=True, status__in=Case.OPEN)
    elif view == "overdue":
        cases = cases.filter(status__in=Case.OPEN, due_at__lte=now)
    elif view == "open":
        cases = cases.filter(status__in=Case.OPEN)
    if status := filters.get("status"):
        if status == "open":
            cases = cases.filter(status__in=Case.OPEN)
        elif status == "closed":
            cases = cases.filter(status__in=Case.CLOSED)
        elif status in Status.values:
            cases = cases.filter(status=status)
        else:
            raise ValueError(f"Unknown status: {status!r}.")
    if owner := filters.get("owner"):
        if owner == "none":
            cases = cases.filter(owner__isnull=True)
        else:
            cases = cases.filter(owner_id=_int(owner, "The owner"))
    if group := filters.get("group"):
        if group not in rules.GROUPS:
            raise ValueError(f"Unknown group: {group!r}.")
        cases = cases.filter(group=group)
    if campaign := filters.get("campaign"):
        cases = cases.filter(campaign_id=_int(campaign, "The campaign"))
    if tag := filters.get("tag"):
        cases = cases.filter(answer__tags__name__iexact=_filter_text(tag, "The tag"))
    prop, value = filters.get("property", ""), filters.get("value", "")
    if segment := filters.get("segment"):
        prop, _, value = str(segment).partition("=")
    if prop:
        prop, value = _filter_text(prop, "The property"), _filter_text(value, "The value")
        segment = PropertyText(prop, "contact__properties")
        cases = cases.annotate(_segment=segment).filter(_segment__iexact=value)
    if q := filters.get("q"):
        q = _filter_text(q, "The search")
        cases = cases.filter(
            Q(answer__comment__icontains=q) | Q(contact__name__icontains=q) | Q(contact__email__icontains=q)
        )
    overdue = SqlCase(
        When(status__in=Case.OPEN, due_at__lte=now, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return cases.annotate(_overdue_first=overdue).order_by(
        "_overdue_first", F("due_at").asc(nulls_last=True), "-opened_at", "-pk"
    )


def _counts_key(user_id) -> str:
    return f"cases:nav:{user_id}"


def _forget_counts(*user_ids) -> None:
    keys = [_counts_key(pk) for pk in user_ids if pk is not None]
    if keys:
        cache.delete_many(keys)


def nav_counts(user) -> dict:
    """The menu's badge: {"mine", "unassigned", "overdue", "mine_overdue"} open cases; one query, cached
    for NAV_COUNTS_SECONDS per user (a change of owner forgets the owners' copies at once)."""
    if not has_role(user, Role.VIEWER):
        return {"mine": 0, "unassigned": 0, "overdue": 0, "mine_overdue": 0}
    key = _counts_key(user.pk)
    counts = cache.get(key)
    if counts is None:
        now = timezone.now()
        late = Q(due_at__lte=now)
        counts = Case.objects.filter(status__in=Case.OPEN).aggregate(
            mine=Count("pk", filter=Q(owner=user)),
            unassigned=Count("pk", filter=Q(owner__isnull=True)),
            overdue=Count("pk", filter=late),
            mine_overdue=Count("pk", filter=late & Q(owner=user)),
        )
        cache.set(key, counts, NAV_COUNTS_SECONDS)
    return counts


# --- A contact's erasure and export (registered in responses.apps) ------------------------------------------


def _cases_of(contact) -> QuerySet:
    return Case.objects.filter(
        Q(contact=contact) | Q(answer__contact=contact) | Q(answer__invitation__contact=contact)
    ).distinct()


def count_cases_kept(contact) -> int:
    """Erasing a contact keeps none of their cases (they are about the person): nothing to list as kept."""
    return 0


def delete_cases_of(contact) -> int:
    """Erasing a contact deletes their cases with their messages and timeline; returns how many are kept (0)."""
    Case.objects.filter(pk__in=list(_cases_of(contact).values_list("pk", flat=True))).delete()
    return 0


def export_cases_of(contact) -> list[dict]:
    """A contact's cases for their data export: status, dates, notes, replies in and out, tags."""
    result = []
    cases = (
        _cases_of(contact).select_related("campaign", "owner").prefetch_related("messages", "answer__tags")
    )
    for case in cases.order_by("opened_at", "pk"):
        notes = case.events.filter(kind=Kind.NOTE).select_related("actor").order_by("created_at", "pk")
        result.append(
            {
                "id": case.pk,
                "answer_id": case.answer_id,
                "campaign": case.campaign.name,
                "status": case.status,
                "priority": case.priority,
                "score": case.score,
                "owner": _label(case.owner),
                "opened_at": case.opened_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
                "tags": sorted(tag.name for tag in case.answer.tags.all()),
                "notes": [
                    {"text": note.text, "by": _label(note.actor), "at": note.created_at.isoformat()}
                    for note in notes
                ],
                "messages": [
                    {
                        "direction": message.direction,
                        "channel": message.channel,
                        "subject": message.subject,
                        "body": message.body,
                        "state": message.state,
                        "at": message.created_at.isoformat(),
                    }
                    for message in case.messages.all()
                ],
            }
        )
    return result
