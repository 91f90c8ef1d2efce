"""Brands and campaigns: every write and every lifecycle change goes through a function here."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER, SCORES_OF, Split, response_rate
from nps import audit

from . import tasks
from .channels import CHANNELS, address_of, get_channel
from .contacts import is_suppressed, normalize_properties
from .delivery import queue_campaign
from .invitations import language_of, lock_contact, open_invitation, supported_language
from .models import DEFAULT_TEXTS, Audience, Brand, Campaign, Channel, Contact, Invitation, render_text

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
        audit.record("brand.delete", obj=brand)
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
        sends = any(CHANNELS[value].sends for value in campaign.channels if value in CHANNELS)
        if sends and not campaign.audience.exists():
            raise CampaignError("The audience is empty: add contacts before launching.")
        if campaign.schedule == Campaign.Schedule.AT and (
            campaign.send_at is None or campaign.send_at <= now
        ):
            raise CampaignError(
                "The send time has passed: edit the campaign and choose a time in the future."
            )
        campaign.status = _status_on_start(campaign, now)
        campaign.save(update_fields=["status", "updated_at"])
        queued = queue_campaign(campaign)
        audit.record(
            "campaign.launch",
            obj=campaign,
            changes={"status": [Status.DRAFT, campaign.status], "queued": queued},
        )
        _dispatch_soon()
    return queued


def _dispatch_soon() -> None:
    """Start sending what is due now rather than at the next minute's beat (in the demo: right away)."""
    transaction.on_commit(tasks.dispatch_due.delay)


def pause_campaign(campaign: Campaign) -> None:
    """Running or scheduled → paused: the dispatcher sends nothing for a paused campaign."""
    _transition(
        campaign, allowed={Status.RUNNING, Status.SCHEDULED}, to=Status.PAUSED, verb="paused", action="pause"
    )


def resume_campaign(campaign: Campaign, *, now=None) -> None:
    """Paused → running (or scheduled when its send time is still ahead)."""
    now = now or timezone.now()
    with transaction.atomic():
        to = _status_on_start(campaign, now)
        _transition(campaign, allowed={Status.PAUSED}, to=to, verb="resumed", action="resume")
        _dispatch_soon()


def archive_campaign(campaign: Campaign) -> None:
    """Any state → archived: hidden from the list, nothing more is sent."""
    allowed = set(Status) - {Status.ARCHIVED}
    _transition(campaign, allowed=allowed, to=Status.ARCHIVED, verb="archived", action="archive")


def _a(word: str) -> str:
    return f"{'An' if word[0] in 'aeiou' else 'A'} {word}"


def _transition(campaign: Campaign, *, allowed: set, to: str, verb: str, action: str) -> None:
    with transaction.atomic():
        current = Campaign.objects.select_for_update().only("status").get(pk=campaign.pk)
        if current.status not in allowed:
            raise CampaignError(
                f"{_a(current.get_status_display().lower())} campaign cannot be {verb}."
                if current.status != to
                else f"This campaign is already {current.get_status_display().lower()}."
            )
        Campaign.objects.filter(pk=campaign.pk).update(status=to, updated_at=timezone.now())
        audit.record(f"campaign.{action}", obj=campaign, changes={"status": [current.status, to]})
    campaign.status = to


# Audience


def add_audience_by_filter(campaign: Campaign, audience_filter: dict) -> int:
    """Save the filter on the campaign and add every matching contact once; returns how many were new."""
    if campaign.status == Status.ARCHIVED:
        raise CampaignError("An archived campaign's audience cannot change.")
    if not audience_filter:
        raise CampaignError("A filter needs at least one property.")
    with transaction.atomic():
        before = campaign.audience_filter
        campaign.audience_filter = normalize_properties(audience_filter)
        campaign.save(update_fields=["audience_filter", "updated_at"])
        added = _add_matching(campaign)
        changes = {"filter": [before or None, campaign.audience_filter], "added": added}
        audit.record("campaign.audience", obj=campaign, changes=changes)
        return added


def refresh_filtered_audiences() -> int:
    """Hourly: contacts that came to match a live campaign's saved filter join its audience.

    A recurring campaign then surveys them at its next dispatch; returns how many members were added.
    """
    live = Campaign.objects.filter(status__in=[Status.RUNNING, Status.SCHEDULED]).exclude(audience_filter={})
    added = 0
    for campaign in live:
        with transaction.atomic():
            added += _add_matching(campaign)
    return added


def _add_matching(campaign: Campaign) -> int:
    before = campaign.audience.count()
    matching = Contact.objects.matching(campaign.audience_filter).values_list("pk", flat=True)
    now = timezone.now()
    batch = []
    for contact_id in matching.iterator(chunk_size=5000):
        batch.append(Audience(campaign=campaign, contact_id=contact_id, added_at=now))
        if len(batch) == 5000:
            Audience.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Audience.objects.bulk_create(batch, ignore_conflicts=True)
    return campaign.audience.count() - before


def add_to_audience(campaign: Campaign, contact: Contact) -> tuple[Audience, bool]:
    """Add one contact to a campaign's audience; a recurring campaign surveys them at its next dispatch."""
    if campaign.status == Status.ARCHIVED:
        raise CampaignError("An archived campaign's audience cannot change.")
    return Audience.objects.get_or_create(campaign=campaign, contact=contact)


def remove_from_audience(campaign: Campaign, contact: Contact) -> bool:
    """Take a contact out of a campaign's audience and cancel their surveys of it not sent yet."""
    from .contacts import cancel_pending

    with transaction.atomic():
        removed, _ = Audience.objects.filter(campaign=campaign, contact=contact).delete()
        cancel_pending(
            contact, campaign=campaign, reason="Removed from the campaign's audience before sending."
        )
    return bool(removed)


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
        return response_rate(self.split.total, self.sent)


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("campaign").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _count_answers(group: str) -> Subquery:
    """The campaign's answers in an NPS group, through the reverse relation `Campaign.answers` (the
    responses app hangs its answers on campaigns; surveys never imports it)."""
    low, high = SCORES_OF[group]
    in_group = Q(answers__score__gte=low, answers__score__lte=high)
    counted = Campaign.objects.filter(pk=OuterRef("pk")).annotate(n=Count("answers", filter=in_group))
    return Subquery(counted.values("n"), output_field=IntegerField())


def with_figures(campaigns):
    """Annotate audience, sent and answer counts per group in the same query (no N+1 on the list)."""
    return campaigns.annotate(
        n_audience=_count(Audience.objects.filter(campaign=OuterRef("pk"))),
        n_sent=_count(Invitation.objects.filter(campaign=OuterRef("pk"), state=Invitation.State.SENT)),
        n_promoters=_count_answers(PROMOTER),
        n_passives=_count_answers(PASSIVE),
        n_detractors=_count_answers(DETRACTOR),
    )


def figures(campaign) -> CampaignFigures:
    """The figures of a campaign annotated by with_figures()."""
    return CampaignFigures(
        audience=campaign.n_audience,
        sent=campaign.n_sent,
        split=Split(campaign.n_promoters, campaign.n_passives, campaign.n_detractors),
    )


@dataclass(frozen=True)
class CampaignLanguage:
    code: str
    name: str
    contacts: int  # audience members who get it
    translated: bool  # the question is in this language (its own text, or the default question translated)


def campaign_languages(campaign: Campaign) -> list[CampaignLanguage]:
    """The languages a campaign sends in: its audience's (a contact's language when it is one of ours, else
    the default one) and those it has texts of its own for, in the order of settings.LANGUAGES."""
    from django.conf import settings

    names = dict(settings.LANGUAGES)
    counts: dict[str, int] = {}
    for row in campaign.audience.values("contact__language").annotate(n=Count("pk")).order_by():
        code = supported_language(row["contact__language"] or "") or settings.LANGUAGE_CODE
        counts[code] = counts.get(code, 0) + row["n"]
    own = {code for code, texts in (campaign.translations or {}).items() if code in names and texts}
    codes = {settings.LANGUAGE_CODE, *counts, *own}  # the default: any contact without a language of ours
    default_question = campaign.question == DEFAULT_TEXTS["question"]
    return [
        CampaignLanguage(
            code=code,
            name=name,
            contacts=counts.get(code, 0),
            translated=code == settings.LANGUAGE_CODE
            or default_question
            or bool((campaign.translations.get(code) or {}).get("question")),
        )
        for code, name in settings.LANGUAGES
        if code in codes
    ]


# Survey requests (shared by the native and the Delighted-compatible API)


class SurveyRequestError(Exception):
    """A survey that cannot be requested; `status` is the HTTP status an API answers with."""

    def __init__(self, message: str, *, status: int = 422, field: str = ""):
        super().__init__(message)
        self.status = status
        self.field = field


# Properties of a survey request that change the survey itself rather than describe the contact.
SURVEY_PROPERTIES = {"locale", "question_product_name", "thank_you_message", "thank_you_link_url"}


def request_survey(
    contact: Contact,
    *,
    campaign: Campaign,
    channel: str,
    delay_seconds: int = 0,
    properties: dict | None = None,
) -> Invitation:
    """Survey one contact on a campaign and channel, now or after a delay; returns the queued invitation.

    The campaign's send window does not apply: the caller chose the moment. Suppression and the
    contact's throttle are checked here (a precise error) and again when the survey is sent.
    """
    properties = dict(properties or {})
    if channel not in Channel.values:
        raise SurveyRequestError(
            f"Unknown channel “{channel}”; use one of: {', '.join(Channel.values)}.", field="channel"
        )
    if channel not in CHANNELS or not CHANNELS[channel].is_configured():
        raise SurveyRequestError(f"The {channel} channel cannot send surveys yet.", field="channel")
    if campaign.status in (Status.DRAFT, Status.ARCHIVED):
        raise SurveyRequestError(
            f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: "
            "only a launched campaign can send surveys.",
            status=409,
            field="campaign",
        )
    if channel not in campaign.channels:
        raise SurveyRequestError(
            f"Campaign “{campaign.name}” does not use the {channel} channel "
            f"(it uses: {', '.join(campaign.channels) or 'none'}).",
            field="channel",
        )
    if not 0 <= delay_seconds <= 60 * 60 * 24 * 365:
        raise SurveyRequestError("The delay must be between 0 seconds and one year.", field="delay")
    address = address_of(contact, channel)
    if not address:
        what = get_channel(channel).address_name
        raise SurveyRequestError(f"The contact has no {what} for the {channel} channel.", field=channel)
    if is_suppressed(address):
        raise SurveyRequestError(
            f"{address} is on the suppression list (unsubscribed, bounced or complained).", status=409
        )
    now = timezone.now()
    surveyed = contact.last_surveyed_at
    if campaign.throttle_days and surveyed and surveyed > now - timedelta(days=campaign.throttle_days):
        raise SurveyRequestError(
            f"The contact was surveyed on {surveyed:%Y-%m-%d}; campaign “{campaign.name}” surveys a contact "
            f"at most once every {campaign.throttle_days} days.",
            status=409,
        )

    language = language_of(contact)
    if properties.get("locale"):
        language = supported_language(str(properties["locale"])) or language
    # The survey's own texts, over the campaign's snapshot.
    texts = {}
    if product := str(properties.get("question_product_name") or "").strip():
        template = (campaign.translations.get(language) or {}).get("question") or campaign.question
        texts["question"] = render_text(template, "question", company=product[:100], language=language)
    for key in ("thank_you_message", "thank_you_link_url"):
        if properties.get(key):
            texts[key] = str(properties[key])[:1000]

    with transaction.atomic():
        lock_contact(contact)  # until the invitation is opened: one pending survey per campaign and channel
        pending = Invitation.objects.filter(
            campaign=campaign,
            contact=contact,
            channel=channel,
            state__in=[Invitation.State.QUEUED, Invitation.State.SENDING],
        ).first()
        if pending:
            raise SurveyRequestError(
                f"The contact already has a pending survey on this campaign and channel "
                f"(scheduled for {pending.scheduled_for:%Y-%m-%d %H:%M} UTC).",
                status=409,
            )
        other = {key: value for key, value in properties.items() if key not in SURVEY_PROPERTIES}
        if other:
            contact.properties = {**(contact.properties or {}), **normalize_properties(other)}
            contact.save(update_fields=["properties", "updated_at"])
        Audience.objects.get_or_create(campaign=campaign, contact=contact)
        invitation = open_invitation(
            campaign,
            contact,
            channel,
            language=language,
            extra_texts=texts,
            scheduled_for=now + timedelta(seconds=delay_seconds),
            enqueued_at=now if not delay_seconds else None,
            now=now,
        )
        if not delay_seconds:
            transaction.on_commit(lambda: tasks.send_invitation.delay(invitation.pk))
    return invitation
