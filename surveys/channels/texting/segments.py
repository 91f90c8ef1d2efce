"""How many SMS segments a text costs: GSM-7 or UCS-2 encoding, and the parts it is split into.

Operators bill per segment. A text in the GSM 03.38 alphabet (GSM-7) fits 160 characters in one segment;
a longer one is sent in parts of 153, the rest of each part holding the header that joins them again.
One character outside that alphabet (any Indian script, Arabic, a curly quote, an em dash, an emoji)
turns the whole text into UCS-2: 70 UTF-16 code units in one segment, 67 per part. The characters of
GSM-7's extension table (^ { } \\ [ ~ ] | € and the form feed) take two septets, an escape and the
character, and a phone never splits such a pair, nor a UTF-16 surrogate pair, across two parts.
"""

from dataclasses import dataclass

# GSM 03.38 basic character set, without the escape (0x1B), which is not a character of its own.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as the escape and the character, two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
# Units in one segment, and in each part of a text that needs more than one.
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}
# Above this many segments the editor warns: Twilio recommends at most 320 characters (two GSM parts).
WARN_ABOVE = 2


@dataclass(frozen=True)
class Segments:
    """A text's encoding and cost."""

    encoding: str  # "GSM-7" or "UCS-2"
    # Units counted against the limit: septets (GSM-7; an extension character counts 2) or UTF-16 code
    # units (UCS-2; an emoji counts 2). What the editor shows as the text's characters.
    characters: int
    segments: int  # 0 for an empty text
    per_segment: int  # 160 / 153 (GSM-7) or 70 / 67 (UCS-2)

    @property
    def is_long(self) -> bool:
        """More segments than the editor lets pass without a warning."""
        return self.segments > WARN_ABOVE

    @property
    def capacity(self) -> int:
        """Units the text may hold without costing one more segment."""
        return max(self.segments, 1) * self.per_segment


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _units(text: str, encoding: str) -> list[int]:
    """The units each character takes: the pieces that a split into parts must keep together."""
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count(text: str) -> Segments:
    """The encoding, length and number of segments of `text` as an operator bills it."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    units = _units(text, encoding)
    total = sum(units)
    if total <= SINGLE[encoding]:
        return Segments(encoding, total, 1 if total else 0, SINGLE[encoding])
    part, segments, used = PART[encoding], 1, 0
    for size in units:
        if used + size > part:  # this character does not fit: it opens the next part
            segments, used = segments + 1, 0
        used += size
    return Segments(encoding, total, segments, part)
