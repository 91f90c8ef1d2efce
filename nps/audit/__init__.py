"""The audit log: `audit.record(...)` from the service or view that performs an admin action.

Who did it and from which client address come from the request being served (AuditMiddleware keeps it
for the duration of the request), or from `request=` / `actor=` when the caller has them; outside a request
(Celery tasks, commands) the actor is "System". Entries are append-only (see models.AuditEntry).

This module sits in the foundation: every app may call it, it imports no app. Models are imported inside the
functions because the apps import this module before Django's app registry is ready.
"""

import ipaddress
from contextvars import ContextVar

from django.core.files import File

from nps import clientip

_request: ContextVar = ContextVar("audit_request", default=None)

SYSTEM = "System"

# What the audit page offers in its filters, and how it names each action. A new action only needs a line
# here (the column is free text, so no migration).
ACTIONS = {
    "brand.create": "Brand created",
    "brand.update": "Brand changed",
    "brand.delete": "Brand deleted",
    "campaign.create": "Campaign created",
    "campaign.update": "Campaign changed",
    "campaign.launch": "Campaign launched",
    "campaign.pause": "Campaign paused",
    "campaign.resume": "Campaign resumed",
    "campaign.archive": "Campaign archived",
    "campaign.audience": "Audience added",
    "campaign.test_send": "Campaign test sent",
    "contact.create": "Contact added",
    "contact.update": "Contact changed",
    "contact.export": "Contact's data exported",
    "contact.erase": "Contact erased",
    "import.start": "Import uploaded",
    "import.load": "Import started",
    "import.cancel": "Import cancelled",
    "team.invite": "Teammate invited",
    "team.revoke": "Invitation revoked",
    "team.join": "Invitation accepted",
    "team.update": "Teammate changed",
    "api_key.create": "API key created",
    "api_key.revoke": "API key revoked",
    "webhook.create": "Webhook created",
    "webhook.update": "Webhook changed",
    "webhook.delete": "Webhook deleted",
    "webhook.rotate": "Webhook secret rotated",
    "webhook.test": "Webhook test sent",
    "export.responses": "Responses exported",
    "export.audit": "Audit log exported",
    "share_link.create": "Share link created",
    "share_link.revoke": "Share link revoked",
    "digest.send": "Weekly digest sent on request",
    "retention.run": "Retention applied",
    "quiet_hours.create": "Quiet hours rule added",
    "quiet_hours.update": "Quiet hours rule changed",
    "quiet_hours.delete": "Quiet hours rule deleted",
    "site.create": "Widget site created",
    "site.update": "Widget site changed",
    "site.secret": "Widget site secret regenerated",
    "site.delete": "Widget site deleted",
    "follow_up.update": "Follow-up targets changed",
    "case_rule.create": "Case rule created",
    "case_rule.update": "Case rule changed",
    "case_rule.delete": "Case rule deleted",
    "assignment_rule.create": "Assignment rule created",
    "assignment_rule.update": "Assignment rule changed",
    "assignment_rule.delete": "Assignment rule deleted",
    "alert_rule.create": "Alert rule created",
    "alert_rule.update": "Alert rule changed",
    "alert_rule.delete": "Alert rule deleted",
    "alert_rule.test": "Alert rule test sent",
    "alert_preference.update": "Alert emails changed",
    "case.assign": "Case assigned",
    "case.status": "Case status changed",
    "case.priority": "Case priority changed",
    "case.due": "Case due time changed",
    "case.note": "Case note added",
    "case.reply": "Reply sent to the customer",
    "case.tags": "Case tags changed",
    "theme.rename": "Theme renamed",
    "theme.hide": "Theme hidden or shown",
    "theme.pin": "Theme pinned or unpinned",
    "theme.merge": "Themes merged",
    "theme.split": "Theme split off",
    "theme.create": "Rule theme created",
    "theme.words": "Rule theme's words changed",
    "theme.delete": "Rule theme deleted",
    "theme.tag": "Comment tagged with a theme",
    "theme.untag": "Theme removed from a comment",
    "theme.relearn": "Themes re-learned on request",
}

OBJECT_TYPES = {
    "brand": "Brand",
    "campaign": "Campaign",
    "contact": "Contact",
    "import": "Import",
    "team": "Teammate",
    "api_key": "API key",
    "webhook": "Webhook",
    "export": "Export",
    "share_link": "Share link",
    "digest": "Weekly digest",
    "retention": "Retention",
    "quiet_hours": "Quiet hours rule",
    "site": "Widget site",
    "follow_up": "Follow-up settings",
    "case_rule": "Case rule",
    "assignment_rule": "Assignment rule",
    "alert_rule": "Alert rule",
    "alert_preference": "Alert emails",
    "case": "Case",
    "theme": "Theme",
}


def client_address(request) -> str | None:
    """The client's address of a request as the trusted-proxy helper derives it (nps/clientip.py, the
    same value every limiter and log reads), or None when it is not an address."""
    try:
        return str(ipaddress.ip_address(clientip.client_ip(request)))
    except ValueError:
        return None


def _name(user) -> str:
    return f"{user.name} <{user.email}>" if user.name else user.email


def _actor_of(request):
    """(user or None, label) of the person or API key behind a request."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, _name(user)
    key = getattr(request, "auth", None)  # django-ninja: the ApiKey the request authenticated with
    if key is not None and hasattr(key, "prefix"):
        return None, f"API key “{key.name}” ({key.prefix}…)"
    return None, "Anonymous"


def record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id="",
    label: str = "",
    changes: dict | None = None,
    request=None,
    actor=None,
):
    """Write one audit entry and return it.

    `obj` gives the object's id and label (str(obj)) unless `object_id` or `label` are given; the object
    type is the action's first part ("campaign.launch" → "campaign") unless given. `changes` is
    {"field": [before, after]} for an edit, or counts and options. The actor is `actor` (a user), else the
    request's user or API key, else "System".
    """
    from .models import AuditEntry

    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to nps.audit.ACTIONS.")
    request = request if request is not None else _request.get()
    if actor is not None:
        user, actor_label = actor, _name(actor)
    elif request is not None:
        user, actor_label = _actor_of(request)
    else:
        user, actor_label = None, SYSTEM
    if obj is not None:
        object_id = object_id or obj.pk
        label = label or str(obj)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label[:300],
        client_address=client_address(request) if request is not None else None,
        action=action,
        object_type=object_type or action.split(".", 1)[0],
        object_id="" if object_id is None else str(object_id)[:40],
        object_label=label[:300],
        changes=changes or {},
    )


def changes_of(form, *, hide=()) -> dict:
    """{"field": [before, after]} of a bound, valid ModelForm, before form.save(); fields in `hide` show
    only that they changed (secrets, personal data)."""
    result = {}
    for name in form.changed_data:
        if name in hide:
            result[name] = "changed"
            continue
        before = form.initial.get(name)
        after = form.cleaned_data.get(name)
        queryset = getattr(form.fields[name], "queryset", None)
        if queryset is not None and before is not None and not isinstance(before, list | tuple):
            before = queryset.filter(pk=before).first()  # a ModelForm's initial holds the related pk
        result[name] = [_plain(before), _plain(after)]
    return result


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, File):  # stored (FieldFile) or uploaded
        return value.name or None
    return str(value)


class AuditMiddleware:
    """Keeps the request being served, so that audit.record() deep in a service knows who and from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
