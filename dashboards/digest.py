"""The weekly digest email: last week's NPS, its change, the split and a few recent comments per group.

Users opt in and choose their day and hour (`subscribe_digest`); every 5 minutes beat runs
`send_due_digests`, which sends each due digest once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from anymail.message import AnymailMessage
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from nps import audit
from responses.models import Answer

from . import queries
from .filters import Filters, workspace_tz
from .followup import MIN_SAMPLE, LoopFigures, loop_figures
from .metrics import GROUPS, SCORES_OF, Split, differs_significantly
from .models import DigestSubscription
from .templatetags.nps_format import nps as format_nps

logger = logging.getLogger(__name__)

COMMENTS_PER_GROUP = 3
BATCH = 500


@dataclass(frozen=True)
class Digest:
    filters: Filters
    split: Split
    previous: Split
    comments: dict[str, list[Answer]]
    # The week's follow-up (dashboards/followup.py); None leaves the section out.
    followup: LoopFigures | None = None

    @property
    def shows_followup(self) -> bool:
        """Only where the team follows up: cases of the week, or cases still open."""
        return self.followup is not None and self.followup.has_cases

    @property
    def change(self) -> float | None:
        if self.split.nps is None or self.previous.nps is None:
            return None
        return self.split.nps - self.previous.nps

    @property
    def change_is_significant(self) -> bool:
        return differs_significantly(self.split, self.previous)


# Subscriptions


def next_digest_time(weekday: int, hour: int, *, after: datetime) -> datetime:
    """The first weekday/hour (workspace time zone) strictly after `after`."""
    tz = workspace_tz()
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    for _ in range(3):
        # A wall-clock hour skipped by a DST change is taken at the next valid instant by zoneinfo.
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        if candidate > local:
            return candidate
        day += timedelta(days=7)
    raise AssertionError("unreachable")


def subscribe_digest(user, *, weekday: int, hour: int) -> DigestSubscription:
    """Opt in to the weekly digest (or change its day and hour)."""
    next_send_at = next_digest_time(weekday, hour, after=timezone.now())
    with transaction.atomic():
        subscription, _ = DigestSubscription.objects.update_or_create(
            user=user, defaults={"weekday": weekday, "hour": hour, "next_send_at": next_send_at}
        )
    return subscription


def unsubscribe_digest(user) -> None:
    """Opt out: no digest is sent any more."""
    DigestSubscription.objects.filter(user=user).delete()


# The digest


def last_week(now: datetime) -> Filters:
    """The seven whole days before today, in the workspace time zone."""
    today = now.astimezone(workspace_tz()).date()
    return Filters(start=today - timedelta(days=7), end=today - timedelta(days=1))


def _comments(filters: Filters, group: str) -> QuerySet[Answer]:
    low, high = SCORES_OF[group]
    return (
        queries.answers(filters)
        .exclude(comment="")
        .filter(score__gte=low, score__lte=high)
        .select_related("campaign")
        .order_by("-answered_at")[:COMMENTS_PER_GROUP]
    )


def build_digest(now: datetime) -> Digest:
    filters = last_week(now)
    split = queries.split(filters)
    return Digest(
        filters=filters,
        split=split,
        previous=queries.split(filters.previous()),
        comments={group.name: list(_comments(filters, group.name)) for group in reversed(GROUPS)},
        followup=loop_figures(filters, detractors=split.detractors, now=now),
    )


def _subject(digest: Digest) -> str:
    if digest.split.nps is None:
        return "Your weekly NPS: no answers last week"
    subject = f"Your weekly NPS: {format_nps(digest.split.nps)}"
    if digest.change is not None:
        subject += f" ({format_nps(digest.change)} vs the week before)"
    return subject


def build_message(user, digest: Digest) -> AnymailMessage:
    """The digest email of one user (HTML and text); it names no contact."""
    base = settings.PUBLIC_BASE_URL
    start, end = digest.filters.start, digest.filters.end
    context = {
        "user": user,
        "digest": digest,
        "groups": [
            (group.label, group.name, digest.comments[group.name])
            for group in reversed(GROUPS)  # worst first
        ],
        "dashboard_url": f"{base}{reverse('dashboards:home')}?period=custom&start={start}&end={end}",
        "settings_url": base + reverse("dashboards:digest_settings"),
        "min_sample": MIN_SAMPLE,
        "outcome_rows": (
            [
                ("followed up", digest.followup.nps_followed_up),
                ("not followed up", digest.followup.nps_not_followed_up),
            ]
            if digest.followup
            else []
        ),
    }
    message = AnymailMessage(
        subject=_subject(digest),
        body=render_to_string("emails/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        tags=["nps-digest"],
    )
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message


# "Send me this week's digest now", per user: a few tries of a new day or hour, never a mail cannon.
SEND_NOW_RATE = "5/h"


def send_digest_now(user, now: datetime | None = None) -> AnymailMessage:
    """Send the digest as it would go out now to `user` alone (audited); the schedule is left as it is."""
    message = build_message(user, build_digest(now or timezone.now()))
    message.send()
    audit.record("digest.send", object_type="digest", object_id=user.pk, label=user.email, actor=user)
    return message


def send_due_digests(now: datetime | None = None) -> int:
    """Send every digest that is due, each exactly once even with several dispatchers; returns how many."""
    now = now or timezone.now()
    sent = 0
    digest = None
    due = (
        DigestSubscription.objects.filter(next_send_at__lte=now)
        .select_related("user")
        .order_by("next_send_at")
    )
    for subscription in due[:BATCH]:
        old = subscription.next_send_at
        new = next_digest_time(subscription.weekday, subscription.hour, after=max(now, old))
        # Claim: only the dispatcher whose UPDATE still sees the old time sends it.
        claimed = DigestSubscription.objects.filter(pk=subscription.pk, next_send_at=old).update(
            next_send_at=new
        )
        if not claimed or not subscription.user.is_active:
            continue
        digest = digest or build_digest(now)
        try:
            build_message(subscription.user, digest).send()
        except Exception:
            logger.exception(
                "Weekly digest to user %s failed; retried at the next dispatch", subscription.user_id
            )
            DigestSubscription.objects.filter(pk=subscription.pk, next_send_at=new).update(next_send_at=old)
            continue
        DigestSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
        sent += 1
    return sent
