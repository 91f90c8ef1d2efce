"""Issue 5 end to end: a lead filters the dashboard, saves the view, shares it; the link works signed out."""

from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_user


def test_lead_filters_saves_and_shares_a_view(live_server, page, browser, transactional_db, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    support, billing = make_campaign(name="Support"), make_campaign(name="Billing")
    asha = make_contact(name="Asha Rao", email="asha@example.com")
    make_answer(score=10, campaign=support, contact=asha, comment="Support rocks")
    make_answer(score=9, campaign=support)
    make_answer(score=0, campaign=billing, comment="Billing is a mess")
    make_answer(score=2, campaign=billing)
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)

    sign_in(page, live_server.url, "lead@example.com", PASSWORD)
    nps = page.get_by_test_id("nps")
    expect(nps).to_have_text("0")
    expect(page.get_by_test_id("responses")).to_have_text("4")
    expect(page.get_by_text("Billing is a mess")).to_be_visible()

    # Filter by one campaign: every panel changes.
    page.get_by_role("group", name="Campaign").get_by_label("Support").check()
    page.get_by_role("button", name="Apply").click()
    expect(nps).to_have_text("+100")
    expect(page.get_by_test_id("responses")).to_have_text("2")
    expect(page.locator(".split-legend")).to_contain_text("Promoters 2 · 100%")
    expect(page.locator(".split-legend")).to_contain_text("Detractors 0 · 0%")
    expect(page.get_by_text("Support rocks")).to_be_visible()
    expect(page.get_by_text("Billing is a mess")).to_have_count(0)
    # Charts are drawn and each offers a PNG download.
    png = page.get_by_role("button", name="Download as PNG: NPS over time with response volume")
    with page.expect_download() as download:
        png.click()
    assert download.value.suggested_filename == "nps-trend.png"

    # Save the view.
    page.get_by_text("Save view", exact=True).click()
    page.get_by_label("View name").fill("Support team")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("View “Support team” saved.")).to_be_visible()
    expect(page.get_by_text("View: Support team")).to_be_visible()
    expect(nps).to_have_text("+100")

    # Share it.
    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share “Support team”")).to_be_visible()
    page.get_by_role("button", name="Create share link").click()
    expect(page.get_by_text("Share link created.")).to_be_visible()
    url = page.get_by_label("Share link").input_value()
    assert url.startswith(live_server.url + "/s/")

    # A fresh, signed-out browser sees the NPS and no customer data.
    context = browser.new_context()
    stranger = context.new_page()
    stranger.goto(url)
    expect(stranger.get_by_role("heading", name="Support team")).to_be_visible()
    expect(stranger.get_by_test_id("nps")).to_have_text("+100")
    expect(stranger.get_by_role("link", name="Dashboard")).to_have_count(0)
    expect(stranger.get_by_text("Asha Rao")).to_have_count(0)
    expect(
        stranger.get_by_role("button", name="Download as PNG: Number of responses per score")
    ).to_be_visible()
    context.close()
