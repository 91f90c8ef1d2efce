"""Aligning topics learned in different languages into one theme, through the words they share.

Customers in India write English loan words in their own script: "डिलीवरी", "டெலிவரி", "ডেলিভারি" are all
"delivery", and Hinglish writes it in Latin letters. Each topic word is reduced to a *consonant skeleton*
(a rough transliteration with vowels dropped and similar sounds folded: "delivery" → "TLVR", "डिलीवरी" →
"TLVR"); topics of different languages whose top words share skeletons (and Latin words) are one theme.
Words that are not loans ("refund" / "reembolso" / "استرداد") do not align this way: rule themes do that.
"""

import math
import unicodedata

# Consonant classes: sounds a script cannot tell apart, or a loan word may take either way.
_CLASS = {
    "k": "K", "c": "K", "q": "K", "g": "K", "x": "KS",
    "t": "T", "d": "T",
    "p": "P", "b": "P", "f": "P",
    "s": "S", "z": "S",
    "v": "P", "w": "P",  # Bengali and Tamil have no v: "ভ", "வ" serve
    "j": "J",
    "l": "L", "r": "R", "m": "M", "n": "N",
}  # fmt: skip

# Consonant letters of the Indic scripts (by their Latin consonant), read from their Unicode names:
# "DEVANAGARI LETTER KHA" → "kh" → K. Vowels, vowel signs, viramas are dropped; anusvara is N.
_INDIC_PREFIXES = ("DEVANAGARI", "BENGALI", "TAMIL", "GURMUKHI", "GUJARATI", "TELUGU", "KANNADA", "MALAYALAM")
_VOWEL_NAMES = {
    "A",
    "AA",
    "I",
    "II",
    "U",
    "UU",
    "E",
    "EE",
    "AI",
    "O",
    "OO",
    "AU",
    "VOCALIC R",
    "CANDRA E",
    "CANDRA O",
}
_SPECIAL = {"LLLA": "L", "RRA": "R", "NNNA": "N", "ZHA": "L", "LLA": "L", "RHA": "R", "DDDHA": "R"}


def _indic_consonant(char: str) -> str:
    name = unicodedata.name(char, "")
    parts = name.split(" ")
    if not name.startswith(_INDIC_PREFIXES) or len(parts) < 3:
        return ""
    kind, sound = parts[1], " ".join(parts[2:])
    if kind == "SIGN" and sound in ("ANUSVARA", "CANDRABINDU"):
        return "N"
    if kind != "LETTER" or sound in _VOWEL_NAMES:
        return ""
    if sound == "CA" and name.startswith("TAMIL"):
        return "S"  # Tamil writes the "s" of loan words with ச
    if sound in _SPECIAL:
        return _SPECIAL[sound]
    latin = sound.lower().rstrip("a") or "a"
    if latin in ("y", "h", "a"):
        return ""
    if latin.startswith(("sh", "ss")):
        return "S"
    if latin == "ph":
        return "P"
    return _CLASS.get(latin[0], "")


def skeleton(word: str) -> str:
    """ "delivery" → "TLVR"; "डिलीवरी" → "TLVR"; "" for words of other scripts or of one consonant."""
    out: list[str] = []
    for index, char in enumerate(word):
        if "a" <= char <= "z":
            soft_c = char == "c" and word[index + 1 : index + 2] in ("e", "i", "y")
            sound = "S" if soft_c else _CLASS.get(char, "")
        elif ord(char) >= 0x0900:
            sound = _indic_consonant(char)
        else:
            sound = ""
        for letter in sound:
            if not out or out[-1] != letter:
                out.append(letter)
    result = "".join(out)
    return result if len(result) >= 2 else ""


def keys(terms: dict[str, float]) -> dict[str, float]:
    """A topic's words as keys comparable across languages: Latin words as written and every word's
    skeleton (prefixed "~"), with the words' weights."""
    out: dict[str, float] = {}
    for term, weight in terms.items():
        if term.startswith("@"):  # a glossary concept: the same in every language
            out[term] = out.get(term, 0.0) + weight
            continue
        for word in term.split(" "):
            if word.isascii() and word.isalpha():
                out[word] = out.get(word, 0.0) + weight
            shape = skeleton(word)
            if shape:
                out["~" + shape] = out.get("~" + shape, 0.0) + weight
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b.get(key, 0.0) for key, weight in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def cluster(topics: list[tuple[str, dict[str, float]]], threshold: float) -> list[list[int]]:
    """Topics (language group, key weights) grouped across languages: the most similar pairs first, at
    most one topic of each language in a group. Lists of indexes into `topics`."""
    groups = [[i] for i in range(len(topics))]
    where = list(range(len(topics)))
    pairs = []
    for i in range(len(topics)):
        for j in range(i + 1, len(topics)):
            if topics[i][0] != topics[j][0]:
                similarity = cosine(topics[i][1], topics[j][1])
                if similarity >= threshold:
                    pairs.append((similarity, i, j))
    for _, i, j in sorted(pairs, reverse=True):
        a, b = where[i], where[j]
        if a == b:
            continue
        languages_a = {topics[k][0] for k in groups[a]}
        if any(topics[k][0] in languages_a for k in groups[b]):
            continue
        groups[a].extend(groups[b])
        for k in groups[b]:
            where[k] = a
        groups[b] = []
    return [g for g in groups if g]
