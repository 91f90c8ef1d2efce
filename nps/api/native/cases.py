"""Native API: follow-up cases and alert rules (responses/cases/, responses/alerts/; docs/api.md).

An API key acts with the role of the admin who created it, capped by its scope: a read-only key is a viewer
(it reads cases, without the contact's email, phone or properties, as viewers see them in OpenNPS); a
read-write key works cases as a lead (status, owner, priority, tags, due time, notes, replies) and manages
alert rules only while its creator is an admin. A key whose creator's account was removed keeps the rights
an admin gave it; one whose creator was deactivated only reads. Writes go through the cases' services, so
the timeline, the audit log and the case.updated webhook are the same as from the case page; the timeline
names the key's creator as who did it.
"""

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from nps import audit, outbound
from nps.accounts.roles import RANK, Role
from responses import serializers
from responses.cases import replies, rules, services
from responses.models import AlertRule, Case, CaseEvent, CaseMessage, Tag, Theme
from surveys.models import Campaign

from ..common import ApiError
from .auth import write_key
from .errors import not_found
from .schemas import PAGE_LIMIT, Id, In, Moment, Page, paginate, refuse_nul, responses

cases = Router()
alert_rules = Router()

Limit = Field(50, ge=1, le=PAGE_LIMIT, description=f"Rows per page, at most {PAGE_LIMIT}.")
Cursor = Field(None, max_length=100, description="The `next_cursor` of the previous page.")
MAX_TAGS = services.TAGS_PER_ANSWER
TAG_LENGTH = services.TAG_MAX
Group = Literal["promoter", "passive", "detractor"]
StatusValue = Literal["new", "in_progress", "waiting", "resolved", "wont_fix"]
PriorityValue = Literal["low", "normal", "high", "urgent"]


# Roles --------------------------------------------------------------------------------------------


def key_role(key) -> str:
    """The role an API key acts with (see the module's docstring)."""
    if key.read_only:
        return Role.VIEWER
    creator = key.created_by
    if creator is None:
        return Role.ADMIN
    if not creator.is_active or creator.role not in RANK:
        return Role.VIEWER
    return Role(creator.role)


def _require(request, role: str) -> None:
    key = request.auth
    actual = key_role(key)
    if RANK[actual] >= RANK[role]:
        return
    why = (
        "it is read-only"
        if key.read_only
        else f"it acts with the {Role(actual).label.lower()} role of the person who created it"
    )
    raise ApiError(
        403,
        f"This request needs an API key with the {Role(role).label.lower()} role; the key “{key.name}” "
        f"cannot: {why}. Ask an admin for a read-write key.",
    )


def _actor(request):
    """Who the case's timeline names for a write by this key: the person who created it (None if gone)."""
    return request.auth.created_by


# Cases: output ------------------------------------------------------------------------------------


class NoteOut(Schema):
    id: int
    text: str
    user_email: str | None = Field(description="Who wrote it; null for OpenNPS or a removed account.")
    created_at: datetime


class CaseContactOut(Schema):
    id: int
    name: str
    email: str | None = Field(description="Null for read-only keys (viewers see no contact details).")
    phone: str | None = Field(description="Null for read-only keys.")
    properties: dict[str, Any] | None = Field(description="Null for read-only keys.")
    at_risk: bool = Field(description="A score that fell sharply, or detractor answers in a row.")
    at_risk_reason: str = Field(description="Why, e.g. “Score fell from 9 to 4”; empty when not at risk.")


class CaseOut(Schema):
    id: int
    status: StatusValue
    priority: PriorityValue
    owner_email: str | None = Field(description="Null when unassigned.")
    due_at: datetime | None
    overdue: bool = Field(description="Open and past its due time.")
    score: int
    group: Group
    comment: str
    tags: list[str] = Field(description="The answer's tags (a case's tags are its answer's).")
    at_risk: bool = Field(description="The contact's at-risk flag; false without a contact.")
    response_id: int
    campaign_id: int
    contact: CaseContactOut | None = Field(description="Null once the contact was erased.")
    opened_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    closed_at: datetime | None
    permalink: str = Field(description="The answer's page in OpenNPS.")
    notes: list[NoteOut]


class CaseList(Page):
    data: list[CaseOut]


def _with_relations(queryset):
    notes = (
        CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return queryset.select_related("owner", "contact", "answer").prefetch_related(
        Prefetch("answer__tags", queryset=Tag.objects.order_by("name")),
        Prefetch("events", queryset=notes, to_attr="api_notes"),
    )


def _case_out(case: Case, *, contact_details: bool) -> dict:
    contact = case.contact
    contact_out = None
    if contact is not None:
        contact_out = {
            "id": contact.pk,
            "name": contact.name,
            "email": (contact.email or None) if contact_details else None,
            "phone": (str(contact.phone) if contact.phone else None) if contact_details else None,
            "properties": (contact.properties or {}) if contact_details else None,
            "at_risk": contact.at_risk,
            "at_risk_reason": contact.at_risk_reason,
        }
    return {
        "id": case.pk,
        "status": case.status,
        "priority": case.priority,
        "owner_email": case.owner.email if case.owner else None,
        "due_at": case.due_at,
        "overdue": case.is_overdue,
        "score": case.score,
        "group": case.group,
        "comment": case.answer.comment,
        "tags": sorted((tag.name for tag in case.answer.tags.all()), key=str.casefold),
        "at_risk": bool(contact and contact.at_risk),
        "response_id": case.answer_id,
        "campaign_id": case.campaign_id,
        "contact": contact_out,
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
        "first_response_at": case.first_response_at,
        "closed_at": case.closed_at,
        "permalink": serializers.answer_permalink(case.answer_id),
        "notes": [
            {
                "id": event.pk,
                "text": event.text,
                "user_email": event.actor.email if event.actor else None,
                "created_at": event.created_at,
            }
            for event in case.api_notes  # prefetched by _with_relations
        ],
    }


def _sees_contacts(request) -> bool:
    return RANK[key_role(request.auth)] >= RANK[Role.LEAD]


def _case(case_id: int) -> Case:
    case = _with_relations(Case.objects.all()).filter(pk=case_id).first()
    if case is None:
        raise not_found("case", case_id)
    return case


# Cases: routes ------------------------------------------------------------------------------------


class CaseFilters(Schema):
    status: StatusValue | Literal["open", "closed"] | None = Field(
        None, description="One status, or `open` (new, in progress, waiting) or `closed`."
    )
    owner: str | None = Field(
        None, max_length=254, description="The owner's email (any case); `none` for unassigned cases."
    )
    group: Group | None = None
    campaign: Id | None = Field(None, description="Campaign id.")
    tag: str | None = Field(None, max_length=TAG_LENGTH, description="A tag name (any case).")
    overdue: bool | None = Field(None, description="true: open cases past their due time; false: the others.")
    at_risk: bool | None = Field(None, description="Whether the contact is at risk.")
    updated_since: Moment | None = Field(None, description="Changed at or after this moment.")
    order: Literal["asc", "desc"] = Field("asc", description="By id: oldest first (asc) or newest first.")
    cursor: str | None = Cursor
    limit: int = Limit

    @field_validator("owner", "tag", "cursor")
    @classmethod
    def no_nul(cls, value):
        return refuse_nul(value)


def filter_cases(queryset, filters: CaseFilters):
    """The cases matching the API's filters (each one narrows the list)."""
    if filters.status == "open":
        queryset = queryset.filter(status__in=Case.OPEN)
    elif filters.status == "closed":
        queryset = queryset.filter(status__in=Case.CLOSED)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.owner:
        owner = filters.owner.strip()
        if owner.casefold() == "none":
            queryset = queryset.filter(owner__isnull=True)
        else:
            queryset = queryset.filter(owner__email__iexact=owner)
    if filters.group:
        queryset = queryset.filter(group=filters.group)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign_id=filters.campaign)
    if filters.tag:
        queryset = queryset.filter(answer__tags__name__iexact=filters.tag.strip())
    if filters.overdue is not None:
        late = Q(status__in=Case.OPEN, due_at__isnull=False, due_at__lte=timezone.now())
        queryset = queryset.filter(late) if filters.overdue else queryset.exclude(late)
    if filters.at_risk is not None:
        queryset = (
            queryset.filter(contact__at_risk=True)
            if filters.at_risk
            else queryset.exclude(contact__at_risk=True)
        )
    if filters.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    return queryset


@cases.get("", response=responses({200: CaseList}), summary="List cases")
def list_cases(request, filters: Query[CaseFilters]):
    """Cases, filtered, by cursor. `updated_since` with `order=asc` keeps another system in step."""
    queryset = filter_cases(Case.objects.all(), filters)
    rows, cursor = paginate(
        queryset, cursor=filters.cursor, limit=filters.limit, descending=filters.order == "desc"
    )
    # The page's relations in a few queries, whatever its size.
    by_pk = {case.pk: case for case in _with_relations(Case.objects.filter(pk__in=[row.pk for row in rows]))}
    details = _sees_contacts(request)
    return {
        "data": [_case_out(by_pk[row.pk], contact_details=details) for row in rows],
        "next_cursor": cursor,
    }


@cases.get("/{case_id}", response=responses({200: CaseOut}), summary="Read a case")
def get_case(request, case_id: Id):
    return _case_out(_case(case_id), contact_details=_sees_contacts(request))


class CasePatch(In):
    status: StatusValue | None = None
    owner: str | None = Field(
        None,
        max_length=254,
        description='The new owner\'s email (a lead or admin of OpenNPS); null or "" to unassign.',
    )
    priority: PriorityValue | None = None
    tags: list[str] | None = Field(
        None,
        max_length=MAX_TAGS,
        description=f"The answer's tags, replacing the old ones (at most {MAX_TAGS}).",
    )
    due_at: Moment | None = Field(None, description="The new due time; null clears it.")

    @field_validator("tags")
    @classmethod
    def clean_tags(cls, value):
        # The case page's rules: trimmed, repeats (ignoring case) dropped, length and count checked.
        return value if value is None else services.clean_tag_names(value)


def _owner(email: str | None):
    """The user an `owner` field names (None to unassign); 422 unless they may own cases."""
    if email is None or not email.strip():
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.is_active:
        raise ApiError(422, f"No active user of OpenNPS has the email {email.strip()}.", field="body.owner")
    if RANK.get(user.role, 0) < RANK[Role.LEAD]:
        raise ApiError(
            422, f"{user.email} is a viewer: only leads and admins can own cases.", field="body.owner"
        )
    return user


@cases.patch("/{case_id}", response=responses({200: CaseOut}), auth=write_key, summary="Update a case")
def update_case(request, case_id: Id, payload: CasePatch):
    """Change the status, owner, priority, tags or due time; fields left out are kept.

    Every change is on the case's timeline and sends one case.updated webhook per change. Needs a lead's key.
    """
    _require(request, Role.LEAD)
    case = _case(case_id)
    given = payload.model_fields_set
    # Everything is checked before anything is written: a bad field changes nothing.
    owner = _owner(payload.owner) if "owner" in given else case.owner
    for field in ("status", "priority"):
        if field in given and getattr(payload, field) is None:
            raise ApiError(422, f"Invalid request: body.{field}: must not be null.", field=f"body.{field}")
    by = _actor(request)
    # One transaction: if a later change is refused, the earlier ones are undone. Each service writes only
    # a real change (and its timeline line and case.updated webhook).
    try:
        with transaction.atomic():
            if "status" in given:
                case = services.set_status(case, payload.status, by=by)
            if "owner" in given:
                case = services.assign(case, owner, by=by)
            if "priority" in given:
                case = services.set_priority(case, payload.priority, by=by)
            if "due_at" in given:
                case = services.set_due(case, payload.due_at, by=by)
            if "tags" in given:
                services.set_tags(case.answer, payload.tags, by=by)
    except ValueError as error:
        raise ApiError(422, f"Invalid request: {error}", field="body") from None
    return _case_out(_case(case.pk), contact_details=True)


class NoteIn(In):
    text: str = Field(min_length=1, max_length=10_000, description="The note: what was done or found out.")


@cases.post(
    "/{case_id}/notes", response=responses({201: NoteOut}), auth=write_key, summary="Add a note to a case"
)
def add_note(request, case_id: Id, payload: NoteIn):
    """An internal note on the case's timeline (never sent to the customer). Needs a lead's key."""
    _require(request, Role.LEAD)
    case = _case(case_id)
    try:
        event = services.add_note(case, payload.text, by=_actor(request))
    except ValueError as error:
        raise ApiError(422, f"Invalid request: body.text: {error}", field="body.text") from None
    return Status(
        201,
        {
            "id": event.pk,
            "text": event.text,
            "user_email": event.actor.email if event.actor else None,
            "created_at": event.created_at,
        },
    )


class ReplyIn(In):
    channel: Literal["email", "sms", "whatsapp"] = Field(
        "email", description="How to reach the customer: email, or a text on the channel they answered on."
    )
    body: str = Field(min_length=1, max_length=10_000)
    subject: str = Field(
        "", max_length=200, description="Email only; a subject naming the survey when left out."
    )


class MessageOut(Schema):
    id: int
    channel: str
    state: Literal["queued", "sending", "sent", "failed", "received"]
    to_address: str
    subject: str
    body: str
    created_at: datetime


@cases.post(
    "/{case_id}/replies",
    response=responses({202: MessageOut}),
    auth=write_key,
    summary="Reply to the customer",
)
def reply(request, case_id: Id, payload: ReplyIn):
    """Queue a reply to the customer by email (through the brand's sender, their answer comes back onto the
    case) or by text on the channel they answered on. 202: it is sent in the background; read the case for
    its outcome. Needs a lead's key."""
    _require(request, Role.LEAD)
    case = _case(case_id)
    offered = replies.channels_for(case)
    if payload.channel not in offered:
        where = ", ".join(offered) if offered else "none (the contact has no email or phone, or was erased)"
        raise ApiError(
            422,
            f"This case cannot be answered by {payload.channel}; its channels: {where}.",
            field="body.channel",
        )
    try:
        message: CaseMessage = replies.reply(
            case, channel=payload.channel, body=payload.body, subject=payload.subject, by=_actor(request)
        )
    except replies.ReplyError as error:
        raise ApiError(422, f"Invalid request: {error}", field="body") from None
    return Status(202, message)


# Alert rules --------------------------------------------------------------------------------------


class AlertRuleOut(Schema):
    id: int
    name: str
    enabled: bool
    trigger: Literal["answer", "case_overdue"]
    conditions: dict[str, Any] = Field(
        description="The conditions (see docs/api.md); {} matches every answer."
    )
    description: str = Field(description="The conditions in words.")
    destination: Literal["slack", "teams", "email"]
    url: str = Field(description="Slack or Teams: the incoming webhook's URL; empty for email.")
    recipients: list[str] = Field(description="Email: the users' emails; empty for Slack and Teams.")
    created_at: datetime
    last_sent_at: datetime | None
    last_result: str = Field(description="The destination's last reply, e.g. `200 ok`.")


class AlertRuleList(Page):
    data: list[AlertRuleOut]


class AlertRuleIn(In):
    name: str = Field(min_length=1, max_length=100)
    enabled: bool = True
    trigger: Literal["answer", "case_overdue"] = Field(
        "answer", description="An answer matches, or a case is overdue."
    )
    conditions: dict[str, Any] = Field(default_factory=dict, description="As case rules' conditions.")
    destination: Literal["slack", "teams", "email"]
    url: str = Field("", max_length=500, description="Slack or Teams: the incoming webhook's https URL.")
    recipients: list[str] = Field(
        default_factory=list, max_length=100, description="Email: the users' emails."
    )


class AlertRulePatch(In):
    name: str | None = Field(None, min_length=1, max_length=100)
    enabled: bool | None = None
    trigger: Literal["answer", "case_overdue"] | None = None
    conditions: dict[str, Any] | None = None
    destination: Literal["slack", "teams", "email"] | None = None
    url: str | None = Field(None, max_length=500)
    recipients: list[str] | None = Field(None, max_length=100)


def _rule_out(rule: AlertRule) -> dict:
    try:
        description = rules.describe(rules.parse(rule.conditions or {}))
    except ValueError:
        description = ""
    return {
        "id": rule.pk,
        "name": rule.name,
        "enabled": rule.enabled,
        "trigger": rule.trigger,
        "conditions": rule.conditions or {},
        "description": description,
        "destination": rule.destination,
        "url": rule.url,
        "recipients": sorted(user.email for user in rule.recipients.all()),
        "created_at": rule.created_at,
        "last_sent_at": rule.last_sent_at,
        "last_result": rule.last_result,
    }


def _rule(rule_id: int) -> AlertRule:
    rule = AlertRule.objects.prefetch_related("recipients").filter(pk=rule_id).first()
    if rule is None:
        raise not_found("alert rule", rule_id)
    return rule


def _clean_rule(values: dict, *, saved_theme_ids=()) -> tuple[dict, list | None]:
    """Validated fields of a rule (all of them: a patch is merged with the stored rule first) and its
    recipients (users); 422 naming the field at the first problem. Themes must exist and be active, except
    those the rule already had (`saved_theme_ids`): a theme hidden or merged since does not block a patch of
    the rule's name."""
    name = " ".join(values["name"].split())
    if not name:
        raise ApiError(422, "Invalid request: body.name: give the rule a name.", field="body.name")
    try:
        conditions = rules.to_json(rules.parse(values["conditions"]))
    except ValueError as error:
        raise ApiError(422, f"Invalid request: body.conditions: {error}", field="body.conditions") from None
    missing = set(conditions.get("campaign_ids") or ()) - set(
        Campaign.objects.filter(pk__in=conditions.get("campaign_ids") or ()).values_list("pk", flat=True)
    )
    if missing:
        raise ApiError(
            422,
            f"Invalid request: body.conditions: no campaign with id {min(missing)}.",
            field="body.conditions",
        )
    _check_themes(set(conditions.get("theme_ids") or ()) - set(saved_theme_ids))
    destination, url = values["destination"], (values["url"] or "").strip()
    users = None
    if destination in (AlertRule.Destination.SLACK, AlertRule.Destination.TEAMS):
        if not url:
            raise ApiError(
                422, f"Invalid request: body.url: give the {destination} webhook's URL.", field="body.url"
            )
        try:
            outbound.check_url_to_save(url)
        except outbound.RefusedURL as error:
            raise ApiError(422, f"Invalid request: body.url: {error}", field="body.url") from None
        if values["recipients"]:
            raise ApiError(
                422,
                "Invalid request: body.recipients: only email alerts have recipients.",
                field="body.recipients",
            )
    else:
        if url:
            raise ApiError(422, "Invalid request: body.url: email alerts have no URL.", field="body.url")
        emails = {email.strip().casefold() for email in values["recipients"] if email.strip()}
        if not emails:
            raise ApiError(
                422,
                "Invalid request: body.recipients: give the emails of the users to alert.",
                field="body.recipients",
            )
        users = list(
            get_user_model()
            .objects.annotate(email_ci=Lower("email"))
            .filter(email_ci__in=emails, is_active=True)
        )
        unknown = emails - {user.email.casefold() for user in users}
        if unknown:
            raise ApiError(
                422,
                f"Invalid request: body.recipients: no active user has the email {sorted(unknown)[0]}.",
                field="body.recipients",
            )
    cleaned = {
        "name": name,
        "enabled": values["enabled"],
        "trigger": values["trigger"],
        "conditions": conditions,
        "destination": destination,
        "url": url if users is None else "",
    }
    return cleaned, users or []


def _check_themes(theme_ids: set[int]) -> None:
    """422 for a theme that does not exist or is not active (hidden, merged, no longer found)."""
    if not theme_ids:
        return
    themes = Theme.objects.in_bulk(theme_ids)
    for pk in sorted(theme_ids):
        theme = themes.get(pk)
        if theme is None:
            problem = f"no theme with id {pk}"
        elif theme.merged_into_id:
            problem = f"theme {pk} was merged into theme {theme.merged_into_id}: use that one"
        elif not theme.is_active:
            problem = f"theme {pk} is {'hidden' if theme.hidden else 'no longer found in the comments'}"
        else:
            continue
        raise ApiError(
            422, f"Invalid request: body.conditions.theme_ids: {problem}.", field="body.conditions"
        )


def _audit_changes(rule: AlertRule, cleaned: dict, users: list) -> dict:
    changes = {}
    for field, value in cleaned.items():
        before = getattr(rule, field)
        if before != value:
            changes[field] = "changed" if field == "url" else [before, value]
    before_emails = sorted(user.email for user in rule.recipients.all()) if rule.pk else []
    after_emails = sorted(user.email for user in users)
    if before_emails != after_emails:
        changes["recipients"] = [before_emails, after_emails]
    return changes


class AlertRuleFilters(Schema):
    cursor: str | None = Cursor
    limit: int = Limit

    @field_validator("cursor")
    @classmethod
    def no_nul(cls, value):
        return refuse_nul(value)


@alert_rules.get("", response=responses({200: AlertRuleList}), auth=write_key, summary="List alert rules")
def list_alert_rules(request, filters: Query[AlertRuleFilters]):
    """Alert rules, oldest first. Needs an admin's read-write key (their URLs are secrets)."""
    _require(request, Role.ADMIN)
    queryset = AlertRule.objects.prefetch_related("recipients")
    rows, cursor = paginate(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"data": [_rule_out(rule) for rule in rows], "next_cursor": cursor}


@alert_rules.post("", response=responses({201: AlertRuleOut}), auth=write_key, summary="Create an alert rule")
def create_alert_rule(request, payload: AlertRuleIn):
    """Alert Slack, Teams or users by email when an answer matches the conditions, or a case is overdue."""
    _require(request, Role.ADMIN)
    cleaned, users = _clean_rule(payload.dict())
    with transaction.atomic():
        rule = AlertRule(**cleaned, created_by=request.auth.created_by)
        changes = _audit_changes(AlertRule(), cleaned, users)
        rule.save()
        rule.recipients.set(users)
        audit.record("alert_rule.create", obj=rule, changes=changes)
    return Status(201, _rule_out(_rule(rule.pk)))


@alert_rules.get(
    "/{rule_id}", response=responses({200: AlertRuleOut}), auth=write_key, summary="Read an alert rule"
)
def get_alert_rule(request, rule_id: Id):
    _require(request, Role.ADMIN)
    return _rule_out(_rule(rule_id))


@alert_rules.patch(
    "/{rule_id}", response=responses({200: AlertRuleOut}), auth=write_key, summary="Update an alert rule"
)
def update_alert_rule(request, rule_id: Id, payload: AlertRulePatch):
    """Change the fields sent; the others are kept. The whole rule is checked again."""
    _require(request, Role.ADMIN)
    rule = _rule(rule_id)
    values = {
        "name": rule.name,
        "enabled": rule.enabled,
        "trigger": rule.trigger,
        "conditions": rule.conditions or {},
        "destination": rule.destination,
        "url": rule.url,
        "recipients": [user.email for user in rule.recipients.all()],
    }
    given = payload.model_fields_set
    for field in given:
        value = getattr(payload, field)
        if value is None:
            raise ApiError(422, f"Invalid request: body.{field}: must not be null.", field=f"body.{field}")
        values[field] = value
    # A new destination drops what only the old one had, unless the request gives it again.
    if "destination" in given and "url" not in given and payload.destination == AlertRule.Destination.EMAIL:
        values["url"] = ""
    if (
        "destination" in given
        and "recipients" not in given
        and payload.destination != AlertRule.Destination.EMAIL
    ):
        values["recipients"] = []
    saved = (rule.conditions or {}).get("theme_ids") if isinstance(rule.conditions, dict) else None
    cleaned, users = _clean_rule(values, saved_theme_ids=saved if isinstance(saved, list) else ())
    changes = _audit_changes(rule, cleaned, users)
    if changes:
        with transaction.atomic():
            for field, value in cleaned.items():
                setattr(rule, field, value)
            rule.save(update_fields=list(cleaned))
            rule.recipients.set(users)
            audit.record("alert_rule.update", obj=rule, changes=changes)
    return _rule_out(_rule(rule.pk))


@alert_rules.delete(
    "/{rule_id}", response=responses({204: None}), auth=write_key, summary="Delete an alert rule"
)
def delete_alert_rule(request, rule_id: Id):
    """Delete the rule and the alerts it has not sent yet."""
    _require(request, Role.ADMIN)
    rule = _rule(rule_id)
    with transaction.atomic():
        audit.record("alert_rule.delete", obj=rule)
        rule.delete()
    return Status(204, None)
