"""Issue 15 item 3: a view split to Region = India, saved and shared, says so at the top of the shared page,
and its figures and segments table are India's only."""

from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_user


def test_a_shared_india_view_says_region_india_and_counts_india_only(
    live_server, page, browser, transactional_db, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    campaign = make_campaign(name="Quarterly relationship NPS")
    india, germany = (
        make_contact(properties={"region": "India"}),
        make_contact(properties={"region": "Germany"}),
    )
    for score in (10, 10, 9, 7, 2):
        make_answer(score=score, campaign=campaign, contact=india)
    for score in (0, 0, 1):
        make_answer(score=score, campaign=campaign, contact=germany)
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    page.goto(f"{live_server.url}/?period=365d&campaign={campaign.pk}&by=region")
    page.get_by_role("region", name="Segments").get_by_role("link", name="India").click()
    expect(page.get_by_role("status")).to_contain_text("Every panel shows only Region: India")
    page.get_by_text("Save view", exact=True).click()
    page.get_by_label("View name").fill("India")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_role("button", name="Create share link").click()
    url = page.get_by_label("Share link").input_value()

    context = browser.new_context()
    stranger = context.new_page()
    stranger.goto(url)
    expect(stranger.get_by_test_id("shared-filters")).to_have_text(
        "Filters: Region = India · Quarterly relationship NPS · Last 12 months"
    )
    expect(stranger.get_by_test_id("nps")).to_have_text("+40")  # 3 promoters, 1 detractor of 5
    expect(stranger.get_by_test_id("responses")).to_have_text("5")
    table = stranger.get_by_role("region", name="NPS by region")
    expect(table.get_by_role("row", name="India")).to_contain_text("+40")
    expect(table.get_by_role("row", name="Germany")).to_have_count(0)
    context.close()
