"""The kiosk: a counter tablet's full-screen survey (`/k/<public token>/`) and its answers endpoint.

The page carries every text it needs in the 11 languages (a JSON script tag), so switching language asks
nothing of the server, and static/js/kiosk.js queues each answer in the tablet's localStorage before
sending it to `/k/<token>/answers`; responses.kiosk stores it once per key.

CSRF: the answers endpoint is exempt from Django's token check and checks the Origin header instead. A
counter tablet is not signed in (no session to ride on), its answers may wait in the queue for days, and
kiosk browsers are often set to clear cookies: a CSRF cookie gone by then would get every waiting answer
refused. The public token in the URL is the credential, as on the answer pages. What remains of CSRF (a
stranger's page making visitors' browsers post answers) is refused by the Origin check (a browser always
sends Origin on a cross-origin POST; it must be our own origin, PUBLIC_BASE_URL's or a
CSRF_TRUSTED_ORIGINS one) and by the JSON content type, which a cross-origin page can only send after a
CORS preflight that /k/ never answers.
"""

import contextlib
import json
from datetime import datetime

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, npgettext, pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from nps import ratelimit
from nps.accounts.roles import public
from nps.inputs import NUL, has_nul
from surveys.invitations import supported_language
from surveys.models import Campaign, Channel

from . import kiosk, pages

MAX_BODY = 16 * 1024
# A number of each plural category of Unicode's plural rules (CLDR), used to pick each category's text from
# our catalogues; kiosk.js chooses the category with Intl.PluralRules. Good for our 11 languages.
PLURAL_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}


def _rate_limited(request) -> bool:
    return ratelimit.hit("kiosk", ratelimit.client_address(request), "KIOSK_RATELIMIT") is not None


def _campaign(token: str) -> Campaign | None:
    # No token holds U+0000 (PostgreSQL cannot compare text with it) or is longer than the column.
    if not token or len(token) > 64 or NUL in token:
        return None
    return Campaign.objects.select_related("brand").filter(public_token=token).first()


def is_open(campaign: Campaign) -> bool:
    """Whether the kiosk of this campaign takes answers: the campaign runs and has the kiosk channel."""
    return campaign.status == Campaign.Status.RUNNING and Channel.KIOSK in (campaign.channels or [])


def texts_in(campaign: Campaign, language: str) -> dict:
    """Everything the kiosk shows, in `language` (campaign texts and the page's own)."""
    with translation.override(language):
        return {
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "question": campaign.text("question", language),
            "followup": {
                group: campaign.text(f"followup_{group}", language)
                for group in ("promoter", "passive", "detractor")
            },
            "low": gettext("0 = not at all likely"),
            "high": gettext("10 = extremely likely"),
            "send": gettext("Send"),
            "skip": pgettext("kiosk", "Skip"),
            "language": pgettext("kiosk", "Language"),
            "thanks": gettext("Thank you!"),
            "thanks_more": gettext("Your answer helps %(company)s get better.")
            % {"company": campaign.brand.company_name},
            # Literal calls, so that makemessages finds them.
            "pending": {
                category: npgettext(
                    "kiosk", "%(count)s answer waiting to be sent", "%(count)s answers waiting to be sent", n
                )
                for category, n in PLURAL_SAMPLES.items()
            },
            "countdown": {
                category: npgettext(
                    "kiosk",
                    "Back to the start in %(count)s second",
                    "Back to the start in %(count)s seconds",
                    n,
                )
                for category, n in PLURAL_SAMPLES.items()
            },
            "dropped": pgettext("kiosk", "An answer was refused and removed from the queue:"),
        }


def start_language(request) -> str:
    """The first screen's language: `?lang=` when it is one of ours (a tablet in Chennai: ?lang=ta), else
    the workspace's default."""
    return supported_language(request.GET.get("lang", "")[:20].replace(NUL, "")) or settings.LANGUAGE_CODE


@public
@require_safe
def kiosk_page(request, token):
    """The full-screen kiosk, or a page saying the survey is closed (410); unknown token: 404."""
    if _rate_limited(request):
        response = pages.public_page(request, "responses/rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    campaign = _campaign(token)
    if campaign is None:
        return pages.public_page(request, "responses/invalid.html", status=404)
    language = start_language(request)
    brand = pages._brand(campaign.brand)
    style = pages.brand_style(brand[2])
    if not is_open(campaign):
        body = pages._render("responses/kiosk_closed.html", language, brand, {})
        return pages.public_headers(HttpResponse(body, status=410), language, style=style)
    data = {
        "start": language,
        "idle": campaign.kiosk_idle_seconds,
        "post": reverse("responses:kiosk_answers", args=[token]),
        "worker": reverse("responses:kiosk_worker", args=[token]),
        "storage": f"opennps-kiosk:{campaign.pk}",
        "languages": [{"code": code, "name": name} for code, name in settings.LANGUAGES],
        "texts": {code: texts_in(campaign, code) for code, _ in settings.LANGUAGES},
    }
    context = {
        "data": data,
        "texts": data["texts"][language],
        "languages": settings.LANGUAGES,
        "scores": range(11),
        "idle": campaign.kiosk_idle_seconds,
    }
    body = pages._render("responses/kiosk.html", language, brand, context)
    return pages.public_headers(HttpResponse(body), language, style=style)


@public
@require_safe
def kiosk_worker(request, token):
    """The kiosk's service worker (its scope: this kiosk), which keeps the page for a visit offline."""
    if _rate_limited(request):
        return _error(429, "Too many requests: try again later.")
    if _campaign(token) is None:
        return _error(404, "No kiosk has this address.")
    context = {
        "page": reverse("responses:kiosk", args=[token]),
        "assets": [static("js/kiosk.js"), static("css/kiosk.css")],
    }
    response = HttpResponse(
        render_to_string("responses/kiosk_sw.js", context), content_type="text/javascript; charset=utf-8"
    )
    # Browsers look for a new worker on each visit; the deploy's new file names make it one.
    response["Cache-Control"] = "no-cache"
    return response


def _error(status: int, message: str, *, field: str = "") -> JsonResponse:
    body = {"error": message, **({"field": field} if field else {})}
    return pages.public_headers(JsonResponse(body, status=status), "en")


def _origin_allowed(request) -> bool:
    """No Origin (not a browser's cross-origin request), or our own origin."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = {settings.PUBLIC_BASE_URL.rstrip("/"), *(o.rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS)}
    # DisallowedHost: only the configured origins then.
    with contextlib.suppress(DisallowedHost):
        own.add(f"{request.scheme}://{request.get_host()}")
    return origin in own


def _body_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _parse_time(value) -> datetime | None | str:
    """The device's ISO 8601 time; None when absent; an error message when it is not one."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.isascii() or len(value) > 40 or NUL in value:
        return "answered_at must be an ISO 8601 date and time."
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return "answered_at must be an ISO 8601 date and time."
    if moment.tzinfo is None:
        return "answered_at must carry a time zone (Z or +hh:mm)."
    return moment


def _read_answer(payload) -> dict | JsonResponse:
    """The answer's fields, typed and checked, or the 400 that says what is wrong."""
    if not isinstance(payload, dict):
        return _error(400, "The body must be a JSON object.")
    if has_nul(payload):
        return _error(400, "The body must not contain U+0000.")
    key = payload.get("key")
    if not kiosk.is_key(key):
        return _error(400, "key must be a UUID 4 string.", field="key")
    score = payload.get("score")
    # JSON true is a Python bool, a subclass of int: refused, like 9.0 and "9".
    if type(score) is not int or not 0 <= score <= 10:
        return _error(400, "score must be a whole number from 0 to 10.", field="score")
    comment = payload.get("comment")
    if comment is None:
        comment = ""
    if not isinstance(comment, str) or len(comment) > kiosk.COMMENT_MAX:
        return _error(
            400, f"comment must be a text of at most {kiosk.COMMENT_MAX} characters.", field="comment"
        )
    answered_at = _parse_time(payload.get("answered_at"))
    if isinstance(answered_at, str):
        return _error(400, answered_at, field="answered_at")
    language = payload.get("language")
    if language is None:
        language = ""
    if not isinstance(language, str) or len(language) > 20:
        return _error(400, "language must be a language code such as 'hi'.", field="language")
    return {"key": key, "score": score, "comment": comment, "answered_at": answered_at, "language": language}


@public
@csrf_exempt  # see the module's docstring: the Origin check and the JSON content type stand in for it
@require_POST
def kiosk_answers(request, token):
    """Store one queued kiosk answer: 201 stored, 200 already stored (a replay), else a precise 4xx."""
    if (wait := ratelimit.hit("kiosk", ratelimit.client_address(request), "KIOSK_RATELIMIT")) is not None:
        response = _error(429, "Too many requests: try again later.")
        response["Retry-After"] = str(wait)
        return response
    if not _origin_allowed(request):
        return _error(403, "Answers are accepted from the kiosk page only.")
    if request.content_type != "application/json":
        return _error(415, "Send the answer as application/json.")
    length = _body_length(request)
    if length is None:
        return _error(400, "Bad Content-Length.")
    if length > MAX_BODY:
        return _error(413, f"The body is larger than {MAX_BODY} bytes.")
    raw = request.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _error(413, f"The body is larger than {MAX_BODY} bytes.")
    try:
        payload = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _error(400, "The body is not valid JSON.")
    fields = _read_answer(payload)
    if isinstance(fields, JsonResponse):
        return fields
    campaign = _campaign(token)
    if campaign is None:
        return _error(404, "No kiosk has this address.")
    if not is_open(campaign):
        return _error(410, "This survey is closed.")
    try:
        answer, created = kiosk.record_kiosk_answer(campaign, **fields)
    except kiosk.KeyUsedElsewhere:
        return _error(409, "This key belongs to another answer.", field="key")
    body = {"key": fields["key"].lower(), "created": created, "score": answer.score}
    return pages.public_headers(JsonResponse(body, status=201 if created else 200), answer.language or "en")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number.")
