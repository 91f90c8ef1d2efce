"""Settings → Follow-up (admins only): targets and at-risk thresholds, case rules, assignment rules.

Rules apply in their order: the first enabled case rule that matches an answer opens its case (and gives its
priority); the first assignment rule whose property matches the contact picks the owner. Writes are small
and audited here; the rules' format is responses/cases/rules.py.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from nps import audit
from nps.accounts.roles import role_required

from ..models import AssignmentRule, CaseRule, FollowUpSettings
from . import rules
from .settings_forms import AssignmentRuleForm, CaseRuleForm, FollowUpSettingsForm, assignable_users

MAX_RULES = 200  # a workspace with more rules than this has a mistake, not a policy


# Reading ----------------------------------------------------------------------------------------


def _described(rule: CaseRule) -> str:
    try:
        return rules.describe(rules.parse(rule.conditions or {}))
    except ValueError as error:
        return f"Cannot be read ({error}); edit the rule to fix it."


def _page(request, form, *, status=200):
    case_rules = list(CaseRule.objects.all())
    for rule in case_rules:
        rule.description = _described(rule)
    active_owners = assignable_users()
    assignment_rules = list(
        AssignmentRule.objects.prefetch_related(
            Prefetch("owners", queryset=active_owners, to_attr="active_owners")
        )
    )
    context = {
        "form": form,
        "case_rules": case_rules,
        "assignment_rules": assignment_rules,
        "has_assignable": active_owners.exists(),
    }
    return render(request, "responses/follow_up/settings.html", context, status=status)


@role_required("admin")
def followup_settings(request):
    current = FollowUpSettings.get()
    form = FollowUpSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, status=400)
        changes = audit.changes_of(form)
        saved = form.save(commit=False)
        saved.updated_at = timezone.now()
        saved.save()
        audit.record("follow_up.update", obj=saved, label="Follow-up settings", changes=changes)
        messages.success(request, "Targets and at-risk thresholds saved; they apply to answers from now on.")
        return redirect("responses:followup_settings")
    return _page(request, form)


@role_required("admin")
def case_rule_list(request):
    return redirect(reverse("responses:followup_settings") + "#case-rules")


@role_required("admin")
def assignment_list(request):
    return redirect(reverse("responses:followup_settings") + "#assignment-rules")


# Case rules -------------------------------------------------------------------------------------


def _rule_form_page(request, form, rule=None, *, status=200):
    return render(
        request, "responses/follow_up/case_rule_form.html", {"form": form, "rule": rule}, status=status
    )


def _save_case_rule(rule: CaseRule, form: CaseRuleForm) -> CaseRule:
    rule.name = form.cleaned_data["name"]
    rule.priority = form.cleaned_data["priority"]
    rule.enabled = form.cleaned_data["enabled"]
    rule.conditions = rules.to_json(form.conditions())
    rule.save()
    return rule


@role_required("admin")
def case_rule_create(request):
    form = CaseRuleForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _rule_form_page(request, form, status=400)
        if CaseRule.objects.count() >= MAX_RULES:
            form.add_error(None, f"A workspace can have at most {MAX_RULES} case rules; delete one first.")
            return _rule_form_page(request, form, status=400)
        with transaction.atomic():
            last = CaseRule.objects.select_for_update().aggregate(last=Max("position"))["last"]
            rule = _save_case_rule(CaseRule(position=(last or 0) + 1), form)
            audit.record("case_rule.create", obj=rule, changes={"conditions": [None, rule.conditions]})
        messages.success(request, f"Case rule “{rule.name}” created. It applies to answers from now on.")
        return redirect(reverse("responses:followup_settings") + "#case-rules")
    return _rule_form_page(request, form)


@role_required("admin")
def case_rule_edit(request, pk):
    rule = get_object_or_404(CaseRule, pk=pk)
    form = CaseRuleForm.for_rule(rule, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _rule_form_page(request, form, rule, status=400)
        before = {
            "name": rule.name,
            "priority": rule.priority,
            "enabled": rule.enabled,
            "conditions": rule.conditions,
        }
        with transaction.atomic():
            _save_case_rule(rule, form)
            after = {
                "name": rule.name,
                "priority": rule.priority,
                "enabled": rule.enabled,
                "conditions": rule.conditions,
            }
            changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
            audit.record("case_rule.update", obj=rule, changes=changes)
        messages.success(request, f"Case rule “{rule.name}” saved.")
        return redirect(reverse("responses:followup_settings") + "#case-rules")
    return _rule_form_page(request, form, rule)


@role_required("admin")
def case_rule_delete(request, pk):
    rule = get_object_or_404(CaseRule, pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record("case_rule.delete", obj=rule, changes={"conditions": [rule.conditions, None]})
            rule.delete()
        messages.success(request, f"Case rule “{rule.name}” deleted. Cases it opened stay open.")
        return redirect(reverse("responses:followup_settings") + "#case-rules")
    context = {
        "rule": rule,
        "description": _described(rule),
        "case_count": rule.cases.count(),
        "others_enabled": CaseRule.objects.filter(enabled=True).exclude(pk=rule.pk).exists(),
    }
    return render(request, "responses/follow_up/case_rule_delete.html", context)


@require_POST
@role_required("admin")
def case_rule_toggle(request, pk):
    rule = get_object_or_404(CaseRule, pk=pk)
    with transaction.atomic():
        rule.enabled = not rule.enabled
        rule.save(update_fields=["enabled"])
        audit.record("case_rule.update", obj=rule, changes={"enabled": [not rule.enabled, rule.enabled]})
    state = "on: matching answers open cases" if rule.enabled else "off: it opens no cases"
    messages.success(request, f"Case rule “{rule.name}” is {state}.")
    return redirect(reverse("responses:followup_settings") + "#case-rules")


def _move(model, pk, direction: str):
    """Swap a rule with its neighbour above or below; positions are renumbered 1…n on the way."""
    with transaction.atomic():
        ordered = list(model.objects.select_for_update().order_by("position", "pk"))
        index = next((i for i, row in enumerate(ordered) if row.pk == pk), None)
        if index is None:
            return None
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered, start=1):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
        return ordered


def _direction(request):
    direction = request.POST.get("direction")
    return direction if direction in ("up", "down") else None


@require_POST
@role_required("admin")
def case_rule_move(request, pk):
    rule = get_object_or_404(CaseRule, pk=pk)
    direction = _direction(request)
    if direction is None:
        return HttpResponse("Move a rule up or down.", status=400, content_type="text/plain")
    ordered = _move(CaseRule, rule.pk, direction)
    audit.record("case_rule.update", obj=rule, changes={"order": [None, [row.pk for row in ordered or []]]})
    return redirect(reverse("responses:followup_settings") + "#case-rules")


# Assignment rules -------------------------------------------------------------------------------


def _assignment_form_page(request, form, rule=None, *, status=200):
    context = {"form": form, "rule": rule}
    return render(request, "responses/follow_up/assignment_form.html", context, status=status)


def _save_assignment(rule: AssignmentRule, form: AssignmentRuleForm) -> AssignmentRule:
    rule.property = form.cleaned_data["property"]
    rule.value = form.cleaned_data["value"]
    owners = form.cleaned_data["owners"]
    if rule.last_owner_id and rule.last_owner_id not in {owner.pk for owner in owners}:
        rule.last_owner = None
    rule.save()
    rule.owners.set(owners)
    return rule


def _assignment_facts(rule: AssignmentRule) -> dict:
    return {
        "property": rule.property,
        "value": rule.value,
        "owners": sorted(user.email for user in rule.owners.all()),
    }


@role_required("admin")
def assignment_create(request):
    form = AssignmentRuleForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _assignment_form_page(request, form, status=400)
        if AssignmentRule.objects.count() >= MAX_RULES:
            form.add_error(
                None, f"A workspace can have at most {MAX_RULES} assignment rules; delete one first."
            )
            return _assignment_form_page(request, form, status=400)
        with transaction.atomic():
            last = AssignmentRule.objects.select_for_update().aggregate(last=Max("position"))["last"]
            rule = _save_assignment(AssignmentRule(position=(last or 0) + 1), form)
            facts = _assignment_facts(rule)
            audit.record(
                "assignment_rule.create",
                obj=rule,
                label=_assignment_label(rule),
                changes={key: [None, value] for key, value in facts.items()},
            )
        messages.success(request, "Assignment rule created. New cases are assigned by it from now on.")
        return redirect(reverse("responses:followup_settings") + "#assignment-rules")
    return _assignment_form_page(request, form)


def _assignment_label(rule: AssignmentRule) -> str:
    return f"{rule.property} = {rule.value}" if rule.property else "Every case"


@role_required("admin")
def assignment_edit(request, pk):
    rule = get_object_or_404(AssignmentRule, pk=pk)
    form = AssignmentRuleForm.for_rule(rule, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _assignment_form_page(request, form, rule, status=400)
        before = _assignment_facts(rule)
        with transaction.atomic():
            _save_assignment(rule, form)
            after = _assignment_facts(rule)
            changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
            audit.record("assignment_rule.update", obj=rule, label=_assignment_label(rule), changes=changes)
        messages.success(request, "Assignment rule saved.")
        return redirect(reverse("responses:followup_settings") + "#assignment-rules")
    return _assignment_form_page(request, form, rule)


@role_required("admin")
def assignment_delete(request, pk):
    rule = get_object_or_404(AssignmentRule, pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            facts = _assignment_facts(rule)
            audit.record(
                "assignment_rule.delete",
                obj=rule,
                label=_assignment_label(rule),
                changes={key: [value, None] for key, value in facts.items()},
            )
            rule.delete()
        messages.success(request, "Assignment rule deleted. Cases already assigned keep their owner.")
        return redirect(reverse("responses:followup_settings") + "#assignment-rules")
    context = {"rule": rule, "label": _assignment_label(rule), "owners": list(rule.owners.all())}
    return render(request, "responses/follow_up/assignment_delete.html", context)


@require_POST
@role_required("admin")
def assignment_move(request, pk):
    rule = get_object_or_404(AssignmentRule, pk=pk)
    direction = _direction(request)
    if direction is None:
        return HttpResponse("Move a rule up or down.", status=400, content_type="text/plain")
    ordered = _move(AssignmentRule, rule.pk, direction)
    audit.record(
        "assignment_rule.update",
        obj=rule,
        label=_assignment_label(rule),
        changes={"order": [None, [row.pk for row in ordered or []]]},
    )
    return redirect(reverse("responses:followup_settings") + "#assignment-rules")
