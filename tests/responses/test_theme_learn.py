"""Learning themes from comments and giving new comments theirs (responses.themes.learn, assign, tasks)."""

import itertools
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from responses.models import AnswerTheme, CommentAnalysis, Theme, ThemeRun, ThemeState
from responses.themes import assign, services, tasks
from tests.factories import make_answer, make_campaign, make_invitation

pytestmark = pytest.mark.django_db

# Three things customers talk about, in English, Hindi and Hinglish, with enough variety for a topic model.
PARTS = {
    ("delivery", "en"): (
        ["The delivery", "My parcel delivery", "Courier delivery", "Home delivery", "The delivery guy"],
        ["was late by three days", "came a week late", "arrived damaged", "never showed up on time",
         "was delayed again", "took forever, tracking never updated"],
    ),
    ("refund", "en"): (
        ["My refund", "The refund for my return", "Refund of the cancelled order", "Money back refund"],
        ["still not received after a month", "took weeks to process", "was credited quickly",
         "is stuck, nobody answers about the refund", "came back to my card in two days"],
    ),
    ("app", "en"): (
        ["The app", "Your mobile app", "The app after the update", "Login in the app"],
        ["crashes every time I open it", "is slow and freezes", "keeps logging me out",
         "shows an error at checkout", "works smoothly now", "hangs on the payment screen"],
    ),
    ("delivery", "hi"): (
        ["डिलीवरी", "मेरी डिलीवरी", "पार्सल की डिलीवरी", "कूरियर डिलीवरी"],
        ["बहुत देर से आई", "तीन दिन लेट हुई", "टूटी हुई पहुँची", "समय पर नहीं हुई", "एक हफ्ते बाद मिली"],
    ),
    ("refund", "hi"): (
        ["रिफंड", "मेरा रिफंड", "रिटर्न का रिफंड", "कैंसल ऑर्डर का रिफंड"],
        ["अभी तक नहीं मिला", "बहुत देर से आया", "जल्दी मिल गया", "एक महीने से अटका है", "खाते में नहीं आया"],
    ),
    ("app", "hi"): (
        ["ऐप", "आपका ऐप", "अपडेट के बाद ऐप", "ऐप में लॉगिन"],
        ["बार बार बंद हो जाता है", "बहुत धीमा है", "हैंग हो जाता है", "एरर दिखाता है", "ठीक से नहीं चलता"],
    ),
    ("delivery", "hi-Latn"): (
        ["delivery", "meri delivery", "parcel ki delivery", "courier wala"],
        ["bahut late aayi", "teen din late thi", "tuta hua parcel diya", "time pe nahi hui", "ek hafte baad mili"],
    ),
    ("refund", "hi-Latn"): (
        ["refund", "mera refund", "return ka refund", "paisa wapas"],
        ["abhi tak nahi mila", "bahut der se aaya", "jaldi mil gaya", "ek mahine se atka hai", "account me nahi aaya"],
    ),
    ("app", "hi-Latn"): (
        ["app", "aapka app", "update ke baad app", "app me login"],
        ["baar baar band ho jata hai", "bahut slow hai", "hang ho jata hai", "error dikhata hai", "theek se nahi chalta"],
    ),
}  # fmt: skip


def corpus(per_cell: int = 20, seed: int = 1) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for (theme, language), (subjects, predicates) in PARTS.items():
        pairs = list(itertools.product(subjects, predicates))
        rng.shuffle(pairs)
        for subject, predicate in pairs[:per_cell]:
            out.append((f"{subject} {predicate}", language, theme))
    return out


def seed_comments(rows, campaign=None):
    campaign = campaign or make_campaign()
    answers = []
    for text, _, theme in rows:
        answers.append(
            (make_answer(campaign=campaign, score=3 if theme != "refund" else 8, comment=text), theme)
        )
    return answers


def themes_of(answer) -> set[int]:
    return set(
        AnswerTheme.objects.filter(answer=answer)
        .exclude(source=AnswerTheme.Source.REMOVED)
        .values_list("theme_id", flat=True)
    )


def dominant(answers, label) -> int:
    counts: dict[int, int] = {}
    for answer, theme in answers:
        if theme == label:
            for theme_id in themes_of(answer):
                counts[theme_id] = counts.get(theme_id, 0) + 1
    return max(counts, key=counts.__getitem__)


def test_learn_finds_the_themes_in_every_language_and_labels_them():
    answers = seed_comments(corpus())
    run = tasks.learn_now()

    assert run.state == ThemeRun.State.DONE, run.error
    assert run.progress == 100
    assert run.comments == len(answers)
    assert set(run.languages) == {"en", "hi", "hi-Latn"}
    delivery, refund, app = (dominant(answers, label) for label in ("delivery", "refund", "app"))
    assert len({delivery, refund, app}) == 3
    # Most comments of each kind have their kind's theme, in all three languages.
    for label, theme_id in (("delivery", delivery), ("refund", refund), ("app", app)):
        mine = [a for a, t in answers if t == label]
        assert sum(theme_id in themes_of(a) for a in mine) >= 0.8 * len(mine)
    # Labels are the key phrases a person would recognise.
    assert "deliver" in Theme.objects.get(pk=delivery).label.lower()
    assert "refund" in Theme.objects.get(pk=refund).label.lower()
    assert "app" in Theme.objects.get(pk=app).label.lower()
    # Loan words align languages: the Hindi "डिलीवरी" comments are in the same theme as "delivery".
    assert {"en", "hi", "hi-Latn"} <= set(Theme.objects.get(pk=delivery).key_phrases)
    assert CommentAnalysis.objects.filter(language="hi").count() == 60


def test_labels_keep_the_customers_spelling_and_say_each_thing_once():
    payments = [
        (f"{subject} {predicate}", "en", "upi")
        for subject in ("UPI payment", "My UPI payments", "The UPI payment at checkout", "upi payment via GPay")
        for predicate in ("failed twice", "was debited but not confirmed", "is pending since morning",
                          "went through instantly", "shows pending status")
    ]  # fmt: skip
    bengali = [
        (f"{subject} {predicate}।", "bn", "upi")
        for subject in ("UPI পেমেন্ট", "আমার UPI পেমেন্ট", "দোকানে UPI পেমেন্ট")
        for predicate in ("পেন্ডিং দেখাচ্ছে", "ব্যর্থ হয়েছে", "টাকা কেটেছে কিন্তু হয়নি", "খুব ধীর")
    ]  # fmt: skip
    answers = seed_comments(corpus() + payments + bengali * 3)
    tasks.learn_now()
    upi = Theme.objects.get(pk=dominant(answers, "upi"))
    assert "UPI" in upi.label and "upi" not in upi.label  # as customers write it, not case-folded
    phrases = [phrase for group in upi.key_phrases.values() for phrase in group]
    assert not [p for p in phrases if p[-1] in "।.?!"]  # no sentence marks left at a phrase's end
    for theme in Theme.objects.all():
        shown = [word.casefold() for word in theme.label.split(" · ")]
        assert len(shown) == len(set(shown)), theme.label


def test_a_new_comment_gets_its_theme_within_the_minute_pass():
    answers = seed_comments(corpus())
    tasks.learn_now()
    delivery = dominant(answers, "delivery")

    late = make_answer(score=2, comment="The delivery came late again, courier lost the tracking")
    assert assign.assign_new() >= 1
    assert delivery in themes_of(late)
    assert CommentAnalysis.objects.get(answer=late).language == "en"

    # A changed comment is read again; an emptied one loses its automatic themes.
    late.comment = "refund never received"
    late.updated_at = timezone.now()
    late.save()
    assign.assign_new()
    assert delivery not in themes_of(late)
    assert dominant(answers, "refund") in themes_of(late)
    late.comment = ""
    late.updated_at = timezone.now()
    late.save()
    assign.assign_new()
    assert themes_of(late) == set()
    assert not CommentAnalysis.objects.filter(answer=late).exists()


def test_assign_answer_reads_a_comment_at_once_and_only_once():
    answers = seed_comments(corpus())
    tasks.learn_now()
    answer = make_answer(score=1, comment="ऐप बार बार बंद हो जाता है")
    assert assign.assign_answer(answer) == [dominant(answers, "app")]
    analysed = CommentAnalysis.objects.get(answer=answer).analysed_at
    assign.assign_answer(answer)
    assert CommentAnalysis.objects.get(answer=answer).analysed_at == analysed


def test_the_model_is_read_once_and_again_after_an_edit(django_assert_num_queries):
    answers = seed_comments(corpus(per_cell=10))
    tasks.learn_now()
    first = assign.current_context()
    with django_assert_num_queries(1):  # one round trip says nothing changed
        assert assign.current_context() is first
    app = Theme.objects.get(pk=dominant(answers, "app"))
    services.set_hidden(app, True, by=None)
    hidden = assign.current_context()
    assert hidden is not first  # any edit reads the themes again
    services.create_rule_theme("Printer", {"en": ["printer"]}, by=None)
    assert assign.current_context() is not hidden
    printer = make_answer(score=2, comment="The printer jams every morning")
    assert Theme.objects.get(name="Printer").pk in assign.assign_answer(printer)


def test_a_short_comment_the_detector_is_unsure_of_is_in_the_surveys_language():
    answers = seed_comments(corpus(per_cell=10))
    tasks.learn_now()
    short = make_answer(score=2, comment="GST")  # the detector's best guess: Dutch, a third sure
    refund = make_answer(score=2, comment="Refund!!")
    spanish = make_answer(score=2, comment="Bizum", language="es")  # Turkish, says the detector
    hindi = make_answer(score=2, comment="refund", language="hi")  # a Hindi survey: Hinglish
    assign.assign_answers([short.pk, refund.pk, spanish.pk, hindi.pk])
    language = dict(CommentAnalysis.objects.values_list("answer_id", "language"))
    assert [language[a.pk] for a in (short, refund, spanish, hindi)] == ["en", "en", "es", "hi-Latn"]
    assert dominant(answers, "refund") in themes_of(refund)
    assert dominant(answers, "refund") in themes_of(hindi)  # the Hinglish model knows "refund" too
    # A full learn reads them the same way.
    tasks.learn_now()
    assert dict(CommentAnalysis.objects.values_list("answer_id", "language"))[spanish.pk] == "es"


def test_edits_survive_a_relearn():
    answers = seed_comments(corpus())
    tasks.learn_now()
    delivery = Theme.objects.get(pk=dominant(answers, "delivery"))
    delivery.name, delivery.pinned = "Late deliveries", True
    delivery.save()
    app = Theme.objects.get(pk=dominant(answers, "app"))
    app.hidden = True
    app.save()
    tagged, _ = next((a, t) for a, t in answers if t == "refund")
    removed, _ = next((a, t) for a, t in answers if t == "delivery")
    AnswerTheme.objects.update_or_create(
        answer=tagged, theme=delivery, defaults={"source": AnswerTheme.Source.HAND}
    )
    AnswerTheme.objects.update_or_create(
        answer=removed, theme=delivery, defaults={"source": AnswerTheme.Source.REMOVED}
    )

    run = tasks.learn_now()

    assert run.state == ThemeRun.State.DONE, run.error
    delivery.refresh_from_db()
    assert (delivery.name, delivery.pinned, delivery.retired) == ("Late deliveries", True, False)
    assert dominant(answers, "delivery") == delivery.pk
    app.refresh_from_db()
    assert app.hidden and not app.retired
    assert AnswerTheme.objects.get(answer=tagged, theme=delivery).source == AnswerTheme.Source.HAND
    assert AnswerTheme.objects.get(answer=removed, theme=delivery).source == AnswerTheme.Source.REMOVED


def test_a_rule_theme_takes_the_topic_its_words_describe():
    refunds = Theme.objects.create(
        kind=Theme.Kind.RULE,
        name="Refunds",
        rule_terms={"en": ["refund"], "hi": ["रिफंड"], "hi-Latn": ["refund"]},
    )
    answers = seed_comments(corpus())
    tasks.learn_now()

    mine = [a for a, t in answers if t == "refund"]
    assert all(refunds.pk in themes_of(a) for a in mine)
    assert (
        AnswerTheme.objects.filter(theme=refunds, source=AnswerTheme.Source.RULE).count() >= 50
    )  # "refund" in 55
    # No discovered duplicate of it: the refund topic became the rule theme.
    assert not Theme.objects.filter(kind=Theme.Kind.AUTO, label__icontains="refund").exists()
    refunds.refresh_from_db()
    assert "en" in refunds.key_phrases


def test_one_learn_at_a_time_and_a_dead_worker_does_not_block():
    seed_comments(corpus(per_cell=5))
    first = tasks.queue_learn()
    assert first is not None and first.state == ThemeRun.State.QUEUED
    assert tasks.queue_learn() is None

    ThemeRun.objects.filter(pk=first.pk).update(
        state=ThemeRun.State.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    second = tasks.queue_learn()
    first.refresh_from_db()
    assert first.state == ThemeRun.State.FAILED and "worker stopped" in first.error
    assert second is not None


def test_learning_twice_gives_the_same_rows():
    seed_comments(corpus())
    tasks.learn_now()
    before = set(AnswerTheme.objects.values_list("answer_id", "theme_id", "source"))
    tasks.learn_now()
    assert set(AnswerTheme.objects.values_list("answer_id", "theme_id", "source")) == before


def test_before_any_learn_rule_themes_still_apply_to_new_comments():
    printer = Theme.objects.create(kind=Theme.Kind.RULE, name="Printer", rule_terms={"en": ["printer*"]})
    assign.assign_new()  # the first pass only sets the watermark
    assert ThemeState.get().assigned_until is not None
    answer = make_answer(score=4, comment="Printers keep jamming")
    assign.assign_new()
    assert themes_of(answer) == {printer.pk}


def test_a_theme_a_case_rule_names_is_kept_when_a_learn_no_longer_finds_it():
    from responses.models import CaseRule

    gone = Theme.objects.create(kind=Theme.Kind.AUTO, label="Old topic", terms={"en": {"zebra": 1.0}})
    plain = Theme.objects.create(kind=Theme.Kind.AUTO, label="Other old topic", terms={"en": {"yak": 1.0}})
    CaseRule.objects.create(name="Zebras", conditions={"theme_ids": [gone.pk]})
    seed_comments(corpus(per_cell=8))
    tasks.learn_now()
    gone.refresh_from_db()
    assert gone.retired
    assert not Theme.objects.filter(pk=plain.pk).exists()


def test_without_a_beat_a_saved_comment_gets_its_themes_in_its_request(
    settings, django_capture_on_commit_callbacks
):
    from responses import services

    printer = Theme.objects.create(kind=Theme.Kind.RULE, name="Printer", rule_terms={"en": ["printer*"]})
    invitation = make_invitation()
    answer = make_answer(score=3, invitation=invitation)
    settings.THEMES_ASSIGN_AT_ONCE = False
    with django_capture_on_commit_callbacks(execute=True):
        services.save_comment(invitation, comment="The printer jams")
    assert themes_of(answer) == set()
    settings.THEMES_ASSIGN_AT_ONCE = True
    with django_capture_on_commit_callbacks(execute=True):
        services.save_comment(invitation, comment="The printers jam every day")
    assert themes_of(answer) == {printer.pk}
