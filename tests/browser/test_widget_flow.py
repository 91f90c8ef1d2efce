"""The on-site widget end to end in Chromium (issue 13), on host pages served from a second local server.

The host pages (tests/browser/hosts/) stand for a customer's site on another origin: the two-line snippet,
a page under a strict Content-Security-Policy with a nonce, a page written with Delighted's loader and
`delighted.survey()`, a single-page app with a client-side router, and a page passing a `userHash`. The
widget is loaded from the live_server (http://localhost:<port>); the host pages come from
http://127.0.0.1:<port2>, which is on the site's allowed origins, or from http://localhost:<port2>, which is
not.
"""

import hashlib
import hmac
import time

import pytest
from playwright.sync_api import expect

from responses.models import Answer
from surveys.models import Campaign, Contact, Invitation, Site
from tests.browser.hosts.server import HostServer
from tests.factories import make_campaign

EMAIL = "asha@example.com"
# The card is a dialog inside the widget's shadow root; Playwright's locators pierce open shadow roots.
IN_SHADOW_ROOT = """card => {
    const root = card.getRootNode();
    return root instanceof ShadowRoot && root.host.shadowRoot === root && root.host.isConnected;
}"""
# True when the element is entirely inside the visual viewport (what the visitor sees above a keyboard).
IN_VISUAL_VIEWPORT = """element => {
    const box = element.getBoundingClientRect(), view = window.visualViewport;
    return box.height > 0 && box.top >= view.offsetTop - 0.5 && box.left >= view.offsetLeft - 0.5
        && box.bottom <= view.offsetTop + view.height + 0.5 && box.right <= view.offsetLeft + view.width + 0.5;
}"""


@pytest.fixture(scope="session")
def hosts(live_server):
    """The customer's site: a second HTTP server, another origin than the live_server's."""
    server = HostServer(live_server.url).start()
    yield server
    server.stop()


def widget_site(origin: str, **fields) -> Site:
    campaign = make_campaign(name="In-app NPS", channels=["web"], status=Campaign.Status.RUNNING)
    return Site.objects.create(name="Acme app", campaign=campaign, allowed_origins=[origin], **fields)


def is_survey_request(site: Site):
    return lambda response: response.url.endswith(f"/w/api/{site.key}/survey")


def stored_answer(*, comment: bool = False, timeout: float = 10) -> Answer:
    """The one answer stored, once the widget's request (and, with `comment`, the comment's) has landed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = Answer.objects.select_related("contact", "invitation").first()
        if answer is not None and (answer.comment or not comment):
            assert Answer.objects.count() == 1
            return answer
        time.sleep(0.1)
    raise AssertionError(f"no answer{' with a comment' if comment else ''} stored within {timeout} s")


def answer_nine(card, comment: str) -> None:
    card.get_by_role("button", name="9", exact=True).click()
    box = card.get_by_role("textbox")
    expect(box).to_be_visible()
    box.fill(comment)
    card.get_by_role("button", name="Send").click()


def test_the_snippet_on_another_origin_shows_the_widget_in_a_shadow_root_and_stores_a_web_answer(hosts, page):
    site = widget_site(hosts.origin)
    page.goto(hosts.url("snippet.html", site=site.key, email=EMAIL))
    card = page.get_by_role("dialog")
    expect(card).to_be_visible()
    assert card.evaluate(IN_SHADOW_ROOT)

    # The host's careless global CSS (Georgia 22 px in red, magenta square buttons) stays out of the card,
    # and nothing of the widget's reaches the host's own elements.
    nine = card.get_by_role("button", name="9", exact=True)
    assert nine.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 255)"
    assert card.evaluate("c => getComputedStyle(c).color") != "rgb(200, 0, 0)"
    assert "Georgia" not in card.evaluate("c => getComputedStyle(c).fontFamily")
    host_button = page.locator("#host-button")
    expect(host_button).to_have_css("background-color", "rgb(255, 0, 255)")
    expect(host_button).to_have_css("border-radius", "0px")
    expect(host_button).to_have_css("box-sizing", "content-box")
    expect(page.locator("body")).to_have_css("font-size", "22px")

    answer_nine(card, "The weekly report saves me an hour")
    expect(card.get_by_text("Thank you!", exact=True)).to_be_visible()
    answer = stored_answer(comment=True)
    assert (answer.score, answer.comment, answer.channel) == (9, "The weekly report saves me an hour", "web")
    assert (answer.campaign_id, answer.invitation.channel) == (site.campaign_id, "web")
    assert (answer.contact.email, answer.contact.name) == (EMAIL, "Asha")
    assert answer.contact.properties["plan"] == "pro"


class NetworkLog:
    """Every response as the network received it, from Chromium's DevTools protocol.

    A response the browser then refuses to the page (a CORS refusal) never reaches Playwright's
    page.on("response"); the protocol's responseReceivedExtraInfo still reports its status and raw headers.
    """

    def __init__(self, page):
        self.urls: dict[str, str] = {}
        self.received: list[tuple[str, int, dict]] = []
        self.session = page.context.new_cdp_session(page)
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.responseReceivedExtraInfo", self._received)
        self.session.send("Network.enable")

    def _sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event):
        headers = {name.lower(): value for name, value in event["headers"].items()}
        self.received.append((event["requestId"], event["statusCode"], headers))

    def responses(self, url: str) -> list[tuple[int, dict]]:
        return [
            (status, headers) for request, status, headers in self.received if self.urls.get(request) == url
        ]


def test_a_page_on_an_origin_not_on_the_list_gets_nothing(hosts, live_server, page):
    site = widget_site(hosts.origin)
    survey_url = f"{live_server.url}/w/api/{site.key}/survey"
    network = NetworkLog(page)
    seen_by_page, failed = [], []
    page.on("response", lambda response: seen_by_page.append(response.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(hosts.url("snippet.html", origin=hosts.other_origin, site=site.key, email=EMAIL))
    deadline = time.monotonic() + 5
    while not network.responses(survey_url) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)

    [(status, headers)] = network.responses(survey_url)
    assert status == 403
    assert not [name for name in headers if name.startswith("access-control-")], headers
    assert "origin" in headers.get("vary", "").lower()
    # The browser kept the refusal from the page: no response reached it, the request failed there.
    assert survey_url not in seen_by_page and survey_url in failed
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not Contact.objects.exists()
    assert not Invitation.objects.exists()


def test_a_host_page_with_a_strict_policy_and_a_nonce_works_without_a_console_error(hosts, page):
    site = widget_site(hosts.origin)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    # Violations are also counted from the page's own events (they are composed: shadow roots included).
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " (window.violations = window.violations || []).push(e.effectiveDirective + ' ' + e.blockedURI))"
    )
    response = page.goto(hosts.url("csp.html", site=site.key, email=EMAIL))
    policy = response.headers["content-security-policy"]
    assert (
        policy.startswith("default-src 'none'; script-src http://localhost:")
        and "style-src 'nonce-abc'" in policy
    )

    card = page.get_by_role("dialog")
    expect(card).to_be_visible()
    # Styled (its styles were not refused): a card at the bottom of the window, not text after the page.
    box = card.bounding_box()
    assert box["y"] + box["height"] > page.viewport_size["height"] - 120, box
    answer_nine(card, "Works under our policy")
    answer = stored_answer(comment=True)
    assert (answer.score, answer.comment, answer.channel) == (9, "Works under our policy", "web")
    assert page.evaluate("window.violations || []") == []
    assert problems == []


def test_a_page_written_with_delighteds_snippet_and_survey_call_works(hosts, page):
    site = widget_site(hosts.origin)
    loaded = []
    page.on(
        "request", lambda request: loaded.append(request.url) if request.resource_type == "script" else None
    )
    page.goto(hosts.url("delighted.html", site=site.key, email=EMAIL))
    card = page.get_by_role("dialog")
    expect(card).to_be_visible()
    assert [url.split("/w/", 1)[1] for url in loaded] == [f"{site.key}/delighted.js"]

    card.get_by_role("button", name="9", exact=True).click()
    answer = stored_answer()
    assert (answer.score, answer.channel) == (9, "web")
    assert (answer.contact.email, answer.contact.name) == (EMAIL, "Jony Appleseed")
    assert answer.contact.properties["company"] == "Acme Corp"
    assert answer.contact.properties["plan"] == "enterprise"


def test_a_route_change_cancels_a_survey_waiting_for_min_time_on_page(hosts, page):
    site = widget_site(hosts.origin)
    url = hosts.url("spa.html", site=site.key, email=EMAIL)
    page.goto(url)
    # The visitor moves on in the app (history.pushState) before minTimeOnPage (2 s) has passed.
    page.get_by_role("link", name="Billing").click()
    expect(page).to_have_url(hosts.origin + "/billing")
    page.wait_for_timeout(2500)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.evaluate("window.surveyShownAt") is None

    # Staying on the page shows it after the 2 s: only the route change cancelled it, and the cancelled
    # survey used nothing up (no invitation opened that would now hold this person back).
    page.goto(url)
    expect(page.get_by_role("dialog")).to_be_visible(timeout=6000)
    assert page.evaluate("window.surveyShownAt") >= 2000
    assert Invitation.objects.filter(channel="web").count() == 1


def test_on_a_phone_the_comment_box_stays_visible_above_the_keyboard(hosts, new_context):
    site = widget_site(hosts.origin)
    context = new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(hosts.url("snippet.html", site=site.key, email=EMAIL))
    card = page.get_by_role("dialog")
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box["width"] >= 340 and box["y"] + box["height"] >= 630, f"not a bottom sheet: {box}"

    card.get_by_role("button", name="9", exact=True).tap()
    comment = card.get_by_role("textbox")
    expect(comment).to_be_visible()
    assert comment.evaluate(IN_VISUAL_VIEWPORT)
    comment.tap()
    # The on-screen keyboard opens: what is left to see is the top 300 px.
    page.set_viewport_size({"width": 360, "height": 300})
    page.wait_for_function(IN_VISUAL_VIEWPORT, arg=comment.element_handle())
    expect(comment).to_be_focused()
    comment.fill("Easy on my phone")
    card.get_by_role("button", name="Send").tap()
    answer = stored_answer(comment=True)
    assert (answer.score, answer.comment) == (9, "Easy on my phone")


def test_a_site_requiring_user_hash_refuses_a_wrong_one_and_writes_nothing(hosts, page):
    site = widget_site(hosts.origin, require_user_hash=True)
    wrong = hmac.new(b"not the site's secret", EMAIL.encode(), hashlib.sha256).hexdigest()
    with page.expect_response(is_survey_request(site)) as refused:
        page.goto(hosts.url("signed.html", site=site.key, email=EMAIL, hash=wrong))
    assert refused.value.status == 403
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not Contact.objects.exists()
    assert not Invitation.objects.exists()

    # Signed by the host's server with the site's secret: shown.
    good = hmac.new(site.secret.encode(), EMAIL.encode(), hashlib.sha256).hexdigest()
    page.goto(hosts.url("signed.html", site=site.key, email=EMAIL, hash=good))
    expect(page.get_by_role("dialog")).to_be_visible()
    assert Invitation.objects.get().contact.email == EMAIL
