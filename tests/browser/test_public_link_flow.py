"""The public link /l/<token>/ in Chromium: query-string properties, one answer per browser (and changing
it), the plain form without JavaScript, Arabic right to left, and no console error on the way."""

import time

from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from responses.models import Answer
from surveys.models import Campaign
from tests.factories import PASSWORD, make_campaign, make_user

# A form submitted sooner than 3 s after it was shown is flagged as automated (responses/public_link.py).
HUMAN_SECONDS = 3.3


def console_errors(page):
    """Collect the page's console errors and uncaught exceptions as they happen."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def wait_since(shown_at):
    """Let a person's minimum time pass since the form was shown."""
    time.sleep(max(0.0, shown_at + HUMAN_SECONDS - time.monotonic()))


def test_public_link_with_properties_once_per_browser_without_script_and_in_arabic(
    live_server, page, browser
):
    campaign = make_campaign(
        name="Store NPS",
        channels=["link"],
        status=Campaign.Status.RUNNING,
        link_properties=["store", "agent"],
    )
    url = f"{live_server.url}/l/{campaign.public_token}/?store=Pune&agent=17&utm=x"
    errors = console_errors(page)

    # A browser without JavaScript opens the link now, so that its wait runs alongside the first visitor's.
    plain = browser.new_context(java_script_enabled=False)
    plain_page = plain.new_page()
    plain_page.goto(url)
    plain_shown = time.monotonic()

    # (a) With JavaScript: the follow-up waits for a score, then asks what fits a promoter.
    page.goto(url)
    shown = time.monotonic()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", name="How likely are you to recommend Acme")).to_be_visible()
    comment = page.get_by_role("textbox")
    expect(comment).to_be_hidden()
    page.get_by_text("9", exact=True).click()
    expect(page.get_by_label("What do you like most about us?")).to_be_visible()
    page.get_by_label("What do you like most about us?").fill("Quick checkout")
    wait_since(shown)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_text("Your answer helps Acme get better.")).to_be_visible()

    answer = Answer.objects.select_related("contact").get()
    assert (answer.channel, answer.score, answer.comment, answer.suspected_scanner) == (
        "link",
        9,
        "Quick checkout",
        False,
    )
    assert answer.contact.anonymous
    assert answer.contact.properties == {"store": "Pune", "agent": "17"}

    # The same browser opens the link again: its answer, which it may change.
    page.goto(url)
    shown = time.monotonic()
    expect(page.get_by_role("status")).to_contain_text("You have already answered.")
    expect(page.get_by_role("status")).to_contain_text("Your score: 9.")
    expect(page.get_by_label("9", exact=True)).to_be_checked()
    expect(page.get_by_label("What do you like most about us?")).to_have_value("Quick checkout")

    # (b) Meanwhile the browser without JavaScript sends the plain form: a second respondent.
    # No script: the generic follow-up is there from the start.
    plain_page.get_by_text("4", exact=True).click()
    plain_page.get_by_label("What is the main reason for your score?").fill("Long queue")
    wait_since(plain_shown)
    plain_page.get_by_role("button", name="Send").click()
    expect(plain_page.get_by_role("heading", name="Thank you!")).to_be_visible()
    plain.close()
    assert Answer.objects.count() == 2
    second = Answer.objects.select_related("contact").exclude(pk=answer.pk).get()
    assert (second.channel, second.score, second.comment, second.suspected_scanner) == (
        "link",
        4,
        "Long queue",
        False,
    )
    assert second.contact_id != answer.contact_id
    assert second.contact.properties == {"store": "Pune", "agent": "17"}

    # Back to the first visitor: 7 instead of 9, the follow-up now asks a passive.
    page.get_by_text("7", exact=True).click()
    expect(page.get_by_text("What could we do better?")).to_be_visible()
    wait_since(shown)
    page.get_by_role("button", name="Change your answer").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.get_by_text("Your score: 7.")).to_be_visible()
    assert Answer.objects.count() == 2
    answer.refresh_from_db()
    assert (answer.score, answer.comment, answer.suspected_scanner) == (7, "Quick checkout", False)

    # (c) An Arabic browser: the page reads right to left.
    arabic = browser.new_context(locale="ar-SA", extra_http_headers={"Accept-Language": "ar"})
    arabic_page = arabic.new_page()
    arabic_errors = console_errors(arabic_page)
    arabic_page.goto(url)
    expect(arabic_page.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic_page.locator("html")).to_have_attribute("lang", "ar")
    with translation.override("ar"):
        send, question = gettext("Send"), campaign.text("question", "ar")
    assert send != "Send"
    expect(arabic_page.get_by_role("heading", level=1)).to_have_text(question)
    expect(arabic_page.get_by_role("button")).to_have_text(send)
    arabic.close()

    assert (errors, arabic_errors) == ([], [])


def test_login_and_staff_pages_log_no_console_error(live_server, page):
    """Staff pages load htmx, which would add an inline <style> the CSP (style-src 'self') refuses."""
    admin = make_user(email="admin@example.com")
    campaign = make_campaign(channels=["link"], status=Campaign.Status.RUNNING)
    errors = console_errors(page)
    page.goto(live_server.url + "/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    seen = {"/login/": list(errors)}
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Campaigns")).to_be_visible()
    for path in (
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/edit/",
        f"/campaigns/{campaign.pk}/preview/",
        "/contacts/",
        "/settings/",
    ):
        before = len(errors)
        page.goto(live_server.url + path)
        expect(page.locator("main#main")).to_be_visible()
        # htmx starts on DOMContentLoaded; give it a moment to do (or not do) what it does.
        page.wait_for_timeout(100)
        seen[path] = errors[before:]
    assert page.url == live_server.url + "/settings/"
    assert {path: found for path, found in seen.items() if found} == {}
