"""The conditions of case rules and alert rules: one format, stored as JSON, parsed, matched and described.

A rule's `conditions` JSON holds the fields of `Conditions` (lists for the tuples); a missing key is "any",
so the empty dict matches every answer. `parse` is the one gate: forms, the API and the matcher all go
through it, so a rule that was saved can always be read back.
"""

import re
from dataclasses import dataclass, fields

from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER, group_of
from nps.inputs import MAX_ID, is_digits
from surveys.models import Channel

from ..models import Theme
from ..themes.assign import assign_answer

GROUPS = (DETRACTOR, PASSIVE, PROMOTER)
MAX_ITEMS = 50  # keywords, property values, campaigns: more is a mistake, not a rule
MAX_TEXT = 100  # one keyword, one property name or value


@dataclass(frozen=True)
class Conditions:
    groups: tuple[str, ...] = ()  # subset of GROUPS; empty = any
    score_min: int | None = None  # 0..10
    score_max: int | None = None
    has_comment: bool = False  # True: only answers with a non-blank comment
    campaign_ids: tuple[int, ...] = ()  # empty = any
    channels: tuple[str, ...] = ()  # surveys.models.Channel values; empty = any
    property: str = ""  # a contact property's name; with property_values
    property_values: tuple[str, ...] = ()  # matched case-insensitively after strip
    keywords: tuple[str, ...] = ()  # any of them in the comment (casefold, whole word or phrase)
    theme_ids: tuple[int, ...] = ()  # the comment has any of these themes (responses.models.Theme)


FIELDS = tuple(field.name for field in fields(Conditions))


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text.")
    value = " ".join(value.split())
    if "\x00" in value:
        raise ValueError(f"{what} contains a NUL character.")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT} characters.")
    return value


def _texts(value, what: str) -> tuple[str, ...]:
    """A list of texts (or one comma-separated text, as a form field gives it), blanks and repeats dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        raise ValueError(f"{what} must be a list.")
    result: list[str] = []
    seen = set()
    for item in value:
        item = _text(item, what)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    if len(result) > MAX_ITEMS:
        raise ValueError(f"{what}: at most {MAX_ITEMS}.")
    return tuple(result)


def _score(value, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"{what} must be a whole number from 0 to 10.")
    return value


def _ids(value, what: str = "Campaigns", noun: str = "campaign", high: int = 2**31 - 1) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError(f"{what} must be a list of {noun} ids.")
    ids = []
    for item in value:
        if isinstance(item, str) and is_digits(item.strip()) and len(item.strip()) <= 20:
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item <= high:
            raise ValueError(f"{what} must be a list of {noun} ids.")
        if item not in ids:
            ids.append(item)
    if len(ids) > MAX_ITEMS:
        raise ValueError(f"{what}: at most {MAX_ITEMS}.")
    return tuple(ids)


def parse(raw: dict) -> Conditions:
    """The conditions stored in (or posted for) a rule; ValueError with a readable message when they are wrong."""
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict):
        raise ValueError("Conditions must be an object.")
    unknown = sorted(str(key) for key in raw if key not in FIELDS)
    if unknown:
        raise ValueError(f"Unknown condition: {', '.join(unknown)}.")
    groups = tuple(group.casefold() for group in _texts(raw.get("groups"), "Groups"))
    if bad := [group for group in groups if group not in GROUPS]:
        raise ValueError(f"Unknown group: {bad[0]} (detractor, passive or promoter).")
    groups = tuple(group for group in GROUPS if group in groups)  # a stable order
    channels = _texts(raw.get("channels"), "Channels")
    if bad := [channel for channel in channels if channel not in Channel.values]:
        raise ValueError(f"Unknown channel: {bad[0]}.")
    score_min = _score(raw.get("score_min"), "The lowest score")
    score_max = _score(raw.get("score_max"), "The highest score")
    if score_min is not None and score_max is not None and score_min > score_max:
        raise ValueError("The lowest score is above the highest score.")
    has_comment = raw.get("has_comment", False)
    if not isinstance(has_comment, bool):
        raise ValueError("“Has a comment” must be true or false.")
    prop = _text(raw.get("property") or "", "The property")
    values = _texts(raw.get("property_values"), "Property values")
    if prop and not values:
        raise ValueError(f"Give the values of “{prop}” that match.")
    if values and not prop:
        raise ValueError("Give the property whose values these are.")
    return Conditions(
        groups=groups,
        score_min=score_min,
        score_max=score_max,
        has_comment=has_comment,
        campaign_ids=_ids(raw.get("campaign_ids")),
        channels=channels,
        property=prop,
        property_values=values,
        keywords=_texts(raw.get("keywords"), "Keywords"),
        theme_ids=_ids(raw.get("theme_ids"), "Themes", "theme", MAX_ID),
    )


def to_json(c: Conditions) -> dict:
    """What a rule stores: only the conditions that narrow (the empty dict matches every answer)."""
    result = {}
    for name in FIELDS:
        value = getattr(c, name)
        if value in ((), None, False, ""):
            continue
        result[name] = list(value) if isinstance(value, tuple) else value
    return result


def _keyword_pattern(keyword: str) -> re.Pattern:
    words = [re.escape(word) for word in keyword.casefold().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def mentions(comment: str, keywords: tuple[str, ...]) -> bool:
    """Any keyword in the comment as a whole word or phrase, ignoring case ("refund" not in "refunded")."""
    text = comment.casefold()
    return any(_keyword_pattern(keyword).search(text) for keyword in keywords)


def matches(c: Conditions, answer) -> bool:
    """Whether the answer (with .score, .comment, .channel, .campaign_id and .contact, which may be None) fits."""
    if c.groups and group_of(answer.score) not in c.groups:
        return False
    if c.score_min is not None and answer.score < c.score_min:
        return False
    if c.score_max is not None and answer.score > c.score_max:
        return False
    comment = (answer.comment or "").strip()
    if c.has_comment and not comment:
        return False
    if c.campaign_ids and answer.campaign_id not in c.campaign_ids:
        return False
    if c.channels and answer.channel not in c.channels:
        return False
    if c.property:
        contact = answer.contact
        if contact is None:
            return False
        value = property_value(contact.properties, c.property)
        if value is None or value.casefold() not in {v.casefold() for v in c.property_values}:
            return False
    if c.keywords and not mentions(comment, c.keywords):
        return False
    # Last: the only condition that may read the database (and assign the comment's themes first).
    return not c.theme_ids or (bool(comment) and has_theme(answer, c.theme_ids))


def _answer_themes(answer) -> set[int]:
    """The answer's themes now (responses.themes.assign.assign_answer: assigned first when its comment was
    not read yet, as an answer just saved often is: the assigner runs every minute). Kept on the answer
    object for its comment, so that several rules checking one answer assign and read once."""
    cached = getattr(answer, "_rule_theme_ids", None)
    if cached is not None and cached[0] == answer.comment:
        return cached[1]
    ids = set(assign_answer(answer))
    answer._rule_theme_ids = (answer.comment, ids)
    return ids


def has_theme(answer, theme_ids: tuple[int, ...]) -> bool:
    """Whether the answer's comment has any of these themes. A theme merged into another since the rule was
    saved has no comments of its own (merging moves them): the rule follows it to the theme it went into."""
    themes = _answer_themes(answer)
    if not themes:
        return False
    if themes.intersection(theme_ids):
        return True
    return bool(themes.intersection(_merge_targets(theme_ids)))


def _merge_targets(theme_ids: tuple[int, ...]) -> set[int]:
    """The themes these were merged into, following merges of merges (one query per step, rarely any)."""
    targets: set[int] = set()
    wanted = set(theme_ids)
    for _ in range(10):  # a chain longer than this is not a person's doing
        found = set(
            Theme.objects.filter(pk__in=wanted, merged_into__isnull=False).values_list(
                "merged_into", flat=True
            )
        )
        found -= targets | set(theme_ids)
        if not found:
            break
        targets |= found
        wanted = found
    return targets


def property_value(properties, name: str) -> str | None:
    """A contact property's value as stripped text, the name matched ignoring case; None when absent."""
    if not isinstance(properties, dict):
        return None
    wanted = name.strip().casefold()
    for key, value in properties.items():
        if str(key).strip().casefold() == wanted:
            if value is None or isinstance(value, dict | list):
                return None
            return str(value).strip()
    return None


def _join(items: list[str], word: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def describe(c: Conditions) -> str:
    """One line for the rules page: "Detractors with a comment on Quarterly NPS, region = South"."""
    plural = {DETRACTOR: "detractors", PASSIVE: "passives", PROMOTER: "promoters"}
    head = _join([plural[group] for group in c.groups], "and").capitalize() if c.groups else "Every answer"
    parts = [head]
    if c.score_min is not None and c.score_max is not None:
        parts.append(
            f"scoring {c.score_min}" if c.score_min == c.score_max else f"scoring {c.score_min}–{c.score_max}"
        )
    elif c.score_min is not None:
        parts.append(f"scoring {c.score_min} or more")
    elif c.score_max is not None:
        parts.append(f"scoring {c.score_max} or less")
    if c.has_comment:
        parts.append("with a comment")
    if c.keywords:
        parts.append("mentioning " + _join([f"“{keyword}”" for keyword in c.keywords]))
    if c.channels:
        labels = dict(Channel.choices)
        parts.append("by " + _join([str(labels.get(channel, channel)) for channel in c.channels]))
    if c.campaign_ids:
        from surveys.models import Campaign

        names = dict(Campaign.objects.filter(pk__in=c.campaign_ids).values_list("pk", "name"))
        parts.append("on " + _join([names.get(pk, f"a deleted campaign ({pk})") for pk in c.campaign_ids]))
    text = " ".join(parts)
    if c.property:
        text += f", {c.property} = {_join(list(c.property_values))}"
    if c.theme_ids:
        text += f", theme is {_join(theme_names(c.theme_ids))}"
    return text


def theme_names(theme_ids: tuple[int, ...]) -> list[str]:
    """The themes' names as a rule shows them: "Refunds", "Refunds (hidden)", "a deleted theme"."""
    themes = Theme.objects.in_bulk(theme_ids)
    names = []
    for pk in theme_ids:
        theme = themes.get(pk)
        if theme is None:
            names.append("a deleted theme")
        elif theme.merged_into_id:
            target = Theme.objects.filter(pk=theme.merged_into_id).first()
            names.append(f"{theme.display_name} (merged into {target.display_name if target else 'another'})")
        elif theme.hidden:
            names.append(f"{theme.display_name} (hidden)")
        elif theme.retired:
            names.append(f"{theme.display_name} (no longer found)")
        else:
            names.append(theme.display_name)
    return names
