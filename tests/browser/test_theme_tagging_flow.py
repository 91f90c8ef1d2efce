"""A lead manages themes in Chromium: tags a comment and confirms a suggestion without a reload (htmx), renames
a theme; a screenshot of each theme page at 1280 and 360 px goes to var/screens/themes-*.png."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import AnswerTheme, Theme, ThemeRun
from tests.factories import PASSWORD, make_answer, make_campaign, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path(__file__).resolve().parents[2] / "var/screens"
Source = AnswerTheme.Source


def _world():
    campaign = make_campaign(name="Quarterly relationship NPS")
    delivery = Theme.objects.create(
        label="late delivery, courier, parcel",
        key_phrases={
            "en": ["late delivery", "courier", "parcel damaged"],
            "hi": ["देर से डिलीवरी", "कूरियर"],
            "hi-Latn": ["delivery late", "parcel nahi mila"],
        },
    )
    refunds = Theme.objects.create(
        kind=Theme.Kind.RULE,
        name="Refunds",
        pinned=True,
        rule_terms={"en": ["refund", "money back"], "hi": ["रिफंड"], "ta": ["பணம் திரும்ப"]},
    )
    app = Theme.objects.create(label="app crashes, login", key_phrases={"en": ["app crashes", "login fails"]})
    Theme.objects.create(label="prices", hidden=True)
    comments = [
        (
            2,
            "The courier left my parcel in the rain and it arrived two days late.",
            [(delivery, Source.AUTO)],
        ),
        (3, "डिलीवरी बहुत देर से हुई और कूरियर ने फोन भी नहीं उठाया", [(delivery, Source.AUTO)]),
        (
            1,
            "Still waiting for my refund after three weeks.",
            [(refunds, Source.RULE), (delivery, Source.LEARNED)],
        ),
        (9, "Great app, but login fails now and then.", [(app, Source.AUTO)]),
        (6, "parcel nahi mila, delivery late thi", [(delivery, Source.HAND)]),
        (
            4,
            "They promised my money back when the courier lost it",
            [(delivery, Source.AUTO), (refunds, Source.LEARNED)],
        ),
    ]
    answers = []
    for score, text, links in comments:
        answer = make_answer(campaign=campaign, score=score, comment=text)
        for theme, source in links:
            AnswerTheme.objects.create(answer=answer, theme=theme, source=source)
        answers.append(answer)
    ThemeRun.objects.create(
        state=ThemeRun.State.DONE,
        progress=100,
        comments=18_420,
        themes=14,
        languages={"en": 9_800, "hi": 3_100, "hi-Latn": 2_900, "ta": 1_200, "bn": 820, "es": 400, "ar": 200},
        finished_at=timezone.now(),
    )
    return {"delivery": delivery, "refunds": refunds, "app": app, "answers": answers}


def _sign_in(page, live_server, user):
    page.set_default_timeout(30_000)  # a shared machine: the first pages can be slow
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _shots(page, live_server, name: str, path: str):
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + path)
        scroll = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert scroll <= 0, f"{path} scrolls sideways at {width} px"
        page.screenshot(path=SCREENS / f"themes-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_lead_tags_confirms_and_renames_without_reloading(live_server, page):
    world = _world()
    lead = make_user(role=Role.LEAD, email="lead@example.com", name="Lena Lead")
    _sign_in(page, live_server, lead)
    page.get_by_role("link", name="Themes").first.click()
    expect(page.get_by_role("heading", name="Themes", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Refunds")).to_be_visible()

    page.get_by_role("link", name="late delivery, courier, parcel").click()
    refund_comment = page.locator(".comment", has_text="Still waiting for my refund")
    page.evaluate("window.__kept = true")  # survives only if nothing reloads the page
    refund_comment.get_by_role("button", name="Confirm the theme late delivery, courier, parcel").click()
    expect(refund_comment.locator(".theme-tag--suggested")).to_have_count(0)
    answer = world["answers"][2]
    assert AnswerTheme.objects.get(answer=answer, theme=world["delivery"]).source == Source.HAND

    refund_comment.get_by_label("Add a theme to this comment").select_option(label="app crashes, login")
    refund_comment.get_by_role("button", name="Add").click()
    expect(refund_comment.get_by_role("link", name="app crashes, login")).to_be_visible()
    refund_comment.get_by_role("button", name="Remove the theme app crashes, login").click()
    expect(refund_comment.get_by_role("link", name="app crashes, login")).to_have_count(0)
    assert AnswerTheme.objects.get(answer=answer, theme=world["app"]).source == Source.REMOVED
    assert page.evaluate("window.__kept") is True

    page.get_by_label("Name", exact=True).fill("Late delivery")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Late delivery")).to_be_visible()

    delivery, refunds = world["delivery"], world["refunds"]
    for name, path in [
        ("list", "/themes/"),
        ("list-hidden", "/themes/?show=hidden"),
        ("detail", f"/themes/{delivery.pk}/"),
        ("rule", f"/themes/{refunds.pk}/"),
        ("merge", f"/themes/{delivery.pk}/merge/?into={world['app'].pk}"),
        ("split", f"/themes/{delivery.pk}/split/"),
        ("delete", f"/themes/{refunds.pk}/delete/"),
        ("new-rule", "/themes/rules/new/?q=refund"),
        ("comments", "/comments/?q=refund&period=all"),
    ]:
        _shots(page, live_server, name, path)
    ThemeRun.objects.create(
        state=ThemeRun.State.RUNNING, progress=45, step="Learning the Hindi comments (3 of 7)"
    )
    _shots(page, live_server, "list-running", "/themes/")
    expect(page.get_by_text("Learning the Hindi comments (3 of 7)")).to_be_visible()


def test_viewer_reads_themes(live_server, page):
    world = _world()
    viewer = make_user(role=Role.VIEWER, email="viewer@example.com", name="Vic Viewer")
    _sign_in(page, live_server, viewer)
    _shots(page, live_server, "viewer-list", "/themes/")
    _shots(page, live_server, "viewer-detail", f"/themes/{world['delivery'].pk}/")
    expect(page.get_by_role("button", name="Rename")).to_have_count(0)
    expect(page.get_by_role("button", name="Add")).to_have_count(0)
