"""The pages where leads work cases: the inbox, the case page and its actions, and an answer's permalink.

Viewers read everything here but a contact's details (name only, as on the comments page); leads and admins
act. Every action is a plain POST that redirects back to the case page with a message; bad input re-renders
the case page with the error and a 400, and writes nothing. Every write goes through services.py (or
replies.py for replies to the customer), which puts it on the case's timeline.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboards.metrics import LABELS, group_of
from nps.accounts.roles import has_role, role_required
from surveys.models import Channel

from ..models import Answer, AnswerRevision, Case, CaseEvent, Tag
from . import replies, services
from .forms import (
    VIEWS,
    AssignForm,
    DueForm,
    InboxForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
)

PAGE_SIZE = 25
HISTORY_LIMIT = 100  # answers on the permalink's trend and table; a contact rarely has more


# Small words for the pages (no arithmetic on scores here: groups come from dashboards.metrics).


def _amount(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def due_label(case: Case, now: datetime) -> str:
    """ "due in 5 h", "overdue by 2 days"; empty for a closed case or one without a due time."""
    if not case.is_open or case.due_at is None:
        return ""
    if case.due_at <= now:
        return f"overdue by {_amount(now - case.due_at)}"
    return f"due in {_amount(case.due_at - now)}"


def _name(user) -> str:
    return (user.name or user.email) if user else "OpenNPS"


def _choice(choices, value) -> str:
    return dict(choices).get(value, value or "—")


def _describe(event: CaseEvent) -> str:
    """One line for the timeline, from the event's kind and its data ({"from": …, "to": …})."""
    data = event.data or {}
    before, after = data.get("from"), data.get("to")
    kind = CaseEvent.Kind
    if event.kind == kind.STATUS:
        return f"Status: {_choice(Case.Status.choices, before)} → {_choice(Case.Status.choices, after)}"
    if event.kind == kind.PRIORITY:
        return f"Priority: {_choice(Case.Priority.choices, before)} → {_choice(Case.Priority.choices, after)}"
    if event.kind == kind.OWNER:
        return f"Owner: {before or 'nobody'} → {after or 'nobody'}"
    if event.kind == kind.OPENED:
        rule = data.get("rule")
        return f"Case opened by the rule “{rule}”" if rule else "Case opened"
    if event.kind == kind.ANSWERED_AGAIN and after is not None:
        return f"Answered again: {after} (the case's score was {before})"
    if event.kind == kind.COMMENT:
        if data.get("kept_with") is not None:
            return f"Comment kept with the earlier score {data['kept_with']} (in the answer's history)"
        return "Comment changed" if data.get("from") else "Comment added"
    if event.kind == kind.OVERDUE:
        return "Overdue: the due time passed"
    if event.kind == kind.SCORE and before is not None:
        return f"Score changed from {before} to {after}"
    if event.kind == kind.TAGS:
        tags = after if isinstance(after, list) else data.get("tags")
        if isinstance(tags, list):
            return "Tags: " + (", ".join(str(t) for t in tags) if tags else "none")
    if event.kind == kind.DUE:
        if after:
            moment = _parse_moment(after)
            return "Due " + (
                timezone.localtime(moment).strftime("%-d %b %Y, %H:%M") if moment else str(after)
            )
        return "Due time cleared"
    return event.get_kind_display()


def _parse_moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# The inbox


@require_GET
@role_required("viewer")
def inbox(request):
    """My cases, the unassigned queue, overdue, all open, all; with filters and a count per tab."""
    form = InboxForm(request.GET)
    is_lead = has_role(request.user, "lead")
    context = {"form": form, "can_work": is_lead, "can_see_contacts": is_lead, "tag_names": _tag_names()}
    if not form.is_valid():
        context.update(tabs=[], view="", page=None)
        return render(request, "responses/cases/inbox.html", context, status=400)
    # Viewers own no case: their inbox opens on all open cases.
    view = form.cleaned_data["view"] or ("mine" if is_lead else "open")
    filters = form.filters()
    base = request.GET.copy()
    base.pop("page", None)
    base.pop("view", None)
    filter_query = base.urlencode()
    try:
        tabs = [
            {
                "view": key,
                "label": label,
                "count": services.inbox(request.user, view=key, filters=filters).count(),
                "query": f"view={key}" + (f"&{filter_query}" if filter_query else ""),
            }
            for key, label in VIEWS
            if is_lead or key != "mine"  # viewers own no case
        ]
    except ValueError as error:  # the service's own check of a filter the form let through
        form.add_error(None, str(error))
        context.update(tabs=[], view=view, page=None)
        return render(request, "responses/cases/inbox.html", context, status=400)
    cases = services.inbox(request.user, view=view, filters=filters).select_related(
        "campaign", "contact", "owner", "answer"
    )
    page = Paginator(cases, PAGE_SIZE).get_page(form.cleaned_data["page"])
    now = timezone.now()
    for case in page.object_list:
        case.due_label = due_label(case, now)
    query_string = f"view={view}" + (f"&{filter_query}" if filter_query else "")
    context.update(
        view=view,
        tabs=tabs,
        page=page,
        query_string=query_string,
        filter_query=filter_query,
        filter_count=len(filters),
        has_any_case=Case.objects.exists(),
        follow_up_url=_follow_up_url(request.user),
    )
    return render(request, "responses/cases/inbox.html", context)


def _tag_names() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:500])


def _follow_up_url(user) -> str:
    if not has_role(user, "admin"):
        return ""
    try:
        return reverse("responses:followup_settings")
    except NoReverseMatch:  # the settings pages are another helper's; the inbox works without them
        return ""


# The case page


def _case_queryset(user):
    return services.queryset_for(user).select_related(
        "campaign__brand", "contact", "owner", "answer__campaign", "answer__contact"
    )


@require_GET
@role_required("viewer")
def case_detail(request, pk):
    case = get_object_or_404(_case_queryset(request.user), pk=pk)
    return _case_page(request, case)


def _case_page(request, case: Case, *, failed: dict | None = None, status: int = 200):
    """The case page; `failed` holds the bound form that failed ({"note": form}), shown with its errors."""
    failed = failed or {}
    is_lead = has_role(request.user, "lead")
    answer = case.answer
    events = list(
        case.events.select_related("actor", "message", "message__author").order_by("created_at", "pk")
    )
    now = timezone.now()
    for event in events:
        event.line = _describe(event)
        event.who = _name(event.actor)
        event.is_note = event.kind == CaseEvent.Kind.NOTE
        event.is_message = event.message_id is not None and event.kind in (
            CaseEvent.Kind.REPLY_OUT,
            CaseEvent.Kind.REPLY_IN,
        )
    tags = list(answer.tags.order_by("name").values_list("name", flat=True))
    context = {
        "case": case,
        "answer": answer,
        "contact": case.contact,
        "events": events,
        "tags": tags,
        "due_label": due_label(case, now),
        "can_work": is_lead,
        "can_see_contacts": is_lead,
        "group_label": LABELS.get(case.group, case.group).removesuffix("s"),
    }
    if is_lead:
        channels = replies.channels_for(case)
        context.update(
            assign_form=failed.get("assign") or AssignForm(initial={"owner": case.owner_id}),
            status_form=failed.get("status") or StatusForm(initial={"status": case.status}),
            priority_form=failed.get("priority") or PriorityForm(initial={"priority": case.priority}),
            due_form=failed.get("due")
            or DueForm(initial={"due_at": timezone.localtime(case.due_at) if case.due_at else None}),
            note_form=failed.get("note") or NoteForm(),
            tags_form=failed.get("tags") or TagsForm(initial={"tags": ", ".join(tags)}),
            reply_form=failed.get("reply")
            or ReplyForm(channels=channels, initial={"subject": replies.default_subject(case)}),
            reply_routes=_reply_routes(case, channels),
            tag_names=_tag_names(),
            is_mine=case.owner_id == request.user.pk,
        )
    return render(request, "responses/cases/case_detail.html", context, status=status)


def _reply_routes(case: Case, channels: list[str]) -> dict[str, str]:
    """Where each channel's reply goes, said before it is sent: "To ana@… from Acme Support, …"."""
    contact, brand = case.contact, case.campaign.brand
    routes = {}
    for channel in channels:
        if channel == Channel.EMAIL and contact is not None:
            text = f"Email to {contact.email} from {brand.sender_name or brand.name}"
            if replies.reply_address(case):
                text += "; the customer's replies come back to this case"
            else:
                text += "; replies go to the brand's address, not to this case (no reply address is set up)"
            routes[channel] = text + "."
        elif contact is not None and contact.phone:
            label = dict(Channel.choices).get(channel, channel)
            routes[channel] = f"{label} to {contact.phone}; the customer's replies come back to this case."
    return routes


# Case actions: leads and admins, POST only; each writes through services and says what it did.


def _action(request, pk, *, name: str, form_class, apply):
    case = get_object_or_404(_case_queryset(request.user), pk=pk)
    form = form_class(request.POST, **({"channels": replies.channels_for(case)} if name == "reply" else {}))
    if not form.is_valid():
        messages.error(request, "Nothing was changed: please correct the form below.")
        return _case_page(request, case, failed={name: form}, status=400)
    try:
        text = apply(case, form.cleaned_data)
    except ValueError as error:  # the service's own check (e.g. a channel that no longer reaches them)
        form.add_error(None, str(error))
        messages.error(request, f"Nothing was changed: {error}")
        return _case_page(request, case, failed={name: form}, status=400)
    if text:
        messages.success(request, text)
    return redirect(case.get_absolute_url() + (f"#{name}" if name in ("note", "reply") else ""))


@require_POST
@role_required("lead")
def case_assign(request, pk):
    def apply(case, data):
        owner = data["owner"]
        if owner == case.owner:
            return ""  # nothing to do: the page already says who owns it
        services.assign(case, owner, by=request.user)
        if owner is None:
            return "The case is back in the unassigned queue."
        return "The case is yours." if owner == request.user else f"Assigned to {_name(owner)}."

    return _action(request, pk, name="assign", form_class=AssignForm, apply=apply)


@require_POST
@role_required("lead")
def case_status(request, pk):
    def apply(case, data):
        if data["status"] == case.status:
            return ""
        services.set_status(case, data["status"], by=request.user)
        return f"Status: {_choice(Case.Status.choices, data['status'])}."

    return _action(request, pk, name="status", form_class=StatusForm, apply=apply)


@require_POST
@role_required("lead")
def case_priority(request, pk):
    def apply(case, data):
        if data["priority"] == case.priority:
            return ""
        services.set_priority(case, data["priority"], by=request.user)
        return f"Priority: {_choice(Case.Priority.choices, data['priority'])}."

    return _action(request, pk, name="priority", form_class=PriorityForm, apply=apply)


@require_POST
@role_required("lead")
def case_due(request, pk):
    def apply(case, data):
        if data["due_at"] == case.due_at:
            return ""
        services.set_due(case, data["due_at"], by=request.user)
        if data["due_at"] is None:
            return "The due time is cleared."
        return f"Due {timezone.localtime(data['due_at']):%-d %b %Y, %H:%M}."

    return _action(request, pk, name="due", form_class=DueForm, apply=apply)


@require_POST
@role_required("lead")
def case_note(request, pk):
    def apply(case, data):
        services.add_note(case, data["text"], by=request.user)
        return "Note added."

    return _action(request, pk, name="note", form_class=NoteForm, apply=apply)


@require_POST
@role_required("lead")
def case_tags(request, pk):
    def apply(case, data):
        current = list(case.answer.tags.order_by("name").values_list("name", flat=True))
        if sorted(n.casefold() for n in current) == sorted(n.casefold() for n in data["tags"]):
            return ""
        services.set_tags(case.answer, data["tags"], by=request.user)
        return "Tags saved." if data["tags"] else "Tags removed."

    return _action(request, pk, name="tags", form_class=TagsForm, apply=apply)


@require_POST
@role_required("lead")
def case_reply(request, pk):
    def apply(case, data):
        message = replies.reply(
            case, channel=data["channel"], body=data["body"], subject=data["subject"], by=request.user
        )
        return f"Reply queued to {message.to_address or 'the customer'}."

    return _action(request, pk, name="reply", form_class=ReplyForm, apply=apply)


# The answer's permalink


@require_GET
@role_required("viewer")
def answer_detail(request, pk):
    """One answer with its contact's whole history as a small trend; webhooks' `permalink` points here."""
    answer = get_object_or_404(
        Answer.objects.select_related("campaign", "contact", "recorded_by").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"))
        ),
        pk=pk,
    )
    is_lead = has_role(request.user, "lead")
    history = []
    if answer.contact_id:
        history = list(
            answer.contact.answers.select_related("campaign").order_by("-answered_at", "-pk")[:HISTORY_LIMIT]
        )[::-1]
    for item in history:
        item.is_this = item.pk == answer.pk
    case = Case.objects.filter(answer=answer).select_related("owner").first()
    context = {
        "answer": answer,
        "changes": answer_changes(answer),
        "contact": answer.contact,
        "case": case,
        "history": history,
        "history_limited": len(history) == HISTORY_LIMIT,
        "trend": sparkline([item.score for item in history], [item.is_this for item in history]),
        "can_see_contacts": is_lead,
        "can_work": is_lead,
        "group_label": LABELS.get(answer.group, answer.group).removesuffix("s"),
    }
    return render(request, "responses/cases/answer_detail.html", context)


def answer_changes(answer: Answer) -> list[dict]:
    """The scores this answer has had, oldest first, each with the comment written for it, when it was given,
    until when it held and how the next one came ([] when the score never changed)."""
    revisions = list(answer.revisions.all())
    if not revisions:
        return []
    sources = dict(AnswerRevision.Source.choices)
    rows, since = [], answer.answered_at
    for revision in revisions:
        rows.append(
            {
                "score": revision.score,
                "group": revision.group,
                "comment": revision.comment,
                "since": since,
                "until": revision.changed_at,
                "changed_by": sources.get(revision.source, revision.source),
            }
        )
        since = revision.changed_at
    rows.append(
        {
            "score": answer.score,
            "group": answer.group,
            "comment": answer.comment,
            "since": since,
            "until": None,
            "changed_by": "",
            "is_current": True,
        }
    )
    return rows


def sparkline(scores: list[int], current: list[bool], *, width: int = 240, height: int = 48) -> dict | None:
    """The points of a tiny inline SVG trend of 0–10 scores, oldest first (None under two answers)."""
    if len(scores) < 2:
        return None
    pad = 5
    step = (width - 2 * pad) / (len(scores) - 1)

    def y(score: int) -> float:
        return round(height - pad - score * (height - 2 * pad) / 10, 1)

    points = [
        {"x": round(pad + i * step, 1), "y": y(score), "score": score, "group": group_of(score), "this": this}
        for i, (score, this) in enumerate(zip(scores, current, strict=True))
    ]
    return {
        "width": width,
        "height": height,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        # The lines between the groups: passives from 7, promoters from 9.
        "passive_y": y(7),
        "promoter_y": y(9),
    }
