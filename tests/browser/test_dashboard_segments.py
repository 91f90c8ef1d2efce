"""A lead splits the dashboard by plan, clicks the unhappy segment, and every panel narrows to it."""

from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_user


def test_lead_clicks_a_segment_and_every_panel_follows(live_server, page, transactional_db):
    campaign = make_campaign(name="Support")
    pro = make_contact(properties={"plan": "pro"})
    free = make_contact(properties={"plan": "free"})
    for _ in range(12):
        make_answer(score=10, campaign=campaign, contact=pro, comment="Pro is great")
        make_answer(score=1, campaign=campaign, contact=free, comment="Free is slow")
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)

    sign_in(page, live_server.url, "lead@example.com", PASSWORD)
    expect(page.get_by_test_id("nps")).to_have_text("0")
    segments = page.get_by_role("region", name="Segments")
    page.get_by_label("Split by").select_option(label="Plan")
    segments.get_by_role("button", name="Show").click()
    expect(segments.get_by_role("row", name="free")).to_contain_text("▼ Lower")
    expect(segments.get_by_role("row", name="pro")).to_contain_text("▲ Higher")

    segments.get_by_role("link", name="free").click()
    expect(page.get_by_role("status")).to_contain_text("Every panel shows only Plan: free")
    expect(page.get_by_test_id("nps")).to_have_text("−100")
    expect(page.get_by_test_id("responses")).to_have_text("12")
    expect(page.get_by_text("Free is slow").first).to_be_visible()
    expect(page.get_by_text("Pro is great")).to_have_count(0)

    page.get_by_role("link", name="Show everyone").click()
    expect(page.get_by_test_id("nps")).to_have_text("0")
