"""Rule themes: words and phrases per language; a comment using any of them has the theme.

A phrase matches whole words, ignoring case, in the comment as written or in its lemmas ("refund" finds
"refunds" and "refunded" in English; "डिलीवरी" finds "डिलीवरियों"); a word ending in `*` matches every word
it starts ("பணத்*" finds "பணத்தை"), for the languages without a lemmatiser.
"""

import re
from collections.abc import Callable

from .text import LANGUAGE_GROUP_NAMES, WORD, lemma, normalise

ANY_LANGUAGE = "*"
MAX_PHRASES = 50  # per language
MAX_PHRASE = 100  # characters


def clean_rule_terms(data) -> dict[str, list[str]]:
    """{language group or "*": [phrases]} from what a form or the API gave (lists, or text with one phrase
    per line or comma); blanks and repeats dropped. ValueError with a message a person can act on."""
    if not isinstance(data, dict):
        raise ValueError("Words must be an object of language → list of words or phrases.")
    out: dict[str, list[str]] = {}
    for language, phrases in data.items():
        if language != ANY_LANGUAGE and language not in LANGUAGE_GROUP_NAMES:
            raise ValueError(f"Unknown language “{str(language)[:20]}”.")
        if isinstance(phrases, str):
            phrases = re.split(r"[,\n،]", phrases)
        if not isinstance(phrases, list | tuple):
            raise ValueError("Words must be a list of words or phrases.")
        seen: set[str] = set()
        kept: list[str] = []
        for phrase in phrases:
            if not isinstance(phrase, str):
                raise ValueError("Each word or phrase must be text.")
            if "\x00" in phrase:
                raise ValueError("A word or phrase contains a NUL character.")
            phrase = " ".join(phrase.split())
            if len(phrase) > MAX_PHRASE:
                raise ValueError(f"A word or phrase is longer than {MAX_PHRASE} characters.")
            if not phrase or not WORD.search(phrase) or normalise(phrase) in seen:
                continue
            seen.add(normalise(phrase))
            kept.append(phrase)
        if len(kept) > MAX_PHRASES:
            raise ValueError(f"At most {MAX_PHRASES} words or phrases per language.")
        if kept:
            out[language] = kept
    if not out:
        raise ValueError("Give at least one word or phrase.")
    return out


def _phrase_patterns(phrase: str, language: str) -> list[str]:
    words = normalise(phrase).split()
    surface, lemmas = [], []
    for word in words:
        wild = word.endswith("*")
        parts = WORD.findall(word)
        if not parts:
            continue
        text = " ".join(parts)
        tail = "[^ ]*" if wild else ""
        surface.append(re.escape(text) + tail)
        lemmas.append(re.escape(" ".join(lemma(p, language) for p in parts)) + tail)
    patterns = [" ".join(surface)] if surface else []
    if lemmas and lemmas != surface:
        patterns.append(" ".join(lemmas))
    return patterns


def matcher(rule_terms: dict[str, list[str]]) -> Callable[[str, str], bool]:
    """A test of one comment, given as (normalised text, language group) — see `comment_forms`."""
    patterns: list[str] = []
    for language, phrases in (rule_terms or {}).items():
        for phrase in phrases:
            patterns.extend(_phrase_patterns(phrase, language))
    if not patterns:
        return lambda forms, group="": False
    compiled = re.compile("(?:^| )(?:" + "|".join(sorted(set(patterns), key=len, reverse=True)) + ")(?= |$)")

    def test(forms: str, group: str = "") -> bool:
        return compiled.search(forms) is not None

    return test


def comment_forms(normalised: str, group: str) -> str:
    """The comment's words as written, then as lemmas, space-separated, with a line between (no phrase spans
    the two halves): what `matcher`'s tests read."""
    words = WORD.findall(normalised)
    lemmas = [lemma(w, group) for w in words]
    if lemmas == words:
        return " ".join(words)
    return " ".join(words) + " \n " + " ".join(lemmas)


def matches(rule_terms: dict[str, list[str]], comment: str, group: str) -> bool:
    """Whether one comment uses any of the words (for a preview; the assigner compiles once)."""
    return matcher(rule_terms)(comment_forms(normalise(comment), group), group)
