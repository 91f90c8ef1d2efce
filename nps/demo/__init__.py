"""The demo workspace: one brand, five campaigns, contacts and 18 months of answers worth looking at.

Deterministic (one seeded random generator) and fast on SQLite and PostgreSQL: rows are built in memory
and written with bulk_create in batches, inside one transaction. Then the texting campaigns send their
texts (texting.py): the demo texts for real, to files. The widget campaign gets a real site, and a counter
campaign its public link and kiosk (onsite.py, with the demo host page). Follow-up last (followup.py): case
rules, about forty cases with their timelines, and alert rules to the demo's Slack catcher and the lead.
The comments are put together per theme and language (comments.py), so that the themes learned from them
at the very end (themes.py, with two rule themes) mean something.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from dashboards.metrics import group_of
from nps.accounts.models import User
from nps.accounts.roles import Role
from responses.models import Answer
from surveys.invitations import SNAPSHOT_FIELDS
from surveys.models import Audience, Brand, Campaign, Channel, Contact, Invitation

from . import comments, data, followup, onsite, texting, themes

BRAND_NAME = "Chaiwala Cloud"
PASSWORD = "demo-password-2026"  # noqa: S105 - the published demo password, printed by `make demo`
USERS = [
    ("admin@demo.opennps.test", "Anika Sharma", Role.ADMIN),
    ("lead@demo.opennps.test", "Diego Romero", Role.LEAD),
    ("viewer@demo.opennps.test", "Mei Tanaka", Role.VIEWER),
]
PERIOD_DAYS = 548  # 18 months of answers
BATCH = 2000

REGIONS = {"India": 35, "Europe": 20, "North America": 14, "LATAM": 12, "MENA": 9, "East Asia": 10}
PLANS = {"free": 40, "starter": 30, "pro": 20, "enterprise": 10}
# Effects on NPS (in points of the promoter minus detractor share), so that segments tell a story.
PLAN_EFFECT = {"free": -0.10, "starter": -0.02, "pro": 0.06, "enterprise": 0.12}
REGION_EFFECT = {
    "India": 0.06,
    "Europe": -0.03,
    "North America": 0.02,
    "LATAM": 0.08,
    "MENA": 0.03,
    "East Asia": -0.12,  # famously modest scorers
}
WEEKDAY_EFFECT = [-0.04, 0.0, 0.01, 0.01, 0.03, 0.02, 0.02]  # Monday grumpier, Friday happier
# Share of invitations each campaign gets, and how many invitations end with an answer.
CAMPAIGN_SHARE = {"email": 0.6, "sms": 0.2, "web": 0.2}
UNANSWERED_SHARE = 0.3
RECUR_DAYS = {"email": 90, "sms": 120}
REMINDER_DAYS = 3
COMMENT_RATE = {"promoter": 0.35, "passive": 0.38, "detractor": 0.5}


@dataclass
class Summary:
    created: bool
    contacts: int = 0
    invitations: int = 0
    answers: int = 0
    texts_sent: int = 0
    texts_waiting: int = 0  # held back by quiet hours
    resurveys: int = 0  # answers again in the widget after a case (nps/demo/followup.py), with invitations
    cases: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    rule_themes: int = 0  # defined by words (nps/demo/themes.py)
    themes_learned: bool = False  # the automatic themes learned from the seeded comments


def seed(*, contacts: int = 5000, answers: int = 20000, now: datetime | None = None) -> Summary:
    """Create the demo users and, unless the demo brand exists, the whole demo workspace."""
    ensure_users()
    if Brand.objects.filter(name=BRAND_NAME).exists():
        return Summary(created=False)
    rng = random.Random(2026)
    now = now or timezone.now()
    with transaction.atomic():
        brand = Brand.objects.create(
            name=BRAND_NAME,
            company_name="Chaiwala Cloud",
            sender_name="Chaiwala Cloud Customer Success",
            sender_email="feedback@chaiwala.example",
            reply_to="success@chaiwala.example",
            accent_color="#c2410c",
            created_at=now - timedelta(days=PERIOD_DAYS + 30),
        )
        campaigns = texting.seed(brand, create_campaigns(brand, now), now)
        onsite.seed(brand, campaigns["web"], now)
        people = create_contacts(rng, contacts, now)
        counts = create_history(rng, campaigns, people, answers, now)
        loop = followup.seed(brand, campaigns, demo_users(), now)
    sent, waiting = texting.send_now([campaigns["sms"], campaigns["whatsapp"]], now)
    learned = themes.seed_themes(created_by=demo_users()["admin"], now=now)
    return Summary(
        created=True,
        contacts=len(people) + len(texting.TEXTERS),
        texts_sent=sent,
        texts_waiting=waiting,
        resurveys=loop["answers"],
        cases=loop["cases"],
        cases_open=loop["open"],
        cases_overdue=loop["overdue"],
        rule_themes=learned["rules"],
        themes_learned=learned["learned"],
        **counts,
    )


def ensure_users() -> None:
    for email, name, role in USERS:
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email=email, password=PASSWORD, name=name, role=role)


def demo_users() -> dict[str, User]:
    """The demo's users by role name: "admin", "lead", "viewer"."""
    return {role.value: User.objects.get(email=email) for email, _name, role in USERS}


def create_campaigns(brand: Brand, now: datetime) -> dict[str, Campaign]:
    start = now - timedelta(days=PERIOD_DAYS + 7)
    common = {"brand": brand, "status": Campaign.Status.RUNNING, "created_at": start, "send_at": start}
    email = Campaign.objects.create(
        name="Quarterly relationship NPS",
        channels=[Channel.EMAIL],
        schedule=Campaign.Schedule.RECURRING,
        recur_days=RECUR_DAYS["email"],
        reminder_days=REMINDER_DAYS,
        redirect_promoter="https://www.example.com/review/chaiwala-cloud",
        **common,
    )
    sms = Campaign.objects.create(
        name="SMS pulse for shop owners",
        channels=[Channel.SMS],
        schedule=Campaign.Schedule.RECURRING,
        recur_days=RECUR_DAYS["sms"],
        followup_detractor="Sorry to hear that. What went wrong?",
        throttle_days=60,
        **common,
    )
    web = Campaign.objects.create(
        name="In-app dashboard widget",
        channels=[Channel.WEB],
        schedule=Campaign.Schedule.NOW,
        weekdays_only=False,
        **common,
    )
    return {"email": email, "sms": sms, "web": web}


@dataclass
class Person:
    contact: Contact
    region: str
    plan: str
    signup: datetime


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def create_contacts(rng: random.Random, count: int, now: datetime) -> list[Person]:
    people = []
    for i in range(count):
        region = pick(rng, REGIONS)
        plan = pick(rng, PLANS)
        name, latin, language, tz, phone_prefix = identity(rng, region)
        # Sign-ups over four years, denser in recent ones: the customer base grows.
        signup = now - timedelta(days=int(1460 * (1 - math.sqrt(rng.random()))) + 1)
        phone = None
        if i % 3 == 0:
            prefix, digits = phone_prefix
            phone = prefix + str(10 ** (digits - 1) + i * 7919 % (9 * 10 ** (digits - 1)))
        local = ".".join(part.lower() for part in latin.split()).replace("'", "")
        contact = Contact(
            email=f"{ascii_only(local)}.{i + 1}@{rng.choice(data.EMAIL_DOMAINS)}",
            phone=phone,
            name=name,
            language=language,
            time_zone=tz,
            properties={"plan": plan, "region": region, "signup_date": signup.date().isoformat()},
            created_at=max(signup, now - timedelta(days=PERIOD_DAYS + 14)),
        )
        people.append(Person(contact, region, plan, signup))
    Contact.objects.bulk_create([p.contact for p in people], batch_size=BATCH)
    return people


def identity(rng: random.Random, region: str):
    """(display name, latin name, language, time zone, (phone prefix, digits)) for someone from `region`."""
    if region == "India":
        language = rng.choices(["en", "hi", "ta", "bn"], weights=[45, 30, 13, 12])[0]
        first, last = data.INDIAN[language]
        latin = f"{rng.choice(first)} {rng.choice(last)}"
        return latin, latin, language, "Asia/Kolkata", ("+9198", 8)
    if region in ("Europe", "LATAM"):
        countries = data.EUROPEAN if region == "Europe" else data.LATAM
        language = rng.choice(list(countries))
        first, last, zones, phone = countries[language]
        latin = f"{rng.choice(first)} {rng.choice(last)}"
        return latin, latin, language, rng.choice(zones), phone
    if region == "North America":
        if rng.random() < 0.25:  # a diverse customer base
            first, last = data.INDIAN["en"]
            latin = f"{rng.choice(first)} {rng.choice(last)}"
        else:
            latin = f"{rng.choice(data.NORTH_AMERICAN_FIRST)} {rng.choice(data.NORTH_AMERICAN_LAST)}"
        language = "es" if rng.random() < 0.12 else "en"
        return latin, latin, language, rng.choice(data.NORTH_AMERICAN_TZ), ("+14152", 6)
    if region == "MENA":
        (first, first_ar), (last, last_ar) = rng.choice(data.ARABIC_FIRST), rng.choice(data.ARABIC_LAST)
        tz, phone = rng.choice(data.MENA_TZ_PHONE)
        if rng.random() < 0.7:
            return f"{first_ar} {last_ar}", f"{first} {last}", "ar", tz, phone
        return f"{first} {last}", f"{first} {last}", "en", tz, phone
    # East Asia: Japanese or Chinese, names family-first in their own script.
    if rng.random() < 0.5:
        (first, first_ja), (last, last_ja) = rng.choice(data.JAPANESE_FIRST), rng.choice(data.JAPANESE_LAST)
        return f"{last_ja} {first_ja}", f"{first} {last}", "ja", "Asia/Tokyo", ("+8190", 8)
    (first, first_zh), (last, last_zh) = rng.choice(data.CHINESE_FIRST), rng.choice(data.CHINESE_LAST)
    zone = rng.choice(["Asia/Shanghai", "Asia/Singapore"])
    return f"{last_zh}{first_zh}", f"{first} {last}", "zh-hans", zone, ("+86138", 8)


def ascii_only(text: str) -> str:
    table = str.maketrans("áàâãäçéèêëíìîïñóòôõöúùûüß", "aaaaaceeeeiiiinooooouuuus")
    return text.translate(table).encode("ascii", "ignore").decode()


def create_history(rng, campaigns, people, answer_count, now) -> dict[str, int]:
    """Audiences, sent invitations (rounds spread over the period) and the answers to most of them."""
    start = now - timedelta(days=PERIOD_DAYS)
    audiences = {
        "email": people,
        "sms": [p for p in people if p.contact.phone],
        "web": [p for p in people if rng.random() < 0.5] or people[:1],
    }
    total = answer_count + round(answer_count * UNANSWERED_SHARE)
    shares = {key: round(total * share) for key, share in CAMPAIGN_SHARE.items()}
    shares["email"] += total - sum(shares.values())

    invitations: list[Invitation] = []
    memberships: list[Audience] = []
    for key, members in audiences.items():
        campaign = campaigns[key]
        texts = {}  # the campaign's texts per language, as the sender snapshots them
        # Long-standing customers were surveyed more often than new ones, so volume follows the customer base.
        rounds = spread(rng, shares[key], [(now - max(start, p.signup)).total_seconds() for p in members])
        for person, n in zip(members, rounds, strict=True):
            sent = sent_times(rng, person, n, max(start, person.signup), now, weekdays=key != "web")
            language = person.contact.language
            if language not in texts:
                texts[language] = {field: campaign.text(field, language) for field in SNAPSHOT_FIELDS}
            for number, sent_at in enumerate(sent, start=1):
                invitations.append(
                    Invitation(
                        campaign=campaign,
                        contact=person.contact,
                        channel=campaign.channels[0],
                        round=number,
                        state=Invitation.State.SENT,
                        language=language,
                        texts=texts[language],
                        scheduled_for=sent_at - timedelta(minutes=rng.randint(1, 20)),
                        state_changed_at=sent_at,
                        sent_at=sent_at,
                        attempts=1,
                        created_at=sent_at - timedelta(minutes=30),
                    )
                )
            last = sent[-1] if sent else None
            next_due = None
            if key in RECUR_DAYS:
                next_due = last + timedelta(days=RECUR_DAYS[key]) if last else now
                if next_due <= now:  # autopilot: the next round is spread over the coming weeks
                    next_due = now + timedelta(hours=rng.randint(24, RECUR_DAYS[key] * 24))
            memberships.append(
                Audience(campaign=campaign, contact=person.contact, added_at=start, next_due_at=next_due)
            )
            if last and (person.contact.last_surveyed_at is None or last > person.contact.last_surveyed_at):
                person.contact.last_surveyed_at = last
    Audience.objects.bulk_create(memberships, batch_size=BATCH)
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Contact.objects.bulk_update(
        [p.contact for p in people if p.contact.last_surveyed_at], ["last_surveyed_at"], batch_size=BATCH
    )

    by_contact = {p.contact.pk: p for p in people}
    answered = set(rng.sample(range(len(invitations)), min(answer_count, len(invitations))))
    rows, reminded = [], []
    for index, invitation in enumerate(invitations):
        answer = None
        if index in answered:
            answer = make_answer(rng, invitation, by_contact[invitation.contact_id], start, now)
            rows.append(answer)
        # The one reminder went out to everyone who had not answered after REMINDER_DAYS.
        reminder_at = invitation.sent_at + timedelta(days=REMINDER_DAYS)
        if (
            invitation.channel == Channel.EMAIL
            and reminder_at <= now
            and (answer is None or answer.answered_at > reminder_at)
        ):
            invitation.reminder_sent_at = reminder_at
            reminded.append(invitation)
    Answer.objects.bulk_create(rows, batch_size=BATCH)
    Invitation.objects.bulk_update(reminded, ["reminder_sent_at"], batch_size=BATCH)
    return {"invitations": len(invitations), "answers": len(rows)}


def spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` rounds shared in proportion to `weights` (how long each contact was a customer)."""
    if not weights:
        return []
    if not sum(weights):
        weights = [1.0] * len(weights)
    scale = total / sum(weights)
    rounds = [math.floor(weight * scale) for weight in weights]
    fractions = [weight * scale - n for weight, n in zip(weights, rounds, strict=True)]
    if sum(fractions) > 0:
        for index in rng.choices(range(len(weights)), weights=fractions, k=total - sum(rounds)):
            rounds[index] += 1
    return rounds


def sent_times(rng, person, rounds, start, now, *, weekdays) -> list[datetime]:
    """One send time per round, in order, each inside the contact's 9:00-18:00 window."""
    end = now - timedelta(hours=2)
    if rounds == 0 or end <= start:
        return []
    zone = ZoneInfo(person.contact.time_zone)
    step = (end - start) / rounds
    times = []
    for n in range(rounds):
        for _attempt in range(5):  # a few draws keep weekend days out without piling them onto Fridays
            moment = start + step * n + step * rng.random()
            day = moment.astimezone(zone).date()
            if not weekdays or day.weekday() < 5:
                break
        local = datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=zone)
        moment = min(max(local.astimezone(UTC), start), end)
        times.append(moment)
    return times


def make_answer(rng, invitation: Invitation, person: Person, start: datetime, now: datetime) -> Answer:
    # Most people answer within hours, some days later (a reminder nudged them).
    delay = timedelta(minutes=min(rng.lognormvariate(4.5, 1.6), 60 * 24 * 10) + 1)
    answered_at = invitation.sent_at + delay
    if answered_at >= now:  # sent in the last hours: answered since, not in the future
        answered_at = invitation.sent_at + (now - invitation.sent_at) * (0.05 + 0.9 * rng.random())
    score = draw_score(rng, person, answered_at, start, now, invitation.channel)
    group = group_of(score)
    comment = ""
    if rng.random() < COMMENT_RATE[group]:
        comment, _theme = comments.comment(rng, language=invitation.language, group=group)
    return Answer(
        invitation_id=invitation.pk,
        campaign_id=invitation.campaign_id,
        contact_id=invitation.contact_id,
        channel=invitation.channel,
        score=score,
        comment=comment,
        language=invitation.language,
        answered_at=answered_at,
        updated_at=answered_at,
    )


def draw_score(rng, person: Person, at: datetime, start: datetime, now: datetime, channel: str) -> int:
    """A score whose expected NPS climbs from about 10 to about 35 over the period, with segment effects."""
    progress = (at - start) / (now - start)
    effect = (
        PLAN_EFFECT[person.plan]
        + REGION_EFFECT[person.region]
        + WEEKDAY_EFFECT[at.weekday()]
        + (0.04 if channel == Channel.WEB else 0.0)
    )
    promoters = 0.39 + 0.12 * progress + effect / 2
    detractors = 0.31 - 0.13 * progress - effect / 2
    promoters, detractors = min(max(promoters, 0.05), 0.9), min(max(detractors, 0.03), 0.9)
    roll = rng.random()
    if roll < promoters:
        return 10 if rng.random() < 0.45 else 9
    if roll < promoters + detractors:
        return rng.choices(range(7), weights=[4, 2, 3, 5, 7, 12, 14])[0]
    return 8 if rng.random() < 0.55 else 7
