"""The public link's pages, /l/<campaign.public_token>/ (the rules are in responses/public_link.py)."""

from functools import lru_cache

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.metrics import GROUP_NAMES, group_of
from nps.accounts.roles import public
from nps.i18n import customer_language
from nps.inputs import NUL
from nps.ratelimit import client_address, hit
from surveys.models import Campaign

from . import pages
from . import public_link as link
from .forms import AnswerForm
from .models import Answer


@lru_cache(maxsize=256)
def _policy(style: str, form_targets: tuple[str, ...]) -> str:
    """The site's policy, plus the brand's inline style and the origins the form may be redirected to
    (the campaign's thank-you redirects: a redirect after a POST must be allowed by form-action)."""
    update = {"style-src": [pages.style_source(style)]}
    if form_targets:
        update["form-action"] = list(form_targets)
    return build_policy(update=update)


def _page(request, template: str, campaign: Campaign | None, language: str, *, status: int = 200, **context):
    """A public link page in `language`, branded with the campaign's brand when there is one."""
    style, targets = "", ()
    if campaign is not None:
        brand = campaign.brand
        style = pages.brand_style(brand.accent_color or "")
        targets = link.redirect_origins(campaign)
        context = {
            "company_name": brand.company_name,
            "logo_url": brand.logo.url if brand.logo else "",
            "brand_style": style,
            **context,
        }
    with translation.override(language):
        body = render_to_string(template, context)
    response = pages.public_headers(HttpResponse(body, status=status), language, style=None)
    response[CSP_HEADER] = _policy(style, targets) if style else pages.csp_allowing("")
    return response


def _too_many(request, language: str) -> HttpResponse | None:
    """429 when this address submitted (or guessed tokens) more than LINK_RATELIMIT allows."""
    retry_after = hit("link", client_address(request), "LINK_RATELIMIT")
    if retry_after is None:
        return None
    response = _page(request, "responses/rate_limited.html", None, language, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _language(request, answer: Answer | None) -> str:
    """The visitor's language: their earlier answer's, else the browser's (Accept-Language)."""
    if answer is not None and answer.invitation is not None:
        return customer_language(request, answer.invitation)
    return translation.get_language_from_request(request)


def _previous(request, campaign: Campaign) -> Answer | None:
    if not campaign.link_once_per_browser:
        return None
    token = request.get_signed_cookie(link.cookie_name(campaign), default=None, salt=link.COOKIE_SALT)
    return link.previous_answer(campaign, token)


def _form_page(
    request, campaign, language, *, state, previous, status=200, score=None, comment="", errors=()
):
    with translation.override(language):
        texts = {field: campaign.text(field, language) for field in ("question", *_followup_fields())}
        errors = tuple(str(error) for error in errors)
    followups = {group: texts[f"followup_{group}"] for group in GROUP_NAMES}
    if score is None and previous is not None:
        score, comment = previous.score, comment or previous.comment
    return _page(
        request,
        "responses/link.html",
        campaign,
        language,
        status=status,
        action=reverse("responses:link", args=[campaign.public_token]),
        state=state,
        question=texts["question"],
        followups=followups,
        followup=followups[group_of(score)] if score is not None else "",
        scores=[str(n) for n in range(11)],
        chosen="" if score is None else str(score),
        comment=comment,
        errors=errors,
        previous=previous,
        honeypot=link.HONEYPOT,
    )


def _typed_comment(form) -> str:
    """What the visitor typed, shown again with the errors (unless it is what was refused)."""
    comment = form.data.get("comment", "")
    return "" if "comment" in form.errors or NUL in comment else comment


def _followup_fields():
    return tuple(f"followup_{group}" for group in GROUP_NAMES)


def _refused(request, campaign, language, message, *, status=400):
    return _page(
        request,
        "responses/link_refused.html",
        campaign,
        language,
        status=status,
        message=message,
        link_path=reverse("responses:link", args=[campaign.public_token]),
    )


# CSRF exemption: there is no session or account to protect (anyone may answer, that is the point), and
# a CSRF cookie would fail in the in-app browsers a QR code opens. The signed state is what a submit must
# carry: it comes from a page this server showed, for this campaign, less than a day ago.
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def public_link(request, token):
    """GET shows the question (or this browser's earlier answer, to change it); POST saves the answer."""
    fallback_language = translation.get_language_from_request(request)
    campaign = link.find_campaign(token)
    if campaign is None:
        # Unknown tokens count against the limit too: an address cannot guess tokens quickly.
        if limited := _too_many(request, fallback_language):
            return limited
        return _page(request, "responses/invalid.html", None, fallback_language, status=404)
    previous = _previous(request, campaign)
    language = _language(request, previous)
    if not link.is_open(campaign):
        return _page(request, "responses/link_closed.html", campaign, language, status=410)
    if request.method == "POST":
        if limited := _too_many(request, language):
            return limited
        return _submit(request, campaign, language, previous)
    try:
        with translation.override(language):
            properties = link.link_properties(campaign, request.GET)
    except link.LinkError as error:
        with translation.override(language):
            return _refused(request, campaign, language, str(error))
    return _form_page(
        request, campaign, language, state=link.issue_state(campaign, properties), previous=previous
    )


def _submit(request, campaign: Campaign, language: str, previous: Answer | None) -> HttpResponse:
    state = request.POST.get("state", "")
    try:
        with translation.override(language):
            properties, seconds_shown = link.read_state(campaign, state)
    except link.LinkError as error:
        with translation.override(language):
            return _refused(request, campaign, language, str(error))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        score = form.cleaned_data.get("score")
        with translation.override(language):
            errors = [error for errors in form.errors.values() for error in errors]
        return _form_page(
            request,
            campaign,
            language,
            state=state,
            previous=previous,
            status=400,
            score=score,
            comment=_typed_comment(form),
            errors=errors,
        )
    score, comment = form.cleaned_data["score"], form.cleaned_data["comment"]
    suspect = link.looks_automated(seconds_shown=seconds_shown, honeypot=request.POST.get(link.HONEYPOT, ""))
    if previous is not None:
        answer = link.change_answer(previous.invitation, score=score, comment=comment, suspect=suspect)
    else:
        answer = link.submit_answer(
            campaign, score=score, comment=comment, language=language, properties=properties, suspect=suspect
        )
    target = getattr(campaign, f"redirect_{answer.group}") or ""
    if not target.startswith(("https://", "http://")):
        target = reverse("responses:link_thanks", args=[campaign.public_token])
    response = HttpResponseRedirect(target, status=303)
    pages.public_headers(response, language, style=None)
    if campaign.link_once_per_browser:
        response.set_signed_cookie(
            link.cookie_name(campaign),
            answer.invitation.token,
            salt=link.COOKIE_SALT,
            max_age=int(link.COOKIE_MAX_AGE.total_seconds()),
            path=reverse("responses:link", args=[campaign.public_token]),
            secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@public
@require_GET
def link_thanks(request, token):
    campaign = link.find_campaign(token)
    if campaign is None:
        language = translation.get_language_from_request(request)
        if limited := _too_many(request, language):
            return limited
        return _page(request, "responses/invalid.html", None, language, status=404)
    previous = _previous(request, campaign)
    language = _language(request, previous)
    return _page(
        request,
        "responses/link_thanks.html",
        campaign,
        language,
        previous=previous,
        link_path=reverse("responses:link", args=[campaign.public_token]),
    )
