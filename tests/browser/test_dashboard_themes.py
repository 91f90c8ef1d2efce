"""A support lead reads what detractors complain about, clicks the top theme, and every panel follows."""

import os
import random
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from responses.models import AnswerTheme, Theme
from tests.browser.test_accounts_flow import sign_in
from tests.browser.test_page_audit import AXE, AXE_RUN, CHECKS, WCAG_21_AA
from tests.factories import PASSWORD, make_answer, make_campaign, make_user

# (name, scores it comes with, comments) — in several of the languages customers write in.
THEMES = [
    ("Late delivery", (0, 6), ["Delivery was a week late", "डिलीवरी बहुत देर से आई", "El pedido llegó tarde"]),
    ("Refunds", (0, 5), ["Still waiting for my refund", "रिफंड अभी तक नहीं मिला", "பணம் திரும்ப வரவில்லை"]),
    ("Support wait", (1, 6), ["Forty minutes on hold", "Nobody answered my email"]),
    ("Friendly staff", (9, 10), ["The agent was so kind", "Staff were lovely", "Muy amables"]),
    ("Easy app", (8, 10), ["The app is easy to use", "ऐप चलाना आसान है"]),
]


def seed() -> dict[str, Theme]:
    rng = random.Random(16)  # noqa: S311
    campaign = make_campaign(name="Delivery NPS")
    themes = {name: Theme.objects.create(name=name) for name, _, _ in THEMES}
    Theme.objects.filter(name="Refunds").update(pinned=True)
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    last_week = today - timedelta(days=today.weekday() + 7)  # the Monday of the last whole week
    for n in range(420):
        name, (low, high), comments = rng.choice(THEMES)
        if name == "Late delivery" and n % 2:
            # Late delivery grows in the last whole week: its mark says "rising".
            at = last_week + timedelta(hours=rng.randint(1, 7 * 24 - 1))
        else:
            at = now - timedelta(days=rng.randint(1, 84), hours=rng.randint(0, 20))
        answer = make_answer(
            score=rng.randint(low, high), campaign=campaign, comment=rng.choice(comments), answered_at=at
        )
        AnswerTheme.objects.create(answer=answer, theme=themes[name], source=AnswerTheme.Source.AUTO)
    for _ in range(200):
        make_answer(
            score=rng.randint(0, 10), campaign=campaign, answered_at=now - timedelta(days=rng.randint(1, 84))
        )
    rollups.refresh()
    return themes


def shoot(page, name: str) -> None:
    """Screenshots for a person to look at, when THEMES_SCREENSHOTS names a folder."""
    folder = os.environ.get("THEMES_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def audit(page, width: int) -> None:
    """The page audit's checks (sideways scroll, labels) and axe's serious WCAG 2.1 AA violations."""
    problems = page.evaluate(CHECKS, width) + page.evaluate(AXE_RUN, WCAG_21_AA)
    assert not problems, problems


def test_lead_reads_the_themes_and_filters_every_panel_by_one(live_server, page, transactional_db):
    themes = seed()
    make_user(email="lead@example.com", role=Role.LEAD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_init_script(path=str(AXE))  # axe-core on every page, as the page audit has it
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    panel = page.get_by_role("region", name="Themes")
    detractors = panel.get_by_role("table", name="What detractors talk about")
    expect(detractors).to_be_visible()
    rows = detractors.locator("tbody tr")
    # Pinned first, then the biggest cost.
    expect(rows.first.get_by_role("rowheader")).to_contain_text("Refunds")
    expect(panel.get_by_role("table", name="What promoters talk about")).to_contain_text("Friendly staff")
    expect(panel).to_contain_text("Rising")
    trend = page.get_by_role("region", name="Share of comments by theme")
    expect(trend.get_by_role("img", name="Share of comments per week")).to_be_visible()
    panel.scroll_into_view_if_needed()
    shoot(page, "themes-1280")
    audit(page, 1280)

    # The top unpinned detractor theme: every panel shows its answers only.
    top = rows.nth(1).get_by_role("rowheader").get_by_role("link")
    name = top.inner_text()
    count = int(rows.nth(1).get_by_role("cell").first.inner_text().split()[0])
    top.click()
    expect(page.get_by_role("status")).to_contain_text(f"Theme = {name}")
    theme = themes[name]
    answers = AnswerTheme.objects.filter(theme=theme).count()
    expect(page.get_by_test_id("responses")).to_have_text(str(answers))
    expect(page.get_by_test_id("rate-not-applicable")).to_be_visible()
    recent = page.get_by_role("region", name="Recent comments")
    expect(recent.get_by_role("list", name="Themes").first).to_contain_text(name)
    assert count <= answers
    # The filter stays when another is applied.
    page.get_by_label("Trend by").select_option(label="Month")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text(f"Theme = {name}")

    # On a phone: no sideways scroll.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + "/")
    page.get_by_role("region", name="Themes").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "themes-360")
    audit(page, 360)
    page.goto(live_server.url + f"/comments/?theme={theme.pk}&period=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "comments-360")
    audit(page, 360)


def test_a_long_theme_list_shows_eight_then_all_on_request(live_server, page, transactional_db):
    campaign = make_campaign(name="Many themes")
    now = timezone.now()
    for n in range(11):
        theme = Theme.objects.create(name=f"Topic {n + 1:02d}")
        for k in range(12 - n):  # Topic 01 has the most detractor comments, so it costs the most
            answer = make_answer(
                score=2,
                campaign=campaign,
                comment=f"complaint {n} {k}",
                answered_at=now - timedelta(days=k + 1),
            )
            AnswerTheme.objects.create(answer=answer, theme=theme, source=AnswerTheme.Source.AUTO)
    rollups.refresh()
    make_user(email="lead@example.com", role=Role.LEAD)
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    detractors = page.get_by_role("table", name="What detractors talk about")
    expect(detractors.locator("tbody tr:visible")).to_have_count(8)
    expect(detractors.get_by_role("rowheader", name="Topic 11")).to_be_hidden()
    more = page.get_by_role("button", name="Show all 11 themes")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(detractors.locator("tbody tr:visible")).to_have_count(11)
    expect(detractors.get_by_role("rowheader", name="Topic 11")).to_be_visible()
    page.get_by_role("button", name="Show fewer").click()
    expect(detractors.locator("tbody tr:visible")).to_have_count(8)
