"""People: /v1/people.json (create, list, erase) and /v1/people/{id}/survey_requests/pending.json.

A Delighted person is an OpenNPS contact; creating one may also request a survey, as Delighted does.
"""

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse

from nps.inputs import parse_id
from responses.models import Answer
from surveys import services
from surveys.contacts import (
    ContactError,
    cancel_pending,
    erase_contact,
    normalize_phone,
    record_last_surveyed,
    upsert_contact,
)
from surveys.models import Campaign, Channel, Contact, Invitation
from surveys.serializers import person, timestamp

from ..common import ApiError, has_nul
from .protocol import (
    PLATFORMS,
    boolean_param,
    created_between,
    cursor_page,
    id_param,
    integer_param,
    invalid,
    json_response,
    mapping_param,
    moment_param,
    not_found,
    text_param,
)

# Delighted's special survey properties: they change the survey, they do not describe the person.
LOCALE = "locale"
# Special properties of Delighted that OpenNPS has no use for; accepted and ignored, never stored.
IGNORED_PROPERTIES = {"delighted_email_subject", "delighted_intro_message", "thank_you_link_text"}


def find_person(identifier: str) -> Contact:
    """A person by id, email:…, phone_number:… (Delighted's identifiers) or a bare email address."""
    identifier = identifier.strip()
    if has_nul(identifier):
        raise not_found()
    kind, _, value = identifier.partition(":")
    if kind == "email" or (not value and "@" in identifier):
        email = value if kind == "email" else identifier
        contact = Contact.objects.filter(email__iexact=email.strip()).first()
    elif kind == "phone_number":
        try:
            phone = normalize_phone(value)
        except ContactError:
            raise not_found() from None
        contact = Contact.objects.filter(phone=phone).first()
    elif (pk := parse_id(identifier)) is not None:
        contact = Contact.objects.filter(pk=pk).first()
    else:
        contact = None
    if contact is None:
        raise not_found()
    return contact


def contact_error(error: ContactError) -> ApiError:
    field = {"phone": "phone_number"}.get(error.field, error.field or "base")
    return invalid(field, str(error))


def default_campaign(channel: str, params: dict) -> Campaign:
    """Where a survey request goes: the campaign named by `trend`, else the newest running campaign that
    sends on this channel (recurring ones last: they are autopilot's)."""
    if trend := params.get("trend"):
        campaign = Campaign.objects.active().filter(pk=id_param(params, "trend")).first()
        if campaign is None:
            raise invalid("trend", f"no campaign has the id {trend}")
        return campaign
    candidates = Campaign.objects.filter(status=Campaign.Status.RUNNING).order_by("-created_at")
    found = [c for c in candidates if channel in c.channels]
    found.sort(key=lambda c: c.schedule == Campaign.Schedule.RECURRING)
    if not found:
        raise invalid(
            "channel",
            f"no running campaign sends by {channel}: launch one in OpenNPS, or pass its id as trend",
        )
    return found[0]


def create_person(request: HttpRequest, params: dict) -> HttpResponse:
    """POST /v1/people.json: create or update a person and, unless send=false, schedule a survey."""
    channel = text_param(params, "channel") or Channel.EMAIL
    if channel not in PLATFORMS:
        raise invalid("channel", "is not included in the list (email, sms)")
    email, phone = text_param(params, "email"), text_param(params, "phone_number")
    if channel == Channel.SMS and not phone:
        raise invalid("phone_number", "can't be blank")
    if not email and not phone:
        raise invalid("email", "can't be blank")
    delay = integer_param(params, "delay", default=0, low=0, high=60 * 60 * 24 * 365)
    send = boolean_param(params, "send", default=True)
    last_sent_at = moment_param(params, "last_sent_at")
    given = mapping_param(params, "properties") or {}
    properties = {key: value for key, value in given.items() if key not in IGNORED_PROPERTIES}
    locale = str(properties.pop(LOCALE, "") or "").strip()
    survey_properties = {
        key: properties.pop(key) for key in list(properties) if key in services.SURVEY_PROPERTIES
    }
    if locale:
        survey_properties[LOCALE] = locale
    link = survey_properties.get("thank_you_link_url")
    if link and not str(link).startswith(("https://", "http://")):
        raise invalid("properties", "thank_you_link_url must be an http(s) URL")
    new_email, new_phone = text_param(params, "email_update"), text_param(params, "phone_number_update")

    campaign = default_campaign(channel, params) if send else None
    with transaction.atomic():
        try:
            contact, _ = upsert_contact(
                email=email or None,
                phone=phone or None,
                name=text_param(params, "name"),
                language=locale or None,
                properties=properties,
            )
            if new_email or new_phone:
                contact, _ = upsert_contact(contact=contact, email=new_email or None, phone=new_phone or None)
        except ContactError as error:
            raise contact_error(error) from None
        if last_sent_at:
            record_last_surveyed(contact, last_sent_at)
        scheduled = None
        if campaign is not None:
            try:
                scheduled = services.request_survey(
                    contact,
                    campaign=campaign,
                    channel=channel,
                    delay_seconds=delay,
                    properties=survey_properties,
                ).scheduled_for
            except services.SurveyRequestError as error:
                # Delighted skips a throttled, unsubscribed or already scheduled person without an error.
                if error.status != 409 or error.field == "campaign":
                    field = {"campaign": "trend", "": "base"}.get(error.field, error.field)
                    raise invalid(field, str(error)) from None
    body = person(contact, survey_scheduled_at=timestamp(scheduled), properties=given)
    return json_response(body)


def list_people(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/people.json: people in creation order, cursor pagination through the Link header."""
    people = Contact.objects.all()
    people = created_between(people, params, "created_at")
    email, phone = text_param(params, "email"), text_param(params, "phone_number")
    if email and phone:
        raise invalid("base", "pass either email or phone_number, not both")
    if email:
        people = people.filter(email__iexact=email)
    if phone:
        try:
            people = people.filter(phone=normalize_phone(phone))
        except ContactError:
            people = people.none()
    people = people.annotate(
        last_responded_at=Subquery(
            Answer.objects.filter(contact=OuterRef("pk")).order_by("-answered_at").values("answered_at")[:1]
        ),
        next_survey_at=Subquery(
            Invitation.objects.filter(contact=OuterRef("pk"), state=Invitation.State.QUEUED)
            .order_by("scheduled_for")
            .values("scheduled_for")[:1]
        ),
    )
    rows, headers = cursor_page(request, people, params)
    body = [
        person(
            contact,
            last_sent_at=timestamp(contact.last_surveyed_at),
            last_responded_at=timestamp(contact.last_responded_at),
            next_survey_scheduled_at=timestamp(contact.next_survey_at),
        )
        for contact in rows
    ]
    return json_response(body, headers=headers)


def delete_person(request: HttpRequest, params: dict, identifier: str) -> HttpResponse:
    """DELETE /v1/people/{id|email:…|phone_number:…}: erase the person's personal data."""
    contact = find_person(identifier.removesuffix(".json"))
    erase_contact(contact)
    return json_response({"ok": True}, status=202)


def delete_pending(request: HttpRequest, params: dict, identifier: str) -> HttpResponse:
    """DELETE /v1/people/{email}/survey_requests/pending.json: cancel the surveys not sent yet."""
    contact = find_person(identifier)
    cancel_pending(contact, reason="Cancelled through the API before it was sent.")
    return json_response({"ok": True})
