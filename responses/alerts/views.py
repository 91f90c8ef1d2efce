"""Settings → Alerts (admins): alert rules, a test alert; Account → Alert emails (everyone: their own)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nps import audit, outbound
from nps.accounts.roles import has_role, role_required

from ..cases import rules
from ..models import Alert, AlertPreference, AlertRule
from . import sending
from .forms import AlertPreferenceForm, AlertRuleForm, SubscriptionsForm

REPLY_SHOWN = 1000


def masked_url(url: str) -> str:
    """The host and the start of the path: webhook URLs carry their secret in the path."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    path = parts.path or "/"
    return f"{parts.hostname or ''}{path[:12]}…" if len(path) > 12 else f"{parts.hostname or ''}{path}"


def describe(rule: AlertRule) -> str:
    try:
        return rules.describe(rules.parse(rule.conditions or {}))
    except ValueError:
        return "Conditions no longer valid: edit the rule."


def _rows():
    queryset = AlertRule.objects.annotate(
        pending=Count("alerts", filter=Q(alerts__state=Alert.State.PENDING)),
        failed=Count("alerts", filter=Q(alerts__state=Alert.State.FAILED)),
        sent=Count("alerts", filter=Q(alerts__state=Alert.State.SENT)),
    ).prefetch_related(Prefetch("recipients"))
    rows = []
    for rule in queryset:
        rule.description = describe(rule)
        rule.target = (
            ", ".join(user.name or user.email for user in rule.recipients.all())
            if rule.destination == AlertRule.Destination.EMAIL
            else masked_url(rule.url)
        )
        rows.append(rule)
    return rows


@role_required("admin")
def alert_rule_list(request):
    return render(request, "responses/alerts/rule_list.html", {"rules": _rows()})


@role_required("admin")
def alert_rule_create(request):
    # Detractors ticked: the rule most teams start with.
    form = AlertRuleForm(request.POST or None, initial={"groups": ["detractor"]})
    if request.method == "POST":
        if form.is_valid():
            rule = form.apply(AlertRule(created_by=request.user))
            audit.record("alert_rule.create", obj=rule, changes=_summary(rule), request=request)
            messages.success(
                request, f"Alert rule “{rule.name}” added. Send a test alert to check the destination."
            )
            return redirect("responses:alert_rule_edit", pk=rule.pk)
        return render(request, "responses/alerts/rule_form.html", {"form": form}, status=400)
    return render(request, "responses/alerts/rule_form.html", {"form": form})


def _summary(rule: AlertRule) -> dict:
    """What the audit log keeps of a rule (never the webhook URL's secret path)."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "trigger": rule.trigger,
        "destination": rule.destination,
        "target": masked_url(rule.url) if rule.url else "",
        "recipients": sorted(rule.recipients.values_list("email", flat=True)),
        "conditions": rule.conditions,
    }


def _edit_context(rule, form, **extra):
    return {
        "rule": rule,
        "form": form,
        "description": describe(rule),
        "counts": {
            state: rule.alerts.filter(state=state).count()
            for state in (Alert.State.PENDING, Alert.State.SENT, Alert.State.FAILED)
        },
        "recent": rule.alerts.select_related("answer", "case").order_by("-created_at", "-pk")[:10],
        **extra,
    }


@role_required("admin")
def alert_rule_edit(request, pk):
    rule = get_object_or_404(AlertRule, pk=pk)
    form = AlertRuleForm.for_rule(rule, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            before = _summary(rule)
            form.apply(rule)
            after = _summary(rule)
            changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
            audit.record("alert_rule.update", obj=rule, changes=changes, request=request)
            messages.success(request, f"Alert rule “{rule.name}” saved.")
            return redirect("responses:alert_rule_edit", pk=rule.pk)
        status = 400
    return render(request, "responses/alerts/rule_edit.html", _edit_context(rule, form), status=status)


@role_required("admin")
def alert_rule_delete(request, pk):
    """GET: what deleting means; POST: delete (its pending alerts go with it)."""
    rule = get_object_or_404(AlertRule, pk=pk)
    if request.method == "POST":
        name = rule.name
        audit.record("alert_rule.delete", obj=rule, changes=_summary(rule), request=request)
        rule.delete()
        messages.success(request, f"Alert rule “{name}” deleted; it sends nothing more.")
        return redirect("responses:alert_rule_list")
    pending = rule.alerts.filter(state=Alert.State.PENDING).count()
    return render(request, "responses/alerts/rule_delete.html", {"rule": rule, "pending": pending})


@require_POST
@role_required("admin")
def alert_rule_test(request, pk):
    """Post a sample alert now and show what the destination answered."""
    rule = get_object_or_404(AlertRule, pk=pk)
    if rule.url:
        try:
            # Saved before the guard existed, or its name now resolves elsewhere: say so, send nothing.
            outbound.check_url_to_save(rule.url)
        except outbound.RefusedURL as exc:
            messages.error(request, f"No test alert sent: {exc} Change the webhook URL.")
            return redirect("responses:alert_rule_edit", pk=rule.pk)
    result = sending.send_test(rule, by=request.user)
    rule.refresh_from_db()
    test = {"ok": result.ok, "summary": result.summary, "body": result.body[:REPLY_SHOWN]}
    form = AlertRuleForm.for_rule(rule)
    return render(request, "responses/alerts/rule_edit.html", _edit_context(rule, form, test=test))


@role_required("viewer")
def alert_preferences(request):
    """Everyone's own: which case emails they get and, for leads and admins, which email alert rules."""
    preference = AlertPreference.of(request.user)
    can_subscribe = has_role(request.user, "lead")
    form = AlertPreferenceForm(request.POST or None, instance=preference, prefix="mine")
    subscriptions = None
    if can_subscribe:
        mine = list(
            request.user.alert_rules.filter(destination=AlertRule.Destination.EMAIL).values_list(
                "pk", flat=True
            )
        )
        subscriptions = SubscriptionsForm(request.POST or None, initial={"rules": mine}, prefix="rules")
    if request.method == "POST":
        valid = form.is_valid() and (subscriptions is None or subscriptions.is_valid())
        if valid:
            changes = audit.changes_of(form)
            form.save()
            if subscriptions is not None:
                chosen = {rule.pk for rule in subscriptions.cleaned_data["rules"]}
                added, removed = chosen - set(mine), set(mine) - chosen
                rules_qs = AlertRule.objects.filter(destination=AlertRule.Destination.EMAIL)
                for rule in rules_qs.filter(pk__in=added):
                    rule.recipients.add(request.user)
                for rule in rules_qs.filter(pk__in=removed):
                    rule.recipients.remove(request.user)
                if added or removed:
                    changes["alert_rules"] = [sorted(mine), sorted(chosen)]
            if changes:
                audit.record("alert_preference.update", obj=request.user, changes=changes, request=request)
            messages.success(request, "Your alert emails are saved.")
            return redirect("responses:alert_preferences")
        status = 400
    else:
        status = 200
    context = {"form": form, "subscriptions": subscriptions, "can_subscribe": can_subscribe}
    return render(request, "responses/alerts/preferences.html", context, status=status)
