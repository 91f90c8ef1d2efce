"""What people do to themes (responses/themes/services.py), against the real database."""

import pytest
from django.db import transaction

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from responses.models import AnswerTheme, Theme, ThemeRun
from responses.themes import assign, services
from responses.themes.services import ThemeError
from tests.factories import make_answer, make_campaign, make_user

pytestmark = pytest.mark.django_db

Source = AnswerTheme.Source


def make_theme(label="delivery, late", **fields):
    fields.setdefault("kind", Theme.Kind.AUTO)
    return Theme.objects.create(label=label, **fields)


def link(answer, theme, source=Source.AUTO, **fields):
    return AnswerTheme.objects.create(answer=answer, theme=theme, source=source, **fields)


def rows(theme):
    return dict(AnswerTheme.objects.filter(theme=theme).values_list("answer_id", "source"))


@pytest.fixture
def lead():
    return make_user(role=Role.LEAD, name="Lena Lead")


@pytest.fixture
def heard():
    """What assign.changed told its listeners (the dashboards register one the same way)."""
    calls = []
    assign.on_changed(calls.append)
    yield calls
    assign._listeners.remove(calls.append)


def test_rename_is_audited_and_blank_goes_back_to_the_label(lead):
    theme = make_theme()
    services.rename_theme(theme, "  Late   delivery ", by=lead)
    theme.refresh_from_db()
    assert theme.name == "Late delivery" and theme.display_name == "Late delivery"
    entry = AuditEntry.objects.get(action="theme.rename")
    assert entry.changes == {"name": ["", "Late delivery"]} and entry.actor == lead
    services.rename_theme(theme, "", by=lead)
    theme.refresh_from_db()
    assert theme.display_name == "delivery, late"


def test_names_are_unique_among_active_themes_ignoring_case(lead):
    make_theme(name="Refunds")
    make_theme(label="app crashes")
    hidden = make_theme(name="Prices", hidden=True)
    theme = make_theme()
    with pytest.raises(ThemeError, match="already called “Refunds”"):
        services.rename_theme(theme, "REFUNDS", by=lead)
    with pytest.raises(ThemeError, match="app crashes"):
        services.rename_theme(theme, "App Crashes", by=lead)
    services.rename_theme(theme, "prices", by=lead)  # the hidden one does not count
    with pytest.raises(ThemeError, match="already called"):
        services.set_hidden(hidden, False, by=lead)
    with pytest.raises(ThemeError, match="cannot be stored"):
        services.rename_theme(theme, "a\x00b", by=lead)
    with pytest.raises(ThemeError, match="at most 80"):
        services.rename_theme(theme, "x" * 81, by=lead)


def test_hide_and_pin_are_audited(lead):
    theme = make_theme()
    services.set_hidden(theme, True, by=lead)
    services.set_pinned(theme, True, by=lead)
    theme.refresh_from_db()
    assert theme.hidden and theme.pinned and not theme.is_active
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"theme.hide", "theme.pin"}


def test_merge_keeps_counts_never_duplicates_and_hand_rows_survive(
    lead, heard, django_capture_on_commit_callbacks
):
    source, target = make_theme("refund"), make_theme("money back")
    only_source = [make_answer(comment=f"refund {i}") for i in range(3)]
    only_target = make_answer(comment="money back please")
    both_auto = make_answer(comment="refund, money back")
    hand_on_source = make_answer(comment="want my refund")
    removed_on_target = make_answer(comment="refund of shipping")
    removed_on_source = make_answer(comment="no money back")
    for answer in only_source:
        link(answer, source)
    link(only_target, target)
    link(both_auto, source, weight=0.9)
    link(both_auto, target, weight=0.4)
    link(hand_on_source, source, Source.HAND, tagged_by=lead)
    link(hand_on_source, target, Source.AUTO)
    link(removed_on_target, source, Source.AUTO)
    link(removed_on_target, target, Source.REMOVED, tagged_by=lead)
    link(removed_on_source, source, Source.REMOVED, tagged_by=lead)
    merged_earlier = make_theme("refunds old", merged_into=source)

    assert services.merge_counts(source, target) == {"source": 6, "target": 3, "both": 2, "after": 7}
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_themes(source, target, by=lead)

    assert not AnswerTheme.objects.filter(theme=source).exists()
    after = rows(target)
    assert len(after) == 8  # every answer once: the unique (answer, theme) holds
    assert {after[a.pk] for a in only_source} == {Source.AUTO}
    assert after[both_auto.pk] == Source.AUTO
    assert after[hand_on_source.pk] == Source.HAND  # the stronger source wins
    assert after[removed_on_target.pk] == Source.REMOVED  # the removal stays
    assert after[removed_on_source.pk] == Source.REMOVED
    assert AnswerTheme.objects.get(theme=target, answer=hand_on_source).tagged_by == lead
    counted = AnswerTheme.objects.filter(theme=target, source__in=services.COUNTED_THEME_SOURCES).count()
    assert counted == 6  # 3 + target's 1 + both + hand; the two removals are not counted
    source.refresh_from_db()
    merged_earlier.refresh_from_db()
    assert source.merged_into == target and merged_earlier.merged_into == target
    assert heard == [None]
    entry = AuditEntry.objects.get(action="theme.merge")
    assert entry.changes["into_id"] == target.pk and entry.changes["moved"] == 4


def test_merging_into_itself_or_a_merged_theme_is_refused(lead):
    a, b, c = make_theme("a"), make_theme("b"), make_theme("c")
    with pytest.raises(ThemeError, match="into itself"):
        services.merge_themes(a, a, by=lead)
    services.merge_themes(a, b, by=lead)
    with pytest.raises(ThemeError, match="already merged"):
        services.merge_themes(a, c, by=lead)
    with pytest.raises(ThemeError, match="merged into another theme"):
        services.merge_themes(c, a, by=lead)
    assert not Theme.objects.filter(pk=c.pk).exclude(merged_into=None).exists()


def test_rule_theme_applies_to_every_comment_in_its_languages(
    lead, heard, django_capture_on_commit_callbacks
):
    english = make_answer(comment="I want a refund now", score=2)
    plural = make_answer(comment="Two refunds and still waiting", score=3)
    hindi = make_answer(comment="मुझे रिफंड नहीं मिला", score=1)
    other = make_answer(comment="Great service", score=10)
    make_answer(comment="", score=5)
    with django_capture_on_commit_callbacks(execute=True):
        theme = services.create_rule_theme("Refunds", {"en": ["refund"], "hi": ["रिफंड"]}, by=lead)
    assert theme.kind == Theme.Kind.RULE and theme.created_by == lead
    assert rows(theme) == {english.pk: Source.RULE, plural.pk: Source.RULE, hindi.pk: Source.RULE}
    assert other.pk not in rows(theme)
    assert sorted(heard[0]) == sorted([english.pk, plural.pk, hindi.pk])
    assert AuditEntry.objects.get(action="theme.create").changes["comments"] == 3


def test_new_words_rematch_but_never_touch_hand_tags_or_removals(lead):
    refund = make_answer(comment="refund please")
    removed = make_answer(comment="refund not needed")
    money = make_answer(comment="money back please")
    hand = make_answer(comment="my card was charged twice")
    theme = services.create_rule_theme("Refunds", {"en": ["refund"]}, by=lead)
    services.untag_answer(removed, theme, by=lead)
    services.tag_answer(hand, theme, by=lead)

    services.update_rule_terms(theme, {"en": ["money back"]}, by=lead)

    assert rows(theme) == {money.pk: Source.RULE, removed.pk: Source.REMOVED, hand.pk: Source.HAND}
    assert refund.pk not in rows(theme)
    theme.refresh_from_db()
    assert theme.rule_terms == {"en": ["money back"]}
    with pytest.raises(ThemeError, match="at least one word"):
        services.update_rule_terms(theme, {"en": [" "]}, by=lead)
    with pytest.raises(ThemeError, match="Unknown language"):
        services.create_rule_theme("X", {"xx": ["a"]}, by=lead)


def test_untag_is_sticky_and_tag_overrides_it(lead):
    answer = make_answer(comment="refund please")
    theme = services.create_rule_theme("Refunds", {"en": ["refund"]}, by=lead)
    services.untag_answer(answer, theme, by=lead)
    assert rows(theme) == {answer.pk: Source.REMOVED}
    services.update_rule_terms(theme, {"en": ["refund", "please"]}, by=lead)  # matches it again
    assert rows(theme) == {answer.pk: Source.REMOVED}
    services.tag_answer(answer, theme, by=lead)
    assert rows(theme) == {answer.pk: Source.HAND}
    actions = AuditEntry.objects.filter(action__in=["theme.tag", "theme.untag"]).order_by("pk")
    assert list(actions.values_list("action", flat=True)) == ["theme.untag", "theme.tag"]


def test_tagging_a_hidden_theme_is_refused(lead):
    theme = make_theme(hidden=True)
    with pytest.raises(ThemeError, match="hidden"):
        services.tag_answer(make_answer(comment="x"), theme, by=lead)


def test_split_off_moves_the_parents_matching_comments(lead, heard, django_capture_on_commit_callbacks):
    parent = make_theme("delivery")
    courier = make_answer(comment="The courier was rude")
    late = make_answer(comment="Delivery was late")
    hand = make_answer(comment="courier lost the parcel")
    outside = make_answer(comment="courier was fine")  # not the parent's
    link(courier, parent)
    link(late, parent)
    link(hand, parent, Source.HAND, tagged_by=lead)
    assert services.preview_count({"en": ["courier"]}, parent=parent) == 2

    with django_capture_on_commit_callbacks(execute=True):
        child = services.split_off(parent, "Couriers", {"en": ["courier"]}, by=lead)

    assert child.parent == parent and child.kind == Theme.Kind.RULE
    assert rows(child) == {courier.pk: Source.RULE, hand.pk: Source.HAND}
    assert rows(parent) == {late.pk: Source.AUTO}
    assert outside.pk not in rows(child)
    assert sorted(heard[0]) == sorted([courier.pk, hand.pk])

    services.delete_rule_theme(child, by=lead)  # the comments go back
    assert rows(parent) == {late.pk: Source.AUTO, courier.pk: Source.AUTO, hand.pk: Source.HAND}
    assert not Theme.objects.filter(pk=child.pk).exists()


def test_only_rule_themes_are_deleted(lead):
    with pytest.raises(ThemeError, match="not deleted"):
        services.delete_rule_theme(make_theme(), by=lead)


def test_start_learn_queues_one_run_at_a_time(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.start_learn(by=lead)
    assert run.state == ThemeRun.State.QUEUED and run.requested_by == lead
    assert len(callbacks) == 1  # the task, queued after commit
    with pytest.raises(ThemeError, match="already being learned"):
        services.start_learn(by=lead)
    assert ThemeRun.objects.count() == 1
    ThemeRun.objects.filter(pk=run.pk).update(state=ThemeRun.State.DONE)
    with transaction.atomic():
        assert services.start_learn(by=lead).pk != run.pk


def test_rule_theme_reads_every_campaign(lead):
    answers = [make_answer(campaign=make_campaign(), comment=f"refund {i}") for i in range(5)]
    theme = services.create_rule_theme("Refunds", {"*": ["refund"]}, by=lead)
    assert set(rows(theme)) == {a.pk for a in answers}
