"""The theme pages: what leads and viewers see and do, forms' errors, hostile input, POST-only actions."""

import pytest
from django.test import Client

from nps.accounts.roles import Role
from responses.models import AnswerTheme, Theme, ThemeRun
from responses.themes import services
from tests.factories import make_answer, make_user

pytestmark = pytest.mark.django_db

Source = AnswerTheme.Source


def make_theme(label="delivery, late", **fields):
    return Theme.objects.create(label=label, **fields)


@pytest.fixture
def lead(client):
    user = make_user(role=Role.LEAD, name="Lena Lead")
    client.force_login(user)
    return user


@pytest.fixture
def viewer(client):
    user = make_user(role=Role.VIEWER, name="Vic Viewer")
    client.force_login(user)
    return user


@pytest.fixture
def world():
    delivery = make_theme(
        "late delivery, courier", key_phrases={"en": ["late delivery", "courier"], "hi": ["देरी"]}
    )
    refunds = make_theme("refund", name="Refunds", kind=Theme.Kind.RULE, rule_terms={"en": ["refund"]})
    hidden = make_theme("prices", hidden=True)
    late = make_answer(comment="Delivery was late again", score=3)
    refund = make_answer(comment="No refund yet", score=1)
    AnswerTheme.objects.create(answer=late, theme=delivery, source=Source.AUTO)
    AnswerTheme.objects.create(answer=refund, theme=refunds, source=Source.RULE)
    AnswerTheme.objects.create(answer=refund, theme=delivery, source=Source.LEARNED, weight=0.9)
    return {"delivery": delivery, "refunds": refunds, "hidden": hidden, "late": late, "refund": refund}


def test_signed_out_people_are_sent_to_sign_in(client, world):
    for path in ("/themes/", f"/themes/{world['delivery'].pk}/", "/themes/rules/new/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_the_list_shows_active_themes_with_counts_and_phrases(client, lead, world):
    page = client.get("/themes/")
    assert page.status_code == 200
    text = page.text
    assert "late delivery, courier" in text and "Refunds" in text and "prices" not in text
    assert "Hindi" in text and "देरी" in text
    assert "New rule theme" in text and "Re-learn now" in text
    assert 'href="/themes/"' in text  # the menu's Themes item
    assert f"?theme={world['delivery'].pk}" in text  # its dashboard
    hidden = client.get("/themes/", {"show": "hidden"})
    assert "prices" in hidden.text and "Refunds" not in hidden.text


def test_a_viewer_reads_but_gets_no_forms(client, viewer, world):
    listing = client.get("/themes/")
    assert (
        listing.status_code == 200
        and "Re-learn now" not in listing.text
        and "New rule theme" not in listing.text
    )
    page = client.get(f"/themes/{world['delivery'].pk}/")
    assert page.status_code == 200
    assert "Delivery was late again" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]
    assert client.get("/themes/rules/new/").status_code == 403
    assert client.post(f"/themes/{world['delivery'].pk}/rename/", {"name": "X"}).status_code == 403
    assert (
        client.post(f"/themes/answers/{world['late'].pk}/tag/", {"theme": world["refunds"].pk}).status_code
        == 403
    )
    assert not AnswerTheme.objects.filter(source=Source.HAND).exists()


def test_empty_state_before_anything_is_learned(client, lead):
    page = client.get("/themes/")
    assert "No themes yet" in page.text and "No themes learned yet" in page.text


def test_theme_page_shows_examples_tags_and_actions(client, lead, world):
    page = client.get(f"/themes/{world['delivery'].pk}/")
    text = page.text
    assert "Delivery was late again" in text and "No refund yet" in text
    assert "theme-tag--suggested" in text  # the learned tag on the refund comment
    assert "Rename" in text and "Merge into" in text and "Split off a theme" in text
    assert "Delete this rule theme" not in text  # discovered themes are not deleted
    rule = client.get(f"/themes/{world['refunds'].pk}/")
    assert "Delete this rule theme" in rule.text and 'name="words_en"' in rule.text and "English" in rule.text


def test_rename_and_its_errors(client, lead, world):
    theme = world["delivery"]
    response = client.post(f"/themes/{theme.pk}/rename/", {"name": "Late delivery"})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Late delivery"
    taken = client.post(f"/themes/{theme.pk}/rename/", {"name": "refunds"})
    assert taken.status_code == 400 and "already called" in taken.text
    long = client.post(f"/themes/{theme.pk}/rename/", {"name": "x" * 500})
    assert long.status_code == 400
    nul = client.post(f"/themes/{theme.pk}/rename/", {"name": "a\x00b"})
    assert nul.status_code == 400
    theme.refresh_from_db()
    assert theme.name == "Late delivery"


def test_hide_and_pin(client, lead, world):
    theme = world["delivery"]
    assert client.post(f"/themes/{theme.pk}/pin/", {"value": "1"}).status_code == 302
    assert client.post(f"/themes/{theme.pk}/hide/", {"value": "1"}).status_code == 302
    theme.refresh_from_db()
    assert theme.pinned and theme.hidden
    assert client.post(f"/themes/{theme.pk}/hide/", {"value": "maybe"}).status_code == 400


def test_merge_confirms_with_counts_then_merges(client, lead, world):
    source, target = world["delivery"], world["refunds"]
    confirm = client.get(f"/themes/{source.pk}/merge/", {"into": target.pk})
    assert confirm.status_code == 200
    assert "Merge “late delivery, courier” into “Refunds”?" in confirm.text
    assert "<strong>2</strong> comments" in confirm.text and "1 of them in both" in confirm.text
    assert not Theme.objects.filter(pk=source.pk).exclude(merged_into=None).exists()  # GET wrote nothing
    response = client.post(f"/themes/{source.pk}/merge/", {"into": target.pk})
    assert response.status_code == 302 and response["Location"] == f"/themes/{target.pk}/"
    source.refresh_from_db()
    assert source.merged_into == target
    assert AnswerTheme.objects.filter(theme=target).count() == 2
    again = client.get(f"/themes/{target.pk}/merge/", {"into": target.pk})
    assert again.status_code == 400
    assert client.get(f"/themes/{target.pk}/merge/", {"into": "x\x00"}).status_code == 400


def test_split_off_previews_then_moves(client, lead, world):
    theme = world["delivery"]
    form = client.get(f"/themes/{theme.pk}/split/")
    assert form.status_code == 200 and "Count the matching comments" in form.text
    preview = client.post(f"/themes/{theme.pk}/split/", {"name": "Lateness", "words_en": "late"})
    assert preview.status_code == 200 and "<strong>1</strong> of the comments" in preview.text
    assert not Theme.objects.filter(name="Lateness").exists()
    done = client.post(f"/themes/{theme.pk}/split/", {"name": "Lateness", "words_en": "late", "confirm": "1"})
    child = Theme.objects.get(name="Lateness")
    assert done["Location"] == f"/themes/{child.pk}/"
    assert list(AnswerTheme.objects.filter(theme=child).values_list("answer_id", flat=True)) == [
        world["late"].pk
    ]
    empty = client.post(f"/themes/{theme.pk}/split/", {"name": "Nothing", "words_en": " , "})
    assert empty.status_code == 400 and "at least one word" in empty.text


def test_new_rule_theme_from_the_comments_search(client, lead, world):
    page = client.get("/themes/rules/new/", {"q": "रिफंड"})
    assert page.status_code == 200
    assert 'name="words_hi"' in page.text and "रिफंड" in page.text  # the search's own language
    page = client.get("/themes/rules/new/", {"q": "refund", "language": "es"})
    assert 'name="words_es"' in page.text
    preview = client.post("/themes/rules/new/", {"name": "Refund talk", "words_en": "refund"})
    assert preview.status_code == 200 and "<strong>1</strong> comment" in preview.text
    saved = client.post("/themes/rules/new/", {"name": "Refund talk", "words_en": "refund", "confirm": "1"})
    theme = Theme.objects.get(name="Refund talk")
    assert saved["Location"] == f"/themes/{theme.pk}/"
    assert theme.rule_terms == {"en": ["refund"]} and theme.kind == Theme.Kind.RULE


def test_new_rule_theme_adds_a_language_and_refuses_bad_input(client, lead):
    added = client.post(
        "/themes/rules/new/",
        {"name": "Money", "words_en": "money back", "add_language": "ta", "add_words": "பணம் திரும்ப"},
    )
    assert added.status_code == 200 and "<strong>0</strong> comments use these words" in added.text
    no_language = client.post("/themes/rules/new/", {"name": "Money", "add_words": "money"})
    assert no_language.status_code == 400 and "Choose the language" in no_language.text
    assert client.post("/themes/rules/new/", {"name": "", "words_en": "x"}).status_code == 400
    assert (
        client.post("/themes/rules/new/", {"name": "N\x00", "words_en": "x", "confirm": "1"}).status_code
        == 400
    )
    assert (
        client.post("/themes/rules/new/", {"name": "N", "words_en": "x\x00", "confirm": "1"}).status_code
        == 400
    )
    big = client.post("/themes/rules/new/", {"name": "N", "words_en": "word " * 5000, "confirm": "1"})
    assert big.status_code == 400
    assert client.get("/themes/rules/new/", {"q": "a\x00b", "language": "\x00"}).status_code == 200
    assert not Theme.objects.exists()
    client.post(
        "/themes/rules/new/",
        {
            "name": "Money",
            "words_en": "money back",
            "add_language": "ta",
            "add_words": "பணம் திரும்ப",
            "confirm": "1",
        },
    )
    assert Theme.objects.get().rule_terms == {"en": ["money back"], "ta": ["பணம் திரும்ப"]}


def test_delete_rule_theme_confirms_first(client, lead, world):
    theme = world["refunds"]
    confirm = client.get(f"/themes/{theme.pk}/delete/")
    assert confirm.status_code == 200 and "1 comment loses this theme" in confirm.text
    assert client.post(f"/themes/{theme.pk}/delete/").status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    discovered = client.post(f"/themes/{world['delivery'].pk}/delete/")
    assert discovered.status_code == 302 and Theme.objects.filter(pk=world["delivery"].pk).exists()


def test_tagging_with_htmx_swaps_the_partial(client, lead, world):
    answer, theme = world["late"], world["refunds"]
    response = client.post(
        f"/themes/answers/{answer.pk}/tag/", {"theme": theme.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div class="answer-themes" id="answer-themes-{answer.pk}">')
    assert "Refunds" in response.text
    assert AnswerTheme.objects.get(answer=answer, theme=theme).source == Source.HAND
    response = client.post(f"/themes/answers/{answer.pk}/untag/{theme.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Remove the theme Refunds" not in response.text
    assert AnswerTheme.objects.get(answer=answer, theme=theme).source == Source.REMOVED


def test_confirming_a_suggestion_without_javascript_goes_back(client, lead, world):
    answer, theme = world["refund"], world["delivery"]
    back = f"/themes/{theme.pk}/"
    response = client.post(f"/themes/answers/{answer.pk}/tag/", {"theme": theme.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert AnswerTheme.objects.get(answer=answer, theme=theme).source == Source.HAND
    offsite = client.post(f"/themes/answers/{answer.pk}/untag/{theme.pk}/", {"next": "https://evil.example/"})
    assert offsite["Location"] == f"/responses/{answer.pk}/"


def test_tagging_refuses_bad_themes(client, lead, world):
    answer = world["late"]
    for value in ("", "x", "a\x00", str(10**30), str(world["hidden"].pk)):
        assert client.post(f"/themes/answers/{answer.pk}/tag/", {"theme": value}).status_code == 400
    partial = client.post(f"/themes/answers/{answer.pk}/tag/", {"theme": "x"}, headers={"HX-Request": "true"})
    assert (
        partial.status_code == 200 and "Choose a theme from the list." in partial.text
    )  # htmx swaps 2xx only
    hidden = world["hidden"].pk
    partial = client.post(
        f"/themes/answers/{answer.pk}/tag/", {"theme": hidden}, headers={"HX-Request": "true"}
    )
    assert "Choose a theme from the list." in partial.text
    assert client.post(f"/themes/answers/{answer.pk}/untag/999999/").status_code == 404
    assert not AnswerTheme.objects.filter(source__in=[Source.HAND, Source.REMOVED]).exists()


def test_actions_are_post_only_and_need_csrf(lead, world):
    theme = world["delivery"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    for path in (f"/themes/{theme.pk}/rename/", f"/themes/{theme.pk}/pin/", "/themes/relearn/",
                 f"/themes/answers/{world['late'].pk}/tag/", f"/themes/{theme.pk}/words/"):  # fmt: skip
        assert client.get(path).status_code == 405
        assert client.post(path, {"name": "x", "value": "1"}).status_code == 403
    theme.refresh_from_db()
    assert not theme.pinned and not theme.name and not ThemeRun.objects.exists()


def test_relearn_queues_a_run_and_the_list_shows_its_progress(client, lead, world):
    response = client.post("/themes/relearn/")
    assert response.status_code == 302
    run = ThemeRun.objects.get()
    assert run.state == ThemeRun.State.QUEUED and run.requested_by == lead
    page = client.get("/themes/")
    assert f'hx-get="/themes/runs/{run.pk}/"' in page.text and 'hx-trigger="every 2s"' in page.text
    assert "Re-learn now" not in page.text
    again = client.post("/themes/relearn/", follow=True)
    assert "already being learned" in again.text and ThemeRun.objects.count() == 1
    ThemeRun.objects.filter(pk=run.pk).update(state="running", progress=40, step="Learning Hindi comments")
    progress = client.get(f"/themes/runs/{run.pk}/")
    assert (
        "Learning Hindi comments" in progress.text and "40%" in progress.text and "every 2s" in progress.text
    )
    ThemeRun.objects.filter(pk=run.pk).update(state="done", themes=12, comments=3400)
    done = client.get(f"/themes/runs/{run.pk}/")
    assert "Learned 12 themes from 3,400 comments" in done.text and "hx-get" not in done.text
    ThemeRun.objects.filter(pk=run.pk).update(state="failed", error="The worker ran out of memory.")
    failed = client.get(f"/themes/runs/{run.pk}/")
    assert "Learning failed: The worker ran out of memory." in failed.text


def test_viewer_sees_progress_but_cannot_relearn(client, viewer):
    run = ThemeRun.objects.create(state="running", progress=10)
    assert client.get(f"/themes/runs/{run.pk}/").status_code == 200
    assert client.post("/themes/relearn/").status_code == 403


def test_rule_words_are_edited_per_language(client, lead, world):
    theme = world["refunds"]
    response = client.post(
        f"/themes/{theme.pk}/words/", {"words_en": "refund\nmoney back", "words_hi": "रिफंड"}
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.rule_terms == {"en": ["refund", "money back"], "hi": ["रिफंड"]}
    bad = client.post(f"/themes/{theme.pk}/words/", {"words_en": "", "words_hi": ""})
    assert bad.status_code == 400 and "at least one word" in bad.text
    auto = client.post(f"/themes/{world['delivery'].pk}/words/", {"words_en": "late"})
    assert auto.status_code == 400


def test_comments_page_links_its_search_to_a_new_rule_theme(client, lead, world):
    page = client.get("/comments/", {"q": "refund", "period": "all"})
    assert "Save this search as a theme" in page.text and "/themes/rules/new/?q=refund" in page.text


def test_oversized_and_nul_query_strings_are_4xx(client, lead, world):
    assert client.get("/themes/", {"show": "x" * 10_000}).status_code == 400
    assert client.get("/themes/", {"show": "\x00"}).status_code == 400
    assert client.get(f"/themes/{10**30}/").status_code == 404


def test_services_and_pages_agree_on_names(lead, world):
    services.rename_theme(world["delivery"], "Delivery", by=lead)
    assert Theme.objects.get(pk=world["delivery"].pk).display_name == "Delivery"
