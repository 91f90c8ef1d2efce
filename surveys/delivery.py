"""Sending surveys exactly once: queue, dispatch, send, remind, recover.

The Invitation rows are the truth, never the broker: a task only carries an id, claims its row with a
conditional UPDATE, and a periodic sweep finds rows whose task was lost or whose worker died. See
docs/delivery.md for the state machine and the one window that cannot be closed completely.
"""

import functools
import logging
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.utils import timezone

from nps.logsafe import mask_addresses

from .channels import CHANNELS, address_of, get_channel
from .contacts import is_suppressed
from .invitations import CampaignTexts, last_rounds, new_invitation
from .models import TEXT_CHANNELS, Audience, Campaign, Channel, Contact, Invitation, Suppression

log = logging.getLogger(__name__)

# A row in "sending" longer than this belongs to a dead worker; a task handed to the broker longer ago
# than this and still not run was lost. Must exceed the longest send (ESP HTTP timeout, EMAIL_TIMEOUT).
# DELIVERY_LEASE_SECONDS exists only for `make chaos`, which cannot wait ten minutes per lost task.
LEASE = timedelta(seconds=getattr(settings, "DELIVERY_LEASE_SECONDS", 600))
MAX_ATTEMPTS = 5
# Wait before attempt n+1 after a failed attempt n.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
# Rows handed to the broker per statement of a dispatcher run (one run a minute).
DISPATCH_BATCH = 5000
# Each dispatcher run tops the broker up to this many invitations handed over and not yet claimed, so a big
# campaign leaves as fast as the workers (and the provider) take it, while a row waits in the broker longer
# than the lease (and is handed over again) only when the workers send fewer than this per lease.
MAX_WAITING_IN_BROKER = 50_000
# Invitations per send task: claimed, loaded and checked against the suppression list in one round trip
# each, then sent and marked "sent" one by one. A worker killed mid-batch leaves the batch's unsent rows in
# "sending" for the sweep, so a kill delays at most this many rows by the lease.
SEND_BATCH = 50
# A batch stops taking new rows after this long (a slow provider) and hands the rest back to the dispatcher,
# so no row waits in "sending" behind its batch for long (the task's hard limit, 5 minutes, is the backstop).
SEND_BATCH_BUDGET_S = 60
QUEUE_CHUNK = 2000
# A database restart drops every connection for a few seconds. Each database step of a send is idempotent,
# so it is run again on a fresh connection after these waits (seconds, about 30 in all); after that the
# task gives up and Celery retries it later (surveys/tasks.py).
RECONNECT_WAITS = (0.1, 0.25, 0.5, 1, 2, 4, 8, 15)


# Scheduling --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def zone_of(name: str) -> ZoneInfo:
    """The contact's time zone, else the workspace's."""
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _windows(day: date, start: time, end: time, zone: ZoneInfo):
    def at(d, t):
        return datetime.combine(d, t, tzinfo=zone)

    next_day = day + timedelta(days=1)
    if start < end:
        return [(at(day, start), at(day, end))]
    if start == end:  # no window: any time of the day
        return [(at(day, time.min), at(next_day, time.min))]
    # A window across midnight, e.g. 20:00–06:00.
    return [(at(day, time.min), at(day, end)), (at(day, start), at(next_day, time.min))]


def next_send_time(moment: datetime, campaign: Campaign, zone: ZoneInfo) -> datetime:
    """The first moment at or after `moment` inside the campaign's send window, in the contact's zone."""
    local = moment.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if campaign.weekdays_only and day.weekday() >= 5:
            continue
        for opens, closes in _windows(day, campaign.window_start, campaign.window_end, zone):
            if local < opens:
                return opens.astimezone(UTC)
            if local < closes:
                return moment
    return moment  # unreachable with a sane window; never lose the invitation


# Quiet hours and a send window each move a moment forward to their next opening; a week of such moves
# always meets a moment both allow, unless the two never overlap (then the channel's quiet hours win).
AGREE_TRIES = 16


def first_allowed(
    channel, contact: Contact, campaign: Campaign, moment: datetime, zone: ZoneInfo
) -> datetime:
    """The first moment at or after `moment` (inside the campaign's window already) that the channel also
    allows for this contact: a text's quiet hours. Email allows any: one call, no query."""
    for _ in range(AGREE_TRIES):
        allowed = channel.deliverable_at(contact, moment)
        if allowed == moment:
            return moment
        moment = next_send_time(allowed, campaign, zone)
        if moment == allowed:
            return moment
    return channel.deliverable_at(contact, moment)


def queue_campaign(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Create the invitations of this round for every eligible audience member; returns how many."""
    now = now or timezone.now()
    if campaign.status == Campaign.Status.ARCHIVED:
        return 0
    start = now
    if campaign.schedule == Campaign.Schedule.AT and campaign.send_at and campaign.send_at > now:
        start = campaign.send_at
    recurring = campaign.schedule == Campaign.Schedule.RECURRING and campaign.recur_days
    throttled_since = now - timedelta(days=campaign.throttle_days)
    texts = CampaignTexts(campaign)
    starts = {}
    before = Invitation.objects.filter(campaign=campaign).count()

    members = campaign.audience.select_related("contact").order_by("pk")
    if recurring:
        members = members.filter(Q(next_due_at__isnull=True) | Q(next_due_at__lte=now))
    channels = [(value, CHANNELS[value]) for value in campaign.channels if value in CHANNELS]
    last_pk = 0
    while True:
        chunk = list(members.filter(pk__gt=last_pk)[:QUEUE_CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        contact_ids = [member.contact_id for member in chunk]
        addresses = {sender.address_of(m.contact) for m in chunk for _, sender in channels} - {""}
        suppressed = set(Suppression.objects.filter(address__in=addresses).values_list("address", flat=True))
        pending = set(
            Invitation.objects.filter(
                campaign=campaign,
                contact_id__in=contact_ids,
                state__in=[Invitation.State.QUEUED, Invitation.State.SENDING],
            ).values_list("contact_id", "channel")
        )
        rounds = last_rounds(campaign, contact_ids)
        new, due_updates = [], []
        for member in chunk:
            contact = member.contact
            zone = zone_of(contact.time_zone)
            if zone.key not in starts:
                starts[zone.key] = next_send_time(start, campaign, zone)
            scheduled_for = starts[zone.key]
            next_due = scheduled_for + timedelta(days=campaign.recur_days) if recurring else None
            for channel, sender in channels:
                address = sender.address_of(contact)
                if not address or (contact.pk, channel) in pending:
                    continue
                if address in suppressed:
                    next_due = now + timedelta(days=campaign.recur_days) if recurring else None
                    continue
                if (
                    campaign.throttle_days
                    and contact.last_surveyed_at
                    and contact.last_surveyed_at > throttled_since
                ):
                    # Throttled across all campaigns: look again when the contact may be surveyed.
                    next_due = contact.last_surveyed_at + timedelta(days=campaign.throttle_days)
                    continue
                last_round = rounds.get((contact.pk, channel), 0)
                if last_round and not recurring:
                    continue
                new.append(
                    new_invitation(
                        campaign,
                        contact,
                        channel,
                        last_round=last_round,
                        texts=texts,
                        scheduled_for=first_allowed(sender, contact, campaign, scheduled_for, zone),
                        state_changed_at=now,
                    )
                )
            if recurring and next_due:
                member.next_due_at = next_due
                due_updates.append(member)
        with transaction.atomic():
            # The unique key (campaign, contact, channel, round) makes a concurrent second run a no-op.
            Invitation.objects.bulk_create(new, ignore_conflicts=True)
            Audience.objects.bulk_update(due_updates, ["next_due_at"])
    return Invitation.objects.filter(campaign=campaign).count() - before


# Dispatching -------------------------------------------------------------------------------------


def _handed_over_before(now: datetime) -> Q:
    return Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - LEASE)


def enqueue_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Hand up to `limit` (DISPATCH_BATCH) due invitations of running campaigns to the broker, again when
    their task was lost."""
    from . import tasks

    now = now or timezone.now()
    limit = limit or DISPATCH_BATCH
    with transaction.atomic():
        ids = list(
            Invitation.objects.due(now)
            .filter(_handed_over_before(now), campaign__status=Campaign.Status.RUNNING)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("scheduled_for", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Invitation.objects.filter(pk__in=ids).update(enqueued_at=now)
    # After the commit: if this process dies here, the lease above hands the rows over again.
    for start in range(0, len(ids), SEND_BATCH):
        tasks.send_invitations.delay(ids[start : start + SEND_BATCH])
    return len(ids)


def hand_over_due(*, now: datetime | None = None) -> int:
    """Top the broker up to MAX_WAITING_IN_BROKER invitations handed over and not yet claimed."""
    now = now or timezone.now()
    handed = 0
    waiting = Invitation.objects.filter(state=Invitation.State.QUEUED, enqueued_at__gte=now - LEASE).count()
    while (room := min(MAX_WAITING_IN_BROKER - waiting - handed, DISPATCH_BATCH)) > 0:
        batch = enqueue_due(now=now, limit=room)
        handed += batch
        if batch < room:  # nothing more is due
            break
    return handed


def queue_recurring(*, now: datetime | None = None) -> int:
    """Queue the next round for members of running recurring campaigns who are due."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        status=Campaign.Status.RUNNING, schedule=Campaign.Schedule.RECURRING, recur_days__isnull=False
    ).filter(Q(audience__next_due_at__isnull=True) | Q(audience__next_due_at__lte=now))
    return sum(queue_campaign(campaign, now=now) for campaign in due.distinct().select_related("brand"))


def start_scheduled(*, now: datetime | None = None) -> int:
    """Scheduled campaigns whose start time has come begin running."""
    now = now or timezone.now()
    return Campaign.objects.filter(status=Campaign.Status.SCHEDULED, send_at__lte=now).update(
        status=Campaign.Status.RUNNING, updated_at=now
    )


def dispatch_due(*, now: datetime | None = None) -> dict[str, int]:
    """Everything that is due, once a minute: recover, queue recurring rounds, send, remind."""
    now = now or timezone.now()
    counts = {
        "started": start_scheduled(now=now),
        "recovered": sweep_stuck(now=now),
        "queued": queue_recurring(now=now),
        "enqueued": hand_over_due(now=now),
        "reminders": send_reminders(now=now),
    }
    if any(counts.values()):
        log.info("dispatch_due %s", counts)
    _record_dispatch()
    return counts


# The dispatcher's last run, for /healthz?worker=1 and `manage.py dispatch_status`: it runs every minute
# only when beat sends it and a worker runs it, so an old value means one of them is gone.
DISPATCH_HEARTBEAT_KEY = "delivery:last-dispatch"
DISPATCH_STALE_AFTER = timedelta(minutes=5)


def _record_dispatch() -> None:
    try:
        cache.set(DISPATCH_HEARTBEAT_KEY, timezone.now().timestamp(), timeout=None)
    except Exception as error:  # the cache (Redis) restarting must not fail the dispatcher run
        log.warning("Could not record the dispatcher's run: %s", error)


def last_dispatch() -> datetime | None:
    """When the dispatcher last finished a run (on any worker), or None when unknown."""
    stamp = cache.get(DISPATCH_HEARTBEAT_KEY)
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp is not None else None


def dispatcher_is_alive(*, now: datetime | None = None) -> bool:
    """Beat and a worker are running: the dispatcher finished a run within DISPATCH_STALE_AFTER."""
    last = last_dispatch()
    return last is not None and (now or timezone.now()) - last < DISPATCH_STALE_AFTER


# Sending -----------------------------------------------------------------------------------------


def _with_reconnect(step):
    """Run one idempotent database step; when the connection is lost, run it again on a fresh one."""
    for wait in (*RECONNECT_WAITS, None):
        try:
            return step()
        except (OperationalError, InterfaceError) as error:
            # Inside a transaction a new connection cannot continue it: the caller's transaction decides.
            if wait is None or connection.in_atomic_block:
                raise
            log.warning("Database step failed (%s); reconnecting in %ss", error, wait)
            connection.close()
            clock.sleep(wait)
    raise AssertionError("unreachable")


def send_invitation(invitation_id: int) -> str:
    """Send one invitation if it is still queued and due; returns its state afterwards."""
    return send_invitations([invitation_id])[invitation_id]


def send_invitations(invitation_ids: list[int]) -> dict[int, str]:
    """Send each of these invitations that is still queued and due, once; returns each one's state after.

    Three round trips to the database for the whole batch (claim, load, suppression check), then per
    message the send and its own "sent" commit: a duplicate after a crash is at most one message wide.
    """
    ids = sorted({int(pk) for pk in invitation_ids})
    if not ids:
        return {}
    now = timezone.now()
    claimed = _with_reconnect(lambda: _claim(ids, now))
    states = _with_reconnect(lambda: _not_claimed([pk for pk in ids if pk not in claimed]))
    if not claimed:
        return states
    invitations = _with_reconnect(
        lambda: list(
            Invitation.objects.select_related("campaign__brand", "contact")
            .filter(pk__in=claimed)
            .order_by("pk")
        )
    )
    addresses = {address_of(i.contact, i.channel).lower() for i in invitations} - {""}
    suppressed = _with_reconnect(
        lambda: set(Suppression.objects.filter(address__in=addresses).values_list("address", flat=True))
    )
    # The contacts' last survey as this batch changes it (a contact can have two rows in one batch).
    surveyed = {i.contact_id: i.contact.last_surveyed_at for i in invitations}
    started = clock.monotonic()
    for done, invitation in enumerate(invitations):
        if done and clock.monotonic() - started > SEND_BATCH_BUDGET_S:
            rest = invitations[done:]
            _with_reconnect(functools.partial(_release, rest, now))
            states.update((i.pk, Invitation.State.QUEUED) for i in rest)
            break
        try:
            states[invitation.pk] = _send_claimed(invitation, now, suppressed, surveyed)
        except BaseException:
            # A database gone for longer than the reconnect waits: rows not touched yet go back to the
            # dispatcher if the database answers now; this row, and the rest otherwise, wait for the sweep.
            _release(invitations[done + 1 :], now, quietly=True)
            raise
    return states


def _send_claimed(invitation: Invitation, now: datetime, suppressed: set, surveyed: dict) -> str:
    """Check, send and record one claimed invitation of a batch."""
    contact, campaign = invitation.contact, invitation.campaign
    address = address_of(contact, invitation.channel)
    if address and address.lower() in suppressed:
        return _finish(
            invitation, Invitation.State.SUPPRESSED, error="The address is on the suppression list."
        )
    last = surveyed.get(contact.pk)
    if (
        campaign.throttle_days
        and last
        and last > now - timedelta(days=campaign.throttle_days)
        and _surveyed_by_another_campaign(invitation, since=now - timedelta(days=campaign.throttle_days))
    ):
        return _finish(
            invitation,
            Invitation.State.SUPPRESSED,
            error=f"Throttled: the contact was surveyed on {last:%Y-%m-%d}.",
        )
    try:
        channel = get_channel(invitation.channel)
    except LookupError as error:  # a channel that cannot send yet
        return _finish(invitation, Invitation.State.FAILED, error=str(error))
    moment = timezone.now()
    if (allowed := channel.deliverable_at(contact, moment)) > moment:
        # The recipient's quiet hours began since the row was scheduled: it waits for them to end, and
        # this claim does not count as an attempt.
        return _defer(invitation, allowed)
    try:
        provider_id = channel.send(invitation)
    except Exception as error:
        if channel.is_permanent(error):  # e.g. the provider refused the recipient: no retry helps
            return _finish(invitation, Invitation.State.FAILED, error=str(error))
        log.warning("Sending invitation %s failed: %s", invitation.pk, mask_addresses(error))
        return _retry_or_fail(invitation, error)
    # The provider has the message: the row is still ours (the claim is), so the "sent" commit is retried
    # on a fresh connection through a database restart instead of leaving the row to the sweep.
    _with_reconnect(lambda: _mark_sent(invitation, provider_id))
    surveyed[contact.pk] = timezone.now()
    return Invitation.State.SENT


def _surveyed_by_another_campaign(invitation: Invitation, *, since: datetime) -> bool:
    """The throttle counts other campaigns' surveys: this campaign's email and text are one survey on two
    channels. Asked only when the contact's last survey falls inside the throttle (rare on the hot path)."""
    return (
        Invitation.objects.filter(contact_id=invitation.contact_id, sent_at__gt=since)
        .exclude(campaign_id=invitation.campaign_id)
        .exists()
    )


# Only one worker can move a row out of "queued"; one statement for the batch, committed on its own before
# anything is sent. A claim committed just before the connection dropped (we never heard back) is still ours:
# its state_changed_at is this claim's own timestamp (the second SELECT reads the rows as they were before
# this statement, so it finds only such earlier claims).
CLAIM = f"""
WITH claimed AS (
    UPDATE {Invitation._meta.db_table} AS invitation
    SET state = %(sending)s, state_changed_at = %(now)s, attempts = invitation.attempts + 1
    FROM {Campaign._meta.db_table} AS campaign
    WHERE invitation.id = ANY(%(ids)s) AND invitation.state = %(queued)s AND invitation.scheduled_for <= %(now)s
        AND campaign.id = invitation.campaign_id AND campaign.status = %(running)s
    RETURNING invitation.id
)
SELECT id FROM claimed
UNION
SELECT id FROM {Invitation._meta.db_table}
WHERE id = ANY(%(ids)s) AND state = %(sending)s AND state_changed_at = %(now)s
"""  # noqa: S608  table names from our own models; every value is a parameter


def _claim(ids: list[int], now: datetime) -> set[int]:
    if connection.vendor != "postgresql":
        return _claim_serialised(ids, now)
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM,
            {
                "ids": ids,
                "now": now,
                "sending": Invitation.State.SENDING,
                "queued": Invitation.State.QUEUED,
                "running": Campaign.Status.RUNNING,
            },
        )
        return {row[0] for row in cursor.fetchall()}


def _claim_serialised(ids: list[int], now: datetime) -> set[int]:
    """The same claim on the demo's SQLite, which has neither ANY() nor an UPDATE inside a WITH: there a
    write transaction holds the whole database, so an UPDATE then a SELECT of its rows is just as exclusive."""
    with transaction.atomic():
        Invitation.objects.filter(
            pk__in=ids,
            state=Invitation.State.QUEUED,
            scheduled_for__lte=now,
            campaign__status=Campaign.Status.RUNNING,
        ).update(state=Invitation.State.SENDING, state_changed_at=now, attempts=F("attempts") + 1)
        return set(
            Invitation.objects.filter(
                pk__in=ids, state=Invitation.State.SENDING, state_changed_at=now
            ).values_list("pk", flat=True)
        )


def _release(invitations: list[Invitation], claimed_at: datetime, *, quietly: bool = False) -> None:
    """Claimed rows this worker never handed to the provider go back to "queued", as if never claimed."""
    if not invitations:
        return
    try:
        Invitation.objects.filter(
            pk__in=[i.pk for i in invitations], state=Invitation.State.SENDING, state_changed_at=claimed_at
        ).update(
            state=Invitation.State.QUEUED,
            state_changed_at=timezone.now(),
            attempts=F("attempts") - 1,
            enqueued_at=None,
        )
    except Exception as error:
        if not quietly:
            raise
        log.warning("Could not hand %s claimed rows back (the sweep will): %s", len(invitations), error)


def _not_claimed(ids: list[int]) -> dict[int, str]:
    """Why claims failed: sent or claimed already, not due yet, gone, or their campaign is paused."""
    if not ids:
        return {}
    rows = Invitation.objects.filter(pk__in=ids).values_list("pk", "state", "campaign__status")
    states = dict.fromkeys(ids, "missing")
    paused = []
    for pk, state, campaign_status in rows:
        states[pk] = state
        if state == Invitation.State.QUEUED and campaign_status != Campaign.Status.RUNNING:
            paused.append(pk)
    if paused:
        # Paused: forget the hand-over, so the dispatcher sends them as soon as the campaign runs again.
        Invitation.objects.filter(pk__in=paused, state=Invitation.State.QUEUED).update(enqueued_at=None)
    return states


# The row and the contact's last survey in one statement: one round trip and one commit, on the hot path.
MARK_SENT = f"""
WITH sent AS (
    UPDATE {Invitation._meta.db_table}
    SET state = %(sent)s, sent_at = %(now)s, state_changed_at = %(now)s, provider_message_id = %(provider_id)s,
        error = ''
    WHERE id = %(id)s AND state = %(sending)s
    RETURNING contact_id
)
UPDATE {Contact._meta.db_table} SET last_surveyed_at = %(now)s WHERE id IN (SELECT contact_id FROM sent)
"""  # noqa: S608  table names from our own models; every value is a parameter


def _mark_sent(invitation: Invitation, provider_id: str) -> None:
    if connection.vendor != "postgresql":  # the demo's SQLite has no UPDATE inside a WITH
        now = timezone.now()
        with transaction.atomic():
            if Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
                state=Invitation.State.SENT,
                sent_at=now,
                state_changed_at=now,
                provider_message_id=provider_id[:200],
                error="",
            ):
                Contact.objects.filter(pk=invitation.contact_id).update(last_surveyed_at=now)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_SENT,
            {
                "sent": Invitation.State.SENT,
                "sending": Invitation.State.SENDING,
                "now": timezone.now(),
                "provider_id": provider_id[:200],
                "id": invitation.pk,
            },
        )


def _finish(invitation: Invitation, state: str, *, error: str = "") -> str:
    _with_reconnect(
        lambda: Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
            state=state, state_changed_at=timezone.now(), error=error
        )
    )
    return state


def _defer(invitation: Invitation, until: datetime) -> str:
    _with_reconnect(
        lambda: Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
            state=Invitation.State.QUEUED,
            state_changed_at=timezone.now(),
            scheduled_for=until,
            attempts=F("attempts") - 1,
            enqueued_at=None,
        )
    )
    return Invitation.State.QUEUED


def _retry_or_fail(invitation: Invitation, error: Exception) -> str:
    message = f"{type(error).__name__}: {error}"
    if invitation.attempts >= MAX_ATTEMPTS:
        return _finish(invitation, Invitation.State.FAILED, error=message)
    now = timezone.now()
    wait = BACKOFF[min(invitation.attempts, len(BACKOFF)) - 1]
    _with_reconnect(
        lambda: Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
            state=Invitation.State.QUEUED,
            state_changed_at=now,
            scheduled_for=now + wait,
            enqueued_at=None,
            error=message,
        )
    )
    return Invitation.State.QUEUED


def sweep_stuck(*, now: datetime | None = None) -> int:
    """Rows left in "sending" by a dead worker: sent if the provider has the message, else queued again."""
    now = now or timezone.now()
    recovered = 0
    with transaction.atomic():
        stuck = list(
            Invitation.objects.filter(state=Invitation.State.SENDING, state_changed_at__lt=now - LEASE)
            .select_related("campaign__brand", "contact")
            .select_for_update(skip_locked=True, of=("self",))[:DISPATCH_BATCH]
        )
        for invitation in stuck:
            try:
                provider_id = get_channel(invitation.channel).find_sent(invitation)
            except LookupError:
                provider_id = None
            if provider_id:
                _mark_sent(invitation, provider_id)
            elif invitation.attempts >= MAX_ATTEMPTS:
                _finish(
                    invitation, Invitation.State.FAILED, error="The worker stopped while sending, too often."
                )
            else:
                Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
                    state=Invitation.State.QUEUED, state_changed_at=now, enqueued_at=None
                )
            recovered += 1
    return recovered


# Reminders ---------------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """Hand over the one reminder of sent, unanswered invitations whose reminder is due."""
    from . import tasks

    now = now or timezone.now()
    ids = []
    campaigns = Campaign.objects.filter(status=Campaign.Status.RUNNING, reminder_days__isnull=False)
    with transaction.atomic():
        for campaign in campaigns:
            ids += list(
                Invitation.objects.filter(
                    _handed_over_before(now),
                    campaign=campaign,
                    state=Invitation.State.SENT,
                    reminder_sent_at__isnull=True,
                    sent_at__lte=now - timedelta(days=campaign.reminder_days),
                    answer__isnull=True,
                )
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[: DISPATCH_BATCH - len(ids)]
            )
        Invitation.objects.filter(pk__in=ids).update(enqueued_at=now)
    for pk in ids:
        tasks.send_reminder.delay(pk)
    return len(ids)


def send_reminder(invitation_id: int) -> bool:
    """Send the reminder at most once: it is claimed before it is sent (a lost reminder beats a second)."""
    invitation = (
        Invitation.objects.select_related("campaign__brand", "contact").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return False
    if invitation.campaign.status != Campaign.Status.RUNNING:
        Invitation.objects.filter(pk=invitation_id).update(enqueued_at=None)
        return False
    if invitation.state != Invitation.State.SENT or invitation.reminder_sent_at is not None:
        return False
    if Invitation.objects.filter(pk=invitation_id, answer__isnull=False).exists():
        return False
    if is_suppressed(address_of(invitation.contact, invitation.channel)):
        return False
    try:
        channel = get_channel(invitation.channel)
    except LookupError:
        return False
    now = timezone.now()
    zone = zone_of(invitation.contact.time_zone)
    opens = first_allowed(
        channel, invitation.contact, invitation.campaign, next_send_time(now, invitation.campaign, zone), zone
    )
    if opens > now:
        # Outside the contact's send window (a reminder N days after a Friday send falls on a weekend) or
        # quiet hours (a text). send_reminders hands a row over again once enqueued_at is a lease old: that is
        # when the window opens.
        Invitation.objects.filter(pk=invitation_id).update(enqueued_at=opens - LEASE)
        return False
    claimed = Invitation.objects.filter(pk=invitation_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        channel.send(invitation, reminder=True)
    except Exception as error:
        log.warning("Reminder for invitation %s failed: %s", invitation.pk, mask_addresses(error))
        Invitation.objects.filter(pk=invitation_id).update(error=f"Reminder not sent: {error}")
        return False
    return True


# Before launching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelCount:
    value: str
    label: str
    recipients: int
    no_address: int
    suppressed: int
    throttled: int

    @property
    def texting(self) -> bool:
        return self.value in TEXT_CHANNELS


@dataclass(frozen=True)
class LaunchPreview:
    """What launching the campaign now would do: who gets a survey on each channel, who does not and why,
    and when the first messages go."""

    audience: int
    channels: list[ChannelCount]  # the sending channels only
    people: int  # members who get at least one message
    start: datetime  # now, or the campaign's send time
    first_send: datetime | None  # the earliest moment a message may go, in any of the audience's zones
    zones: list[str] = field(default_factory=list)  # the audience's time zones ("" = the workspace's)

    @property
    def sends(self) -> bool:
        return bool(self.channels)

    @property
    def messages(self) -> int:
        return sum(channel.recipients for channel in self.channels)

    @property
    def texting(self) -> bool:
        return any(channel.texting for channel in self.channels)


def launch_preview(campaign: Campaign, now: datetime | None = None) -> LaunchPreview:
    """The same rules as queue_campaign() (address, suppression list, throttle, a recurring member's due
    date), counted in the database: two queries whatever the audience's size."""
    now = now or timezone.now()
    start = now
    if campaign.schedule == Campaign.Schedule.AT and campaign.send_at and campaign.send_at > now:
        start = campaign.send_at
    members = campaign.audience.all()
    if campaign.schedule == Campaign.Schedule.RECURRING and campaign.recur_days:
        members = members.filter(Q(next_due_at__isnull=True) | Q(next_due_at__lte=now))
    sending = [
        (value, CHANNELS[value]) for value in campaign.channels if value in CHANNELS and CHANNELS[value].sends
    ]
    # No throttle: a condition no row meets (an empty Q(pk__in=[]) misbehaves once negated in a filter).
    throttled = Q(contact__last_surveyed_at__gt=now - timedelta(days=campaign.throttle_days)) & Q(
        Value(campaign.throttle_days > 0)
    )
    aggregates = {"audience": Count("pk")}
    reached = None
    for value, sender in sending:
        column = sender.address_expression("contact__")
        members = members.annotate(
            **{
                f"address_{value}": column,
                f"suppressed_{value}": Exists(
                    Suppression.objects.filter(address=OuterRef(f"address_{value}"))
                ),
            }
        )
        has_address = ~Q(**{f"address_{value}__isnull": True}) & ~Q(**{f"address_{value}": ""})
        suppressed = has_address & Q(**{f"suppressed_{value}": True})
        gets = has_address & Q(**{f"suppressed_{value}": False}) & ~throttled
        aggregates |= {
            f"{value}_no_address": Count("pk", filter=~has_address),
            f"{value}_suppressed": Count("pk", filter=suppressed),
            f"{value}_throttled": Count(
                "pk", filter=has_address & Q(**{f"suppressed_{value}": False}) & throttled
            ),
            f"{value}_recipients": Count("pk", filter=gets),
        }
        reached = gets if reached is None else reached | gets
    if reached is not None:
        aggregates["people"] = Count("pk", filter=reached)
    counts = members.aggregate(**aggregates)
    channels = []
    for value, _ in sending:
        numbers = {
            key: counts[f"{value}_{key}"] for key in ("recipients", "no_address", "suppressed", "throttled")
        }
        channels.append(ChannelCount(value=value, label=Channel(value).label, **numbers))
    zones = sorted(set(members.values_list("contact__time_zone", flat=True).distinct()))
    first_send = None
    if channels:
        first_send = min(
            (next_send_time(start, campaign, zone_of(name)) for name in zones or [""]), default=None
        )
    return LaunchPreview(
        audience=counts["audience"],
        channels=channels,
        people=counts.get("people", 0),
        start=start,
        first_send=first_send,
        zones=zones,
    )
