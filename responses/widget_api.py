"""The on-site widget's JSON API, called by widget.js from the host's pages (another origin).

    POST /w/api/<site key>/survey   {email?, externalId?, anonymousId?, …}  → 200 {"survey": false, "reason"}
                                                                            or {"survey": true, "token", …}
    POST /w/api/<site key>/answer   {token, score?, comment?}               → 200 {"ok", "group", "followup"}
    POST /w/api/<site key>/dismiss  {token}                                 → 204

The body is JSON, sent as text/plain (a "simple" request: no preflight) or application/json (preflighted:
OPTIONS is answered). Who is asked is decided in surveys/widget.py; answers are stored through
responses.services, so they are ordinary answers with channel "web" (dashboards, webhooks, exports, APIs).

Origins. A request is served only when its Origin header is on the site's list: CORS headers are added by
django-cors-headers only for those (`cors_enabled`, connected in responses.apps), and the views refuse
anything else with 403: another origin, "null", and no Origin at all (browsers always send it on these
POSTs; a server that wants to call us could forge any Origin anyway, so userHash is what protects an
identity). Every answer carries `Vary: Origin` and `Cache-Control: no-store`.

Limits. At most Site.rate_limit requests per client address (nps.ratelimit) → 429 with Retry-After; bodies
over 16 KB → 413; anything malformed → a 400 naming the field, and nothing written.
"""

import logging
import re

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from dashboards.metrics import group_of
from nps.accounts.roles import public
from nps.ratelimit import InvalidRate, client_address, hit_rate, parse_rate
from surveys import widget
from surveys.models import Channel, Invitation, Site
from surveys.widget import WidgetError

from . import services

log = logging.getLogger(__name__)

API_PATH = re.compile(r"^/w/api/(?P<key>[^/]{1,64})/(?:survey|answer|dismiss)$")
SITE_MEMO = "_nps_widget_sites"
ACCEPTED_TYPES = ("", "text/plain", "application/json")
DEFAULT_RATE = "120/m"


def site_for(request, key: str) -> Site | None:
    """The site of this key, looked up once per request (the CORS check and the view both ask)."""
    memo = getattr(request, SITE_MEMO, None)
    if memo is None:
        memo = {}
        setattr(request, SITE_MEMO, memo)
    if key not in memo:
        memo[key] = widget.find_site(key)
    return memo[key]


def cors_enabled(sender, request, **kwargs) -> bool:
    """django-cors-headers' check_request_enabled: CORS for a widget API call from one of its site's origins."""
    match = API_PATH.match(request.path_info)
    if match is None:
        return False
    site = site_for(request, match["key"])
    return site is not None and widget.origin_allowed(site, request.headers.get("origin"))


# Responses -----------------------------------------------------------------------------------------


def _finish(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Origin",))
    add_never_cache_headers(response)  # includes no-store
    return response


def _json(data: dict, status: int = 200) -> HttpResponse:
    return _finish(JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False}))


def _error(error: WidgetError) -> HttpResponse:
    body = {"error": error.message}
    if error.field:
        body["field"] = error.field
    return _json(body, status=error.status)


def _refuse(status: int, message: str) -> HttpResponse:
    return _error(WidgetError(status, message))


def _over_limit(request, site: Site) -> HttpResponse | None:
    try:
        limit, seconds = parse_rate(site.rate_limit)
    except InvalidRate:
        log.warning("Site %s has an invalid rate limit %r; using %s.", site.pk, site.rate_limit, DEFAULT_RATE)
        limit, seconds = parse_rate(DEFAULT_RATE)
    wait = hit_rate(f"widget:{site.key}", client_address(request), limit, seconds)
    if wait is None:
        return None
    response = _refuse(429, "Too many requests from this address; try again later.")
    response["Retry-After"] = str(wait)
    return response


def _checked(request, key: str) -> tuple[Site | None, HttpResponse | None]:
    """The site of a POST, or the response refusing it (method, site, origin, rate, content type)."""
    if request.method == "OPTIONS":
        # A preflight from an allowed origin is answered by django-cors-headers before the view.
        site = site_for(request, key)
        if site is not None and widget.origin_allowed(site, request.headers.get("origin")):
            return None, _finish(HttpResponse(status=204))
        return None, _refuse(403 if site is not None else 404, "This origin may not call this site's API.")
    if request.method != "POST":
        response = _refuse(405, "Use POST.")
        response["Allow"] = "POST, OPTIONS"
        return None, response
    site = site_for(request, key)
    if site is None:
        return None, _refuse(404, "No site has this key.")
    origin = request.headers.get("origin")
    if not origin:
        return None, _refuse(403, "The request has no Origin header.")
    if not widget.origin_allowed(site, origin):
        return None, _refuse(403, "This origin is not on the site's list of allowed origins.")
    if limited := _over_limit(request, site):
        return None, limited
    content_type = request.content_type or ""
    if content_type.lower() not in ACCEPTED_TYPES:
        return None, _refuse(415, "Send the body as JSON (Content-Type text/plain or application/json).")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, _refuse(400, "The Content-Length header is not a number.")
    if length > widget.MAX_BODY_BYTES:
        return None, _refuse(413, f"The body is larger than {widget.MAX_BODY_BYTES // 1024} KB.")
    return site, None


def _body(request) -> dict:
    return widget.read_json(request.body)


def _invitation(site: Site, data: dict) -> Invitation:
    """The widget survey of this site's campaign that a token names, still answerable; else WidgetError."""
    token = widget.parse_token(data)
    invitation = (
        Invitation.objects.select_related("campaign__brand", "contact")
        .filter(token=token, channel=Channel.WEB, campaign_id=site.campaign_id)
        .first()
    )
    if invitation is None:
        raise WidgetError(404, "No survey of this site has this token.", field="token")
    if not services.answerable(invitation):
        raise WidgetError(410, "This survey is closed.", field="token")
    return invitation


# Views ---------------------------------------------------------------------------------------------


# CSRF exemption: no cookie or session is used (requests come without credentials from other origins);
# the site key and the Origin check decide who may call, the invitation token who may answer.
@public
@csrf_exempt
def survey(request, site_key):
    """Whether to survey this visitor now; when yes, the open survey's token and the card's texts."""
    site, refused = _checked(request, site_key)
    if refused:
        return refused
    try:
        call = widget.parse_survey_call(_body(request))
        widget.verify_identity(
            site, email=call.email, external_id=call.external_id, user_hash_value=call.user_hash
        )
        with transaction.atomic():
            contact = widget.identify(site, call)
            decision = widget.decide(
                site, contact, call, language=translation.get_language_from_request(request)
            )
    except WidgetError as error:
        return _error(error)
    if not decision.show:
        return _json({"survey": False, "reason": decision.reason})
    invitation = decision.invitation
    language = invitation.language or translation.get_language_from_request(request)
    return _json(
        {
            "survey": True,
            "reason": decision.reason,
            "token": invitation.token,
            "language": language,
            "dir": widget.text_direction(language),
            "texts": widget.widget_texts(invitation, language),
            "accent": widget.accent_of(site),
            "position": site.position,
        }
    )


@public
@csrf_exempt
def answer(request, site_key):
    """The visitor's score (0–10), comment, or both: stored as an answer on channel "web"."""
    site, refused = _checked(request, site_key)
    if refused:
        return refused
    try:
        data = _body(request)
        invitation = _invitation(site, data)
        score, comment = widget.parse_answer(data)
        with transaction.atomic():
            if score is not None:
                services.record_score(invitation, score=score, source="widget")
            elif not invitation_has_answer(invitation):
                raise WidgetError(409, "Send the score before the comment.", field="comment")
            if comment is not None:
                services.save_comment(invitation, comment=comment)
    except WidgetError as error:
        return _error(error)
    if score is None:
        return _json({"ok": True})
    group = group_of(score)
    language = invitation.language or translation.get_language_from_request(request)
    with translation.override(language):
        followup = invitation.text(f"followup_{group}", language)
    return _json({"ok": True, "group": group, "followup": followup})


def invitation_has_answer(invitation: Invitation) -> bool:
    return Invitation.objects.filter(pk=invitation.pk, answer__isnull=False).exists()


@public
@csrf_exempt
def dismiss(request, site_key):
    """The visitor closed the card without answering: recontact waits (Site.dismiss_wait_days)."""
    site, refused = _checked(request, site_key)
    if refused:
        return refused
    try:
        invitation = _invitation(site, _body(request))
    except WidgetError as error:
        return _error(error)
    widget.dismiss(invitation)
    return _finish(HttpResponse(status=204))
