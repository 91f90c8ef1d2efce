"""A lead asks whether a segment is getting better: one NPS line per plan over time, the smallest as Other."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_user

PLANS = {"free": 6, "pro": 5, "team": 4, "business": 3, "enterprise": 2, "trial": 1, "legacy": 1}


def seed():
    campaign = make_campaign(name="Support")
    now = timezone.now()
    for plan, answers in PLANS.items():
        contact = make_contact(properties={"plan": plan})
        for n in range(answers):
            make_answer(
                score=10 - n, campaign=campaign, contact=contact, answered_at=now - timedelta(weeks=n)
            )
    rollups.refresh()


def test_lead_chooses_a_property_and_sees_one_line_per_value(live_server, page, transactional_db):
    seed()
    make_user(email="lead@example.com", role=Role.LEAD)
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    panel = page.get_by_role("region", name="NPS over time by segment")
    expect(panel).to_contain_text("Choose a property")
    panel.get_by_label("One line per").select_option(label="Plan")
    panel.get_by_role("button", name="Show").click()

    panel = page.get_by_role("region", name="NPS over time by plan")
    chart = panel.get_by_role("img", name="NPS per week for each plan")
    expect(chart).to_be_visible()
    # The five plans with the most answers each get a line; trial and legacy are summed into Other.
    expect(chart.locator(".legendtext")).to_have_text(
        ["free", "pro", "team", "business", "enterprise", "Other"]
    )
    expect(panel).to_contain_text("Other sums the 2 other values")
    # The choice stays when another filter is applied.
    page.get_by_label("Trend by").select_option(label="Month")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("img", name="NPS per month for each plan")).to_be_visible()
    panel = page.get_by_role("region", name="NPS over time by plan")
    panel.get_by_text("The figures as a table").click()
    expect(panel.get_by_role("columnheader", name="Month")).to_be_visible()
    expect(panel.get_by_role("row", name="All")).to_contain_text("+100 ± ")
