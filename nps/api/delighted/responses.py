"""Survey responses: /v1/survey_responses.json (list, add) and /v1/survey_responses/{id}.json (read, change).

The objects are responses.serializers.survey_response, the same ones the webhooks send.
"""

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from nps.inputs import parse_id
from responses import services as answers
from responses.models import Answer
from responses.serializers import survey_response, with_payload_relations
from surveys.contacts import ContactError, upsert_contact
from surveys.models import Campaign, Channel, Contact

from ..common import ApiError
from .people import contact_error, default_campaign
from .protocol import (
    created_between,
    expand_param,
    id_param,
    integer_param,
    invalid,
    json_response,
    mapping_param,
    moment_param,
    not_found,
    page_params,
    text_param,
)


def _answers():
    # With their tags and case notes fetched per page, not per response.
    return with_payload_relations(Answer.objects.all())


ORDERS = {
    "asc": ("answered_at", "pk"),
    "desc": ("-answered_at", "-pk"),
    "asc:updated_at": ("updated_at", "pk"),
    "desc:updated_at": ("-updated_at", "-pk"),
}


def list_responses(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/survey_responses.json: oldest first unless order says otherwise, page/per_page."""
    per_page, page = page_params(params)
    order = text_param(params, "order") or "asc"
    if order not in ORDERS:
        raise invalid("order", "is not included in the list (asc, desc, asc:updated_at, desc:updated_at)")
    rows = created_between(_answers(), params, "answered_at")
    rows = created_between(rows, params, "updated_at", since="updated_since", until="updated_until")
    if params.get("trend"):
        rows = rows.filter(campaign_id=id_param(params, "trend"))
    if params.get("person_id"):
        rows = rows.filter(contact_id=id_param(params, "person_id"))
    if email := text_param(params, "person_email"):
        rows = rows.filter(contact__email__iexact=email)
    rows = rows.order_by(*ORDERS[order])[(page - 1) * per_page : page * per_page]
    expand = expand_param(params)
    return json_response([survey_response(answer, expand) for answer in rows])


def _score(params: dict, *, required: bool) -> int | None:
    if params.get("score") in (None, ""):
        if required:
            raise invalid("score", "can't be blank")
        return None
    return integer_param(params, "score", low=0, high=10)


def _merge_person_properties(contact: Contact | None, params: dict) -> None:
    properties = mapping_param(params, "person_properties")
    if properties and contact is not None:
        try:
            upsert_contact(contact=contact, properties=properties)
        except ContactError as error:
            raise contact_error(error) from None


def create_response(request: HttpRequest, params: dict) -> HttpResponse:
    """POST /v1/survey_responses.json: a score (and comment) a person gave outside OpenNPS."""
    if params.get("person") in (None, ""):
        raise invalid("person", "can't be blank")
    if isinstance(params["person"], dict):
        params["person"] = params["person"].get("id", "")
    try:
        person_id = id_param(params, "person")
    except ApiError:
        person_id = None
    contact = Contact.objects.filter(pk=person_id).first() if person_id else None
    if contact is None:
        raise invalid("person", f"no person has the id {params['person']}")
    score = _score(params, required=True)
    comment = text_param(params, "comment") or ""
    answered_at = moment_param(params, "created_at")
    if answered_at and answered_at > timezone.now() + timedelta(minutes=5):
        raise invalid("created_at", "can't be in the future")
    campaign = _campaign_for_responses(params)
    with transaction.atomic():
        _merge_person_properties(contact, params)
        answer = answers.create_response(
            contact=contact,
            campaign=campaign,
            score=score,
            channel=Channel.LINK,
            comment=comment,
            answered_at=answered_at,
        )
    answer = _answers().get(pk=answer.pk)
    return json_response(survey_response(answer, expand_param(params)), status=201)


def _campaign_for_responses(params: dict) -> Campaign:
    """Where a response added through the API is counted: the campaign `trend` names, else a default."""
    if params.get("trend"):
        return default_campaign(Channel.EMAIL, params)
    # Delighted has no campaigns: the newest running one, else the newest one not archived.
    campaigns = Campaign.objects.active().order_by("-created_at")
    campaign = campaigns.filter(status=Campaign.Status.RUNNING).first() or campaigns.first()
    if campaign is None:
        raise invalid("trend", "no campaign to add the response to: create a campaign in OpenNPS first")
    return campaign


def _find_response(response_id: str) -> Answer:
    pk = parse_id(response_id.removesuffix(".json"))
    answer = _answers().filter(pk=pk).first() if pk is not None else None
    if answer is None:
        raise not_found()
    return answer


def retrieve_response(request: HttpRequest, params: dict, response_id: str) -> HttpResponse:
    """GET /v1/survey_responses/{id}.json"""
    return json_response(survey_response(_find_response(response_id), expand_param(params)))


def update_response(request: HttpRequest, params: dict, response_id: str) -> HttpResponse:
    """PUT /v1/survey_responses/{id}.json: change score, comment or person_properties.

    Read-only fields (id, person, permalink, …) in the body are ignored: Delighted's clients send the
    whole object back. So are `notes` and `tags`, as Delighted's API did: they are written on the case
    (the case page, or the native API's /api/v1/cases).
    """
    answer = _find_response(response_id)
    score = _score(params, required=False)
    comment = params.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise invalid("comment", "must be a string")
    with transaction.atomic():
        _merge_person_properties(answer.contact, params)
        answers.update_response(answer, score=score, comment=comment)
    return json_response(survey_response(_answers().get(pk=answer.pk), expand_param(params)))
