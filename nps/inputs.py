"""Checks of text from outside (URLs, query strings, forms, CSV files, API bodies) before it reaches a query.

Python's own tests are too lenient for input: `"²".isdigit()` and `"①".isdigit()` are True but int()
refuses them, and int() reads "٣" (Arabic-Indic three) and "1_000" as numbers no URL or id means.
PostgreSQL refuses U+0000 in text and JSON, and its integers stop at 2**63 - 1 (SQLite's too), so a
larger id fails in the database instead of matching nothing. Every layer may import this module; it
imports nothing of ours.
"""

NUL = "\x00"
# PostgreSQL's bigint (and SQLite's integer): primary keys and ids cannot be larger.
MAX_ID = 2**63 - 1


def is_digits(text) -> bool:
    """Whether `text` is a string of ASCII digits 0–9 only (at least one)."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def parse_int(text, *, low: int | None = None, high: int | None = None) -> int | None:
    """The integer spelt by `text` (ASCII digits, an optional leading minus), within [low, high];
    None when it is anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not is_digits(text.removeprefix("-")) or len(text) > 40:
        return None
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def parse_id(text) -> int | None:
    """A database id from a URL or a query string (1 to MAX_ID), or None."""
    return parse_int(text, low=1, high=MAX_ID)


def has_nul(value) -> bool:
    """Whether a text, or any key or item of a JSON object or list, holds U+0000.

    PostgreSQL text and JSON cannot store it: input that holds it is refused as invalid rather than
    failing later in the database.
    """
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False
