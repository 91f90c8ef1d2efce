"""The launch confirmation in the browser, at 1280 and 360 px: counts per channel, no sideways scroll."""

import os
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from nps.accounts.roles import Role
from surveys.models import Audience, Campaign, Suppression
from tests.factories import PASSWORD, make_campaign, make_contact, make_user

# Set to a directory to keep screenshots of the page at 1280 and 360 px.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def test_the_confirmation_page_fits_a_phone_and_launches(live_server, page):
    make_user(role=Role.ADMIN, email="admin@example.com")
    campaign = make_campaign(name="Quarterly relationship NPS", channels=["email", "sms"])
    for n in range(40):
        contact = make_contact(
            email=None if n % 10 == 5 else f"customer{n}@example.com",
            phone=f"+9198765{n:05d}" if n % 2 else None,
            last_surveyed_at=timezone.now() - timedelta(days=3) if n in (11, 12) else None,
        )
        Audience.objects.create(campaign=campaign, contact=contact)
    Suppression.objects.create(address="customer3@example.com", reason=Suppression.Reason.UNSUBSCRIBED)

    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        page.get_by_role("button", name="Launch").click()
        expect(page.get_by_role("heading", name="Launch Quarterly relationship NPS?")).to_be_visible()
        expect(page.get_by_role("row", name="SMS")).to_contain_text("19")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/launch_confirmation_{width}.png", full_page=True)
    page.get_by_role("button", name="Send to 38 people").click()
    expect(page.get_by_text("Quarterly relationship NPS is running")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING
