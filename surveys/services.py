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
        return _add_matching(campaign)


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
    from .delivery import cancel_pending

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


# Contacts and survey requests (shared by the native and the Delighted-compatible API)


class ContactError(Exception):
    """Input that cannot become a contact; `field` names the offending field for API error bodies."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class SurveyRequestError(Exception):
    """A survey that cannot be requested; `status` is the HTTP status an API answers with."""

    def __init__(self, message: str, *, status: int = 422, field: str = ""):
        super().__init__(message)
        self.status = status
        self.field = field


def normalize_email(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = value.strip().lower()
    # The column holds 254 characters (RFC 5321's limit); the validator alone lets up to 320 through.
    if len(email) > 254:
        raise ContactError("The email address is longer than 254 characters.", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise ContactError(f"“{value.strip()}” is not a valid email address.", field="email") from None
    return email


def normalize_phone(value: str) -> str:
    from django.conf import settings

    from .importing import clean_phone

    try:
        return clean_phone(value.strip(), settings.DEFAULT_PHONE_REGION)
    except ValueError:
        raise ContactError(
            f"“{value.strip()}” is not a valid phone number; use the international form, e.g. +919876543210.",
            field="phone",
        ) from None


def _check_time_zone(value: str) -> str:
    import zoneinfo

    value = value.strip()
    if value and value not in zoneinfo.available_timezones():
        raise ContactError(
            f"“{value}” is not a time zone; use a name like Asia/Kolkata or Europe/Paris.", field="time_zone"
        )
    return value


def upsert_contact(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    properties: dict | None = None,
    contact: Contact | None = None,
) -> tuple[Contact, bool]:
    """Create a contact or update the one with this email (else phone); returns (contact, created).

    With `contact`, that contact is updated (and may get a new email or phone). Fields left None are
    kept; properties are merged key by key, a key set to None is removed.
    """
    email = normalize_email(email) if email else None
    phone = normalize_phone(phone) if phone else None
    language = language.strip()[:10] if language is not None else None
    time_zone = _check_time_zone(time_zone) if time_zone is not None else None
    if properties is not None and not isinstance(properties, dict):
        raise ContactError("Properties must be an object of names and values.", field="properties")
    with transaction.atomic():
        by_email = Contact.objects.select_for_update().filter(email__iexact=email).first() if email else None
        by_phone = Contact.objects.select_for_update().filter(phone=phone).first() if phone else None
        if contact is None:
            if not email and not phone:
                raise ContactError("A contact needs an email or a phone number.", field="email")
            if by_email and by_phone and by_email.pk != by_phone.pk:
                raise ContactError(
                    f"The email belongs to contact {by_email.pk} and the phone number to contact "
                    f"{by_phone.pk}; update them one at a time.",
                    field="phone",
                )
            contact = by_email or by_phone
        else:
            contact = Contact.objects.select_for_update().get(pk=contact.pk)
            for other, field in ((by_email, "email"), (by_phone, "phone")):
                if other and other.pk != contact.pk:
                    raise ContactError(f"Another contact ({other.pk}) has this {field}.", field=field)
        created = contact is None
        if created:
            contact = Contact()
        if email:
            contact.email = email
        if phone:
            contact.phone = phone
        if name is not None:
            contact.name = name.strip()[:200]
        if language is not None:
            contact.language = language
        if time_zone is not None:
            contact.time_zone = time_zone
        if properties:
            merged = dict(contact.properties or {})
            for key, value in properties.items():
                if value is None:
                    merged.pop(str(key), None)
                else:
                    merged[str(key)] = value
            contact.properties = merged
        contact.save()
    return contact, created


def erase_contact(contact: Contact) -> int:
    """Erase a contact's personal data for good; their answers stay in the figures, anonymised.

    The answers lose their link to the contact and to the invitation (which carried the contact's
    address and answer link); the contact, its invitations and audience memberships are deleted.
    Returns the number of answers kept.
    """
    from responses.models import Answer  # responses depends on surveys, not the other way round

    with transaction.atomic():
        kept = Answer.objects.filter(contact=contact).update(
            contact=None, invitation=None, notes="", updated_at=timezone.now()
        )
        kept += Answer.objects.filter(invitation__contact=contact).update(
            contact=None, invitation=None, notes="", updated_at=timezone.now()
        )
        Contact.objects.filter(pk=contact.pk).delete()
    return kept


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
    from datetime import timedelta

    from django.db.models import Max

    from .channels import CHANNELS
    from .delivery import SNAPSHOT_FIELDS, address_of, is_suppressed, language_of
    from .models import Channel, render_text

    properties = dict(properties or {})
    if channel not in Channel.values:
        raise SurveyRequestError(
            f"Unknown channel “{channel}”; use one of: {', '.join(Channel.values)}.", field="channel"
        )
    if channel not in CHANNELS:
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
        what = "a phone number" if channel == Channel.SMS else "an email address"
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
        language = language_of(Contact(language=str(properties["locale"]))) or language
    texts = {field: campaign.text(field, language) for field in SNAPSHOT_FIELDS}
    if product := str(properties.get("question_product_name") or "").strip():
        template = (campaign.translations.get(language) or {}).get("question") or campaign.question
        texts["question"] = render_text(template, "question", company=product[:100], language=language)
    for key in ("thank_you_message", "thank_you_link_url"):
        if properties.get(key):
            texts[key] = str(properties[key])[:1000]

    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
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
            contact.properties = {**(contact.properties or {}), **{str(k): v for k, v in other.items()}}
            contact.save(update_fields=["properties", "updated_at"])
        Audience.objects.get_or_create(campaign=campaign, contact=contact)
        last_round = Invitation.objects.filter(campaign=campaign, contact=contact, channel=channel).aggregate(
            last=Max("round")
        )["last"]
        invitation = Invitation.objects.create(
            campaign=campaign,
            contact=contact,
            channel=channel,
            round=(last_round or 0) + 1,
            language=language,
            texts=texts,
            scheduled_for=now + timedelta(seconds=delay_seconds),
            state_changed_at=now,
            enqueued_at=now if not delay_seconds else None,
        )
        if not delay_seconds:
            transaction.on_commit(lambda: tasks.send_invitation.delay(invitation.pk))
    return invitation
