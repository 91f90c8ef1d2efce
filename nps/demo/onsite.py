"""The demo's on-site widget, public link and kiosk: a real site for the "In-app dashboard widget" campaign,
a counter campaign with a link and a kiosk, and the demo host page, a fake Chaiwala Cloud dashboard that
loads the real snippet (docs/widget.md, docs/link-and-kiosk.md).

The host page is served at /demo/host/ by the demo server itself, whose origin is on the site's list; it
exists only while the demo site does (404 elsewhere). It is a customer's page, so anyone may open it.
"""

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from csp.constants import NONCE
from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from nps.accounts.roles import public
from surveys import sites, widget
from surveys.models import Brand, Campaign, Channel, Contact, Site

SITE_KEY = "chaiwala-dashboard"  # fixed, so the README and docs can name the demo's snippet
SITE_NAME = "Chaiwala Cloud dashboard"
COUNTER_CAMPAIGN = "Chai counter: QR code and kiosk"
# Where people run the demo: its own address, and the Makefile's defaults.
LOCAL_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]


def demo_origins() -> list[str]:
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    return sites.normalize_origins([f"{parts.scheme}://{parts.netloc}", *LOCAL_ORIGINS], allow_http=True)


def seed(brand: Brand, web: Campaign, now: datetime) -> tuple[Site, Campaign]:
    """The widget's site for the web campaign and the counter campaign (public link and kiosk)."""
    site = Site.objects.create(
        name=SITE_NAME,
        campaign=web,
        key=SITE_KEY,
        allowed_origins=demo_origins(),
        require_user_hash=True,  # the host page signs on the server, as a customer's would
        allow_anonymous=True,
        recontact=Site.Recontact.UNTIL_ANSWERED,
        dismiss_wait_days=30,
        created_at=web.created_at,
    )
    counter = Campaign.objects.create(
        name=COUNTER_CAMPAIGN,
        brand=brand,
        channels=[Channel.LINK, Channel.KIOSK],
        status=Campaign.Status.RUNNING,
        schedule=Campaign.Schedule.NOW,
        weekdays_only=False,
        followup_detractor="Sorry about that. What went wrong at the counter?",
        link_properties=["store", "table"],
        link_once_per_browser=True,
        kiosk_idle_seconds=10,
        created_at=now - timedelta(days=14),
        send_at=now - timedelta(days=14),
    )
    return site, counter


def demo_site() -> Site:
    site = Site.objects.select_related("campaign__brand").filter(key=SITE_KEY).first()
    if site is None:
        raise Http404("The demo host page exists only in the demo workspace (make demo).")
    return site


def counter_campaign() -> Campaign | None:
    return Campaign.objects.filter(name=COUNTER_CAMPAIGN).first()


def known_customer() -> Contact | None:
    """A seeded customer with an email: the first one, so the page is the same on every run."""
    return Contact.objects.filter(anonymous=False).exclude(email=None).order_by("pk").first()


# The presets of the host page: (key, title, what it shows).
PRESETS = [
    (
        "customer",
        "A known customer",
        "The call your server would print for a signed-in customer, signed with userHash. The rules apply: "
        "if they were surveyed in the campaign's throttle window, or already answered, nothing appears.",
    ),
    (
        "force",
        "The same customer, forceDisplay on",
        "forceDisplay skips the rules (throttle, recontact, sampling), never the identity check: use it to "
        "test.",
    ),
    (
        "anonymous",
        "An anonymous visitor",
        "No email or id: the site allows anonymous visitors, so the widget keeps a random id in this "
        "browser. Answer once and reload: you are not asked again.",
    ),
    (
        "new",
        "A new sign-up (initialDelay)",
        "createdAt is now and initialDelay is 7 days: nobody is asked in their first week.",
    ),
    (
        "slow",
        "A single-page app route change",
        "forceDisplay with minTimeOnPage 8: press “Reports” (a history.pushState route change) before the "
        "8 seconds pass, and the waiting survey is cancelled.",
    ),
    (
        "unsigned",
        "A forged identity (no userHash)",
        "This site requires identity verification: a call without the right userHash is refused (403) and "
        "nothing is stored.",
    ),
]


def _call(preset: str, site: Site, customer: Contact | None, now: datetime) -> dict:
    """The options of the opennps("survey", …) call of a preset, as the host's server would print them."""
    if preset == "anonymous":
        return {"properties": {"plan": "free", "page": "dashboard"}}
    if preset == "new":
        return {
            "externalId": "demo-new-signup",
            "name": "New Sign-up",
            "createdAt": now.isoformat(timespec="seconds"),
            "initialDelay": 7 * 86400,
            "userHash": widget.user_hash(site, "demo-new-signup"),
        }
    if customer is None:
        return {"properties": {"plan": "free"}}
    call = {
        "email": customer.email,
        "name": customer.name,
        "properties": {
            "plan": customer.properties.get("plan", ""),
            "region": customer.properties.get("region", ""),
            "locale": customer.language or "en",
        },
    }
    if preset != "unsigned":
        call["userHash"] = widget.user_hash(site, customer.email)
    if preset in ("force", "slow"):
        call["forceDisplay"] = True
    return call


def _context(request, *, delighted: bool) -> dict:
    site = demo_site()
    preset = request.GET.get("as", "customer")
    if preset not in {key for key, _title, _text in PRESETS}:
        preset = "customer"
    customer = known_customer()
    call = _call(preset, site, customer, timezone.now())
    if preset == "slow":
        call["minTimeOnPage"] = 8
    counter = counter_campaign()
    return {
        "site": site,
        "call_json": _js_object(call),
        "presets": PRESETS,
        "preset": preset,
        "call": call,
        "customer": customer,
        "delighted": delighted,
        # This server as the browser reached it: the page and the widget come from the same demo server.
        "widget_url": request.build_absolute_uri("/w/widget.js"),
        "delighted_base": request.build_absolute_uri("/w/"),
        "link_url": reverse("responses:link", args=[counter.public_token]) if counter else "",
        "kiosk_url": reverse("responses:kiosk", args=[counter.public_token]) if counter else "",
    }


def _js_object(value: dict) -> str:
    """`value` as a JavaScript object literal safe inside <script> (no "</script>", no "<!--")."""
    text = json.dumps(value, ensure_ascii=False, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# A customer's page with a strict policy: scripts from this origin and the nonce only, no inline style.
HOST_CSP = {
    "script-src": ["'self'", NONCE],
    "style-src": ["'self'", NONCE],
    "connect-src": ["'self'"],
}


@public
@require_GET
@csp_replace(HOST_CSP)
def host_page(request):
    """The fake Chaiwala Cloud dashboard with the real two-line snippet."""
    return render(request, "demo/host.html", _context(request, delighted=False))


@public
@require_GET
@csp_replace(HOST_CSP)
def host_page_delighted(request):
    """The same page written as a Delighted customer's: Delighted's loader and delighted.survey()."""
    return render(request, "demo/host.html", _context(request, delighted=True))


app_name = "demo_host"
urlpatterns = [
    path("", host_page, name="host"),
    path("delighted/", host_page_delighted, name="host_delighted"),
]
