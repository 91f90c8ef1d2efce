"""Deleting a contact in the browser: a confirmation page that says what erasing does, then the erasure."""

import os
from pathlib import Path

from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Audience, Campaign, Contact, Invitation
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_invitation, make_user

# Set to a directory to keep screenshots of the confirmation page at 1280 and 360 px.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def sign_in(page, url, email):
    page.goto(url + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def asha_with_history() -> Contact:
    contact = make_contact(
        email="asha.rao@example.com", phone="+919876543210", name="Asha Rao", properties={"plan": "pro"}
    )
    campaign = make_campaign(name="Quarterly NPS", status=Campaign.Status.RUNNING)
    for round_, score in enumerate((9, 4), start=1):
        sent = make_invitation(campaign=campaign, contact=contact, round=round_, state=Invitation.State.SENT)
        make_answer(score=score, invitation=sent, comment="Fast support" if score == 9 else "")
    make_invitation(campaign=make_campaign(name="Renewal"), contact=contact, state=Invitation.State.QUEUED)
    Audience.objects.create(campaign=campaign, contact=contact)
    return contact


def test_admin_reads_what_erasing_does_then_erases_the_contact(live_server, browser, transactional_db):
    admin = make_user(role=Role.ADMIN)
    contact = asha_with_history()
    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, admin.email)
        page.goto(live_server.url + contact.get_absolute_url())
        page.get_by_role("button", name="Delete").click()

        expect(page.get_by_role("heading", name="Delete Asha Rao?")).to_be_visible()
        expect(page.get_by_text("erases their personal data for good")).to_be_visible()
        expect(page.get_by_text("2 answers", exact=True)).to_be_visible()
        expect(page.get_by_text("The 1 survey waiting to be sent is cancelled.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/contact_delete_{width}.png", full_page=True)
        if width == 1280:
            page.get_by_role("link", name="Keep it").click()
            expect(page.get_by_role("heading", name="Asha Rao")).to_be_visible()
            context.close()
    assert Contact.objects.filter(pk=contact.pk).exists()

    page.get_by_role("button", name="Erase the contact").click()

    expect(
        page.get_by_text("Asha Rao was erased for good. Kept in the figures, anonymised: 2 answers.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Asha Rao")).to_have_count(0)
    context.close()
    assert not Contact.objects.exists() and not Invitation.objects.exists() and not Audience.objects.exists()
    assert sorted(Answer.objects.values_list("score", "contact", "invitation")) == [
        (4, None, None),
        (9, None, None),
    ]
