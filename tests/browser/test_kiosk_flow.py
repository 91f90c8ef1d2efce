"""The kiosk on a counter tablet: answers one after another, offline and back, idle reset, languages."""

import json
import time
import uuid

from playwright.sync_api import expect

from responses.models import Answer
from surveys.models import Campaign
from tests.factories import make_campaign


def make_kiosk(**fields):
    fields.setdefault("channels", ["kiosk"])
    fields.setdefault("status", Campaign.Status.RUNNING)
    return make_campaign(**fields)


def wait_for(page, condition, timeout=10.0):
    """Poll `condition` while the page runs (its route handlers only run while Playwright waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the condition never held")


def answer(page, score, *, comment=None):
    """A customer taps a score, then Send with a comment, or Skip; then taps the thank-you away."""
    page.get_by_role("button", name=str(score), exact=True).click()
    if comment is None:
        page.get_by_role("button", name="Skip").click()
    else:
        page.get_by_role("textbox").fill(comment)
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    page.get_by_role("heading", name="Thank you!").click()
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible()


def test_three_answers_then_two_offline_are_sent_once_when_back(live_server, page):
    campaign = make_kiosk()
    page.goto(f"{live_server.url}/k/{campaign.public_token}/")
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible()

    page.get_by_role("button", name="9", exact=True).click()
    expect(page.get_by_label("What do you like most about us?")).to_be_visible()
    page.get_by_label("What do you like most about us?").fill("Friendly staff")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_text("Your answer helps Acme get better.")).to_be_visible()
    page.get_by_role("heading", name="Thank you!").click()
    answer(page, 3)
    answer(page, 7)
    wait_for(page, lambda: Answer.objects.count() == 3)
    expect(page.get_by_role("status")).to_be_hidden()

    page.context.set_offline(True)
    answer(page, 10)
    answer(page, 0, comment="Too slow")
    expect(page.get_by_role("status")).to_have_text("2 answers waiting to be sent")
    page.wait_for_timeout(1000)
    assert Answer.objects.count() == 3
    stored = json.loads(page.evaluate(f"localStorage.getItem('opennps-kiosk:{campaign.pk}')"))
    assert [item["score"] for item in stored] == [10, 0]

    page.context.set_offline(False)
    expect(page.get_by_role("status")).to_be_hidden()
    wait_for(page, lambda: Answer.objects.count() == 5)
    page.wait_for_timeout(500)
    answers = Answer.objects.filter(campaign=campaign).order_by("answered_at")
    assert [(a.score, a.comment, a.channel) for a in answers] == [
        (9, "Friendly staff", "kiosk"),
        (3, "", "kiosk"),
        (7, "", "kiosk"),
        (10, "", "kiosk"),
        (0, "Too slow", "kiosk"),
    ]
    assert Answer.objects.count() == 5
    assert all(a.contact.anonymous and a.external_id.startswith("kiosk:") for a in answers)
    assert page.evaluate(f"localStorage.getItem('opennps-kiosk:{campaign.pk}')") == "[]"


def test_idle_follow_up_goes_back_to_the_start_keeping_the_score(live_server, page):
    campaign = make_kiosk(kiosk_idle_seconds=3)
    page.goto(f"{live_server.url}/k/{campaign.public_token}/")
    page.get_by_role("button", name="6", exact=True).click()
    expect(page.get_by_label("What disappointed you?")).to_be_visible()
    expect(page.get_by_text("Back to the start in 3 seconds")).to_be_visible()
    expect(page.get_by_text("Back to the start in 1 second")).to_be_visible()
    # Nobody touches the tablet: the first screen again, without a thank-you.
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible(
        timeout=6000
    )
    expect(page.get_by_label("What disappointed you?")).to_be_hidden()
    wait_for(page, lambda: Answer.objects.count() == 1)
    assert Answer.objects.values_list("score", "comment").get() == (6, "")


def test_arabic_is_right_to_left_and_the_next_customer_starts_in_english(live_server, page):
    campaign = make_kiosk(kiosk_idle_seconds=3)
    page.goto(f"{live_server.url}/k/{campaign.public_token}/")
    page.get_by_label("Language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("How likely")
    page.get_by_role("button", name="10", exact=True).click()
    expect(page.get_by_role("button", name="إرسال")).to_be_visible()
    page.get_by_role("button", name="تخطٍّ").click()
    expect(page.get_by_role("heading", name="شكرًا", exact=False)).to_be_visible()
    wait_for(page, lambda: Answer.objects.count() == 1)
    assert Answer.objects.get().language == "ar"
    # The thank-you goes, then the idle first screen returns to the default language.
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=10_000)
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible()


def test_lost_reply_is_sent_again_and_stored_once(live_server, page):
    """The server stored the answer but the reply never reached the tablet: the replay is not a second."""
    campaign = make_kiosk()
    calls = []

    def lose_first_reply(route):
        calls.append(route.request.post_data)
        if len(calls) == 1:
            route.fetch()  # reaches the server, which stores it
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/answers", lose_first_reply)
    page.goto(f"{live_server.url}/k/{campaign.public_token}/")
    answer(page, 8)
    wait_for(page, lambda: len(calls) >= 2, timeout=15)
    expect(page.get_by_role("status")).to_be_hidden()
    assert json.loads(calls[0])["key"] == json.loads(calls[1])["key"]
    assert Answer.objects.count() == 1


def test_a_refused_answer_is_logged_and_does_not_block_the_queue(live_server, page):
    campaign = make_kiosk()
    url = f"{live_server.url}/k/{campaign.public_token}/"
    page.goto(url)
    bad = {"key": "not-a-key", "score": 11, "comment": "", "answered_at": "2026-11-30T10:00:00Z"}
    good = {"key": str(uuid.uuid4()), "score": 5, "comment": "Queued", "answered_at": "2026-11-30T10:00:00Z"}
    page.evaluate(
        "([key, items]) => localStorage.setItem(key, JSON.stringify(items))",
        [f"opennps-kiosk:{campaign.pk}", [bad, good]],
    )
    page.reload()
    expect(page.get_by_text("An answer was refused and removed from the queue: 11")).to_be_visible()
    wait_for(page, lambda: Answer.objects.count() == 1)
    assert Answer.objects.get().comment == "Queued"
    expect(page.get_by_role("status")).to_be_hidden()


def test_after_one_visit_the_kiosk_opens_offline(live_server, page):
    campaign = make_kiosk()
    url = f"{live_server.url}/k/{campaign.public_token}/"
    page.goto(url)
    assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)") == url
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    # From the network the page would now say "closed": what shows offline comes from the tablet's cache.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible()
    answer(page, 9)
    expect(page.get_by_role("status")).to_have_text("1 answer waiting to be sent")

    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    page.context.set_offline(False)
    expect(page.get_by_role("status")).to_be_hidden()
    wait_for(page, lambda: Answer.objects.count() == 1)
    assert Answer.objects.get().score == 9
