"""A customer unsubscribes from the link in a survey email, in Chromium."""

import re

from playwright.sync_api import expect

from surveys import delivery
from surveys.channels.email.message import build_message
from surveys.models import Campaign, Suppression
from tests.factories import make_campaign, make_contact, make_invitation


def test_customer_unsubscribes_from_the_email_link(live_server, page):
    invitation = make_invitation(
        contact=make_contact(email="asha.rao@example.com"),
        campaign=make_campaign(status=Campaign.Status.RUNNING),
    )
    email = build_message(invitation)
    link = re.search(r'href="http://testserver(/u/[^"]+)"', email.alternatives[0][0]).group(1)

    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", name="Unsubscribe from surveys?")).to_be_visible()
    assert not Suppression.objects.exists()  # opening the link changes nothing

    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert Suppression.objects.get().address == "asha.rao@example.com"
    assert delivery.send_invitation(invitation.pk) == "suppressed"
