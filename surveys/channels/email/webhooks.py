"""The configured ESP's webhooks: anymail's views under /anymail/ (e.g. /anymail/postmark/tracking/).

Only the ESP that EMAIL_BACKEND names (anymail.backends.<esp>.EmailBackend) is mounted, and only its
tracking endpoint (Mandrill: its one combined endpoint), plus its inbound endpoint (/anymail/<esp>/inbound/,
customers' replies to cases: inbound.py) once CASE_REPLY_ADDRESS is set: every other anymail path is a 404,
and SMTP, the console or the demo's .eml files mount nothing. Every POST must carry ANYMAIL_WEBHOOK_SECRET as HTTP basic
auth (401 otherwise; 403 while no secret is configured); an ESP that also signs its requests (Mailgun,
Mandrill, Postal, MailerSend, Unisender Go, Resend…) must sign them with its key as well (403 otherwise).
anymail then parses the payload and sends its `tracking` signal (received in tracking.py) or its
`inbound` signal (received in inbound.py).
"""

import functools
import logging
import re

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError, AnymailError, AnymailWebhookValidationFailure
from anymail.utils import get_anymail_setting, get_request_basic_auth
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.urls import URLPattern, include, path
from django.utils.crypto import constant_time_compare

from . import inbound  # noqa: F401  connects the receiver of anymail's inbound signal

log = logging.getLogger(__name__)

REALM = "OpenNPS ESP webhooks"


def esp_of(backend: str) -> str:
    """The anymail ESP an EMAIL_BACKEND sends through ("anymail.backends.postmark.EmailBackend" →
    "postmark"); "" for any other backend (SMTP, console, the demo's files, anymail's test backend)."""
    match = re.fullmatch(r"anymail\.backends\.(\w+)\.EmailBackend", backend)
    return match[1] if match and match[1] not in {"test", "console"} else ""


def webhook_secrets() -> list[str]:
    """The accepted "user:password" basic-auth strings (anymail's WEBHOOK_SECRET: one, or a list while
    rotating); empty when none is configured."""
    secrets = get_anymail_setting("webhook_secret", default=[])
    return [secrets] if isinstance(secrets, str) and secrets else [s for s in secrets or [] if s]


def text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


def esp_webhook(view):
    """anymail's webhook view behind our own checks, with precise statuses instead of 400s and 500s.

    - no secret configured (only possible with DEBUG on): 403, nothing is ever accepted unauthenticated;
    - missing or wrong basic auth: 401 with a challenge (anymail's own check would answer 400);
    - a wrong ESP signature: 403;
    - the ESP's own signing key not configured: 503 and an error in the log, so the ESP retries once the
      operator has set it;
    - a payload anymail cannot read: 400 (a 5xx would make the provider retry it forever).
    Database errors still raise, so the provider retries those. The atomic block keeps a batch that fails
    half way from writing half of its events.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":  # HEAD (and Unisender Go's GET) probes at setup; they record nothing
            return view(request, *args, **kwargs)
        secrets = webhook_secrets()
        if not secrets:
            log.error("ESP webhook %s refused: ANYMAIL_WEBHOOK_SECRET is not set.", request.path)
            return text("ESP webhooks are closed until ANYMAIL_WEBHOOK_SECRET is set.", 403)
        given = get_request_basic_auth(request) or ""
        if not any(constant_time_compare(given, secret) for secret in secrets):
            response = text("Missing or wrong webhook credentials.", 401)
            response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
            return response
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except AnymailWebhookValidationFailure as error:
            log.warning("ESP webhook %s refused: %s", request.path, error)
            return text("The request is not signed by this provider.", 403)
        except AnymailConfigurationError as error:
            log.error("ESP webhook %s is not configured: %s", request.path, error)
            return text("This email provider's webhook is not configured yet.", 503)
        except (AnymailError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            log.warning("Unreadable ESP webhook payload on %s: %r", request.path, error)
            return text("The payload is not a webhook this provider sends.", 400)

    return wrapped


def is_tracking_of(entry: URLPattern, esp: str) -> bool:
    """anymail's tracking endpoint of that ESP; Mandrill has one endpoint for everything (and an older
    address for it)."""
    if esp == "mandrill":
        return entry.name in {"mandrill_webhook", "mandrill_tracking_webhook"}
    return entry.name == f"{esp}_tracking_webhook"


def is_inbound_of(entry: URLPattern, esp: str) -> bool:
    """anymail's inbound endpoint of that ESP (Mailgun's also answers at .../inbound_mime/); Mandrill's
    combined endpoint takes inbound mail already."""
    return esp != "mandrill" and entry.name == f"{esp}_inbound_webhook"


def is_mounted(entry: URLPattern, esp: str, *, receives_mail: bool) -> bool:
    return bool(esp) and (is_tracking_of(entry, esp) or (receives_mail and is_inbound_of(entry, esp)))


def urlpatterns_for(backend: str, *, receives_mail: bool = False) -> list:
    """The webhook URLs to mount for an EMAIL_BACKEND (anymail's names in the "anymail" namespace, e.g.
    "anymail:postmark_tracking_webhook"); none when it is no anymail ESP with a tracking webhook. With
    `receives_mail` (CASE_REPLY_ADDRESS is set) also its inbound webhook ("anymail:postmark_inbound_webhook")."""
    esp = esp_of(backend)
    patterns = [
        URLPattern(entry.pattern, esp_webhook(entry.callback), entry.default_args, entry.name)
        for entry in anymail_urls.urlpatterns
        if is_mounted(entry, esp, receives_mail=receives_mail)
    ]
    return [path("anymail/", include((patterns, "anymail")))] if patterns else []


def configuration_errors(backend: str, *, receives_mail: bool = False) -> list[str]:
    """What the mounted webhooks of an EMAIL_BACKEND lack to work (its ESP's signing key, a package), in
    anymail's words; each such webhook would answer 503."""
    esp = esp_of(backend)
    errors = []
    for entry in anymail_urls.urlpatterns:
        if (
            not is_mounted(entry, esp, receives_mail=receives_mail)
            or entry.name == "mandrill_tracking_webhook"
        ):
            continue
        try:
            view = entry.callback.view_class(**entry.callback.view_initkwargs)
            if esp == "mandrill" and view.webhook_key is None:  # anymail defers this one to the first POST
                get_anymail_setting("webhook_key", esp_name=view.esp_name, allow_bare=True, kwargs={})
        except AnymailConfigurationError as error:
            if str(error) not in errors:  # the tracking and inbound views of one ESP lack the same key
                errors.append(str(error))
    return errors


def urlpatterns() -> list:
    """The configured ESP's webhook URLs (read when the URLconf loads)."""
    return urlpatterns_for(settings.EMAIL_BACKEND, receives_mail=bool(settings.CASE_REPLY_ADDRESS))
