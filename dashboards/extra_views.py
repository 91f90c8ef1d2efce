"""Comments, saved views, share links, CSV export and the digest settings (the dashboard is views.home)."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from nps.roles import has_role, public, role_required

from . import comments, export, panels, services
from .extra_forms import DigestForm, SavedViewForm, ShareLinkForm
from .forms import FilterForm
from .models import DigestSubscription, SavedView, ShareLink

# plotly.js injects a <style> element when it draws; its PNG export loads the chart's SVG from a blob: URL.
PLOTLY_CSP = {"style-src": ["'unsafe-inline'"], "img-src": ["blob:"]}


def _contact_pages_exist() -> bool:
    try:
        reverse("surveys:contact_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


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
    filter_form, comment_form = FilterForm(data), comments.CommentForm(request.GET)
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
    base = _without(request.GET, "page")
    context.update(
        answers=rows,
        page=page,
        previous_url=f"?{base}&page={page - 1}" if page > 1 else None,
        next_url=f"?{base}&page={page + 1}" if has_next else None,
        export_query=_without(request.GET, "page", "q", "group", "score"),
        contact_links=context["can_see_contacts"] and _contact_pages_exist(),
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
    lines = export.csv_lines(form.filters(), include_contact=has_role(request.user, "lead"))
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
    view = services.save_view(
        name=form.cleaned_data["name"], query=form.cleaned_data["query"], by=request.user
    )
    messages.success(request, f"View “{view.name}” saved. Everyone in your team can open it.")
    return redirect(view)


@role_required("lead")
def saved_view_edit(request, pk):
    view = get_object_or_404(SavedView, pk=pk)
    form = SavedViewForm(request.POST or None, instance=view, initial={"name": view.name})
    if request.method == "POST" and form.is_valid():
        services.update_view(view, name=form.cleaned_data["name"])
        messages.success(request, f"View renamed to “{view.name}”.")
        return redirect("dashboards:saved_views")
    status = 400 if form.errors else 200
    return render(request, "dashboards/saved_view_form.html", {"form": form, "view": view}, status=status)


@require_POST
@role_required("lead")
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk)
    services.delete_view(view)
    messages.success(request, f"View “{view.name}” deleted; its share links no longer work.")
    return redirect("dashboards:saved_views")


# ---- Share links ----


@role_required("lead")
def share_links(request, pk):
    """The view's public links: create one, copy, revoke."""
    view = get_object_or_404(SavedView, pk=pk)
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = services.create_share_link(
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
    services.revoke_share_link(link)
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
    """The filters in words: "Last 30 days · Support NPS · Email"."""
    data = form.cleaned_data
    period = data.get("period") or "90d"
    if period == "custom":
        parts = [f"{data['start']:%d %b %Y} – {data['end']:%d %b %Y}"]
    else:
        parts = [dict(form.fields["period"].choices).get(period, period)]
    parts += [campaign.name for campaign in data.get("campaign") or ()]
    channels = dict(form.fields["channel"].choices)
    parts += [str(channels.get(channel, channel)) for channel in data.get("channel") or ()]
    return " · ".join(parts)


@public
@csp_update(PLOTLY_CSP)
@require_GET
def shared(request, token):
    """A saved view's panels for anyone with the link, signed out; never a contact's name or address."""
    if is_ratelimited(request, group="share", key="ip", rate=settings.SHARE_RATELIMIT, increment=True):
        response = render(request, "dashboards/share_invalid.html", {"rate_limited": True}, status=429)
        response["Retry-After"] = "60"
        return response
    link = services.find_share_link(token[:64])
    if link is None:
        return render(request, "dashboards/share_invalid.html", status=404)
    form = _saved_filters(link.saved_view)
    data = form.cleaned_data
    context = panels.compute(form.filters(), grain=data["grain"], window=data["window"], by=data["by"])
    if not link.include_comments:
        context.pop("comments", None)
    context.update(link=link, view=link.saved_view, description=_describe(form), by=data["by"])
    response = render(request, "dashboards/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# ---- Digest ----


@role_required("viewer")
def digest_settings(request):
    subscription = DigestSubscription.objects.filter(user=request.user).first()
    initial = (
        {"enabled": True, "weekday": subscription.weekday, "hour": subscription.hour} if subscription else {}
    )
    form = DigestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["enabled"]:
            subscription = services.subscribe_digest(
                request.user, weekday=form.cleaned_data["weekday"], hour=form.cleaned_data["hour"]
            )
            when = timezone.localtime(subscription.next_send_at).strftime("%A %d %B at %H:%M")
            messages.success(request, f"Weekly digest on. The next one arrives on {when}.")
        else:
            services.unsubscribe_digest(request.user)
            messages.success(request, "Weekly digest off. You will not receive it any more.")
        return redirect("dashboards:digest_settings")
    context = {"form": form, "subscription": subscription, "time_zone": settings.TIME_ZONE}
    return render(request, "dashboards/digest_settings.html", context, status=400 if form.errors else 200)
