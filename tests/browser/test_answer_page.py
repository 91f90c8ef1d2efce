from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from responses.models import Answer
from surveys.models import Invitation
from tests.factories import make_brand, make_campaign, make_contact, make_invitation


def make_sent_invitation(**fields):
    sent_at = timezone.now() - timedelta(hours=1)
    return make_invitation(state=Invitation.State.SENT, sent_at=sent_at, state_changed_at=sent_at, **fields)


def test_customer_answers_in_one_tap_then_comments(live_server, page):
    invitation = make_sent_invitation()
    page.goto(live_server.url + invitation.answer_path(9))
    # The page's script records the score the customer clicked in the email.
    expect(page.get_by_role("status")).to_have_text("Thank you, your score is saved. Tell us more below.")
    answer = Answer.objects.get(invitation=invitation)
    assert (answer.score, answer.suspected_scanner) == (9, False)
    expect(page.get_by_label("9", exact=True)).to_be_checked()

    page.get_by_label("What do you like most about us?").fill("Fast support")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (9, "Fast support")


def test_changing_the_score_on_the_page_saves_it_and_asks_the_new_follow_up(live_server, page):
    invitation = make_sent_invitation()
    page.goto(live_server.url + invitation.answer_path(10))
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.get_by_text("4", exact=True).click()
    expect(page.get_by_label("What disappointed you?")).to_be_visible()
    page.get_by_label("What disappointed you?").fill("Late delivery")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (4, "Late delivery")


def test_without_javascript_nothing_is_recorded_until_send(live_server, browser):
    invitation = make_sent_invitation()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + invitation.answer_path(7))
    expect(page.get_by_label("What could we do better?")).to_be_visible()
    expect(page.get_by_label("7", exact=True)).to_be_checked()
    assert not Answer.objects.exists()

    page.get_by_label("What could we do better?").fill("More payment options")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (7, "More payment options")
    context.close()


def test_arabic_page_is_right_to_left_and_translated(live_server, page):
    invitation = make_sent_invitation(contact=make_contact(language="ar"))
    page.goto(live_server.url + invitation.answer_path(9))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("button", name="إرسال")).to_be_visible()


def test_brand_colour_applies_under_the_strict_policy(live_server, page):
    """The accent is the page's one inline style, allowed by its hash: the browser must accept it."""
    invitation = make_sent_invitation(campaign=make_campaign(brand=make_brand(accent_color="#0E7C66")))
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None
    )
    page.goto(live_server.url + invitation.answer_path(9))
    expect(page.get_by_role("button", name="Send")).to_have_css("background-color", "rgb(14, 124, 102)")
    expect(page.get_by_role("button", name="Send")).to_have_css("color", "rgb(255, 255, 255)")
    assert refused == []
