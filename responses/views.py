"""The public answer pages (no login, token in the URL) and the lead's phone-interview page."""

import re

from csp.constants import NONCE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from dashboards.metrics import group_of
from nps.i18n import customer_language
from nps.roles import public, role_required
from surveys.models import Invitation

from . import hotpath, services
from .forms import AnswerForm, PhoneAnswerForm
from .models import Answer

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#4f46e5"


def _ink_for(accent: str) -> str:
    """Black or white text on the accent colour, whichever has the better contrast (WCAG luminance)."""
    channels = [int(accent[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def _public(response: HttpResponse, language: str) -> HttpResponse:
    """Headers of every public page: per-customer (token in the URL), never cached or indexed."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    return response


def _brand_context(request, invitation: Invitation) -> dict:
    brand = invitation.campaign.brand
    accent = brand.accent_color if HEX_COLOUR.match(brand.accent_color or "") else DEFAULT_ACCENT
    return {
        "brand": brand,
        "logo_url": brand.logo.url if brand.logo else "",
        "accent": accent.lower(),
        "accent_ink": _ink_for(accent),
    }


def render_answer(
    request, invitation: Invitation, *, score: int | None = None, preview: bool = False, form=None, status=200
) -> HttpResponse:
    """The answer page with `score` chosen; `preview=True` takes an unsaved invitation and posts nowhere."""
    language = customer_language(request, invitation)
    existing = None
    if invitation.pk and not preview:
        # _find() joined the answer in already: no query here on the hot path.
        try:
            existing = invitation.answer
        except Answer.DoesNotExist:
            existing = None
    autosave = score is not None and not preview
    if score is None and existing is not None:
        score = existing.score
    with translation.override(language):
        followups = {
            group: invitation.text(f"followup_{group}", language)
            for group in ("promoter", "passive", "detractor")
        }
        context = {
            **_brand_context(request, invitation),
            "preview": preview,
            "question": invitation.text("question", language),
            "followups": followups,
            "followup": followups[group_of(score)] if score is not None else "",
            "score": score,
            "scores": range(11),
            "comment": form.data.get("comment", "")
            if form is not None
            else (existing.comment if existing else ""),
            "errors": [error for errors in form.errors.values() for error in errors]
            if form is not None
            else [],
            "post_url": "" if preview else invitation.answer_path(),
            "autosave": autosave,
        }
        response = render(request, "responses/answer.html", context, status=status)
    # The brand's accent colour is the page's one inline <style>, allowed by a per-response nonce.
    response = csp_update({"style-src": [NONCE]})(lambda: response)()
    return _public(response, language)


def _render_public(request, template: str, *, invitation=None, status=200, **context) -> HttpResponse:
    language = (
        customer_language(request, invitation)
        if invitation
        else translation.get_language_from_request(request)
    )
    if invitation is not None:
        context.update(_brand_context(request, invitation))
    with translation.override(language):
        response = render(request, template, context, status=status)
    if invitation is not None:
        response = csp_update({"style-src": [NONCE]})(lambda: response)()
    return _public(response, language)


def _rate_limited(request) -> HttpResponse | None:
    """429 for an address that asks too much, or that tried too many unknown tokens."""
    guessing = is_ratelimited(request, group="answer-miss", key="ip", rate=settings.ANSWER_MISS_RATELIMIT)
    # Opening a page writes nothing, so only writes count against the general limit: one cache read on the
    # hot GET instead of three.
    too_many = request.method == "POST" and is_ratelimited(
        request, group="answer", key="ip", rate=settings.ANSWER_RATELIMIT, increment=True
    )
    if guessing or too_many:
        response = _render_public(request, "responses/rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    return None


def _find(request, token: str) -> Invitation | None:
    invitation = hotpath.find_invitation(token[:64])
    if services.answerable(invitation):
        return invitation
    is_ratelimited(
        request, group="answer-miss", key="ip", rate=settings.ANSWER_MISS_RATELIMIT, increment=True
    )
    return None


def _invalid(request) -> HttpResponse:
    return _render_public(request, "responses/invalid.html", status=404)


# CSRF exemption: the invitation token in the URL (192 random bits) is the credential. A forged cross-site
# POST must already know it, and knowing it already allows answering. There is no session to ride on, and a
# CSRF cookie would fail in mail apps' in-app browsers that drop cookies. See docs/answer-links.md.
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token, score=None):
    """GET (and HEAD) only show the page: opening a link never records. POST records."""
    if limited := _rate_limited(request):
        return limited
    invitation = _find(request, token)
    if invitation is None:
        return _invalid(request)
    if request.method == "POST":
        return _post_answer(request, invitation)
    if score is not None:
        if not (score.isdigit() and int(score) <= 10):
            return _render_public(
                request,
                "responses/bad_score.html",
                invitation=invitation,
                status=400,
                answer_url=invitation.answer_path(),
            )
        score = int(score)
    return render_answer(request, invitation, score=score)


def _post_answer(request, invitation: Invitation) -> HttpResponse:
    form = AnswerForm(request.POST)
    # answer.js sends source=link (automatic, right after a score link was opened) or source=page (the
    # customer changed the score); the Send button posts the whole form without it.
    source = request.POST.get("source")
    language = customer_language(request, invitation)
    if not form.is_valid():
        if source:
            with translation.override(language):
                return JsonResponse({"error": str(next(iter(form.errors.values()))[0])}, status=400)
        return render_answer(request, invitation, form=form, status=400)
    score = form.cleaned_data["score"]
    if source:
        services.record_score(invitation, score=score, language=language, from_link=source == "link")
        return _public(JsonResponse({"saved": True, "group": group_of(score)}), language)
    answer = services.submit_answer(
        invitation, score=score, comment=form.cleaned_data["comment"], language=language
    )
    target = getattr(invitation.campaign, f"redirect_{answer.group}")
    return redirect(target or reverse("responses:thanks", args=[invitation.token]))


@public
@require_GET
def thanks(request, token):
    if limited := _rate_limited(request):
        return limited
    invitation = _find(request, token)
    if invitation is None:
        return _invalid(request)
    # Set per survey request through the APIs (Delighted's thank_you_message and thank_you_link_url).
    link = invitation.texts.get("thank_you_link_url", "")
    return _render_public(
        request,
        "responses/thanks.html",
        invitation=invitation,
        answer_url=invitation.answer_path(),
        thank_you_message=invitation.texts.get("thank_you_message", ""),
        thank_you_link=link if link.startswith(("https://", "http://")) else "",
    )


@role_required("lead")
def phone_answer(request):
    """A lead records an answer given in a phone interview, on the contact's behalf."""
    form = PhoneAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = services.record_phone_answer(by=request.user, **form.cleaned_data)
        messages.success(request, f"Score {answer.score} recorded for {answer.contact} ({answer.campaign}).")
        return redirect("responses:phone_answer")
    recent = Answer.objects.filter(channel="phone").select_related("contact", "campaign", "recorded_by")[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "responses/phone_answer.html", {"form": form, "recent": recent}, status=status)
