"""The rollups (fast path) against a computation over every answer (dashboards.raw): exactly equal."""

import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from dashboards import queries, raw, rollups
from dashboards.filters import Filters
from dashboards.metrics import Split
from dashboards.models import DailyRollup, RollupState, SegmentRollup
from responses.models import Answer
from responses.services import record_score
from surveys.models import Invitation
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def fast_and_raw_agree(filters: Filters) -> None:
    """Every panel's numbers, from the rollups and from the answers, for one set of filters."""
    totals = queries.totals(filters)
    assert totals.distribution == raw.distribution(filters), filters
    assert totals.sent == raw.delivered(filters), filters
    for grain in ("day", "week", "month"):
        expected = [(day, Split.from_distribution(counts)) for day, counts in raw.trend(filters, grain)]
        assert queries.trend(filters, grain) == expected, (filters, grain)
    for by in ("campaign", "channel", "language", *queries.property_keys()):
        fast = {s.value: (s.split, s.sent) for s in queries.segments(filters, by)}
        reference = {
            value: (Split.from_distribution(counts), sent)
            for value, (counts, sent) in raw.segments(filters, by).items()
            if sum(counts.values()) or sent
        }
        assert fast == reference, (filters, by)


def seed_random(rng: random.Random, tz: ZoneInfo, *, answers: int = 250, sent_now: bool = False):
    """Answers and sent invitations clustered around local midnights, Mondays and month ends.

    `sent_now`: invitations sent just now, as the delivery does (back-dated sends need a rebuild).
    """
    campaigns = [make_campaign(name=f"Campaign {n}") for n in range(3)]
    contacts = [
        make_contact(
            properties={"plan": rng.choice(["free", "pro", "team"]), "region": rng.choice(["EU", "US"])}
        )
        for _ in range(12)
    ]
    # Properties that must not become segment values: missing, JSON null, and a number.
    contacts.append(make_contact(properties={}))
    contacts.append(make_contact(properties={"plan": None, "region": "EU"}))
    contacts.append(make_contact(properties={"plan": "pro", "seats": 5}))
    # A property with a value per contact is no segment.
    for n, contact in enumerate(contacts):
        contact.properties["email_hash"] = f"h{n}"
    # Unique values on more than SEGMENT_MAX_VALUES contacts would be needed to exclude it: make them.
    for n in range(rollups.SEGMENT_MAX_VALUES + 1):
        make_contact(properties={"email_hash": f"x{n}"})
    for contact in contacts:
        contact.save()
    boundaries = [
        datetime(2026, 3, 1, tzinfo=tz),  # Sunday night → Monday, and a month boundary
        datetime(2026, 3, 8, tzinfo=tz),  # daylight saving starts in New York
        datetime(2026, 3, 30, tzinfo=tz),  # Monday
        datetime(2026, 11, 1, tzinfo=tz),  # daylight saving ends in New York; a Sunday
        datetime(2026, 12, 31, 23, 30, tzinfo=tz),  # year end
    ]
    rounds = {}
    for _ in range(answers):
        at = rng.choice(boundaries) + timedelta(minutes=rng.randint(-36 * 60, 36 * 60))
        campaign, contact = rng.choice(campaigns), rng.choice([*contacts, None])
        channel = rng.choice(["email", "email", "sms", "web"])
        language = rng.choice(["en", "hi", ""])
        if contact is not None and rng.random() < 0.7:
            key = (campaign.pk, contact.pk, channel)
            rounds[key] = rounds.get(key, 0) + 1
            invitation = make_invitation(
                campaign=campaign,
                contact=contact,
                channel=channel,
                round=rounds[key],
                language=language,
                state=rng.choice([Invitation.State.SENT] * 4 + [Invitation.State.FAILED]),
                sent_at=timezone.now() if sent_now else at - timedelta(minutes=rng.randint(0, 600)),
            )
            if rng.random() < 0.6:
                make_answer(
                    invitation=invitation,
                    score=rng.randint(0, 10),
                    channel=channel,
                    language=language,
                    answered_at=at,
                )
        else:
            make_answer(
                campaign=campaign,
                contact=contact,
                score=rng.randint(0, 10),
                channel=channel,
                language=language,
                answered_at=at,
            )
    return campaigns, contacts


def filter_sets(rng: random.Random, campaigns) -> list[Filters]:
    ranges = [
        (None, None),
        (date(2026, 2, 27), date(2026, 3, 2)),
        (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 10, 31), date(2026, 11, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        # Whole months read from month rows, the edges from day rows.
        (date(2026, 2, 15), date(2026, 12, 31)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 3, 1), date(2026, 11, 30)),
        (None, date(2026, 3, 15)),
        (date(2026, 3, 2), None),
    ]
    segments = [
        None,
        ("plan", "pro"),
        ("region", "EU"),
        ("channel", "sms"),
        ("language", "hi"),
        ("language", ""),
        ("campaign", str(campaigns[1].pk)),
        ("plan", "missing"),
    ]
    out = [Filters(), Filters(segment=("plan", "free"))]
    for _ in range(16):
        start, end = rng.choice(ranges)
        out.append(
            Filters(
                start=start,
                end=end,
                campaign_ids=tuple(c.pk for c in rng.sample(campaigns, rng.randint(0, 2))),
                channels=tuple(rng.sample(["email", "sms", "web"], rng.randint(0, 2))),
                segment=rng.choice(segments),
            )
        )
    return out


@pytest.mark.parametrize(("seed", "zone"), [(1, "Asia/Kolkata"), (2, "America/New_York"), (3, "UTC")])
def test_rollups_and_a_raw_computation_agree_exactly(settings, seed, zone):
    settings.TIME_ZONE = zone
    rng = random.Random(seed)  # noqa: S311
    campaigns, _ = seed_random(rng, ZoneInfo(zone))
    rollups.rebuild()
    assert rollups.segment_keys() == ["plan", "region", "seats"]
    for filters in filter_sets(rng, campaigns):
        fast_and_raw_agree(filters)


def test_refresh_keeps_agreeing_as_answers_arrive_and_change(settings):
    settings.TIME_ZONE = "America/New_York"
    rng = random.Random(7)  # noqa: S311
    campaigns, _ = seed_random(rng, ZoneInfo("America/New_York"), answers=120)
    rollups.refresh()  # the first refresh is a rebuild
    seed_random(rng, ZoneInfo("America/New_York"), answers=120, sent_now=True)
    for answer in rng.sample(list(Answer.objects.order_by("pk")), 40):
        answer.score = (answer.score + 3) % 11
        answer.updated_at = timezone.now()
        answer.save()
    assert rollups.refresh() > 0
    for filters in filter_sets(rng, campaigns):
        fast_and_raw_agree(filters)


def test_refresh_picks_up_a_new_answer_and_a_changed_score_counts_once():
    invitation = make_invitation(state="sent", sent_at=timezone.now())
    rollups.refresh()
    assert queries.totals(Filters()).sent == 1
    assert queries.split(Filters()).total == 0

    record_score(invitation, score=2)
    assert queries.split(Filters()).total == 0  # not yet refreshed
    rollups.refresh()
    assert queries.split(Filters()) == Split(0, 0, 1)

    record_score(invitation, score=10)
    rollups.refresh()
    assert queries.split(Filters()) == Split(1, 0, 0)
    assert queries.split(Filters()).nps == 100


def test_a_refresh_looks_back_one_overlap_then_touches_nothing():
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False) as traveller:
        make_answer(score=9)
        rollups.refresh()
        # An answer written just before a refresh may commit just after it: the next one looks again.
        traveller.shift(timedelta(minutes=1))
        assert rollups.refresh() == 1
        traveller.shift(rollups.OVERLAP + timedelta(minutes=1))
        assert rollups.refresh() == 1
        traveller.shift(timedelta(minutes=1))
        rows = list(DailyRollup.objects.values_list("pk", flat=True))
        assert rollups.refresh() == 0
        assert list(DailyRollup.objects.values_list("pk", flat=True)) == rows


def test_changing_the_workspace_time_zone_rebuilds_the_days(settings):
    make_answer(score=10, answered_at=datetime(2026, 5, 4, 22, 0, tzinfo=UTC))
    rollups.refresh()
    assert list(DailyRollup.objects.filter(span="day").values_list("day", flat=True)) == [date(2026, 5, 4)]
    settings.TIME_ZONE = "Asia/Tokyo"
    rollups.refresh()
    assert list(DailyRollup.objects.filter(span="day").values_list("day", flat=True)) == [date(2026, 5, 5)]
    assert RollupState.objects.get().time_zone == "Asia/Tokyo"


def test_a_deleted_answer_leaves_the_rollups_at_the_nightly_rebuild():
    answer = make_answer(score=0)
    rollups.refresh()
    answer.delete()
    rollups.refresh()
    assert queries.split(Filters()).total == 1  # a deletion leaves no updated_at to notice
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert queries.split(Filters()).total == 0


def test_rebuild_command_says_what_it_rolled_up(capsys):
    make_answer(score=8, contact=make_contact(properties={"plan": "pro"}))
    call_command("rebuild_rollups")
    assert "segment properties: plan." in capsys.readouterr().out
    assert SegmentRollup.objects.get(span="day").n8 == 1
    assert SegmentRollup.objects.get(span="month").n8 == 1


def test_the_refresh_task_is_scheduled_every_minute():
    from nps.celery import app

    entry = app.conf.beat_schedule["refresh-dashboard-rollups"]
    assert entry == {"task": "dashboards.tasks.refresh_rollups", "schedule": 60.0}
