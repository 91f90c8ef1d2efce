"""The widget script in a host page (unit level: the host page is served by the live server itself, so one
origin; tests/browser/test_widget_flow.py drives it from another origin, under a CSP, on a phone)."""

import time

import pytest
from csp.decorators import csp_exempt
from django.http import HttpResponse
from django.urls import path
from playwright.sync_api import expect

from nps.accounts.roles import public
from nps.urls import urlpatterns as project_urlpatterns
from responses.models import Answer
from surveys.models import Campaign, Contact, Invitation, Site
from tests.factories import make_campaign

# Hostile host CSS: it must not reach the card, and the card's CSS must not reach these elements.
HOST_STYLE = """<style>
* { color: red !important; font-size: 50px }
button { display: none }
</style>"""
HOST_ELEMENTS = """<h1>Host page</h1>
<p class="c q x" id="host-p">The host's own paragraph.</p>
<textarea id="host-textarea"></textarea><a id="host-link" href="#top">A link on the page</a>"""
RECORD = "window.events = []; const record = (name) => (detail) => events.push([name, detail ?? null]);"
STRICT_POLICY = (
    "default-src 'none'; script-src 'self' 'nonce-n0nce'; style-src 'nonce-n0nce'; connect-src 'self'; "
    "img-src data:"
)
CALLBACKS = 'onShow: record("show"), onRespond: record("respond"), onClose: record("close")'

PAGES = {
    # The snippet as docs/widget.md gives it, with a reset queued before the survey.
    "snippet": f"""{HOST_STYLE}{HOST_ELEMENTS}
<script>{RECORD}
window.opennps=window.opennps||function(){{(opennps.q=opennps.q||[]).push(arguments)}};
opennps("reset");
opennps("survey", {{email: "asha@example.com", name: "Asha", properties: {{plan: "pro", locale: "LOCALE"}},
  {CALLBACKS}}});</script>
<script async src="/w/widget.js" data-site="SITE_KEY"></script>""",
    # Delighted's web snippet as Delighted documented it, with the library address changed to ours.
    "delighted": f"""{HOST_ELEMENTS}
<script type="text/javascript">{RECORD}
!function(e,t,r,n){{if(!e[n]){{for(var a=e[n]=[],i=["survey","reset","track"],c=0;c<i.length;c++){{var s=i[c];\
a[s]=a[s]||function(e){{return function(){{var t=Array.prototype.slice.call(arguments);a.push([e,t])}}}}(s)}}\
a.SNIPPET_VERSION="1.0.1";var o=t.createElement("script");o.type="text/javascript",o.async=!0,\
o.src="/w/"+r+"/"+n+".js";var p=t.getElementsByTagName("script")[0];p.parentNode.insertBefore(o,p)}}}}\
(window,document,"SITE_KEY","delighted");
delighted.survey({{
  email: "jony@appleseed.com", name: "Jony Appleseed", createdAt: "2016-01-01T00:00:00.000Z",
  properties: {{company: "Apple Inc"}}, {CALLBACKS}
}});
</script>""",
    # A strict Content-Security-Policy (STRICT_POLICY): scripts by nonce or from our origin, styles by nonce.
    "strict": f"""{HOST_ELEMENTS}
<script nonce="n0nce">{RECORD}
window.opennps=window.opennps||function(){{(opennps.q=opennps.q||[]).push(arguments)}};
opennps("survey", {{externalId: "user-42", nonce: "n0nce", {CALLBACKS}}});</script>
<script async src="/w/widget.js" data-site="SITE_KEY"></script>""",
    # An anonymous visitor of a single-page app, asked after some time on the page.
    "spa": f"""{HOST_ELEMENTS}
<script>{RECORD}
window.opennps=window.opennps||function(){{(opennps.q=opennps.q||[]).push(arguments)}};</script>
<script src="/w/widget.js" data-site="SITE_KEY"></script>""",
}


@public
@csp_exempt()  # a host page without a policy of its own (test_widget_flow.py has the strict one)
def host_page(request, name):
    body = (
        PAGES[name]
        .replace("SITE_KEY", request.GET["site"])
        .replace("LOCALE", request.GET.get("locale", "en"))
    )
    head = '<title>Host</title><link rel="icon" href="data:,">'
    response = HttpResponse(f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>')
    if name == "strict":
        response["Content-Security-Policy"] = STRICT_POLICY
    return response


urlpatterns = [path("host/<str:name>/", host_page), *project_urlpatterns]
pytestmark = pytest.mark.urls(__name__)


def make_site(live_server, **fields):
    campaign = make_campaign(channels=["web"], status=Campaign.Status.RUNNING)
    return Site.objects.create(
        name="App", campaign=campaign, allowed_origins=[live_server.url], accent_color="#0e7c66", **fields
    )


def open_host(page, live_server, name, site, **query):
    query = "".join(f"&{key}={value}" for key, value in query.items())
    page.goto(f"{live_server.url}/host/{name}/?site={site.key}{query}")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def focus_is_in_the_card(page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.tagName === 'OPENNPS-WIDGET'")


def test_queued_survey_shows_a_card_in_a_shadow_root_untouched_by_host_css(live_server, page):
    site = make_site(live_server)
    complaints = []
    page.on(
        "console", lambda message: message.type in ("error", "warning") and complaints.append(message.text)
    )
    page.on("pageerror", lambda error: complaints.append(str(error)))
    dialog = open_host(page, live_server, "snippet", site)
    invitation = Invitation.objects.get(channel="web")
    assert invitation.contact.email == "asha@example.com"
    assert invitation.contact.properties["plan"] == "pro"
    assert page.evaluate("opennps.loaded") is True

    # In an open shadow root attached to a host element at the end of <body>.
    assert page.evaluate(
        "document.body.lastElementChild.tagName === 'OPENNPS-WIDGET' && "
        "!!document.body.lastElementChild.shadowRoot.querySelector('[role=dialog]')"
    )
    expect(dialog).to_have_attribute("aria-labelledby", "q")
    expect(dialog).to_contain_text(invitation.text("question", "en"))
    expect(dialog).to_contain_text("0 = not at all likely")
    # The host's `* {color: red !important; font-size: 50px}` and `button {display: none}` stay outside.
    nine = dialog.get_by_role("button", name="9", exact=True)
    expect(nine).to_be_visible()
    expect(nine).to_have_css("font-size", "16px")
    expect(nine).to_have_css("color", "rgb(31, 41, 51)")
    expect(dialog).to_have_css("font-size", "16px")
    expect(dialog).to_have_css("border-top-color", "rgb(14, 124, 102)")  # the site's accent
    # The card's rules (.c, .q, .x, textarea) stay inside: the host's elements keep the host's styles.
    expect(page.locator("#host-p")).to_have_css("position", "static")
    expect(page.locator("#host-p")).to_have_css("font-size", "50px")
    expect(page.locator("#host-textarea")).not_to_have_css("min-height", "84px")
    assert page.evaluate("document.styleSheets.length") == 1  # the host's own <style>
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    assert page.evaluate("events") == [["show", None]]
    assert complaints == []


def test_keyboard_tab_stays_in_the_card_and_escape_closes_it(live_server, page):
    site = make_site(live_server)
    dialog = open_host(page, live_server, "snippet", site)
    # Shown, the card has the focus (its question is read out).
    assert focus_is_in_the_card(page)
    for _ in range(14):
        page.keyboard.press("Tab")
        assert focus_is_in_the_card(page)
    for _ in range(14):
        page.keyboard.press("Shift+Tab")
        assert focus_is_in_the_card(page)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.evaluate("events") == [["show", None], ["close", None]]
    # The dismissal reached the server: recontact waits.
    invitation = Invitation.objects.get(channel="web")
    deadline = time.monotonic() + 5
    while invitation.dismissed_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
        invitation.refresh_from_db()
    assert invitation.dismissed_at is not None
    assert not Answer.objects.exists()


def test_visitor_answers_with_the_buttons_then_comments_and_is_thanked(live_server, page):
    site = make_site(live_server)
    dialog = open_host(page, live_server, "snippet", site)
    dialog.get_by_role("button", name="3", exact=True).click()
    # The follow-up for the group takes the focus, and the status says the score is saved.
    expect(dialog.get_by_label("What disappointed you?")).to_be_focused()
    expect(dialog.get_by_role("status")).to_have_text("Thank you, your score is saved. Tell us more below.")
    dialog.get_by_role("button", name="9", exact=True).click()  # changing the score asks the new follow-up
    expect(dialog.get_by_role("button", name="9", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(dialog.get_by_role("button", name="3", exact=True)).to_have_attribute("aria-pressed", "false")
    comment = dialog.get_by_label("What do you like most about us?")
    expect(comment).to_be_visible()
    # Tab wraps inside the card with the comment box shown too.
    for _ in range(16):
        page.keyboard.press("Tab")
        assert focus_is_in_the_card(page)
    comment.fill("The reports")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_text("Thank you!")).to_be_visible()
    expect(comment).to_be_hidden()

    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.channel) == (9, "The reports", "web")
    assert answer.invitation.contact.email == "asha@example.com"
    events = page.evaluate("events")
    assert [name for name, _ in events] == ["show", "respond", "respond", "respond"]
    assert events[-1] == ["respond", {"score": 9, "comment": "The reports"}]
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    assert page.evaluate("events")[-1] == ["close", None]
    Invitation.objects.get(channel="web", dismissed_at=None)  # closed after answering: not a dismissal


def test_arabic_card_is_right_to_left_and_translated(live_server, page):
    site = make_site(live_server)
    dialog = open_host(page, live_server, "snippet", site, locale="ar")
    expect(dialog).to_have_attribute("dir", "rtl")
    expect(dialog).to_have_attribute("lang", "ar")
    dialog.get_by_role("button", name="10", exact=True).click()
    expect(dialog.get_by_role("button", name="إرسال")).to_be_visible()


def test_delighted_snippet_calls_reach_the_site_named_in_the_library_address(live_server, page):
    site = make_site(live_server)
    dialog = open_host(page, live_server, "delighted", site)
    contact = Contact.objects.get(email="jony@appleseed.com")
    assert contact.properties["company"] == "Apple Inc"
    # delighted.survey now answers directly: the stub's queue is drained and the methods replaced.
    assert page.evaluate("delighted.length") == 0
    dialog.get_by_role("button", name="8", exact=True).click()
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_text("Thank you!")).to_be_visible()
    assert Answer.objects.get().score == 8


def test_route_change_cancels_a_waiting_survey_and_reset_forgets_the_visitor(live_server, page):
    site = make_site(live_server, allow_anonymous=True)
    page.goto(f"{live_server.url}/host/spa/?site={site.key}")
    page.evaluate("opennps('survey', {minTimeOnPage: 1.5, onShow: record('show')})")
    page.evaluate("history.replaceState(null, '', location.href)")  # same address: not a route change
    page.evaluate("history.pushState(null, '', '/host/spa/other')")
    page.wait_for_timeout(2500)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not Invitation.objects.exists()  # the server was never asked

    # On the new route, the time on the page counts from the route change.
    page.evaluate("opennps('survey', {minTimeOnPage: 0.5, onShow: record('show')})")
    expect(page.get_by_role("dialog")).to_be_visible()
    anonymous_id = page.evaluate("localStorage.getItem('opennps.anonymousId')")
    assert len(anonymous_id) == 32
    contact = Invitation.objects.get().contact
    assert (contact.anonymous, contact.external_id) == (True, f"anon:{site.key}:{anonymous_id}")

    # Logout: the card goes (no dismissal, no callback) and the visitor's id is forgotten.
    page.evaluate("opennps('reset')")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('opennps.anonymousId')") is None
    assert page.evaluate("events") == [["show", None]]
    assert Invitation.objects.get().dismissed_at is None


@pytest.mark.parametrize("constructable", [True, False], ids=["adopted-stylesheet", "style-with-nonce"])
def test_card_is_styled_under_a_strict_policy_with_either_kind_of_stylesheet(
    live_server, page, constructable
):
    """Browsers without constructable stylesheets get a <style> carrying the page's nonce."""
    site = make_site(live_server)
    if not constructable:
        page.add_init_script(
            "Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', {get() {}, configurable: true})"
        )
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.on("pageerror", lambda error: refused.append(str(error)))
    dialog = open_host(page, live_server, "strict", site)
    expect(dialog).to_have_css("position", "fixed")
    expect(dialog).to_have_css("border-top-color", "rgb(14, 124, 102)")
    styles = page.evaluate(
        "document.querySelector('opennps-widget').shadowRoot.querySelectorAll('style').length"
    )
    assert styles == (0 if constructable else 1)
    dialog.get_by_role("button", name="7", exact=True).click()
    dialog.get_by_label("What could we do better?").fill("Dark mode")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_text("Thank you!")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.contact.external_id) == (7, "Dark mode", "user-42")
    assert refused == []
