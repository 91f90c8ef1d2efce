"""Concepts of the glossary (responses.themes.glossary) found in a comment's words: shared features that let a
topic in Tamil and one in English be recognised as the same theme."""

from functools import lru_cache

from .glossary import CONCEPTS
from .text import WORD, lemma, normalise

MIN_STEM = 3


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, frozenset[str]], int]:
    words: dict[str, set[str]] = {}
    stems: dict[str, set[str]] = {}
    pairs: dict[str, set[str]] = {}
    longest = 0
    for concept, languages in CONCEPTS.items():
        for language, entries in languages.items():
            for entry in entries:
                wild = entry.endswith("*")
                parts = WORD.findall(normalise(entry.rstrip("*")))
                if not parts:
                    continue
                if len(parts) == 1 and wild:
                    if len(parts[0]) >= MIN_STEM:
                        stems.setdefault(parts[0], set()).add(concept)
                        longest = max(longest, len(parts[0]))
                elif len(parts) == 1:
                    for form in {parts[0], lemma(parts[0], language)}:
                        words.setdefault(form, set()).add(concept)
                else:
                    for form in {" ".join(parts[:2]), " ".join(lemma(p, language) for p in parts[:2])}:
                        pairs.setdefault(form, set()).add(concept)
    freeze = lambda d: {k: frozenset(v) for k, v in d.items()}  # noqa: E731
    return freeze(words), freeze(stems), freeze(pairs), longest


def concepts_of(words: list[str]) -> list[str]:
    """The glossary's concepts in these words (a comment's tokens, in order), as "@concept" features."""
    exact, stems, pairs, longest = _index()
    found: list[str] = []
    for index, word in enumerate(words):
        hits = exact.get(word)
        if hits is None:
            for length in range(min(len(word), longest), MIN_STEM - 1, -1):
                hits = stems.get(word[:length])
                if hits:
                    break
        if hits:
            found.extend(f"@{concept}" for concept in hits)
        if index and (pair := pairs.get(f"{words[index - 1]} {word}")):
            found.extend(f"@{concept}" for concept in pair)
    return found
