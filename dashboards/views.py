"""The dashboards' pages: the dashboard, comments, CSV export, saved views, share links, digest settings."""

import logging

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from nps import audit, ratelimit
from nps.accounts.roles import has_role, public, role_required
from responses.models import Answer

from . import comments, digest, export, followup, panels, queries, sharing
from .forms import CommentForm, DigestForm, FilterForm, SavedViewForm, ShareLinkForm
from .models import DigestSubscription, SavedView, ShareLink

# plotly.js injects a <style> element when it draws; its PNG export (static/js/chart_png.js) draws the
# chart's SVG from a blob: URL onto a canvas.
PLOTLY_CSP = {"style-src": ["'unsafe-inline'"], "img-src": ["blob:"]}

logger = logging.getLogger(__name__)

DEFAULTS = {"period": "90d", "grain": "week", "window": "1"}


def _url_with(query, **changes) -> str:
    """The current query string with some parameters set (or removed when None)."""
    query = query.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode()


@csp_update(PLOTLY_CSP)
@role_required("viewer")
def home(request):
    # Defaults fill what the URL leaves out, so that the selects show what the panels use.
    data = request.GET.copy()
    for key, value in DEFAULTS.items():
        data.setdefault(key, value)
    form = FilterForm(data)
    if not form.is_valid():
        return render(request, "dashboards/home.html", {"form": form, "filter_summary": ""}, status=400)
    filters = form.filters()
    context = panels.compute(
        filters,
        grain=form.cleaned_data["grain"],
        window=form.cleaned_data["window"],
        by=form.cleaned_data["by"],
        trend_by=form.cleaned_data["trend_by"],
    )
    context.update(
        form=form,
        filters=filters,
        by=form.cleaned_data["by"],
        has_any_answer=Answer.objects.exists(),
        can_see_contacts=has_role(request.user, "lead"),
        clear_segment_url=_url_with(request.GET, segment=None),
        segment_label=queries.segment_label(*filters.segment) if filters.segment else None,
        theme=form.cleaned_data["theme"],
        clear_theme_url=_url_with(request.GET, theme=None),
        theme_url=_url_with(request.GET, theme="0")[:-1],  # + a theme's number: the panel's links
        segment_rows=[(s, _url_with(request.GET, segment=s.param)) for s in context.get("segments", ())],
        filter_summary=form.summary(),
    )
    # What a downloaded chart image says under its title (static/js/chart_png.js): every filter, in full.
    context["png_context"] = " · ".join(filter(None, [_describe(form), context["segment_label"]]))
    if context["split"].total:
        context.update(followup.panel(filters, detractors=context["split"].detractors))
    return render(request, "dashboards/home.html", context)


# ---- Comments and export ----


def _without(query: QueryDict, *keys: str) -> str:
    data = query.copy()
    for key in keys:
        data.pop(key, None)
    return data.urlencode()


@require_GET
@role_required("viewer")
def comments_page(request):
    """Comments newest first; leads also see who wrote them (a link to the contact)."""
    data = request.GET.copy()
    data.setdefault("period", "90d")  # what the dashboard opens with, so that the select shows it
    filter_form, comment_form = FilterForm(data), CommentForm(request.GET)
    valid = filter_form.is_valid() & comment_form.is_valid()
    context = {
        "form": filter_form,
        "comment_form": comment_form,
        "can_see_contacts": has_role(request.user, "lead"),
    }
    if not valid:
        return render(request, "dashboards/comments.html", context, status=400)
    data = comment_form.cleaned_data
    qs = comments.search_comments(
        filter_form.filters(), group=data["group"], score=data["score"], text=data["q"]
    )
    page = data["page"] or 1
    rows, has_next = comments.page_of(qs, page)
    rows = panels.with_theme_tags(rows)
    theme = filter_form.cleaned_data["theme"]
    base = _without(request.GET, "page")
    context.update(
        answers=rows,
        page=page,
        previous_url=f"?{base}&page={page - 1}" if page > 1 else None,
        next_url=f"?{base}&page={page + 1}" if has_next else None,
        export_query=_without(request.GET, "page", "q", "group", "score"),
        theme=theme,
        clear_theme_url="?" + _without(request.GET, "page", "theme"),
    )
    return render(request, "dashboards/comments.html", context)


@require_GET
@role_required("viewer")
def export_csv(request):
    """The filtered answers as CSV, streamed; contact name, email and every property for leads only."""
    form = FilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(e for errors in form.errors.values() for e in errors)
        return HttpResponse(f"Invalid filters: {errors}\n", status=400, content_type="text/plain")
    include_contact = has_role(request.user, "lead")
    lines = export.csv_lines(form.filters(), include_contact=include_contact)
    filters = {key: value for key, value in request.GET.items() if value}
    audit.record(
        "export.responses", label="Responses CSV", changes={"filters": filters, "contacts": include_contact}
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="nps-responses-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# ---- Saved views ----


@require_GET
@role_required("viewer")
def saved_views(request):
    views = SavedView.objects.select_related("created_by")
    return render(
        request, "dashboards/saved_views.html", {"views": views, "can_edit": has_role(request.user, "lead")}
    )


@require_POST
@role_required("lead")
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        return render(request, "dashboards/saved_view_form.html", {"form": form}, status=400)
    view = sharing.save_view(
        name=form.cleaned_data["name"], query=form.cleaned_data["query"], by=request.user
    )
    messages.success(request, f"View “{view.name}” saved. Everyone in your team can open it.")
    return redirect(view)


@role_required("lead")
def saved_view_edit(request, pk):
    view = get_object_or_404(SavedView, pk=pk)
    form = SavedViewForm(request.POST or None, instance=view, initial={"name": view.name})
    if request.method == "POST" and form.is_valid():
        sharing.update_view(view, name=form.cleaned_data["name"])
        messages.success(request, f"View renamed to “{view.name}”.")
        return redirect("dashboards:saved_views")
    status = 400 if form.errors else 200
    return render(request, "dashboards/saved_view_form.html", {"form": form, "view": view}, status=status)


@require_POST
@role_required("lead")
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk)
    sharing.delete_view(view)
    messages.success(request, f"View “{view.name}” deleted; its share links no longer work.")
    return redirect("dashboards:saved_views")


# ---- Share links ----


@role_required("lead")
def share_links(request, pk):
    """The view's public links: create one, copy, revoke."""
    view = get_object_or_404(SavedView, pk=pk)
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = sharing.create_share_link(
            view,
            by=request.user,
            include_comments=form.cleaned_data["include_comments"],
            expires_at=form.expires_at(),
        )
        messages.success(request, "Share link created. Anyone with the link can see this view, signed out.")
        return redirect(reverse("dashboards:share_links", args=[view.pk]) + f"?new={link.pk}")
    links = view.share_links.select_related("created_by")
    context = {"view": view, "form": form, "links": links, "new_id": request.GET.get("new", "")}
    return render(request, "dashboards/share_links.html", context, status=400 if form.errors else 200)


@require_POST
@role_required("lead")
def share_link_revoke(request, pk):
    link = get_object_or_404(ShareLink.objects.select_related("saved_view"), pk=pk)
    sharing.revoke_share_link(link)
    messages.success(request, "The share link no longer works.")
    return redirect("dashboards:share_links", pk=link.saved_view_id)


def _saved_filters(view: SavedView) -> FilterForm:
    """The view's filters; a filter that no longer applies (a deleted campaign) is dropped, not fatal."""
    data = QueryDict(view.query, mutable=True)
    form = FilterForm(data)
    if not form.is_valid():
        for field in form.errors:
            data.pop(field, None)
        form = FilterForm(data)
        if not form.is_valid():
            form = FilterForm({})
            form.is_valid()
    return form


def _describe(form: FilterForm) -> str:
    """Every filter in words, the narrowest first: "Region = India · Support NPS · Email · Last 30 days"."""
    data = form.cleaned_data
    parts = [f"Theme = {data['theme'].display_name}"] if data.get("theme") else []
    parts += [queries.segment_label(*data["segment"], sep=" = ")] if data.get("segment") else []
    parts += [campaign.name for campaign in data.get("campaign") or ()]
    channels = dict(form.fields["channel"].choices)
    parts += [str(channels.get(channel, channel)) for channel in data.get("channel") or ()]
    period = data.get("period") or "90d"
    if period == "custom":
        start, end = data["start"], data["end"]
        parts.append(f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}")
    else:
        parts.append(str(dict(form.fields["period"].choices).get(period, period)))
    return " · ".join(parts)


@public
@csp_update(PLOTLY_CSP)
@require_GET
def shared(request, token):
    """A saved view's panels for anyone with the link, signed out; never a contact's name or address."""
    if ratelimit.hit("share", ratelimit.client_address(request), "SHARE_RATELIMIT") is not None:
        response = render(request, "dashboards/share_invalid.html", {"rate_limited": True}, status=429)
        response["Retry-After"] = str(ratelimit.rate_of("SHARE_RATELIMIT")[1])  # a whole window
        return response
    link = sharing.find_share_link(token[:64])
    if link is None:
        return render(request, "dashboards/share_invalid.html", status=404)
    form = _saved_filters(link.saved_view)
    data = form.cleaned_data
    context = panels.compute(
        form.filters(), grain=data["grain"], window=data["window"], by=data["by"], trend_by=data["trend_by"]
    )
    if not link.include_comments:
        context.pop("comments", None)
    context.update(
        link=link,
        view=link.saved_view,
        description=_describe(form),
        by=data["by"],
        by_label=dict(form.fields["by"].choices).get(data["by"], data["by"]),
        segment_condition=queries.segment_label(*data["segment"], sep=" = ") if data.get("segment") else None,
        theme=data.get("theme"),
        shared=True,
    )
    response = render(request, "dashboards/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- Digest ----


def _digest_initial(subscription) -> dict:
    return (
        {"enabled": True, "weekday": subscription.weekday, "hour": subscription.hour} if subscription else {}
    )


@role_required("viewer")
def digest_settings(request):
    subscription = DigestSubscription.objects.filter(user=request.user).first()
    form = DigestForm(request.POST or None, initial=_digest_initial(subscription))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["enabled"]:
            subscription = digest.subscribe_digest(
                request.user, weekday=form.cleaned_data["weekday"], hour=form.cleaned_data["hour"]
            )
            when = timezone.localtime(subscription.next_send_at).strftime("%A %d %B at %H:%M")
            messages.success(request, f"Weekly digest on. The next one arrives on {when}.")
        else:
            digest.unsubscribe_digest(request.user)
            messages.success(request, "Weekly digest off. You will not receive it any more.")
        return redirect("dashboards:digest_settings")
    return _digest_page(request, form, subscription, status=400 if form.errors else 200)


def _digest_page(request, form, subscription, *, status: int = 200, problem: str = "") -> HttpResponse:
    """The digest settings with this week's digest as it would be sent now (subject, frame, text part)."""
    week = digest.build_digest(timezone.now())
    message = digest.build_message(request.user, week)
    context = {
        "week": week.filters,
        "form": form,
        "subscription": subscription,
        "time_zone": settings.TIME_ZONE,
        "message": message,
        "problem": problem,
    }
    return render(request, "dashboards/digest_settings.html", context, status=status)


@xframe_options_sameorigin
@csp_replace(
    {
        "frame-ancestors": ["'self'"],
        # The email's inline styles, and nothing that runs or posts.
        "style-src": ["'unsafe-inline'"],
        "script-src": ["'none'"],
        "form-action": ["'none'"],
    }
)
@require_GET
@role_required("viewer")
def digest_preview(request):
    """The HTML part of this week's digest of the signed-in user, for the settings page's frame."""
    message = digest.build_message(request.user, digest.build_digest(timezone.now()))
    response = HttpResponse(message.alternatives[0][0], content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required("viewer")
def digest_send_now(request):
    """Send this week's digest to the signed-in user at once, whatever their schedule (rate-limited)."""
    limit, seconds = ratelimit.parse_rate(digest.SEND_NOW_RATE)
    wait = ratelimit.hit_rate("digest-now", str(request.user.pk), limit, seconds)
    if wait is not None:
        subscription = DigestSubscription.objects.filter(user=request.user).first()
        form = DigestForm(initial=_digest_initial(subscription))
        minutes = -(-wait // 60)
        problem = (
            f"Sending on request is limited to {ratelimit.describe_rate(digest.SEND_NOW_RATE)}: try again "
            f"in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        response = _digest_page(request, form, subscription, status=429, problem=problem)
        response["Retry-After"] = str(wait)
        return response
    try:
        digest.send_digest_now(request.user)
    except Exception:
        # The mail backend refused or is unreachable: say so; the log has the reason.
        logger.exception("Digest on request to user %s failed", request.user.pk)
        messages.error(
            request, "The digest could not be sent: the mail service did not accept it. Try again later."
        )
    else:
        messages.success(request, f"This week's digest is on its way to {request.user.email}.")
    return redirect("dashboards:digest_settings")
