"""A campaign says who it surveys, in the browser: build an audience "region = South" and watch the count,
open the member list, send a test to me (the demo's .eml outbox), at 1280 and 360 px."""

import os
from pathlib import Path

from playwright.sync_api import expect

from nps.accounts.roles import Role
from surveys.models import Audience
from tests.factories import PASSWORD, make_campaign, make_contact, make_user

# Set to a directory to keep screenshots of the pages at 1280 and 360 px.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def shoot(page, name, width):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}_{width}.png", full_page=True)


def test_build_an_audience_see_its_members_and_send_a_test_to_me(live_server, page, settings):
    settings.EMAIL_BACKEND = "surveys.channels.email.backends.EmlFileBackend"
    make_user(role=Role.ADMIN, email="priya@acme.example", name="Priya")
    campaign = make_campaign(name="Quarterly relationship NPS", translations={"hi": {"question": "सिफ़ारिश?"}})
    for n in range(7):
        region = "South" if n < 4 else "North"
        make_contact(email=f"c{n}@example.com", name=f"Customer {n}", properties={"region": region})
    Audience.objects.create(campaign=campaign, contact=make_contact(email="old@example.com", language="hi"))

    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill("priya@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")

    builder = page.locator("#audience-builder")
    expect(builder.get_by_text("Choose a property and tick its values")).to_be_visible()
    builder.get_by_label("Property", exact=True).first.fill("region")
    south = builder.get_by_role("checkbox", name="South")
    expect(south).to_be_visible()
    expect(builder.get_by_role("checkbox", name="North")).to_be_visible()
    south.check()
    expect(page.locator("#audience-count")).to_contain_text("4 contacts match: 4 would be added.")
    builder.get_by_role("checkbox", name="North").check()
    expect(page.locator("#audience-count")).to_contain_text("7 contacts match")
    builder.get_by_role("checkbox", name="North").uncheck()
    expect(page.locator("#audience-count")).to_contain_text("4 contacts match")
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, "campaign_detail_builder", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    builder.get_by_role("button", name="Add matching contacts").click()
    expect(page.get_by_text("4 contacts added to the audience.")).to_be_visible()
    expect(page.get_by_text("Saved filter:")).to_contain_text("region is South")

    page.get_by_role("link", name="See the members").click()
    expect(page.get_by_role("heading", name="Members of Quarterly relationship NPS")).to_contain_text("5")
    expect(page.get_by_role("row", name="Customer 0")).to_contain_text("not yet")
    page.get_by_label("Search the members").fill("c3@")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Search the members").fill("")
    page.get_by_role("button", name="Search").click()
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, "campaign_members", width)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    test_panel = page.locator("#test")
    test_panel.get_by_label("Language").select_option("hi")
    test_panel.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text("went to priya@acme.example")).to_be_visible()
    (eml,) = Path(settings.MAIL_OUTBOX_DIR).glob("*.eml")
    assert "To: priya@acme.example" in eml.read_text()
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, "campaign_detail_test_sent", width)

    # The launch confirmation offers the test too.
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/launch/")
    expect(page.get_by_role("heading", name="Send a test to me")).to_be_visible()
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, "campaign_launch_test", width)
