"""Reading a score out of a text reply (reply mode): every decimal digit script, noisy forms, nonsense."""

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responses.texting import parse_score, split_reply

# The digit 0 of every decimal digit script Python's Unicode database knows (Latin, Devanagari, Bengali,
# Tamil, Arabic-Indic, Extended Arabic-Indic, full-width, Thai, mathematical …): each script's 1–9
# follow it at consecutive code points.
ZEROS = [cp for cp in range(sys.maxunicode + 1) if unicodedata.decimal(chr(cp), None) == 0]


def written(number: int, zero: int) -> str:
    """`number` in the script whose digit 0 is at `zero`."""
    return "".join(chr(zero + int(digit)) for digit in str(number))


def test_the_scripts_of_the_issue_are_among_the_generated_ones():
    for zero in ("0", "०", "০", "௦", "٠", "۰", "０"):
        assert ord(zero) in ZEROS
    assert len(ZEROS) > 50


@pytest.mark.parametrize(
    ("reply", "score", "comment"),
    [
        ("9", 9, ""),
        ("9/10", 9, ""),
        ("9 / 10 thanks", 9, "thanks"),
        ("9 - great service", 9, "great service"),
        (" 10!", 10, ""),
        ("10.", 10, ""),
        ("0", 0, ""),
        ("10/10", 10, ""),
        ("9 out of 10", 9, ""),
        ("9 OUT OF 10, loved it", 9, "loved it"),
        ("7: slow delivery but friendly", 7, "slow delivery but friendly"),
        ("8, ok!", 8, "ok!"),
        ("5 😀", 5, "😀"),
        ("८", 8, ""),  # Devanagari
        ("१०", 10, ""),
        ("९। बहुत अच्छा", 9, "बहुत अच्छा"),
        ("৯", 9, ""),  # Bengali
        ("௯", 9, ""),  # Tamil
        ("٩", 9, ""),  # Arabic-Indic
        ("٩، ممتاز", 9, "ممتاز"),
        ("۹", 9, ""),  # Extended Arabic-Indic (Persian, Urdu)
        ("１０", 10, ""),  # full-width
        ("９／１０、とても良い", 9, "とても良い"),
        ("٩/10", 9, ""),  # the scale may be written in another script than the score
        ("07", 7, ""),
        ("9\nThe staff were kind", 9, "The staff were kind"),
        ("9\ufe0f\u20e3", 9, ""),  # keycap emoji, as phones' emoji keyboards offer them
        ("1\ufe0f\u20e30\ufe0f\u20e3 top", 10, "top"),
        ("\U0001f51f great", 10, "great"),
    ],
)
def test_a_reply_starting_with_a_score_gives_the_score_and_the_comment(reply, score, comment):
    assert split_reply(reply) == (score, comment)
    assert parse_score(reply) == score


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "   ",
        "55",
        "5a",
        "5th",
        "11",
        "100",
        "-1",
        "+5",
        "ten",
        "nine",
        "नौ",
        "1٠",  # a Latin 1 and an Arabic-Indic 0: not one number
        "٩0",
        "4/5",  # a score on another scale
        "8 out of 5",
        "9.5",
        "9,5",
        "٩٫٥",
        "great, 9",
        "²",  # a superscript two is a digit, not a decimal digit
        "Ⅸ",  # a Roman numeral
        "STOP",
        "1\ufe0f\u20e31\ufe0f\u20e3",  # eleven in keycaps
        "7" * 5000,  # longer than Python's int() accepts: still just "not a score"
    ],
)
def test_a_reply_not_starting_with_a_0_to_10_number_is_not_a_score(reply):
    assert parse_score(reply) is None
    assert split_reply(reply) == (None, reply.strip())


zeros = st.sampled_from(ZEROS)
# Text with no decimal digit in it: whatever a customer writes after the score.
words = st.text(
    alphabet=st.characters(exclude_categories=("Nd", "Cs"), exclude_characters="\x00"),
    max_size=40,
)
# What may come right after the score: never a letter or a mark (that would make it a word, "5a").
separators = st.sampled_from(
    [" ", "!", ".", ",", ": ", " - ", " – ", "\n", "/10 ", "。", "، ", "। ", "👍", "🙂 "]
)


@given(score=st.integers(0, 10), zero=zeros, separator=separators, noise=words)
def test_every_score_in_every_digit_script_with_noise_after_it_is_read(score, zero, separator, noise):
    reply = written(score, zero) + separator + noise
    found, comment = split_reply(reply)
    assert found == score
    assert parse_score(" " + reply) == score
    assert comment in reply
    assert comment == comment.strip()


@given(score=st.integers(0, 10), zero=zeros, ten_zero=zeros, noise=words)
def test_a_score_out_of_ten_is_read_in_every_script(score, zero, ten_zero, noise):
    for scale in ("/", " / ", " out of ", " of "):
        assert parse_score(written(score, zero) + scale + written(10, ten_zero) + " " + noise) == score


@given(text=st.text(max_size=60))
def test_a_reply_whose_first_character_is_no_digit_is_not_a_score(text):
    if text.strip()[:1].isdecimal():
        text = "x" + text
    assert parse_score(text) is None


@given(number=st.integers(11, 10**12), zero=zeros, noise=st.one_of(st.just(""), separators.map(str)))
def test_a_number_above_ten_is_not_a_score(number, zero, noise):
    assert parse_score(written(number, zero) + noise) is None


@given(score=st.integers(0, 10), zero=zeros, letter=st.characters(categories=("L", "M")), noise=words)
def test_a_score_glued_to_a_letter_is_not_a_score(score, zero, letter, noise):
    assert parse_score(written(score, zero) + letter + noise) is None


@given(tens=st.integers(1, 9), zero=zeros, other=zeros, noise=words)
def test_digits_of_two_scripts_are_not_one_number(tens, zero, other, noise):
    if zero == other:
        other = ZEROS[(ZEROS.index(zero) + 1) % len(ZEROS)]
    # "1٠": a one and a zero of another script; not ten, and not one either.
    assert parse_score(chr(zero + 1) + chr(other) + noise) is None
    assert parse_score(chr(zero + tens) + chr(other + tens) + noise) is None
