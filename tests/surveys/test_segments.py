"""SMS encoding and segment counts (surveys/channels/texting/segments.py): what an operator bills."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.channels.texting import segments
from surveys.channels.texting.segments import GSM7_BASIC, GSM7_EXTENSION, count

GSM_CHARS = sorted(GSM7_BASIC | GSM7_EXTENSION)
gsm_text = st.text(alphabet=GSM_CHARS, max_size=700)
# Any text with at least one character outside GSM-7, emoji and other astral characters included.
non_gsm_char = st.characters(codec="utf-16", exclude_characters="".join(GSM_CHARS)).filter(
    lambda char: not ("\ud800" <= char <= "\udfff")
)
any_text = st.text(
    st.characters(codec="utf-16").filter(lambda c: not ("\ud800" <= c <= "\udfff")), max_size=400
)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Unit cases


@pytest.mark.parametrize(
    "text",
    [
        "आप Acme की सिफ़ारिश करेंगे? 0 से 10 तक जवाब दें",  # Hindi
        "Acme-ஐ பரிந்துரைப்பீர்களா?",  # Tamil
        "আপনি কি Acme সুপারিশ করবেন?",  # Bengali
        "هل توصي بـ Acme لصديق؟",  # Arabic
    ],
)
def test_indian_scripts_and_arabic_are_ucs2(text):
    result = count(text)
    assert result.encoding == "UCS-2"
    assert result.characters == len(text)
    assert result.per_segment == 70


@pytest.mark.parametrize("char", ["’", "“", "—", "…", "😀"])
def test_one_curly_quote_em_dash_or_emoji_flips_the_whole_text_to_ucs2(char):
    plain = "How likely are you to recommend Acme? " * 2
    assert count(plain).encoding == "GSM-7"
    assert count(plain).segments == 1
    flipped = count(plain + char)
    assert flipped.encoding == "UCS-2"
    assert flipped.segments == 2  # 77+ units no longer fit the 70 of one UCS-2 segment


def test_emoji_counts_two_utf16_units():
    assert count("😀").characters == 2
    assert count("a😀b").characters == 4


def test_exactly_160_gsm_characters_is_one_segment_161_is_two():
    assert count("a" * 160) == segments.Segments("GSM-7", 160, 1, 160)
    assert count("a" * 161) == segments.Segments("GSM-7", 161, 2, 153)
    assert count("a" * 306).segments == 2
    assert count("a" * 307).segments == 3


def test_exactly_70_ucs2_characters_is_one_segment_71_is_two():
    assert count("अ" * 70) == segments.Segments("UCS-2", 70, 1, 70)
    assert count("अ" * 71) == segments.Segments("UCS-2", 71, 2, 67)
    assert count("अ" * 134).segments == 2
    assert count("अ" * 135).segments == 3


@pytest.mark.parametrize("char", list("^{}\\[~]|€"))
def test_extension_characters_count_two_septets(char):
    assert count(char).characters == 2
    assert count(char).encoding == "GSM-7"
    assert count("a" * 158 + char).segments == 1
    assert count("a" * 159 + char).segments == 2


def test_extension_character_is_not_split_across_parts():
    # 152 septets, then "€" (2): it cannot start in part one, so part one holds 152 and part two the rest.
    assert count("a" * 152 + "€" + "a" * 152).segments == 3
    assert count("a" * 153 + "€" + "a" * 151).segments == 2


def test_empty_text_costs_nothing_and_warning_starts_above_two_segments():
    assert count("") == segments.Segments("GSM-7", 0, 0, 160)
    assert not count("a" * 306).is_long
    assert count("a" * 307).is_long


def test_gsm_accented_letters_stay_gsm_but_others_do_not():
    assert count("Ça été très bien, Åsa! Ñ ü ø").encoding == "GSM-7"
    assert count("ç").encoding == "UCS-2"  # only the capital Ç is in GSM-7
    assert count("á").encoding == "UCS-2"


# Properties


@given(gsm_text)
def test_gsm_text_counts_septets(text):
    result = count(text)
    assert result.encoding == "GSM-7"
    assert result.characters == len(text) + sum(char in GSM7_EXTENSION for char in text)


@given(gsm_text, non_gsm_char, gsm_text)
def test_any_character_outside_gsm_makes_the_text_ucs2_counted_in_utf16_units(before, char, after):
    text = before + char + after
    result = count(text)
    assert result.encoding == "UCS-2"
    assert result.characters == utf16_units(text)


@given(any_text)
def test_segments_fit_the_units_of_the_encoding(text):
    result = count(text)
    single = 160 if result.encoding == "GSM-7" else 70
    part = 153 if result.encoding == "GSM-7" else 67
    if result.characters == 0:
        assert result.segments == 0
    elif result.characters <= single:
        assert (result.segments, result.per_segment) == (1, single)
    else:
        assert result.per_segment == part
        # At least the units divided by the part size; at most one unit lost per part to a kept pair.
        assert math.ceil(result.characters / part) <= result.segments
        assert result.segments <= math.ceil(result.characters / (part - 1))
    assert result.characters <= result.capacity


@given(any_text, st.sampled_from(GSM_CHARS))
def test_appending_a_gsm_character_never_lowers_the_cost(text, char):
    before, after = count(text), count(text + char)
    assert after.encoding == before.encoding
    assert after.segments >= before.segments
