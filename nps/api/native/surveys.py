"""Native API: contacts, survey requests, unsubscribes and bounces, campaigns (the surveys app's data)."""

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_validator

from surveys import privacy, services
from surveys.contacts import (
    ContactError,
    erase_contact,
    normalize_email,
    normalize_phone,
    suppress,
    upsert_contact,
)
from surveys.models import Campaign, Contact, Invitation, Suppression

from ..common import ApiError
from .auth import write_key
from .errors import not_found
from .schemas import PAGE_LIMIT, Error, Id, In, Moment, Page, paginate, refuse_nul, responses

contacts = Router()
survey_requests = Router()
suppressions = Router()
campaigns = Router()

Limit = Field(50, ge=1, le=PAGE_LIMIT, description=f"Rows per page, at most {PAGE_LIMIT}.")
Cursor = Field(None, max_length=100, description="The `next_cursor` of the previous page.")


def _contact(pk: int) -> Contact:
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        raise not_found("contact", pk)
    return contact


def _raise(error: ContactError | services.SurveyRequestError, status: int = 422):
    field = getattr(error, "field", "")
    raise ApiError(getattr(error, "status", status), str(error), field=f"body.{field}" if field else "")


# Contacts -----------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    email: str | None
    phone: str | None
    name: str
    language: str
    time_zone: str
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    last_surveyed_at: datetime | None

    @staticmethod
    def resolve_phone(contact) -> str | None:
        return str(contact.phone) if contact.phone else None


class ContactIn(In):
    email: str | None = Field(None, max_length=254, examples=["ana@example.com"])
    phone: str | None = Field(None, max_length=32, description="E.164 preferred, e.g. +919876543210.")
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=10, description="e.g. `hi`, `pt-BR`.")
    time_zone: str | None = Field(None, max_length=64, description="e.g. `Asia/Kolkata`.")
    properties: dict[str, Any] | None = Field(
        None, description="Free properties (plan, region, …), merged into the existing ones; null removes."
    )


class ContactList(Page):
    data: list[ContactOut]


class ContactFilters(Schema):
    email: str | None = Field(None, max_length=254, description="Exact email (any case).")
    phone: str | None = Field(None, max_length=32, description="Exact phone number.")
    cursor: str | None = Cursor
    limit: int = Limit

    @field_validator("email", "phone", "cursor")
    @classmethod
    def no_nul(cls, value):
        return refuse_nul(value)


@contacts.get("", response=responses({200: ContactList}), summary="List contacts")
def list_contacts(request, filters: Query[ContactFilters]):
    """Contacts, oldest first, by cursor."""
    queryset = Contact.objects.all()
    if filters.email:
        queryset = queryset.filter(email__iexact=filters.email.strip())
    if filters.phone:
        try:
            queryset = queryset.filter(phone=normalize_phone(filters.phone))
        except ContactError as error:
            raise ApiError(422, str(error), field="query.phone") from None
    rows, cursor = paginate(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"data": rows, "next_cursor": cursor}


@contacts.post(
    "",
    response=responses({200: ContactOut, 201: ContactOut}),
    auth=write_key,
    summary="Create or update a contact",
)
def create_contact(request, payload: ContactIn):
    """Creates a contact, or updates the one with this email (else phone number): 201 when created."""
    try:
        contact, created = upsert_contact(**payload.dict())
    except ContactError as error:
        _raise(error)
    return Status(201 if created else 200, contact)


@contacts.get("/{contact_id}", response=responses({200: ContactOut}), summary="Read a contact")
def get_contact(request, contact_id: Id):
    return _contact(contact_id)


class ContactExport(Schema):
    """Everything OpenNPS holds about the contact (docs/privacy.md, "Export")."""

    model_config = ConfigDict(extra="allow")  # apps add their part (answers; cases next)

    format: str = Field(description="`opennps.contact-export/1`; a new version adds a number.")
    exported_at: datetime
    contact: dict[str, Any] = Field(description="Email, phone, name, language, time zone, properties, dates.")
    campaigns: list[dict[str, Any]] = Field(description="The campaign audiences the contact is in.")
    invitations: list[dict[str, Any]] = Field(description="Every survey sent or queued to them.")
    suppressions: list[dict[str, Any]] = Field(description="Suppression-list entries of their addresses.")
    webhook_events: list[dict[str, Any]] = Field(description="Events about them sent to your webhooks.")
    answers: list[dict[str, Any]] = Field(description="Their answers: score, comment, notes, dates.")


@contacts.get(
    "/{contact_id}/export",
    response=responses({200: ContactExport}),
    summary="Export everything about a contact",
)
def export_contact(request, contact_id: Id):
    """The contact's full data as one JSON document (a data subject's access or portability request).

    The export is recorded in the audit log, with the API key that asked for it.
    """
    return privacy.export_contact(_contact(contact_id))


@contacts.patch(
    "/{contact_id}", response=responses({200: ContactOut}), auth=write_key, summary="Update a contact"
)
def update_contact(request, contact_id: Id, payload: ContactIn):
    """Changes the fields sent; others are kept. Properties are merged; a property set to null is removed."""
    contact = _contact(contact_id)
    try:
        contact, _ = upsert_contact(contact=contact, **payload.dict(exclude_unset=True))
    except ContactError as error:
        _raise(error)
    return contact


@contacts.delete("/{contact_id}", response=responses({204: None}), auth=write_key, summary="Erase a contact")
def delete_contact(request, contact_id: Id):
    """Erases the contact's personal data for good (email, phone, name, properties, survey links).

    Their answers stay in the figures, anonymised: no longer linked to anyone. Webhook deliveries about
    them lose their data, and those not delivered yet are cancelled, never sent.
    """
    erase_contact(_contact(contact_id))
    return Status(204, None)


# Survey requests ----------------------------------------------------------------------------------


class SurveyRequestIn(In):
    contact_id: Id | None = Field(None, description="The contact to survey; or give `email`/`phone`.")
    email: str | None = Field(None, max_length=254, description="Creates or updates the contact first.")
    phone: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=200)
    campaign_id: Id
    channel: Literal["email", "sms", "whatsapp"] = "email"
    delay: int = Field(0, ge=0, le=31_536_000, description="Seconds to wait before sending (0: now).")
    properties: dict[str, Any] | None = Field(
        None,
        description="Merged into the contact's properties; `locale`, `question_product_name`, "
        "`thank_you_message` and `thank_you_link_url` change this survey only.",
    )


class SurveyRequestOut(Schema):
    id: int
    contact_id: int
    campaign_id: int
    channel: str
    state: str
    scheduled_for: datetime
    created_at: datetime


@survey_requests.post(
    "",
    response=responses({201: SurveyRequestOut, 409: Error}),
    auth=write_key,
    summary="Survey a contact now or after a delay",
)
def create_survey_request(request, payload: SurveyRequestIn):
    """Queues one survey of the contact on the campaign and channel; sent at once or after `delay` seconds.

    409 when the campaign is not launched, the address is suppressed, the contact was surveyed within the
    campaign's throttle, or a survey is already pending.
    """
    campaign = Campaign.objects.select_related("brand").filter(pk=payload.campaign_id).first()
    if campaign is None:
        raise ApiError(404, f"No campaign with id {payload.campaign_id}.", field="body.campaign_id")
    try:
        with transaction.atomic():
            if payload.contact_id is not None:
                if payload.email or payload.phone:
                    raise ApiError(
                        422, "Give either contact_id or email/phone, not both.", field="body.contact_id"
                    )
                contact = Contact.objects.filter(pk=payload.contact_id).first()
                if contact is None:
                    raise ApiError(404, f"No contact with id {payload.contact_id}.", field="body.contact_id")
            else:
                if not (payload.email or payload.phone):
                    raise ApiError(
                        422, "Give the contact: contact_id, or an email or phone number.", field="body.email"
                    )
                contact, _ = upsert_contact(email=payload.email, phone=payload.phone, name=payload.name)
            invitation = services.request_survey(
                contact,
                campaign=campaign,
                channel=payload.channel,
                delay_seconds=payload.delay,
                properties=payload.properties,
            )
    except (ContactError, services.SurveyRequestError) as error:
        _raise(error)
    invitation.refresh_from_db()
    return Status(201, invitation)


@survey_requests.get(
    "/{request_id}", response=responses({200: SurveyRequestOut}), summary="Read a survey request"
)
def get_survey_request(request, request_id: Id):
    """The survey's state: queued → sending → sent, or failed / suppressed."""
    invitation = Invitation.objects.filter(pk=request_id).first()
    if invitation is None:
        raise not_found("survey request", request_id)
    return invitation


# Unsubscribes and bounces -------------------------------------------------------------------------


class SuppressionOut(Schema):
    address: str = Field(description="Lower-case email or E.164 phone number.")
    reason: str
    detail: str
    created_at: datetime
    id: int


class SuppressionList(Page):
    data: list[SuppressionOut]


class SuppressionIn(In):
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    detail: str = Field("", max_length=2000, description="Why, for your records.")


class SuppressionFilters(Schema):
    since: Moment | None = Field(None, description="Added at or after this moment.")
    until: Moment | None = Field(None, description="Added before this moment.")
    cursor: str | None = Cursor
    limit: int = Limit


def _suppressions(reasons, filters: SuppressionFilters):
    queryset = Suppression.objects.filter(reason__in=reasons)
    if filters.since:
        queryset = queryset.filter(created_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__lt=filters.until)
    rows, cursor = paginate(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"data": rows, "next_cursor": cursor}


def _suppress(payload: SuppressionIn, reason: str):
    if bool(payload.email) == bool(payload.phone):
        raise ApiError(422, "Give exactly one of email or phone.", field="body.email")
    try:
        address = normalize_email(payload.email) if payload.email else normalize_phone(payload.phone)
    except ContactError as error:
        _raise(error)
    existed = Suppression.objects.filter(address=address).exists()
    suppression = suppress(address, reason=reason, detail=payload.detail)
    return Status(200 if existed else 201, suppression)


@suppressions.get("unsubscribes", response=responses({200: SuppressionList}), summary="List unsubscribes")
def list_unsubscribes(request, filters: Query[SuppressionFilters]):
    """Addresses that asked for no more surveys (including spam complaints and ones added by hand)."""
    reasons = [Suppression.Reason.UNSUBSCRIBED, Suppression.Reason.COMPLAINED, Suppression.Reason.MANUAL]
    return _suppressions(reasons, filters)


@suppressions.post(
    "unsubscribes",
    response=responses({200: SuppressionOut, 201: SuppressionOut}),
    auth=write_key,
    summary="Unsubscribe an address",
)
def add_unsubscribe(request, payload: SuppressionIn):
    """Never survey this address again; 200 when it was already suppressed (its first reason is kept)."""
    return _suppress(payload, Suppression.Reason.UNSUBSCRIBED)


@suppressions.get("bounces", response=responses({200: SuppressionList}), summary="List bounces")
def list_bounces(request, filters: Query[SuppressionFilters]):
    """Addresses whose surveys bounced; they are not surveyed again."""
    return _suppressions([Suppression.Reason.BOUNCED], filters)


@suppressions.post(
    "bounces",
    response=responses({200: SuppressionOut, 201: SuppressionOut}),
    auth=write_key,
    summary="Record a bounce",
)
def add_bounce(request, payload: SuppressionIn):
    """Record a bounce reported elsewhere (e.g. by your own mail system); the address is not surveyed again."""
    return _suppress(payload, Suppression.Reason.BOUNCED)


# Campaigns ----------------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    channels: list[str]
    brand: str
    question: str
    schedule: str
    recur_days: int | None
    throttle_days: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_brand(campaign) -> str:
        return campaign.brand.name

    @staticmethod
    def resolve_question(campaign) -> str:
        return campaign.text("question")


class CampaignList(Page):
    data: list[CampaignOut]


class CampaignFilters(Schema):
    status: Literal["draft", "scheduled", "running", "paused", "archived"] | None = None
    channel: Literal["email", "sms", "whatsapp", "web", "link", "kiosk", "phone"] | None = None
    cursor: str | None = Cursor
    limit: int = Limit


@campaigns.get("", response=responses({200: CampaignList}), summary="List campaigns")
def list_campaigns(request, filters: Query[CampaignFilters]):
    queryset = Campaign.objects.select_related("brand")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.channel:
        queryset = queryset.filter(channels__contains=[filters.channel])
    rows, cursor = paginate(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"data": rows, "next_cursor": cursor}


@campaigns.get("/{campaign_id}", response=responses({200: CampaignOut}), summary="Read a campaign")
def get_campaign(request, campaign_id: Id):
    try:
        return get_object_or_404(Campaign.objects.select_related("brand"), pk=campaign_id)
    except Http404:
        raise not_found("campaign", campaign_id) from None
