"""Brands and campaigns: every write and every lifecycle change goes through a function here."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards.metrics import Split

from . import tasks
from .models import Audience, Brand, Campaign, Contact, Invitation

log = logging.getLogger(__name__)
Status = Campaign.Status


class CampaignError(Exception):
    """A change the campaign's state does not allow; the message is shown to the user."""


# Brands


def delete_brand(brand: Brand) -> None:
    """Delete a brand no campaign uses (archived campaigns still show it, so they count)."""
    with transaction.atomic():
        names = list(Campaign.objects.filter(brand=brand).values_list("name", flat=True)[:4])
        if names:
            count = Campaign.objects.filter(brand=brand).count()
            shown = ", ".join(f"“{name}”" for name in names[:3]) + (" …" if count > 3 else "")
            noun = "campaign uses" if count == 1 else "campaigns use"
            raise CampaignError(
                f"{brand.name} cannot be deleted: {count} {noun} it ({shown}). "
                "Move those campaigns to another brand first."
            )
        brand.delete()


# Campaigns


def save_campaign(campaign: Campaign) -> Campaign:
    """Create or update a campaign from a validated form.

    Invitations already created keep their own snapshot of the texts (Invitation.texts), so an edit
    only changes what is sent from now on.
    """
    if campaign.status == Status.ARCHIVED:
        raise CampaignError("An archived campaign cannot be edited.")
    campaign.full_clean(exclude=["public_token"])
    campaign.save()
    return campaign


def _queue(campaign: Campaign) -> int:
    # The delivery module is written in parallel with this one: import it when needed.
    try:
        from .delivery import queue_campaign
    except ImportError:
        log.warning("surveys.delivery.queue_campaign is not available; campaign %s not queued", campaign.pk)
        return 0
    return queue_campaign(campaign)


def _status_on_start(campaign: Campaign, now) -> str:
    if campaign.schedule == Campaign.Schedule.AT and campaign.send_at and campaign.send_at > now:
        return Status.SCHEDULED
    return Status.RUNNING


def launch_campaign(campaign: Campaign, *, now=None) -> int:
    """Draft → running (or scheduled for a later send time); queues the audience. Returns the queued count."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Status.DRAFT:
            raise CampaignError(
                f"Only a draft can be launched; this campaign is {campaign.get_status_display().lower()}."
            )
        if not campaign.channels:
            raise CampaignError("Choose at least one channel before launching.")
        if not campaign.audience.exists():
            raise CampaignError("The audience is empty: add contacts before launching.")
        if campaign.schedule == Campaign.Schedule.AT and (
            campaign.send_at is None or campaign.send_at <= now
        ):
            raise CampaignError(
                "The send time has passed: edit the campaign and choose a time in the future."
            )
        campaign.status = _status_on_start(campaign, now)
        campaign.save(update_fields=["status", "updated_at"])
        queued = _queue(campaign)
        _dispatch_soon()
    return queued


def _dispatch_soon() -> None:
    """Start sending what is due now rather than at the next minute's beat (in the demo: right away)."""
    transaction.on_commit(tasks.dispatch_due.delay)


def pause_campaign(campaign: Campaign) -> None:
    """Running or scheduled → paused: the dispatcher sends nothing for a paused campaign."""
    _transition(campaign, allowed={Status.RUNNING, Status.SCHEDULED}, to=Status.PAUSED, verb="paused")


def resume_campaign(campaign: Campaign, *, now=None) -> None:
    """Paused → running (or scheduled when its send time is still ahead)."""
    now = now or timezone.now()
    with transaction.atomic():
        _transition(campaign, allowed={Status.PAUSED}, to=_status_on_start(campaign, now), verb="resumed")
        _dispatch_soon()


def archive_campaign(campaign: Campaign) -> None:
    """Any state → archived: hidden from the list, nothing more is sent."""
    _transition(campaign, allowed=set(Status) - {Status.ARCHIVED}, to=Status.ARCHIVED, verb="archived")


def _a(word: str) -> str:
    return f"{'An' if word[0] in 'aeiou' else 'A'} {word}"


def _transition(campaign: Campaign, *, allowed: set, to: str, verb: str) -> None:
    with transaction.atomic():
        current = Campaign.objects.select_for_update().only("status").get(pk=campaign.pk)
        if current.status not in allowed:
            raise CampaignError(
                f"{_a(current.get_status_display().lower())} campaign cannot be {verb}."
                if current.status != to
                else f"This campaign is already {current.get_status_display().lower()}."
            )
        Campaign.objects.filter(pk=campaign.pk).update(status=to, updated_at=timezone.now())
    campaign.status = to


# Audience


def add_audience_by_filter(campaign: Campaign, audience_filter: dict) -> int:
    """Save the filter on the campaign and add every matching contact once; returns how many were new."""
    if campaign.status == Status.ARCHIVED:
        raise CampaignError("An archived campaign's audience cannot change.")
    if not audience_filter:
        raise CampaignError("A filter needs at least one property.")
    with transaction.atomic():
        campaign.audience_filter = audience_filter
        campaign.save(update_fields=["audience_filter", "updated_at"])
        before = campaign.audience.count()
        matching = Contact.objects.matching(audience_filter).values_list("pk", flat=True)
        now = timezone.now()
        batch = []
        for contact_id in matching.iterator(chunk_size=5000):
            batch.append(Audience(campaign=campaign, contact_id=contact_id, added_at=now))
            if len(batch) == 5000:
                Audience.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Audience.objects.bulk_create(batch, ignore_conflicts=True)
        return campaign.audience.count() - before


# Figures for the campaign pages


@dataclass(frozen=True)
class CampaignFigures:
    audience: int
    sent: int
    split: Split

    @property
    def answers(self) -> int:
        return self.split.total

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.split.total / self.sent if self.sent else None


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("campaign").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_figures(campaigns):
    """Annotate audience, sent and answer counts per group in the same query (no N+1 on the list)."""
    from responses.models import Answer  # responses depends on surveys, not the other way round

    answers = Answer.objects.filter(campaign=OuterRef("pk"))
    return campaigns.annotate(
        n_audience=_count(Audience.objects.filter(campaign=OuterRef("pk"))),
        n_sent=_count(Invitation.objects.filter(campaign=OuterRef("pk"), state=Invitation.State.SENT)),
        n_promoters=_count(answers.filter(score__gte=9)),
        n_passives=_count(answers.filter(Q(score__gte=7) & Q(score__lte=8))),
        n_detractors=_count(answers.filter(score__lte=6)),
    )


def figures(campaign) -> CampaignFigures:
    """The figures of a campaign annotated by with_figures()."""
    return CampaignFigures(
        audience=campaign.n_audience,
        sent=campaign.n_sent,
        split=Split(campaign.n_promoters, campaign.n_passives, campaign.n_detractors),
    )
