"""Every page of the product, in Chromium, for every role that may open it, at 1280 px and on a 360 px phone.

The pages come from the URL configuration (the same walker and the same world of real objects as
tests/test_hostile_input.py), so a page added tomorrow is audited without anyone listing it here. What is
not a page is listed below with its reason: a route that is neither audited nor listed fails its own test.
Each visit fails on a console error, a failed request of the page's own resources, sideways scrolling at
360 px, an image without alternative text, a form field without a label, and a serious or critical
WCAG 2.1 AA violation reported by axe-core (vendored in tests/browser/vendor/, never from a CDN).
A screenshot of each visit goes to var/screens/<role>-<width>-<page>.png, to look at them all in a minute.

Fast: one server and one world for the whole module (demo data seeded once, flushed at the end), one
browser context per role and width, signed in once, one tab per context reused from page to page.
"""

import re
from datetime import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from pytest_django.live_server_helper import LiveServer

from dashboards import rollups
from nps import demo
from nps.accounts.roles import RANK, Role
from responses.models import Answer, Case
from surveys.models import Campaign, Contact, QuietHoursRule, Site
from tests.factories import make_user
from tests.test_hostile_input import _fill, _make_world, _routes

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests/browser/vendor/axe.min.js"
SCREENS = ROOT / "var/screens"
WIDTHS = {1280: 800, 360: 740}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Routes that are not pages a person opens, by route: the reason says why the audit skips them.
NOT_PAGES = {
    "s": "redirects to a short link's target",
    "w/widget.js": "script of the on-site widget (the demo host pages run it)",
    "w/<str:site_key>/delighted.js": "script of the on-site widget, Delighted's name (the demo host pages run it)",
    "k/<str:token>/answers": "JSON endpoint of the kiosk page",
    "k/<str:token>/sw.js": "service worker of the kiosk page",
    "w/api/<str:site_key>/survey": "JSON endpoint of the on-site widget",
    "w/api/<str:site_key>/answer": "JSON endpoint of the on-site widget",
    "w/api/<str:site_key>/dismiss": "JSON endpoint of the on-site widget",
    "settings/audit/export.csv": "CSV download",
    "healthz": "health check for the load balancer",
    "export.csv": "CSV download",
    "contacts/<int:pk>/export/": "JSON download of a contact's data",
    "contacts/import/<int:pk>/progress/": "htmx fragment polled by the import page",
    "contacts/import/<int:pk>/rejected.csv": "CSV download",
    "campaigns/text-counter/": "htmx fragment of the campaign form",
    "campaigns/<int:pk>/qr.svg": "image download",
    "campaigns/<int:pk>/qr.png": "image download",
    "campaigns/<int:pk>/preview/<slug:channel>/": "the message preview, framed inside the campaign preview page",
    "campaigns/<int:pk>/preview/answer/": "the answer page preview, framed inside the campaign preview page",
    "api/v1/": "the native REST API (JSON)",
    "v1/": "the Delighted-compatible API (JSON)",
    "webhooks/": "providers' webhooks",
    "media/brands/<path:path>": "brand logo files",
    "logout/": "signs out (POST)",
    "account/digest/preview/": "the digest email's HTML, framed inside the digest settings page",
    "campaigns/<int:pk>/audience/count/": "htmx fragment of the audience builder",
    "campaigns/<int:pk>/audience/values/": "htmx fragment of the audience builder (a property's common values)",
    "themes/runs/<int:pk>/": "htmx fragment polled by the theme list (a learn run's progress)",
}
# The API's own documentation page is excluded with the API (api/v1/docs loads the Swagger UI bundle).
# Actions that only take POST: GET answers 405 (checked by test_every_excluded_action_refuses_get).
POST_ONLY = {
    "cases/<int:pk>/assign/", "cases/<int:pk>/status/", "cases/<int:pk>/priority/", "cases/<int:pk>/due/",
    "cases/<int:pk>/note/", "cases/<int:pk>/tags/", "cases/<int:pk>/reply/",
    "settings/follow-up/rules/<int:pk>/toggle/",
    "settings/follow-up/rules/<int:pk>/move/", "settings/follow-up/assignment/<int:pk>/move/", "settings/alerts/<int:pk>/test/", "settings/team/invitations/<int:pk>/revoke/",
    "settings/api-keys/<int:pk>/revoke/", "settings/webhooks/<int:pk>/delete/",
    "settings/webhooks/<int:pk>/test/", "settings/webhooks/<int:pk>/rotate/", "views/<int:pk>/delete/",
    "share-links/<int:pk>/revoke/", "brands/<int:pk>/delete/", "contacts/texts/<int:pk>/read/",
    "campaigns/<int:pk>/pause/", "campaigns/<int:pk>/resume/", "campaigns/<int:pk>/archive/",
    "demo/phone/dispatch/", "demo/phone/<slug:channel>/<str:number>/reply/", "views/new/",
    "account/password/", "settings/team/invite/", "settings/api-keys/new/", "settings/sites/<int:pk>/secret/",
    "responses/import/<int:pk>/map/", "responses/import/<int:pk>/confirm/", "contacts/import/<int:pk>/map/",
    "contacts/import/<int:pk>/confirm/", "campaigns/<int:pk>/audience/",
    "account/digest/send/", "campaigns/<int:pk>/test/",
    "themes/<int:pk>/rename/", "themes/<int:pk>/hide/", "themes/<int:pk>/pin/", "themes/<int:pk>/words/",
    "themes/relearn/", "themes/answers/<int:pk>/tag/", "themes/answers/<int:pk>/untag/<int:theme_pk>/",
}  # fmt: skip

# Known violations a page may keep for now: (route, axe rule or check, text of the element). None today: a
# new entry needs a reason and an issue.
ALLOWED: list[tuple[str, str, str]] = []


def _path(chain, ids: dict[str, str]) -> str:
    """The URL of a route filled with the world's objects (the demo phone simulator shows texts, not email)."""
    return _fill(chain, None, None, ids).replace("/demo/phone/email/", "/demo/phone/sms/")


def _route_text(chain) -> str:
    return "".join(str(part) for part in chain)


def _excluded(route: str) -> str | None:
    for prefix, reason in NOT_PAGES.items():
        if route == prefix or (prefix.endswith("/") and route.startswith(prefix)):
            return reason
    return "POST-only action" if route in POST_ONLY else None


def _roles(pattern) -> list[str]:
    required = getattr(pattern.callback, "required_role", None)
    if required is None:
        return ["signed-out"]
    return [role.value for role in Role if RANK[role] >= RANK[Role(required)]]


def _name(route: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"<(?:\w+:)?(\w+)>", r"\1", route).lower()).strip("-") or "home"


ROUTES = _routes()
PAGES = [
    (_route_text(chain), chain, pattern) for chain, pattern in ROUTES if not _excluded(_route_text(chain))
]
VISITS = [
    pytest.param(route, chain, role, width, id=f"{_name(route)}-{role}-{width}")
    for route, chain, pattern in PAGES
    for role in _roles(pattern)
    for width in WIDTHS
]


# The world: demo data, the hostile-input walker's objects, a server, one signed-in context per role --


def _demo_ids(ids: dict[str, str]) -> dict[str, str]:
    """Point the route families at the demo's richer objects where the demo has one."""
    campaign = Campaign.objects.get(name="Quarterly relationship NPS")
    answer = Answer.objects.filter(campaign=campaign).exclude(comment="").order_by("-answered_at").first()
    contact = Contact.objects.filter(pk=answer.invitation.contact_id).first() if answer else None
    case = Case.objects.order_by("pk").first()
    site = Site.objects.order_by("pk").first()
    more = {"campaigns": campaign.pk, "brands": campaign.brand_id, "responses": answer.pk}
    more |= {"contacts": contact.pk} if contact else {}
    more |= {"cases": case.pk} if case else {}
    more |= {"settings/sites": site.pk} if site else {}
    counter = Campaign.objects.get(name=demo.onsite.COUNTER_CAMPAIGN)
    more |= {"l": counter.public_token, "k": counter.public_token}
    more["demo/phone"] = Contact.objects.filter(phone__startswith="+").order_by("pk").first().phone
    if not QuietHoursRule.objects.exists():
        QuietHoursRule.objects.create(region="US-FL", start=time(9), end=time(20), note="Florida")
    for family, model in [
        ("settings/follow-up/rules", "responses.CaseRule"),
        ("settings/follow-up/assignment", "responses.AssignmentRule"),
        ("settings/texting/quiet-hours", "surveys.QuietHoursRule"),
    ]:
        from django.apps import apps

        try:
            row = apps.get_model(model).objects.order_by("pk").first()
        except LookupError:
            row = None
        if row is not None:
            more[family] = row.pk
    return ids | {key: str(value) for key, value in more.items()}


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-media")


@pytest.fixture(autouse=True)
def media_root(media_dir, settings):
    """One media folder for the module's world (tests/conftest.py gives each test its own)."""
    settings.MEDIA_ROOT = media_dir / "media"
    settings.MAIL_OUTBOX_DIR = media_dir / "outbox"
    settings.SMS_OUTBOX_DIR = media_dir / "sms-outbox"


@pytest.fixture(scope="module")
def audit(django_db_setup, django_db_blocker, media_dir, browser):
    """The server, the ids to fill the URLs with, and a browser context per (role, width)."""
    server = LiveServer("localhost")
    overrides = override_settings(
        MEDIA_ROOT=media_dir / "media",
        MAIL_OUTBOX_DIR=media_dir / "outbox",
        SMS_OUTBOX_DIR=media_dir / "sms-outbox",
        PUBLIC_BASE_URL=server.url,
        ANSWER_RATELIMIT="1000000/m",
        ANSWER_MISS_RATELIMIT="1000000/m",
        SHARE_RATELIMIT="1000000/m",
    )
    overrides.enable()
    with django_db_blocker.unblock():
        demo.seed(contacts=200, answers=1500)
        rollups.refresh()  # the dashboards read the rollups, which a periodic task keeps fresh
        ids = _demo_ids(_make_world().ids)
        cookies = {}
        for role in Role:
            client = Client()
            client.force_login(make_user(role=role, email=f"audit-{role.value}@example.com", name=role.label))
            cookies[role.value] = client.cookies[settings.SESSION_COOKIE_NAME].value
    contexts = {}
    for role in ["signed-out", *(role.value for role in Role)]:
        for width, height in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_init_script(path=str(AXE))
            if role in cookies:
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[role], "url": server.url}]
                )
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            contexts[role, width] = tab
    SCREENS.mkdir(parents=True, exist_ok=True)
    yield {"url": server.url, "ids": ids, "tabs": contexts}
    _write_index()
    for tab in contexts.values():
        tab.context.close()
    server.stop()
    overrides.disable()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


def _write_index() -> None:
    """var/screens/index.html: every screenshot on one page, phones and desktops side by side."""
    shots = sorted(path.name for path in SCREENS.glob("*.png"))
    cells = "".join(
        f'<figure><a href="{name}"><img src="{name}" alt="{name}" loading="lazy"></a>'
        f"<figcaption>{name.removesuffix('.png')}</figcaption></figure>"
        for name in shots
    )
    style = (
        "body{font:12px sans-serif;display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;width:180px}"
        "img{width:180px;height:370px;object-fit:cover;object-position:top;border:1px solid #ccc}"
    )
    (SCREENS / "index.html").write_text(
        f'<!doctype html><html lang="en"><title>Page audit</title><style>{style}</style>{cells}</html>'
    )


# The checks run in the page -------------------------------------------------------------------------

CHECKS = """(width) => {
  const problems = [];
  const root = document.documentElement;
  if (width < 400 && root.scrollWidth > root.clientWidth) {
    const wide = [...document.body.querySelectorAll('*')].filter(
      (el) => el.getBoundingClientRect().right > root.clientWidth + 1 && el.getClientRects().length
    ).filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= root.clientWidth + 1);
    problems.push(['overflow', `scrolls sideways: ${root.scrollWidth}px wide in ${root.clientWidth}px`,
      wide.slice(0, 3).map(describe).join(', ')]);
  }
  for (const img of document.querySelectorAll('img:not([alt]), input[type=image]:not([alt])')) {
    problems.push(['img-alt', 'image without alternative text', describe(img)]);
  }
  const fields = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea';
  for (const field of document.querySelectorAll(fields)) {
    const named = (field.labels && [...field.labels].some((l) => l.textContent.trim()))
      || (field.getAttribute('aria-label') || '').trim()
      || (field.getAttribute('aria-labelledby') || '').split(/\\s+/).some((id) => id && document.getElementById(id)?.textContent.trim())
      || (field.getAttribute('title') || '').trim();
    if (!named) problems.push(['label', 'form field without a label', describe(field)]);
  }
  return problems;
  function describe(el) {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.getAttribute('name')) text += `[name=${el.getAttribute('name')}]`;
    if (el.className && typeof el.className === 'string') text += '.' + el.className.trim().split(/\\s+/).join('.');
    return text;
  }
}"""

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap(
    (v) => v.nodes.map((n) => [v.id, `${v.impact}: ${v.help}`, n.target.join(' ') + ' ' + n.html.slice(0, 160)])
  );
}"""


def _visit(tab, url: str) -> tuple[int | None, list[tuple[str, str, str]]]:
    """Open the page; the console errors and failed requests of the page itself, as problems."""
    problems = []
    origin = re.match(r"https?://[^/]+", url).group(0)

    def on_console(message):
        if message.type == "error":
            problems.append(("console", "console error", message.text[:300]))

    def on_page_error(error):
        problems.append(("console", "uncaught error", str(error)[:300]))

    def on_response(response):
        if response.url.startswith(origin) and response.status >= 400 and response.request != main:
            problems.append(("request", f"HTTP {response.status}", response.url))

    def on_failed(request):
        problems.append(("request", f"failed: {request.failure}", request.url))

    main = None
    tab.goto("about:blank")  # the previous page's late requests end here, before the listeners start
    tab.on("console", on_console)
    tab.on("pageerror", on_page_error)
    tab.on("response", on_response)
    tab.on("requestfailed", on_failed)
    try:
        response = tab.goto(url, wait_until="load")
        main = response.request if response else None
        status = response.status if response else None
    finally:
        tab.remove_listener("console", on_console)
        tab.remove_listener("pageerror", on_page_error)
        tab.remove_listener("response", on_response)
        tab.remove_listener("requestfailed", on_failed)
    return status, problems


def _allowed(route: str, problem: tuple[str, str, str]) -> bool:
    return any(page == route and check == problem[0] and text in problem[2] for page, check, text in ALLOWED)


def test_every_route_is_audited_or_excluded_with_a_reason():
    audited = {route for route, _chain, _pattern in PAGES}
    routes = {_route_text(chain) for chain, _pattern in ROUTES}
    assert audited | {r for r in routes if _excluded(r)} == routes
    assert len(audited) >= 60, sorted(audited)
    # No stale exclusions: every listed route (or route prefix) still exists.
    for listed in [*NOT_PAGES, *POST_ONLY]:
        assert any(r == listed or r.startswith(listed) for r in routes), f"{listed} is no longer a route"


@pytest.mark.django_db
def test_every_post_only_action_refuses_get(audit):
    """POST_ONLY may hide no page: a GET of each, as an admin, answers 405."""
    request = audit["tabs"]["admin", 1280].context.request
    answers = {
        route: request.get(audit["url"] + _path(chain, audit["ids"]), max_redirects=0).status
        for chain, _pattern in ROUTES
        if (route := _route_text(chain)) in POST_ONLY
    }
    assert {route: status for route, status in answers.items() if status != 405} == {}


# The mark makes pytest-django create the test database; the world itself is committed once by `audit`.
@pytest.mark.django_db
@pytest.mark.parametrize(("route", "chain", "role", "width"), VISITS)
def test_page_passes_the_audit(audit, route, chain, role, width):
    tab = audit["tabs"][role, width]
    path = _path(chain, audit["ids"])
    status, problems = _visit(tab, audit["url"] + path)
    assert status == 200, (
        f"GET {path} as {role} answered {status}: a page answers 200 with the world's objects; "
        "if this route is not a page, list it in NOT_PAGES or POST_ONLY with its reason"
    )
    problems += [tuple(p) for p in tab.evaluate(CHECKS, width)]
    problems += [tuple(p) for p in tab.evaluate(AXE_RUN, WCAG_21_AA)]
    tab.screenshot(path=SCREENS / f"{role}-{width}-{_name(route)}.png", full_page=True)
    left = [problem for problem in problems if not _allowed(route, problem)]
    assert not left, f"{role} at {width} px, {path}:\n" + "\n".join(
        f"  [{check}] {what}: {where}" for check, what, where in left
    )
