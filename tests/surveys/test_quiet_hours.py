"""Quiet hours (surveys/channels/texting/quiet_hours.py): no text outside the recipient's allowed hours.

The property test checks the pure arithmetic against an oracle written separately here: local wall time
by zoneinfo, each weekday's window read straight from the rules, and every instant where an allowed
stretch can begin (window starts in either fold, offset changes) listed independently of the code.
"""

import bisect
import importlib
import random
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.channels.texting import quiet_hours
from surveys.channels.texting.quiet_hours import HORIZON, Rule, first_allowed, week_for
from surveys.models import QuietHoursRule
from tests.factories import make_contact

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Adak",
    "Pacific/Honolulu",
    "Asia/Kolkata",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/St_Johns",  # UTC-3:30, DST
    "Pacific/Chatham",  # UTC+12:45, DST at 02:45
    "America/Havana",  # DST at midnight: a day without 00:00-01:00
    "America/Santiago",  # DST at midnight, southern hemisphere
]
START, END = datetime(2024, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# The seeded US state rules, read from their migration once (no database per example).
SEEDED = [
    Rule(
        region, weekday, timedelta(hours=s.hour, minutes=s.minute), timedelta(hours=e.hour, minutes=e.minute)
    )
    for region, weekday, s, e, _note in importlib.import_module(
        "surveys.migrations.0008_quiet_hours_rules"
    ).RULES
]


@pytest.fixture(autouse=True)
def fresh_rules():
    """Rules cached by a rolled-back test must not reach the next one."""
    quiet_hours.forget_rules()
    yield
    quiet_hours.forget_rules()


# The oracle ----------------------------------------------------------------------------------------------


@cache
def transitions(name: str) -> list[datetime]:
    """Every instant the zone's UTC offset changes between START and END, found by its own scan."""
    zone, found = ZoneInfo(name), []
    moment = START - timedelta(days=2)
    while moment < END + timedelta(days=10):
        step = moment + timedelta(hours=6)
        if step.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            low, high = moment, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        moment = step
    return found


def window(region, rules, base, weekday):
    """(start, end) of a weekday, straight from the rules: each level's own weekday rule, else its
    every-day rule, narrows the base."""
    start, end = base
    for level in {region, region.split("-")[0]} if region else set():
        mine = [rule for rule in rules if rule.region == level]
        for rule in [rule for rule in mine if rule.weekday == weekday] or [
            r for r in mine if r.weekday is None
        ]:
            start, end = max(start, rule.start), min(end, rule.end)
    return start, end


def allowed(moment, zones, day_windows) -> bool:
    for zone in zones:
        local = moment.astimezone(zone)
        since = timedelta(
            hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
        start, end = day_windows[local.weekday()]
        if not start <= since < end:
            return False
    return True


def openings(moment, limit, zones, day_windows):
    """Every instant in [moment, limit) where an allowed stretch may begin: the moment, a zone's window
    start (both readings of an ambiguous local time) and a zone's offset change."""
    found = {moment}
    for zone in zones:
        changes = transitions(zone.key)
        found.update(changes[bisect.bisect_left(changes, moment) : bisect.bisect_left(changes, limit)])
        day = moment.astimezone(zone).date() - timedelta(days=1)
        while datetime.combine(day, time(), tzinfo=zone) < limit + timedelta(days=1):
            start = day_windows[day.weekday()][0]
            if start < timedelta(days=1):
                for fold in (0, 1):
                    local = (datetime.combine(day, time()) + start).replace(tzinfo=zone, fold=fold)
                    found.add(local.astimezone(UTC))
            day += timedelta(days=1)
    return sorted(instant for instant in found if moment <= instant < limit)


# The property --------------------------------------------------------------------------------------------

REGIONS = ["US", "US-TX", "US-FL", "IN", "GB", "AU-NSW"]
DST_ZONES = [name for name in ZONES if name not in ("America/Phoenix", "Pacific/Honolulu", "Asia/Kolkata")]


def random_case(seed: int):
    """A moment, zones, region, rules and base window, all drawn from one seed.

    Hypothesis draws only the seed: drawing each field through it costs ten times the check itself, and
    the failing seed still reproduces the case exactly.
    """
    draw = random.Random(seed)
    if draw.random() < 0.5:
        moment = START + timedelta(seconds=draw.randrange(int((END - START).total_seconds())))
    else:  # close to an offset change of one of the zones: DST gaps and folds
        moment = draw.choice(transitions(draw.choice(DST_ZONES))) + timedelta(
            minutes=draw.randint(-2160, 2160)
        )
    zones = [ZoneInfo(name) for name in draw.sample(ZONES, draw.randint(1, 3))]
    region = draw.choice(["", "US", "US-TX", "US-FL", "US-CT", "IN", "GB"])
    rules = {(rule.region, rule.weekday): rule for rule in SEEDED} if draw.random() < 0.5 else {}
    for _ in range(draw.randint(0, 5)):
        start = draw.randrange(1439)
        end = min(start + draw.randint(1, 1439), 23 * 60 + 59)  # a TimeField ends at 23:59 at the latest
        weekday = draw.choice([None, 0, 1, 2, 3, 4, 5, 6])
        rule_region = draw.choice(REGIONS)
        if start < end:
            rules[rule_region, weekday] = Rule(
                rule_region, weekday, timedelta(minutes=start), timedelta(minutes=end)
            )
    if draw.random() < 0.4:
        base = (timedelta(hours=8), timedelta(hours=21))  # TEXT_QUIET_HOURS's default
    else:
        start = draw.randrange(1440)
        base = (timedelta(minutes=start), timedelta(minutes=min(start + draw.randint(1, 1440), 1440)))
    return moment, zones, region, list(rules.values()), base


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**64))
def test_no_text_outside_the_allowed_hours(seed):
    moment, zones, region, unique, base = random_case(seed)
    day_windows = [window(region, unique, base, weekday) for weekday in range(7)]

    result = first_allowed(moment, zones=zones, week=week_for(region, unique, base))

    if result is None:  # no instant of the coming week is allowed in every zone
        assert not any(
            allowed(at, zones, day_windows) for at in openings(moment, moment + HORIZON, zones, day_windows)
        )
        return
    assert result >= moment
    assert allowed(result, zones, day_windows)
    assert (result == moment) == allowed(moment, zones, day_windows)
    if result - MINUTE >= moment:
        assert not allowed(result - MINUTE, zones, day_windows)
    assert not any(allowed(at, zones, day_windows) for at in openings(moment, result, zones, day_windows))


# Unit cases against the seeded rules ---------------------------------------------------------------------

FLORIDA, TEXAS, INDIA, CALIFORNIA = "+13055550123", "+15125550123", "+919876543210", "+14155550123"
NEW_YORK, CHICAGO, KOLKATA = (
    ZoneInfo("America/New_York"),
    ZoneInfo("America/Chicago"),
    ZoneInfo("Asia/Kolkata"),
)


def test_region_of_numbers():
    assert quiet_hours.region_of(FLORIDA) == "US-FL"  # geocoder: "Florida"
    assert quiet_hours.region_of("+12125550123") == "US-NY"  # geocoder: "New York, NY"
    assert quiet_hours.region_of(CALIFORNIA) == "US-CA"  # geocoder: "San Francisco, CA"
    assert quiet_hours.region_of("whatsapp:" + TEXAS) == "US-TX"
    assert quiet_hours.region_of("+16135550123") == "CA-ON"
    assert quiet_hours.region_of(INDIA) == "IN"
    assert quiet_hours.region_of("+18005551234") == "US"  # toll-free: no state
    assert quiet_hours.region_of("not a number") == ""


@pytest.mark.django_db
def test_florida_number_at_half_past_eight_in_the_evening_waits_until_eight_next_morning():
    moment = datetime(2026, 3, 3, 20, 30, tzinfo=NEW_YORK)  # a Tuesday
    assert quiet_hours.next_allowed(moment, number=FLORIDA) == datetime(2026, 3, 4, 8, 0, tzinfo=NEW_YORK)
    # A New York number may still be texted then: Florida's 20:00 is the state's rule.
    assert quiet_hours.next_allowed(moment, number="+12125550123") == moment


@pytest.mark.django_db
def test_texas_on_sunday_morning_waits_until_noon():
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=CHICAGO)
    assert quiet_hours.next_allowed(sunday, number=TEXAS) == datetime(2026, 3, 8, 12, 0, tzinfo=CHICAGO)
    saturday = datetime(2026, 3, 7, 8, 30, tzinfo=CHICAGO)  # 09:00 on other days
    assert quiet_hours.next_allowed(saturday, number=TEXAS) == datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO)


@pytest.mark.django_db
def test_indian_number_at_ten_at_night_waits_until_eight_ist():
    moment = datetime(2026, 5, 4, 22, 0, tzinfo=KOLKATA)
    assert quiet_hours.next_allowed(moment, number=INDIA) == datetime(2026, 5, 5, 8, 0, tzinfo=KOLKATA)


@pytest.mark.django_db
def test_the_contacts_time_zone_wins_over_the_numbers():
    contact = make_contact(phone=INDIA, time_zone="Europe/London")  # an Indian mobile, living in London
    moment = datetime(2026, 5, 4, 7, 0, tzinfo=ZoneInfo("Europe/London"))  # 11:30 in India
    assert quiet_hours.next_allowed(moment, number=contact.phone, time_zone=contact.time_zone) == datetime(
        2026, 5, 4, 8, 0, tzinfo=ZoneInfo("Europe/London")
    )
    # Without it, the number's zone decides: 11:30 in Kolkata is fine.
    assert quiet_hours.next_allowed(moment, number=contact.phone) == moment
    # An invalid zone is ignored, not trusted.
    assert quiet_hours.next_allowed(moment, number=contact.phone, time_zone="Mars/Olympus") == moment


@pytest.mark.django_db
def test_a_number_in_several_zones_waits_for_all_of_them():
    # 08:30 in New York is 02:30 in Honolulu: a toll-free number might ring there.
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=NEW_YORK)
    result = quiet_hours.next_allowed(moment, number="+18005551234")
    for name in quiet_hours.number_zones.time_zones_for_number(quiet_hours._parse("+18005551234")):
        assert 8 <= result.astimezone(ZoneInfo(name)).hour < 21, name
    assert result > moment


@pytest.mark.django_db
def test_a_window_start_in_a_dst_gap_is_the_first_instant_after_the_gap():
    QuietHoursRule.objects.create(region="US-NY", start=time(2, 30), end=time(21))
    # A base window from midnight, so that the rule's 02:30 counts; on 8 March 2026 New York skips 02:00-03:00.
    week = week_for("US-NY", quiet_hours.all_rules(), (timedelta(0), timedelta(hours=21)))
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=NEW_YORK)
    assert first_allowed(saturday_night, zones=[NEW_YORK], week=week) == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )


@pytest.mark.django_db
def test_rules_are_read_once_and_reread_after_a_change(django_assert_num_queries):
    moment = datetime(2026, 3, 3, 20, 30, tzinfo=NEW_YORK)
    quiet_hours.next_allowed(moment, number=FLORIDA)
    with django_assert_num_queries(0):
        for _ in range(50):
            quiet_hours.next_allowed(moment, number=FLORIDA)
    QuietHoursRule.objects.filter(region="US-FL").update(end=time(21))  # no signal: still cached
    assert quiet_hours.next_allowed(moment, number=FLORIDA) != moment
    rule = QuietHoursRule.objects.get(region="US-FL")
    rule.save()  # the signal drops the copy
    assert quiet_hours.next_allowed(moment, number=FLORIDA) == moment
    rule.delete()
    assert quiet_hours.rules_for("US-FL") == []


@pytest.mark.django_db
def test_another_process_sees_a_changed_rule_through_the_shared_version(monkeypatch):
    moment = datetime(2026, 3, 3, 20, 30, tzinfo=NEW_YORK)
    assert quiet_hours.next_allowed(moment, number=FLORIDA) != moment
    QuietHoursRule.objects.filter(region="US-FL").update(end=time(21))
    quiet_hours.cache.set(quiet_hours.VERSION_KEY, "changed elsewhere")  # what forget_rules() does there
    assert quiet_hours.next_allowed(moment, number=FLORIDA) != moment  # not checked again yet
    monkeypatch.setattr(quiet_hours, "VERSION_CHECK_SECONDS", 0)  # as if the interval had passed
    assert quiet_hours.next_allowed(moment, number=FLORIDA) == moment


def test_text_quiet_hours_setting_is_checked(settings):
    settings.TEXT_QUIET_HOURS = "09:30-18:00"
    assert quiet_hours.base_window() == (timedelta(hours=9, minutes=30), timedelta(hours=18))
    settings.TEXT_QUIET_HOURS = "21:00-08:00"
    with pytest.raises(quiet_hours.ImproperlyConfigured, match="TEXT_QUIET_HOURS"):
        quiet_hours.base_window()


@pytest.mark.django_db
def test_rules_still_apply_when_the_shared_cache_is_down(settings):
    settings.CACHES = {"default": {"BACKEND": "nps.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    moment = datetime(2026, 3, 3, 20, 30, tzinfo=NEW_YORK)
    assert quiet_hours.next_allowed(moment, number=FLORIDA) == datetime(2026, 3, 4, 8, 0, tzinfo=NEW_YORK)
    QuietHoursRule.objects.get(region="US-FL").delete()  # cannot tell the other processes: they reread
    assert quiet_hours.next_allowed(moment, number=FLORIDA) == moment


@pytest.mark.django_db
def test_zones_that_never_share_an_hour_fall_back_to_the_operators_zone(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    # One hour a day across the US: a toll-free number's zones, Guam to Pago Pago, never share it.
    QuietHoursRule.objects.create(region="US", start=time(8), end=time(9))
    moment = datetime(2026, 5, 4, 10, 0, tzinfo=KOLKATA)
    assert quiet_hours.next_allowed(moment, number="+18005551234") == datetime(
        2026, 5, 5, 8, 0, tzinfo=KOLKATA
    )


@pytest.mark.django_db
def test_rules_that_leave_no_hour_hold_the_text_for_a_week():
    QuietHoursRule.objects.create(region="IN", start=time(22), end=time(23))  # outside 08:00-21:00
    moment = datetime(2026, 5, 4, 10, 0, tzinfo=KOLKATA)
    assert quiet_hours.next_allowed(moment, number=INDIA) == moment + HORIZON
