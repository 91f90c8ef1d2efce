"""Autopilot: /v1/autopilot/{email|sms}.json and its memberships (list, add, remove).

Delighted's autopilot of a platform is the recurring campaign that sends on that channel; its members
are the campaign's audience.
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from surveys import services
from surveys.contacts import ContactError, normalize_phone, upsert_contact
from surveys.models import Audience, Campaign, Channel, Contact, Invitation
from surveys.serializers import person, timestamp

from .people import IGNORED_PROPERTIES, LOCALE, contact_error, find_person
from .protocol import (
    PLATFORMS,
    cursor_page,
    id_param,
    invalid,
    json_response,
    mapping_param,
    not_found,
    text_param,
)


def _platform(platform: str) -> str:
    platform = platform.removesuffix(".json")
    if platform not in PLATFORMS:
        raise not_found()
    return platform


def _autopilot(platform: str) -> Campaign | None:
    """Autopilot of a platform: the recurring campaign that sends on that channel (running ones first)."""
    recurring = Campaign.objects.active().filter(schedule=Campaign.Schedule.RECURRING).order_by("-created_at")
    found = [campaign for campaign in recurring if platform in campaign.channels]
    found.sort(key=lambda c: c.status != Campaign.Status.RUNNING)
    return found[0] if found else None


def _autopilot_or_422(platform: str) -> Campaign:
    campaign = _autopilot(platform)
    if campaign is None:
        raise invalid(
            "platform",
            f"Autopilot is not set up for {platform}: create a recurring campaign that sends by {platform}",
        )
    return campaign


def autopilot_configuration(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """GET /v1/autopilot/{email|sms}.json"""
    platform = _platform(platform)
    campaign = _autopilot(platform)
    return json_response(
        {
            "platform_id": platform,
            "active": bool(campaign and campaign.status == Campaign.Status.RUNNING),
            "frequency": campaign.recur_days * 86400 if campaign and campaign.recur_days else None,
            "created_at": timestamp(campaign.created_at) if campaign else None,
            "updated_at": timestamp(campaign.updated_at) if campaign else None,
        }
    )


def _membership(member: Audience, pending: dict[int, Invitation]) -> dict:
    contact = member.contact
    invitation = pending.get(contact.pk)
    if invitation is not None:
        next_request = {
            "id": str(invitation.pk),
            "created_at": timestamp(invitation.created_at),
            "survey_scheduled_at": timestamp(invitation.scheduled_for),
            "properties": contact.properties or {},
        }
    else:
        # Not queued yet: the dispatcher queues the member's next round when it is due.
        next_request = {
            "id": None,
            "created_at": None,
            "survey_scheduled_at": timestamp(member.next_due_at or member.added_at),
            "properties": contact.properties or {},
        }
    return {
        "created_at": timestamp(member.added_at),
        "updated_at": timestamp(member.added_at),
        "person": person(contact, last_sent_at=timestamp(contact.last_surveyed_at)),
        "next_survey_request": next_request,
    }


def _person_for_membership(params: dict, *, create: bool, platform: str) -> Contact:
    given = [name for name in ("person_id", "person_email", "person_phone_number") if params.get(name)]
    if not given:
        raise invalid("person_email", "can't be blank")
    if not create and len(given) > 1:
        raise invalid("base", "pass exactly one of person_id, person_email or person_phone_number")
    if params.get("person_id"):
        contact = Contact.objects.filter(pk=id_param(params, "person_id")).first()
        if contact is None:
            raise not_found()
        if not create:
            return contact
    elif not create:
        email, phone = text_param(params, "person_email"), text_param(params, "person_phone_number")
        return find_person(f"email:{email}" if email else f"phone_number:{phone}")
    else:
        contact = None
    if platform == Channel.SMS and contact is None and not params.get("person_phone_number"):
        raise invalid("person_phone_number", "can't be blank")
    if platform == Channel.EMAIL and contact is None and not params.get("person_email"):
        raise invalid("person_email", "can't be blank")
    properties = mapping_param(params, "properties") or {}
    for key in IGNORED_PROPERTIES:
        properties.pop(key, None)
    locale = str(properties.pop(LOCALE, "") or "").strip()
    try:
        contact, _ = upsert_contact(
            contact=contact,
            email=text_param(params, "person_email") or None,
            phone=text_param(params, "person_phone_number") or None,
            name=text_param(params, "person_name"),
            language=locale or None,
            properties=properties,
        )
    except ContactError as error:
        raise contact_error(error) from None
    return contact


def list_memberships(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """GET /v1/autopilot/{email|sms}/memberships.json: cursor pagination through the Link header."""
    platform = _platform(platform)
    campaign = _autopilot(platform)
    if campaign is None:
        return json_response([])
    members = Audience.objects.filter(campaign=campaign).select_related("contact")
    if params.get("person_id"):
        members = members.filter(contact_id=id_param(params, "person_id"))
    if email := text_param(params, "person_email"):
        members = members.filter(contact__email__iexact=email)
    if phone := text_param(params, "person_phone_number"):
        try:
            members = members.filter(contact__phone=normalize_phone(phone))
        except ContactError:
            members = members.none()
    rows, headers = cursor_page(request, members, params)
    pending = {
        invitation.contact_id: invitation
        for invitation in Invitation.objects.filter(
            campaign=campaign, contact_id__in=[m.contact_id for m in rows], state=Invitation.State.QUEUED
        ).order_by("-scheduled_for")
    }
    return json_response([_membership(member, pending) for member in rows], headers=headers)


def add_membership(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """POST /v1/autopilot/{email|sms}/memberships.json: add a person (or replace their properties)."""
    platform = _platform(platform)
    campaign = _autopilot_or_422(platform)
    mapping_param(params, "properties")
    with transaction.atomic():
        contact = _person_for_membership(params, create=True, platform=platform)
        try:
            services.add_to_audience(campaign, contact)
        except services.CampaignError as error:
            raise invalid("platform", str(error)) from None
    return json_response({"person": person(contact), "properties": contact.properties or {}})


def remove_membership(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """DELETE /v1/autopilot/{email|sms}/memberships.json: no more autopilot surveys for this person."""
    platform = _platform(platform)
    campaign = _autopilot_or_422(platform)
    contact = _person_for_membership(params, create=False, platform=platform)
    services.remove_from_audience(campaign, contact)
    return json_response({"person": person(contact)})
