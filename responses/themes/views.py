"""The theme pages: the list with the last learn run, a theme, rule themes, merging and splitting, tagging.

Viewers read the list and a theme; leads and admins act. Actions are POSTs that redirect back with a message;
bad input re-renders the page with the error and a 400, and writes nothing. Confirmations (merge, split,
delete) are pages of their own that state what will happen before it does.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nps.accounts.roles import has_role, role_required

from ..models import COUNTED_THEME_SOURCES, Answer, AnswerTheme, Theme, ThemeClassifier, ThemeRun
from . import services, suggest
from .display import themes_by_answer
from .forms import (
    LANGUAGE_NAMES,
    SHOWS,
    FlagForm,
    ListForm,
    MergeForm,
    RenameForm,
    RuleThemeForm,
    TagForm,
    WordsForm,
    language_name,
)
from .services import ThemeError
from .text import detect

EXAMPLES = 20
PHRASES_SHOWN = 6  # key phrases per language on the list
ACTIVE_RUN = [ThemeRun.State.QUEUED, ThemeRun.State.RUNNING]


def _counted():
    return Count("answer_links", filter=Q(answer_links__source__in=COUNTED_THEME_SOURCES))


def _languages(theme: Theme) -> list[dict]:
    """Per language group: its name, key phrases and (rule themes) words."""
    groups = list(dict.fromkeys([*theme.key_phrases, *theme.rule_terms]))
    return [
        {
            "code": group,
            "name": language_name(group),
            "phrases": (theme.key_phrases or {}).get(group, []),
            "words": (theme.rule_terms or {}).get(group, []),
        }
        for group in groups
    ]


def _filtered(show: str):
    themes = Theme.objects.all()
    if show == "hidden":
        return themes.filter(hidden=True, merged_into=None, retired=False)
    if show == "merged":
        return themes.exclude(merged_into=None).select_related("merged_into")
    if show == "retired":
        return themes.filter(retired=True, merged_into=None)
    return services.active_themes()


# The list


@require_GET
@role_required("viewer")
def theme_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        return render(request, "responses/themes/list.html", {"form": form, "themes": []}, status=400)
    show = form.cleaned_data["show"] or "active"
    themes = list(
        _filtered(show)
        .annotate(comments=_counted())
        .select_related("parent")
        .order_by("-pinned", "-comments", "name", "label", "pk")
    )
    for theme in themes:
        theme.languages = _languages(theme)
        for language in theme.languages:
            language["phrases"] = language["phrases"][:PHRASES_SHOWN]
    counts = {key: _filtered(key).count() for key, _ in SHOWS}
    context = {
        "form": form,
        "show": show,
        "tabs": [{"key": key, "label": label, "count": counts[key]} for key, label in SHOWS],
        "themes": themes,
        "can_edit": has_role(request.user, "lead"),
        "last_run": ThemeRun.objects.exclude(state__in=ACTIVE_RUN).order_by("-created_at", "-pk").first(),
        "active_run": ThemeRun.objects.filter(state__in=ACTIVE_RUN).first(),
        "has_any": any(counts.values()),
    }
    if context["last_run"] is not None:
        context["last_run_languages"] = sorted(
            ((language_name(k), v) for k, v in (context["last_run"].languages or {}).items()),
            key=lambda item: -item[1] if isinstance(item[1], int) else 0,
        )
    return render(request, "responses/themes/list.html", context)


@require_GET
@role_required("viewer")
def theme_run(request, pk):
    """The progress of a learn run (polled by the list page every 2 s while it runs)."""
    run = get_object_or_404(ThemeRun, pk=pk)
    return render(request, "responses/themes/_run.html", {"run": run, "polling": True})


@require_POST
@role_required("lead")
def theme_relearn(request):
    try:
        services.start_learn(by=request.user)
    except ThemeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Re-learning the themes: this page shows the progress. Your edits stay.")
    return redirect("responses:theme_list")


# A theme


def _theme_page(request, theme: Theme, *, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    can_edit = has_role(request.user, "lead")
    examples = list(
        Answer.objects.filter(
            pk__in=AnswerTheme.objects.filter(theme=theme, source__in=COUNTED_THEME_SOURCES).values(
                "answer_id"
            )
        )
        .exclude(comment="")
        .select_related("campaign")
        .order_by("-answered_at", "-pk")[:EXAMPLES]
    )
    tags = themes_by_answer([answer.pk for answer in examples])
    for answer in examples:
        answer.theme_tags = tags.get(answer.pk, [])
    counts = AnswerTheme.objects.filter(theme=theme).aggregate(
        comments=Count("pk", filter=Q(source__in=COUNTED_THEME_SOURCES)),
        hand=Count("pk", filter=Q(source=AnswerTheme.Source.HAND)),
        removed=Count("pk", filter=Q(source=AnswerTheme.Source.REMOVED)),
    )
    context = {
        "theme": theme,
        "languages": _languages(theme),
        "examples": examples,
        "counts": counts,
        "classifier": ThemeClassifier.objects.filter(theme=theme).first(),
        "min_tags": suggest.MIN_TAGS,
        "min_precision": suggest.MIN_PRECISION,
        "split_offs": list(theme.split_offs.all()),
        "merged": list(theme.merged.all()),
        "can_edit": can_edit,
    }
    if can_edit:
        context.update(
            rename_form=failed.get("rename") or RenameForm(initial={"name": theme.name}),
            merge_form=MergeForm(theme=theme),
        )
        if theme.kind == Theme.Kind.RULE:
            words = failed.get("words") or WordsForm(
                languages=list(theme.rule_terms),
                initial={f"words_{k}": "\n".join(v) for k, v in theme.rule_terms.items()},
            )
            context["words_form"] = words
    return render(request, "responses/themes/detail.html", context, status=status)


@require_GET
@role_required("viewer")
def theme_detail(request, pk):
    theme = get_object_or_404(Theme.objects.select_related("parent", "merged_into"), pk=pk)
    return _theme_page(request, theme)


def _action(request, pk, *, name: str, form, apply):
    theme = get_object_or_404(Theme.objects.select_related("parent", "merged_into"), pk=pk)
    bound = form(theme)
    if not bound.is_valid():
        messages.error(request, "Nothing was changed: please correct the form below.")
        return _theme_page(request, theme, failed={name: bound}, status=400)
    try:
        text = apply(theme, bound.cleaned_data)
    except ThemeError as error:
        bound.add_error(None, str(error))
        messages.error(request, f"Nothing was changed: {error}")
        return _theme_page(request, theme, failed={name: bound}, status=400)
    if text:
        messages.success(request, text)
    return redirect("responses:theme_detail", pk=theme.pk)


@require_POST
@role_required("lead")
def theme_rename(request, pk):
    def apply(theme, data):
        if data["name"] == theme.name:
            return ""
        services.rename_theme(theme, data["name"], by=request.user)
        return f"Renamed “{theme.display_name}”." if theme.name else "The automatic label is shown again."

    return _action(request, pk, name="rename", form=lambda t: RenameForm(request.POST), apply=apply)


@require_POST
@role_required("lead")
def theme_hide(request, pk):
    def apply(theme, data):
        services.set_hidden(theme, data["value"], by=request.user)
        if theme.hidden:
            return "Hidden: its comments keep it, but it is not shown or counted."
        return "Shown again."

    return _action(request, pk, name="hide", form=lambda t: FlagForm(request.POST), apply=apply)


@require_POST
@role_required("lead")
def theme_pin(request, pk):
    def apply(theme, data):
        services.set_pinned(theme, data["value"], by=request.user)
        return "Pinned: it comes first." if theme.pinned else "Unpinned."

    return _action(request, pk, name="pin", form=lambda t: FlagForm(request.POST), apply=apply)


@require_POST
@role_required("lead")
def theme_words(request, pk):
    def apply(theme, data):
        if theme.kind != Theme.Kind.RULE:
            raise ThemeError("Only rule themes have words.")
        services.update_rule_terms(theme, data["rule_terms"], by=request.user)
        return "Words saved: every comment was matched again; hand tags stay."

    return _action(
        request,
        pk,
        name="words",
        form=lambda t: WordsForm(request.POST, languages=list(t.rule_terms)),
        apply=apply,
    )


@require_http_methods(["GET", "POST"])
@role_required("lead")
def theme_merge(request, pk):
    """GET ?into=<pk>: what merging will do; POST: merge."""
    theme = get_object_or_404(Theme, pk=pk)
    if request.method == "GET" and "into" not in request.GET:  # choose the theme first
        context = {"theme": theme, "target": None, "form": MergeForm(theme=theme)}
        return render(request, "responses/themes/merge.html", context)
    form = MergeForm(request.POST if request.method == "POST" else request.GET, theme=theme)
    if not form.is_valid():
        messages.error(request, "Choose the theme to merge into.")
        return _theme_page(request, theme, status=400)
    target = form.cleaned_data["into"]
    if request.method == "POST":
        try:
            services.merge_themes(theme, target, by=request.user)
        except ThemeError as error:
            messages.error(request, f"Nothing was changed: {error}")
            return redirect("responses:theme_detail", pk=theme.pk)
        messages.success(request, f"“{theme.display_name}” is merged into “{target.display_name}”.")
        return redirect("responses:theme_detail", pk=target.pk)
    context = {"theme": theme, "target": target, "counts": services.merge_counts(theme, target)}
    return render(request, "responses/themes/merge.html", context)


@require_http_methods(["GET", "POST"])
@role_required("lead")
def theme_split(request, pk):
    """Words → how many of the theme's comments use them → confirm: they move to a new theme."""
    theme = get_object_or_404(Theme, pk=pk)
    if request.method == "GET":
        form = RuleThemeForm(languages=list(theme.key_phrases)[:1] or ["en"])
        return render(request, "responses/themes/split.html", {"theme": theme, "form": form})
    form = RuleThemeForm(request.POST)
    context = {"theme": theme, "form": form}
    if not form.is_valid():
        return render(request, "responses/themes/split.html", context, status=400)
    data = form.cleaned_data
    if request.POST.get("confirm") != "1":
        context["preview"] = services.preview_count(data["rule_terms"], parent=theme)
        return render(request, "responses/themes/split.html", context)
    try:
        child = services.split_off(theme, data["name"], data["rule_terms"], by=request.user)
    except ThemeError as error:
        form.add_error(None, str(error))
        return render(request, "responses/themes/split.html", context, status=400)
    messages.success(request, f"“{child.display_name}” is split off “{theme.display_name}”.")
    return redirect("responses:theme_detail", pk=child.pk)


@require_http_methods(["GET", "POST"])
@role_required("lead")
def theme_delete(request, pk):
    theme = get_object_or_404(Theme.objects.select_related("parent"), pk=pk)
    if theme.kind != Theme.Kind.RULE:
        messages.error(request, "Discovered themes are not deleted: hide it, or merge it into another.")
        return redirect("responses:theme_detail", pk=theme.pk)
    if request.method == "POST":
        name = theme.display_name
        services.delete_rule_theme(theme, by=request.user)
        messages.success(request, f"Rule theme “{name}” deleted.")
        return redirect("responses:theme_list")
    counts = AnswerTheme.objects.filter(theme=theme).aggregate(
        comments=Count("pk", filter=Q(source__in=COUNTED_THEME_SOURCES)),
        hand=Count("pk", filter=Q(source=AnswerTheme.Source.HAND)),
    )
    return render(request, "responses/themes/delete.html", {"theme": theme, "counts": counts})


# Rule themes


@require_http_methods(["GET", "POST"])
@role_required("lead")
def theme_new_rule(request):
    """A rule theme from words per language; ?q=<words>&language=<group> (the comments page's search)."""
    if request.method == "GET":
        query = request.GET.get("q", "")
        words = " ".join(query.split())[:200] if "\x00" not in query else ""
        language = request.GET.get("language", "")
        if language not in LANGUAGE_NAMES:  # the search's own language, else English
            language = detect(words) if words else ""
            language = language if language in LANGUAGE_NAMES else "en"
        form = RuleThemeForm(
            languages=[language], initial={"name": words[:80].capitalize(), f"words_{language}": words}
        )
        return render(request, "responses/themes/rule_new.html", {"form": form})
    form = RuleThemeForm(request.POST)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "responses/themes/rule_new.html", context, status=400)
    data = form.cleaned_data
    if request.POST.get("confirm") != "1":
        context["preview"] = services.preview_count(data["rule_terms"])
        return render(request, "responses/themes/rule_new.html", context)
    try:
        theme = services.create_rule_theme(data["name"], data["rule_terms"], by=request.user)
    except ThemeError as error:
        form.add_error(None, str(error))
        return render(request, "responses/themes/rule_new.html", context, status=400)
    messages.success(request, f"Rule theme “{theme.display_name}” saved.")
    return redirect("responses:theme_detail", pk=theme.pk)


# Tagging a comment (htmx swaps the partial; without JavaScript, back to where the person was)


def _next(request) -> str:
    """Where the person was (the form's `next`, else the referring page), if it is one of our pages."""
    for target in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if (
            target
            and "\x00" not in target
            # A path or a URL, never a bare word (redirect() would read "1" as a view's name).
            and (target.startswith("/") or "://" in target)
            and url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=False
            )
        ):
            return target
    return ""


def _back(request, answer: Answer):
    return redirect(_next(request) or reverse("responses:answer_detail", kwargs={"pk": answer.pk}))


def _tags_response(request, answer: Answer, *, error: str = ""):
    context = {
        "answer": answer,
        "tags": themes_by_answer([answer.pk]).get(answer.pk, []),
        "tag_error": error,
        "next_url": request.POST.get("next", "") if _next(request) == request.POST.get("next") else "",
    }
    return render(request, "responses/themes/_answer_themes.html", context)


@require_POST
@role_required("lead")
def theme_tag(request, pk):
    answer = get_object_or_404(Answer, pk=pk)
    form = TagForm(request.POST)
    # htmx swaps only 2xx answers: a refused tag comes back as the partial saying why, and writes nothing.
    if not form.is_valid():
        error = "Choose a theme from the list."
        if request.htmx:
            return _tags_response(request, answer, error=error)
        return HttpResponseBadRequest(error)
    try:
        services.tag_answer(answer, form.cleaned_data["theme"], by=request.user)
    except ThemeError as error:
        if request.htmx:
            return _tags_response(request, answer, error=str(error))
        messages.error(request, str(error))
    if request.htmx:
        return _tags_response(request, answer)
    return _back(request, answer)


@require_POST
@role_required("lead")
def theme_untag(request, pk, theme_pk):
    answer = get_object_or_404(Answer, pk=pk)
    theme = get_object_or_404(Theme, pk=theme_pk)
    services.untag_answer(answer, theme, by=request.user)
    if request.htmx:
        return _tags_response(request, answer)
    return _back(request, answer)
