"""A second tap in the survey email: the page shows the saved answer and asks before changing it; the lead
sees both scores in the answer's history."""

import os
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Invitation
from tests.factories import PASSWORD, make_contact, make_invitation, make_user

# Set to a directory to keep screenshots of the confirm page at 1280 and 360 px, in English and Arabic.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
PRAISE = "Great support, Priya fixed it in minutes"


def make_sent_invitation(**fields):
    sent_at = timezone.now() - timedelta(hours=1)
    return make_invitation(state=Invitation.State.SENT, sent_at=sent_at, state_changed_at=sent_at, **fields)


def shoot(page, name: str) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)


def test_a_second_tap_asks_before_changing_and_keeps_the_history(live_server, page):
    invitation = make_sent_invitation(contact=make_contact(name="Ana Lima"))
    base = live_server.url

    # 9 from the email, and a comment.
    page.goto(base + invitation.answer_path(9))
    expect(page.get_by_role("status")).to_have_text("Thank you, your score is saved. Tell us more below.")
    page.get_by_label("What do you like most about us?").fill(PRAISE)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    # Later, the 3 of the same email: their 9 and comment, and a question; nothing changed yet.
    page.goto(base + invitation.answer_path(3))
    expect(page.get_by_role("heading", name="You have already answered")).to_be_visible()
    expect(page.get_by_text(PRAISE)).to_be_visible()
    expect(page.get_by_role("button", name="Keep 9")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert Answer.objects.values_list("score", "comment").get() == (9, PRAISE)
    shoot(page, "confirm-en")

    page.get_by_role("button", name="Change my score to 3").click()
    expect(page.get_by_label("3", exact=True)).to_be_checked()
    expect(page.get_by_role("status")).to_have_text("Thank you, your score is saved. Tell us more below.")
    expect(page.get_by_text("You wrote this with a 9 — update it if it changed.")).to_be_visible()
    comment = page.get_by_label("What disappointed you?")
    expect(comment).to_have_value(PRAISE)
    shoot(page, "changed-en")
    assert Answer.objects.values_list("score", "comment").get() == (3, "")

    comment.fill("Billing is a mess")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (3, "Billing is a mess")

    # The lead's permalink: both scores, each with its comment.
    lead = make_user(role=Role.LEAD, name="Lena Lead")
    page.goto(base + "/login/")
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(base + f"/responses/{answer.pk}/")
    history = page.get_by_role("region", name="History of this answer")
    rows = history.get_by_role("row")
    expect(rows).to_have_count(3)  # the header, the 9, the 3
    expect(rows.nth(1)).to_contain_text("9")
    expect(rows.nth(1)).to_contain_text(PRAISE)
    expect(rows.nth(1)).to_contain_text("Score link in the message")
    expect(rows.nth(2)).to_contain_text("3")
    expect(rows.nth(2)).to_contain_text("Billing is a mess")
    shoot(page, "permalink-history")


def test_the_confirm_page_in_arabic_and_the_plain_page_without_javascript(live_server, browser):
    invitation = make_sent_invitation(contact=make_contact(language="ar"), language="ar")
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + invitation.answer_path(9))
    # Playwright turns scripts off without telling the HTML parser, so <noscript> stays unrendered here;
    # a browser with JavaScript off shows it (the unit tests check the markup).
    assert '<noscript><p class="status">تُحفظ درجتك عندما تضغط على «إرسال».</p></noscript>' in page.content()
    assert not Answer.objects.exists()
    page.get_by_role("textbox").fill("خدمة ممتازة")
    page.get_by_role("button", name="إرسال").click()
    assert Answer.objects.values_list("score", flat=True).get() == 9

    page.goto(base + invitation.answer_path(3))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="لقد أجبت بالفعل")).to_be_visible()
    expect(page.get_by_text("خدمة ممتازة")).to_be_visible()
    shoot(page, "confirm-ar")
    page.get_by_role("button", name="أبقِ على 9").click()
    assert Answer.objects.values_list("score", flat=True).get() == 9
    page.goto(base + invitation.answer_path(3))
    page.get_by_role("button", name="غيّر درجتي إلى 3").click()
    expect(page.get_by_text("كتبتَ هذا مع الدرجة 9")).to_be_visible()
    assert Answer.objects.values_list("score", "comment").get() == (3, "")
    shoot(page, "changed-ar")
    context.close()
