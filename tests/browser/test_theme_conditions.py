"""An admin makes a case rule "theme is Refunds" and an alert rule with a theme, on a phone-sized screen too."""

import pytest
from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import AlertRule, CaseRule, Theme
from tests.factories import PASSWORD, make_user


def sign_in(page, base_url, email):
    page.goto(base_url + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [1280, 360])
def test_admin_picks_a_theme_for_a_case_rule_and_an_alert_rule(live_server, page, transactional_db, width):
    page.set_viewport_size({"width": width, "height": 900})
    make_user(email="admin@example.com", role=Role.ADMIN)
    refunds = Theme.objects.create(kind=Theme.Kind.RULE, name="Refunds", rule_terms={"en": ["refund"]})
    Theme.objects.create(label="late delivery, courier, parcel never arrived")
    Theme.objects.create(name="Hidden theme", hidden=True)
    sign_in(page, live_server.url, "admin@example.com")

    page.goto(live_server.url + "/settings/follow-up/rules/new/")
    themes = page.get_by_role("group", name="Theme is")
    expect(themes.get_by_label("late delivery, courier, parcel never arrived")).to_be_visible()
    expect(page.get_by_label("Hidden theme")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Name").fill("Refund requests")
    themes.get_by_label("Refunds").check()
    page.get_by_role("button", name="Create the rule").click()
    expect(page.get_by_text("Every answer, theme is Refunds")).to_be_visible()
    assert CaseRule.objects.get(name="Refund requests").conditions == {"theme_ids": [refunds.pk]}

    page.goto(live_server.url + "/settings/alerts/new/")
    themes = page.get_by_role("group", name="Theme is")
    expect(themes.get_by_label("Refunds")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Name").fill("Refunds to #billing")
    page.get_by_label("Webhook URL").fill("https://hooks.slack.com/services/T0/B0/abc")
    themes.get_by_label("Refunds").check()
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("theme is Refunds").first).to_be_visible()
    assert AlertRule.objects.get().conditions == {"groups": ["detractor"], "theme_ids": [refunds.pk]}
