"""What a person sees on the dashboard with one answer, three answers and many: dates on the time axis,
whole responses on the volume axis, an NPS point, the running week marked, and few answers said plainly."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_user

DATE_LABEL = re.compile(r"^\d{1,2} [A-Z][a-z]{2}( \d{4})?$")  # "9 Mar", "9 Mar 2026"


def _trend(page) -> dict:
    """The drawn trend chart as a person reads it: axis labels, bars and NPS points."""
    chart = page.locator("[data-figure=trend-fig]")
    expect(chart.locator(".main-svg").first).to_be_visible()
    return chart.evaluate(
        """(el) => {
          const texts = (sel) => [...el.querySelectorAll(sel)].map((t) => t.textContent);
          const plot = el.querySelector(".nsewdrag").getBoundingClientRect();
          return {
            x: texts(".xtick text"),
            volume: texts(".ytick text"),
            nps: texts(".y2tick text"),
            legend: texts(".legendtext"),
            notes: texts(".annotation-text"),
            plotWidth: plot.width,
            barWidths: [...el.querySelectorAll(".barlayer .point path")].map((p) => p.getBoundingClientRect().width),
            points: el.querySelectorAll(".scatterlayer .point").length,
          };
        }"""
    )


def _sees_sensible_axes(trend: dict) -> None:
    assert trend["x"] and all(DATE_LABEL.match(label) for label in trend["x"]), trend["x"]
    assert trend["volume"] and all(label.isdigit() for label in trend["volume"]), trend["volume"]
    assert trend["volume"][0] == "0"
    assert trend["points"] >= 1  # an NPS point, even for one week
    assert max(trend["barWidths"]) < trend["plotWidth"] / 6  # a slim bar, never the whole chart


@pytest.mark.parametrize("scores", [[0], [10, 9, 3]], ids=["one answer", "three answers"])
def test_a_campaign_launched_today_shows_a_rough_sign_not_a_result(
    live_server, page, transactional_db, scores
):
    campaign = make_campaign(name="Launched today")
    for score in scores:
        make_answer(score=score, campaign=campaign)
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    headline = page.get_by_role("region", name="Headline")
    expect(page.get_by_test_id("few-answers")).to_have_text(re.compile(r"^Few answers: ±\d+ points$"))
    expect(headline).to_contain_text(f"With {len(scores)} answer")
    expect(headline).to_contain_text("the NPS is likely between")
    grey = page.get_by_test_id("nps").evaluate("(el) => getComputedStyle(el).color")
    assert grey == "rgb(107, 114, 128)"

    trend = _trend(page)
    _sees_sensible_axes(trend)
    assert trend["volume"][-1] == str(len(scores) + 1)  # 0, 1, … one above the tallest bar
    assert "This week, so far" in trend["legend"] and "so far" in trend["notes"]
    notes = page.get_by_test_id("trend-notes")
    expect(notes).to_contain_text("The hatched bar is this week so far")
    expect(notes).to_contain_text("Grey points rest on fewer than 30 answers")


def test_many_answers_read_as_a_result_with_weekly_dates(live_server, page, transactional_db):
    campaign = make_campaign(name="Relationship NPS")
    now = timezone.now()
    for week in range(1, 7):  # 30 answers a week: each week's NPS is a result too
        for score in (10, 10, 9, 9, 8, 7, 3, 10, 9, 8) * 3:
            make_answer(score=score, campaign=campaign, answered_at=now - timedelta(weeks=week))
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    expect(page.get_by_test_id("nps")).to_have_text("+50")
    expect(page.get_by_test_id("few-answers")).to_have_count(0)
    expect(page.get_by_role("region", name="Headline")).to_contain_text("at 95% confidence")
    trend = _trend(page)
    _sees_sensible_axes(trend)
    assert trend["points"] == 6
    assert "This week, so far" not in trend["legend"]
    expect(page.get_by_test_id("trend-notes")).to_have_count(0)
