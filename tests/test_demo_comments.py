"""The demo's comments (nps/demo/comments.py): varied, in the right script, in the tone of the score, about
every theme; the benchmark's corpus in its mix; and the demo's rule themes (nps/demo/themes.py)."""

import random
import re
from collections import Counter

import pytest

from dashboards.metrics import group_of
from nps import demo
from nps.demo import comments
from nps.demo.themes import RULE_THEMES
from responses.models import Answer, Theme

LANGUAGES = list(comments.LANGUAGES)
SCRIPTS = {  # letters (not marks) of each script
    "Devanagari": re.compile(r"[\u0900-\u097f]"),
    "Tamil": re.compile(r"[\u0b80-\u0bff]"),
    "Bengali": re.compile(r"[\u0980-\u09ff]"),
    "Arabic": re.compile(r"[\u0600-\u06ff]"),
    "Latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
}
SCRIPT_OF = {
    "en": "Latin",
    "es": "Latin",
    "hi-Latn": "Latin",
    "hi": "Devanagari",
    "ta": "Tamil",
    "bn": "Bengali",
    "ar": "Arabic",
}
PUNCTUATION = re.compile(r"[\s.,!?।:;…]+")


def draws(language: str, count: int, *, seed: int = 7) -> list[tuple[str, str, str]]:
    """(text, theme key, group) for `count` comments of a language group, the groups in turn."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        group = comments.GROUPS[i % 3]
        text, key = comments.compose(rng, language, group)
        rows.append((text, key, group))
    return rows


def letters_by_script(text: str) -> Counter:
    return Counter(name for ch in text if ch.isalpha() for name, rx in SCRIPTS.items() if rx.match(ch))


def literal(fragment: str) -> str:
    """The longest piece of a fragment between its fillers ({when}, {n}, {days}), case-folded."""
    return max(re.split(r"\{\w+\}", fragment), key=len).strip().casefold()


def has_words(text: str, terms: list[str]) -> bool:
    padded = " " + PUNCTUATION.sub(" ", text.casefold()) + " "
    return any(f" {term.casefold()} " in padded for term in terms)


@pytest.mark.parametrize("language", LANGUAGES)
def test_comments_of_each_language_are_mostly_distinct_and_of_realistic_length(language):
    rows = draws(language, 2000)

    texts = [text for text, _key, _group in rows]
    assert len(set(texts)) >= 0.9 * len(texts)
    lengths = [len(text.split()) for text in texts]
    assert min(lengths) >= 3 and max(lengths) <= 40
    assert 8 <= sum(lengths) / len(lengths) <= 25


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_is_written_in_its_own_script(language):
    expected = SCRIPT_OF[language]

    overall = Counter()
    for text, _key, _group in draws(language, 1500):
        letters = letters_by_script(text)
        overall += letters
        # Hindi, Tamil, Bengali and Arabic comments keep the Latin words people type (GST, UPI, QR, Excel).
        assert letters[expected] >= 0.6 * sum(letters.values()), text
        if expected == "Latin":
            assert set(letters) == {"Latin"}, text
    assert overall[expected] >= 0.95 * sum(overall.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_theme_comes_up_in_every_group_in_the_tone_of_the_score(language):
    fragments = comments.LANGUAGES[language]
    rows = draws(language, 3000)

    for group in comments.GROUPS:
        assert {key for _text, key, g in rows if g == group} == set(comments.THEMES)
    in_tone = 0
    for text, key, group in rows:
        theme = fragments["themes"][key]
        folded = text.casefold()
        said = {
            "detractor": theme["neg"],
            "promoter": theme["pos"],
            "passive": theme["neg"] + theme["pos"],
        }[group]
        unsaid = {"detractor": theme["pos"], "promoter": theme["neg"], "passive": ()}[group]
        opposite = {"detractor": "promoter", "promoter": "detractor", "passive": None}[group]
        if any(literal(fragment) in folded for fragment in said) and not any(
            literal(fragment) in folded for fragment in unsaid
        ):
            in_tone += 1
        if opposite and language not in comments.LATIN:  # Latin ones may be lower-cased or misspelt
            assert not any(opener in text for opener in fragments["open"][opposite]), text
    # Latin-script comments are sometimes typed with shorthand or a slipped letter.
    assert in_tone >= (0.8 if language in comments.LATIN else 1.0) * len(rows)


def test_comment_follows_the_invitations_language():
    rng = random.Random(3)

    hindi = [comments.comment(rng, language="hi", group="detractor")[0] for _ in range(3000)]
    hinglish = sum(letters_by_script(text)["Latin"] > letters_by_script(text)["Devanagari"] for text in hindi)
    assert 0.28 <= hinglish / len(hindi) <= 0.39
    # Languages without fragments (the demo's French, German, Portuguese, Japanese and Chinese customers)
    # write in English.
    english = {literal(f) for theme in comments.LANGUAGES["en"]["themes"].values() for f in theme["pos"]}
    for language in ("fr", "de", "pt", "ja", "zh-hans"):
        text, key = comments.comment(rng, language=language, group="promoter")
        assert key in comments.THEMES
        assert any(piece in text.casefold() for piece in english), text
    assert letters_by_script(comments.comment(rng, language="ta", group="passive")[0])["Tamil"]


def test_corpus_has_the_benchmarks_mix_and_is_repeatable():
    rows = list(comments.corpus(20000, seed=11))

    assert len(rows) == 20000
    languages = Counter(language for _text, language, _key, _score in rows)
    total = sum(comments.CORPUS_LANGUAGES.values())
    for language, weight in comments.CORPUS_LANGUAGES.items():
        assert languages[language] / len(rows) == pytest.approx(weight / total, abs=0.015)
    groups = Counter(group_of(score) for _text, _language, _key, score in rows)
    for group, weight in comments.CORPUS_GROUPS.items():
        assert groups[group] / len(rows) == pytest.approx(weight / 100, abs=0.015)
    assert {key for _text, _language, key, _score in rows} == set(comments.THEMES)
    assert len({text for text, *_rest in rows}) >= 0.85 * len(rows)
    assert rows[:50] == list(comments.corpus(50, seed=11))
    assert rows[:50] != list(comments.corpus(50, seed=12))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_demos_rule_themes_catch_their_comments_in_every_language(language):
    rows = draws(language, 3000, seed=19)

    printer = [key for text, key, _group in rows if has_words(text, RULE_THEMES["Printer"][language])]
    printer_comments = sum(key == "printer" for _text, key, _group in rows)
    assert printer and all(key == "printer" for key in printer)  # precision
    assert len(printer) >= 0.8 * printer_comments  # recall
    refunds = [text for text, _key, _group in rows if has_words(text, RULE_THEMES["Refunds"][language])]
    assert len(refunds) >= 0.02 * len(rows)


@pytest.mark.django_db
def test_seeded_demo_has_varied_comments_in_several_languages_and_its_rule_themes():
    summary = demo.seed(contacts=150, answers=900)

    texts = list(Answer.objects.exclude(comment="").values_list("comment", flat=True))
    assert len(texts) >= 250
    assert len(set(texts)) >= 0.9 * len(texts)
    scripts = Counter(max(letters_by_script(text), key=letters_by_script(text).get) for text in texts)
    assert {"Latin", "Devanagari", "Arabic"} <= set(scripts)
    assert summary.rule_themes == 2
    rules = {t.name: t for t in Theme.objects.filter(kind=Theme.Kind.RULE)}
    assert set(rules) == {"Refunds", "Printer"}
    assert rules["Printer"].rule_terms["ta"][0] == "பிரிண்டர்"
    assert rules["Printer"].created_by.email == "admin@demo.opennps.test"
    assert sum(
        has_words(text, [w for words in rules["Printer"].rule_terms.values() for w in words])
        for text in texts
    )
    # The share of answers with a comment stays as it was (COMMENT_RATE).
    answers = Answer.objects.count()
    assert 0.3 <= len(texts) / answers <= 0.5
