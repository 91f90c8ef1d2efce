"""Twilio's two webhooks, at the paths an operator pastes into Twilio's console:

- POST /webhooks/twilio/inbound/: incoming SMS and WhatsApp texts (inbound.receive);
- POST /webhooks/twilio/status/: status callbacks of the texts we sent (status.record_status).

Every request must carry X-Twilio-Signature, made with TWILIO_AUTH_TOKEN over the public URL
(PUBLIC_BASE_URL + path: behind a proxy Django does not see the URL Twilio called) and the parameters:
403 otherwise, and always while no token is set, and nothing changes. Parameters Twilio never sends get
400 with the reason (Twilio logs it as error 11200); a replay gets 200 and changes nothing. The answer is
an empty TwiML document, so Twilio sends nothing on its own. Requests are counted per client address
against TWILIO_WEBHOOK_RATELIMIT (429 over it).
"""

import functools
import logging
import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

from nps import ratelimit
from nps.accounts.roles import public
from nps.inputs import has_nul, is_digits

from . import inbound, status

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Twilio takes texts of up to 1,600 characters; four times that leaves room for any encoding of a real one.
MAX_BODY = 1600 * 4
# A whole request: the longest text percent-encoded (up to 12 bytes a character) and Twilio's other fields.
MAX_REQUEST_BYTES = 128 * 1024
# Twilio's SIDs are two letters and 32 hex digits; the demo's simulator and the file provider use their own.
SID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def text(body: str, status_code: int) -> HttpResponse:
    return HttpResponse(body, status=status_code, content_type="text/plain; charset=utf-8")


def twilio_webhook(view):
    """The checks every Twilio webhook shares, in order: method, rate, size, signature, NUL, MessageSid.
    The wrapped view gets the POST parameters as a plain dict and returns nothing (or raises Malformed)."""

    @public  # no session: Twilio's signature is the authentication
    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request):
        if request.method != "POST":
            response = text("Twilio webhooks take POST only.", 405)
            response["Allow"] = "POST"
            return response
        wait = ratelimit.hit("twilio", ratelimit.client_address(request), "TWILIO_WEBHOOK_RATELIMIT")
        if wait is not None:
            response = text("Too many requests.", 429)
            response["Retry-After"] = str(wait)
            return response
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return text("Bad Content-Length.", 400)
        if length > MAX_REQUEST_BYTES:
            return text("The request is too large.", 400)
        try:
            params, query = request.POST, request.GET
        except (RequestDataTooBig, TooManyFieldsSent):
            return text("The request is too large.", 400)
        except MultiPartParserError:
            return text("The request body cannot be read.", 400)
        if not settings.TWILIO_AUTH_TOKEN:
            log.error("Twilio webhook %s refused: TWILIO_AUTH_TOKEN is not set.", request.path)
            return text("Twilio webhooks are closed until TWILIO_AUTH_TOKEN is set.", 403)
        if not is_signed(request):
            log.warning("Twilio webhook %s refused: missing or wrong X-Twilio-Signature.", request.path)
            return text("The request is not signed by Twilio.", 403)
        if any(len(values) != 1 for _, values in params.lists()):
            return text("A parameter is repeated.", 400)
        fields = params.dict()
        if has_nul(dict(params.lists())) or has_nul(dict(query.lists())):
            return text("The request holds a NUL character.", 400)
        if not SID.fullmatch(fields.get("MessageSid", "")):
            return text("MessageSid is missing or not a Twilio SID.", 400)
        if len(fields.get("Body", "")) > MAX_BODY:
            return text("Body is longer than any text.", 400)
        try:
            view(fields)
        except inbound.Malformed as error:
            return text(str(error), 400)
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")

    return wrapped


def public_url(request) -> str:
    """The URL Twilio called (and signed): the public base URL, the path and the query string."""
    query = request.META.get("QUERY_STRING", "")
    return settings.PUBLIC_BASE_URL + request.path + (f"?{query}" if query else "")


def is_signed(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(public_url(request), request.POST, signature)


@twilio_webhook
def inbound_view(fields: dict) -> None:
    """An incoming SMS or WhatsApp text (the demo's phone simulator posts here too, signed)."""
    if not fields.get("From"):
        raise inbound.Malformed("From is missing.")
    inbound.receive(fields)


@twilio_webhook
def status_view(fields: dict) -> None:
    """A status callback of a text we sent."""
    if not status.status_of(fields):
        raise inbound.Malformed("MessageStatus is missing.")
    code = fields.get("ErrorCode", "")
    if code and not (is_digits(code) and len(code) <= 10):
        raise inbound.Malformed("ErrorCode is not a Twilio error code.")
    status.record_status(fields)


urlpatterns = [
    path("webhooks/twilio/inbound/", inbound_view, name="twilio_inbound"),
    path("webhooks/twilio/status/", status_view, name="twilio_status"),
]


@checks.register(checks.Tags.security)
def check_webhook_configured(app_configs, **kwargs) -> list:
    """Twilio in use without its auth token: every webhook would be refused (no incoming text, no STOP, no
    status). An error in production (the `check` and `migrate` commands stop), a warning with DEBUG on."""
    if settings.SMS_BACKEND != "twilio" or not settings.TWILIO_ACCOUNT_SID or settings.TWILIO_AUTH_TOKEN:
        return []
    level, code = (checks.Warning, "surveys.W002") if settings.DEBUG else (checks.Error, "surveys.E002")
    return [
        level(
            "TWILIO_ACCOUNT_SID is set but TWILIO_AUTH_TOKEN is not: Twilio's webhooks (incoming texts, STOP, "
            "status callbacks) are all refused until it is set.",
            id=code,
        )
    ]
