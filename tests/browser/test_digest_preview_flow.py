"""Issue 15 item 8: the weekly digest previewed in its settings page, and sent to me on request."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_user


def test_viewer_previews_the_digest_and_sends_it_to_themselves(live_server, page, transactional_db, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    campaign = make_campaign(name="Support NPS")
    asha = make_contact(name="Asha Rao", email="asha@example.com")
    three_days_ago = timezone.now() - timedelta(days=3)
    for score, comment in ((10, "Brilliant help"), (9, ""), (3, "Too slow")):
        make_answer(score=score, campaign=campaign, contact=asha, comment=comment, answered_at=three_days_ago)
    rollups.refresh()
    make_user(email="vera@example.com", role=Role.VIEWER)
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))

    sign_in(page, live_server.url, "vera@example.com", PASSWORD)
    page.goto(live_server.url + "/account/digest/")
    expect(page.get_by_role("heading", name="Preview this week's digest")).to_be_visible()
    expect(page.get_by_text("Your weekly NPS: +33")).to_be_visible()  # the subject: 2 promoters, 1 detractor

    # The email as the mail program shows it, in the page: its figures and comments, no customer.
    frame = page.frame_locator('iframe[title="This week\'s digest as your mail program shows it"]')
    expect(frame.get_by_text("Your weekly NPS")).to_be_visible()
    expect(frame.get_by_text("+33", exact=True)).to_be_visible()
    expect(frame.get_by_text("Brilliant help")).to_be_visible()
    expect(frame.get_by_text("Too slow")).to_be_visible()
    expect(frame.get_by_text("Asha Rao")).to_have_count(0)
    assert mail.outbox == []

    page.get_by_role("button", name="Send me this week's digest now").click()
    expect(page.get_by_text("This week's digest is on its way to vera@example.com.")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["vera@example.com"]]
    assert mail.outbox[0].subject.startswith("Your weekly NPS: +33")
    assert problems == []
