"""Issue 16's flow, end to end in Chromium over themes really learned from comments in several languages:
open Themes, click the top detractor theme, every panel filters, rename it, re-learn, the name stays."""

import random

from playwright.sync_api import expect

from dashboards import rollups
from dashboards.metrics import group_of
from nps.accounts.roles import Role
from nps.demo.comments import comment
from responses.models import COUNTED_THEME_SOURCES, AnswerTheme, Theme, ThemeRun
from responses.themes import tasks
from tests.browser.test_accounts_flow import sign_in
from tests.factories import PASSWORD, make_answer, make_campaign, make_user


def seed_learned():
    """Comments as the demo's customers write them, in English, Hindi, Tamil and Spanish, then a learn."""
    rng = random.Random(16)  # noqa: S311
    campaign = make_campaign(name="Café POS NPS")
    for _ in range(500):
        score = rng.choice([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10])
        language = rng.choice(["en", "en", "hi", "ta", "es"])
        text, _ = comment(rng, language=language, group=group_of(score))
        make_answer(score=score, campaign=campaign, comment=text, language=language)
    for _ in range(100):
        make_answer(score=rng.randint(0, 10), campaign=campaign)
    run = tasks.learn_now()
    assert run.state == ThemeRun.State.DONE, run.error
    rollups.rebuild()


def theme_answers(theme) -> int:
    return AnswerTheme.objects.filter(theme=theme, source__in=COUNTED_THEME_SOURCES).count()


def test_open_themes_click_the_top_detractor_theme_rename_it_relearn_and_the_name_stays(
    live_server, page, transactional_db
):
    seed_learned()
    make_user(email="lead@example.com", role=Role.LEAD)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "lead@example.com", PASSWORD)

    # Open Themes on the dashboard: what detractors talk about, the costliest first.
    panel = page.get_by_role("region", name="Themes")
    detractors = panel.get_by_role("table", name="What detractors talk about")
    expect(detractors).to_be_visible()
    top = detractors.locator("tbody tr").first.get_by_role("rowheader").get_by_role("link")
    name = top.inner_text().strip()
    theme = Theme.objects.get(pk=int(top.get_attribute("href").split("theme=")[1].split("&")[0]))
    assert theme.display_name == name

    # Click it: every panel shows the answers whose comment has the theme.
    top.click()
    expect(page.get_by_role("status")).to_contain_text(f"Theme = {name}")
    expect(page.get_by_test_id("responses")).to_have_text(f"{theme_answers(theme):,}")
    expect(page.get_by_test_id("rate-not-applicable")).to_be_visible()
    recent = page.get_by_role("region", name="Recent comments")
    tags = recent.get_by_role("list", name="Themes")
    expect(tags.first).to_be_visible()
    for n in range(tags.count()):
        expect(tags.nth(n)).to_contain_text(name)

    # Rename it on its page.
    page.goto(f"{live_server.url}/themes/{theme.pk}/")
    page.get_by_label("Name").fill("Kitchen printer trouble")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kitchen printer trouble")
    before = theme_answers(theme)

    # Re-learn (in process here, as in the demo: the page returns when the run is done).
    page.goto(f"{live_server.url}/themes/")
    page.get_by_text("Re-learn now").click()
    page.get_by_role("button", name="Yes, re-learn the themes").click()
    expect(page.locator("body")).not_to_contain_text("Waiting for the worker")
    assert ThemeRun.objects.filter(state=ThemeRun.State.DONE).count() == 2

    # The name stays, on the same theme, which still holds its comments.
    theme.refresh_from_db()
    assert theme.name == "Kitchen printer trouble" and not theme.retired
    assert abs(theme_answers(theme) - before) <= before * 0.1
    page.goto(f"{live_server.url}/themes/")
    expect(page.get_by_role("link", name="Kitchen printer trouble")).to_be_visible()
    page.goto(f"{live_server.url}/?theme={theme.pk}")
    expect(page.get_by_role("status")).to_contain_text("Theme = Kitchen printer trouble")
