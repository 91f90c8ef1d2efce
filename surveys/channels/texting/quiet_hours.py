"""The hours a text may reach a number: TEXT_QUIET_HOURS, narrowed per region by QuietHoursRule rows.

A text goes only when the recipient's local time is inside the day's window: settings.TEXT_QUIET_HOURS
("08:00-21:00", the US TCPA hours) on every day, narrowed by the rules of the number's country ("US") and
of its subdivision ("US-TX"). A rule for one weekday replaces its region's every-day rule on that day;
rules only ever narrow, never widen. Windows include their start and exclude their end.

Local time is the contact's time zone when it has a valid one. Otherwise the number decides, and a number
may lie in several zones (a toll-free or a Russian number): then the moment must be allowed in every one
of them, so that nobody whose zone we only guess is woken up.

The send path asks this per text, so the rules are read from the database once per process and kept; a
change to a rule (post_save / post_delete) drops this process's copy at once and bumps a version in the
shared cache, which every other process (web, Celery workers) checks at most every VERSION_CHECK_SECONDS.
"""

import logging
import math
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from phonenumbers import geocoder
from phonenumbers import timezone as number_zones

from nps import audit

from ...models import QuietHoursRule

logger = logging.getLogger(__name__)

# One window: (start, end) as time since local midnight, start included, end excluded.
Window = tuple[timedelta, timedelta]
# The window of each weekday, Monday first; None: no text at all that day.
Week = tuple[Window | None, ...]

DAY = timedelta(days=1)
# How far ahead to look for an allowed moment: a week of windows and a day to spare.
HORIZON = timedelta(days=8)
# How stale another process's rules may be, at most, after an admin changed them.
VERSION_CHECK_SECONDS = 30
VERSION_KEY = "texting:quiet-hours:version"

# US states and Canadian provinces as phonenumbers' geocoder names them ("Florida", "Washington State";
# cities come as "Miami, FL"). Descriptions naming several provinces ("Nova Scotia/Prince Edward Island")
# match none: the country's rules apply.
SUBDIVISIONS = {
    "US": {
        "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
        "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
        "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
        "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
        "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
        "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
        "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
        "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
        "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
        "Virginia": "VA", "Washington": "WA", "Washington State": "WA", "Washington D.C.": "DC",
        "District of Columbia": "DC", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
    },
    "CA": {
        "Alberta": "AB", "British Columbia": "BC", "British Colombia": "BC", "Manitoba": "MB",
        "New Brunswick": "NB", "Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON",
        "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT",
        "Nunavut": "NU", "Yukon": "YT",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """A QuietHoursRule as the pure functions below read it."""

    region: str
    weekday: int | None
    start: timedelta
    end: timedelta

    @classmethod
    def of(cls, row: QuietHoursRule) -> "Rule":
        return cls(row.region, row.weekday, since_midnight(row.start), since_midnight(row.end))


def since_midnight(value) -> timedelta:
    """A time of day as the time since midnight."""
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)


def clock(since: timedelta) -> str:
    """Time since midnight as "08:00" ("24:00" for the end of the day)."""
    minutes = int(since.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# The numbers ---------------------------------------------------------------------------------------------


def _parse(number: str):
    """The phonenumbers object of an E.164 number ("whatsapp:" prefix allowed), or None."""
    number = number.strip().removeprefix("whatsapp:")
    try:
        return phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None


def region_of(number) -> str:
    """The region whose rules apply to a number (a string or a contact's PhoneNumber): "US-FL" for a US or
    Canadian number whose area code lies in one state or province, else the country ("US", "IN"); "" when
    the number is not a number."""
    return _region_of(str(number or ""))


@lru_cache(maxsize=4096)
def _region_of(number: str) -> str:
    parsed = _parse(number)
    if parsed is None:
        return ""
    # A number outside the known ranges still has a country code ("+44 7700 900…", reserved for drama).
    country = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code
    )
    if country == phonenumbers.UNKNOWN_REGION or not country.isalpha():  # "001": international services
        return ""
    names = SUBDIVISIONS.get(country)
    if not names:
        return country
    description = geocoder.description_for_number(parsed, "en")
    codes = set(names.values())
    # "Miami, FL" names the state by its code; "Florida" by its name.
    if match := re.fullmatch(r".+, ([A-Z]{2})", description):
        code = match.group(1)
        return f"{country}-{code}" if code in codes else country
    code = names.get(description)
    return f"{country}-{code}" if code else country


def zones_of(number, time_zone: str = "") -> list[tzinfo]:
    """The zones the recipient may be in: the contact's own when valid, else every zone of the number,
    else settings.TIME_ZONE."""
    if zone := _zone(time_zone):
        return [zone]
    return list(_number_zones(str(number or ""))) or [_zone(settings.TIME_ZONE) or UTC]


@lru_cache(maxsize=4096)
def _number_zones(number: str) -> tuple[tzinfo, ...]:
    parsed = _parse(number)
    names = number_zones.time_zones_for_number(parsed) if parsed is not None else ()
    return tuple(zone for name in names if name != number_zones.UNKNOWN_TIMEZONE and (zone := _zone(name)))


@lru_cache(maxsize=1024)
def _zone(name: str) -> tzinfo | None:
    if not name or "\x00" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# The rules -----------------------------------------------------------------------------------------------


def base_window() -> Window:
    """TEXT_QUIET_HOURS ("08:00-21:00"; "24:00" may end it) as a window."""
    return parse_window(settings.TEXT_QUIET_HOURS)


@lru_cache(maxsize=8)
def parse_window(text: str) -> Window:
    """ "08:00-21:00" as a window; ImproperlyConfigured for anything else (it only comes from settings)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if match:
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        start, end = timedelta(hours=start_h, minutes=start_m), timedelta(hours=end_h, minutes=end_m)
        if start_m < 60 and end_m < 60 and timedelta(0) <= start < end <= DAY:
            return start, end
    raise ImproperlyConfigured(f'TEXT_QUIET_HOURS must look like "08:00-21:00", not {text!r}.')


_loaded: dict = {"rules": None, "version": None, "checked": 0.0}


def all_rules() -> list[Rule]:
    """Every QuietHoursRule, read once per process (see the module's docstring)."""
    now = time.monotonic()
    if _loaded["rules"] is not None and now - _loaded["checked"] < VERSION_CHECK_SECONDS:
        return _loaded["rules"]
    try:
        version = cache.get(VERSION_KEY)
    except Exception:  # an unreachable shared cache: reread the rules at every check rather than trust them
        logger.warning("Quiet hours: the cache is unreachable; reading the rules again.", exc_info=True)
        version = None
        _loaded["rules"] = None
    if _loaded["rules"] is None or version != _loaded["version"]:
        _loaded["rules"] = [Rule.of(row) for row in QuietHoursRule.objects.all()]
        _loaded["version"] = version
    _loaded["checked"] = now
    return _loaded["rules"]


def forget_rules(**_signal) -> None:
    """Drop this process's rules and tell the others to drop theirs."""
    _loaded["rules"] = None
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the others reread at their next check anyway: they cannot read the version either
        logger.warning(
            "Quiet hours: the cache is unreachable; other processes reread the rules.", exc_info=True
        )


post_save.connect(forget_rules, sender=QuietHoursRule, dispatch_uid="quiet_hours_saved")
post_delete.connect(forget_rules, sender=QuietHoursRule, dispatch_uid="quiet_hours_deleted")


def rules_for(region: str, rules: Iterable[Rule] | None = None) -> list[Rule]:
    """The rules that apply in a region: its country's and, for a subdivision, its own."""
    regions = {region, region.split("-", 1)[0]} if region else set()
    return [rule for rule in (all_rules() if rules is None else rules) if rule.region in regions]


def week_for(region: str, rules: Iterable[Rule], base: Window) -> Week:
    """Each weekday's window in a region: the base window narrowed by the rules of every level (country,
    subdivision); on each level a weekday's own rule replaces the every-day one."""
    levels: dict[str, dict[int | None, Rule]] = {}
    for rule in rules_for(region, rules):
        levels.setdefault(rule.region, {})[rule.weekday] = rule
    week = []
    for weekday in range(7):
        start, end = base
        for by_day in levels.values():
            if rule := by_day.get(weekday, by_day.get(None)):
                start, end = max(start, rule.start), min(end, rule.end)
        week.append((start, end) if start < end else None)
    return tuple(week)


# The arithmetic (pure: no database, no settings) ---------------------------------------------------------


def first_allowed(
    moment: datetime, *, zones: Sequence[tzinfo], week: Week, horizon: timedelta = HORIZON
) -> datetime | None:
    """The first instant ≥ moment allowed in every zone (`moment` itself when it is allowed); None when
    there is none within `horizon`."""
    if moment.tzinfo is None:
        raise ValueError("first_allowed needs an aware datetime.")
    current = moment.astimezone(UTC)
    limit = current + horizon
    # Each zone moves the candidate to its own next allowed instant, until all of them agree: every move
    # goes forward, to one of finitely many window starts before the limit, so this ends.
    while True:
        moved = False
        for zone in zones:
            found = _first_allowed_in(current, zone, week, limit)
            if found is None:
                return None
            if found != current:
                current, moved = found, True
        if not moved:
            return moment if current == moment else current.astimezone(moment.tzinfo)


def _first_allowed_in(moment: datetime, zone: tzinfo, week: Week, limit: datetime) -> datetime | None:
    """The first instant ≥ moment (UTC) allowed in one zone, before `limit`.

    Walks the zone's stretches of constant UTC offset: inside one, local time is the instant plus the
    offset, so the first allowed local time converts back exactly. A window start in a DST gap thereby
    becomes the first instant after the gap, and a local time that recurs after a fall-back counts in both
    of its occurrences.
    """
    current = moment
    while current < limit:
        offset = current.astimezone(zone).utcoffset()
        stretch_end = _offset_change(current, zone, offset, min(current + DAY, limit))
        local = (current + offset).replace(tzinfo=None)
        wanted = _first_allowed_local(local, week)
        if wanted is not None:
            found = (wanted - offset).replace(tzinfo=UTC)
            if found < stretch_end:
                return found
        current = stretch_end
    return None


def _offset_change(start: datetime, zone: tzinfo, offset: timedelta, bound: datetime) -> datetime:
    """The first instant after `start` where the zone's offset differs from `offset`, else `bound`.

    Zones change their offset at whole seconds and at most once a day, so comparing both ends of a day
    and halving the interval finds the change exactly.
    """
    if bound.astimezone(zone).utcoffset() == offset:
        return bound
    low, high = math.floor(start.timestamp()), math.ceil(bound.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return max(datetime.fromtimestamp(high, UTC), start)


def _first_allowed_local(local: datetime, week: Week) -> datetime | None:
    """The first naive local time ≥ local inside a day's window; None when no day has one."""
    day = local.date()
    since = local - datetime.combine(day, datetime.min.time())
    window = week[day.weekday()]
    if window is not None and since < window[1]:
        return local if since >= window[0] else _at(day, window[0])
    for ahead in range(1, 8):
        following = day + timedelta(days=ahead)
        if (window := week[following.weekday()]) is not None:
            return _at(following, window[0])
    return None


def _at(day: date, since: timedelta) -> datetime:
    return datetime.combine(day, datetime.min.time()) + since


# What admins change (the quiet hours page) ---------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIELDS = ("region", "weekday", "start", "end", "note")


class RuleConflict(Exception):
    """The region already has a rule for that day (another admin was quicker)."""


def describe(rule: QuietHoursRule) -> str:
    """ "US-TX, Sundays, 12:00-21:00": a rule in words, for the audit log and messages."""
    days = "every day" if rule.weekday is None else f"{WEEKDAYS[rule.weekday]}s"
    return f"{rule.region}, {days}, {rule.start:%H:%M}-{rule.end:%H:%M}"


def _audit_value(name: str, value):
    if name == "weekday":
        return "every day" if value is None else WEEKDAYS[value]
    return value.strftime("%H:%M") if name in ("start", "end") else value


def add_rule(*, region: str, weekday: int | None, start, end, note: str = "") -> QuietHoursRule:
    """Add a rule (it applies to the next text sent); RuleConflict when its region has one for that day."""
    try:
        with transaction.atomic():
            rule = QuietHoursRule.objects.create(
                region=region, weekday=weekday, start=start, end=end, note=note
            )
    except IntegrityError as error:
        raise RuleConflict(region) from error
    audit.record(
        "quiet_hours.create",
        obj=rule,
        label=describe(rule),
        changes={name: _audit_value(name, getattr(rule, name)) for name in FIELDS},
    )
    return rule


def change_rule(rule: QuietHoursRule, **fields) -> QuietHoursRule:
    """Change a rule's region, weekday, hours or note; RuleConflict as for add_rule."""
    changes = {
        name: [_audit_value(name, getattr(rule, name)), _audit_value(name, value)]
        for name, value in fields.items()
        if getattr(rule, name) != value
    }
    if not changes:
        return rule
    for name, value in fields.items():
        setattr(rule, name, value)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as error:
        raise RuleConflict(rule.region) from error
    audit.record("quiet_hours.update", obj=rule, label=describe(rule), changes=changes)
    return rule


def delete_rule(rule: QuietHoursRule) -> None:
    """Delete a rule: its region keeps the hours of the rules that remain."""
    label, pk = describe(rule), rule.pk
    rule.delete()
    audit.record("quiet_hours.delete", object_id=pk, label=label)


# What the send path calls --------------------------------------------------------------------------------


def next_allowed(moment: datetime, *, number, time_zone: str = "") -> datetime:
    """The first moment ≥ `moment` at which a text may reach `number` (`moment` itself when allowed).

    Should the number's zones share no allowed moment in the coming week (a window narrowed so far that
    zones hours apart never overlap), settings.TIME_ZONE alone decides: the operator's own hours. Should
    the rules leave no hour of the week at all, the text waits a week and asks again: better late than
    against the law.
    """
    region = region_of(number)
    week = week_for(region, all_rules(), base_window())
    found = first_allowed(moment, zones=zones_of(number, time_zone), week=week)
    if found is None:
        found = first_allowed(moment, zones=[_zone(settings.TIME_ZONE) or UTC], week=week)
    if found is None:
        logger.error(
            "The quiet hours of region %s leave no hour of the week to send texts in.", region or "?"
        )
        found = moment + HORIZON
    return found
