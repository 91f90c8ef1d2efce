"""Issue 15 item 8: the phone interview is reached from a contact's page, with that contact chosen."""

from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import Answer
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_campaign, make_contact, make_user


def test_lead_records_a_call_from_the_contact_page(live_server, page, transactional_db):
    make_campaign(name="Support NPS")
    contact = make_contact(name="Ravi Kumar", email="ravi@example.com", phone="+919812345678")
    lead = make_user(email="lena@example.com", role=Role.LEAD)

    sign_in(page, live_server.url, "lena@example.com", PASSWORD)
    expect(page.get_by_role("link", name="Phone interview")).to_be_visible()  # in the menu
    page.goto(live_server.url + contact.get_absolute_url())
    page.get_by_role("button", name="Record a phone interview").click()

    expect(page.get_by_role("heading", name="Record a phone interview")).to_be_visible()
    chosen = page.get_by_label("The customer you are calling")
    expect(chosen).to_contain_text("Ravi Kumar")
    expect(chosen).to_contain_text("ravi@example.com")
    expect(page.get_by_label("Contact's email or phone")).to_have_count(0)
    page.get_by_label("Score (0–10)").select_option("4")
    page.get_by_label("The customer's comment").fill("Waited a week for a refund")
    page.get_by_role("button", name="Record answer").click()

    expect(page.get_by_text("Score 4 recorded for Ravi Kumar (Support NPS).")).to_be_visible()
    expect(page.get_by_role("heading", name="Ravi Kumar")).to_be_visible()  # back on their page
    expect(page.get_by_text("Waited a week for a refund")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.contact, answer.score, answer.channel, answer.recorded_by) == (contact, 4, "phone", lead)
