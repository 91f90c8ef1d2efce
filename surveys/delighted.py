"""The Delighted-compatible API (/v1/…): Delighted's paths, parameters, JSON shapes, pagination and errors.

Code written for Delighted's public API (its official clients or plain HTTP) works against OpenNPS when only
the base URL changes. These views only translate: every write goes through the services the native API
uses (surveys.services, surveys.delivery, responses.services), every figure through dashboards.queries.
docs/api.md lists the mapping and every known difference.
"""

import base64
import binascii
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from dashboards import queries
from dashboards.filters import workspace_tz
from nps.apikeys import authenticate, check_rate
from nps.roles import public
from responses import services as answers
from responses.models import Answer

from . import delivery, services
from .models import Audience, Campaign, Channel, Contact, Invitation, Suppression

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100
MAX_ID = 2**63 - 1  # bigint primary keys
PLATFORMS = (Channel.EMAIL, Channel.SMS)
# Delighted's special survey properties: they change the survey, they do not describe the person.
LOCALE = "locale"
# Special properties of Delighted that OpenNPS has no use for; accepted and ignored, never stored.
IGNORED_PROPERTIES = {"delighted_email_subject", "delighted_intro_message", "thank_you_link_text"}


# Errors ------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answered in Delighted's shape: {"status": 4xx, "message": "…"[, "errors": {field: […]}]}."""

    def __init__(self, status: int, message: str, *, errors: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        body: dict = {"status": self.status, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        response = JsonResponse(body, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def invalid(field: str, message: str) -> ApiError:
    """422 with one field error, as Delighted reports validation failures."""
    return ApiError(422, "Unprocessable Entity", errors={field: [message]})


def not_found(what: str = "Not Found") -> ApiError:
    return ApiError(404, what)


# Authentication, rate limit and parameters -------------------------------------------------------


def _api_key(request: HttpRequest):
    """HTTP Basic with the API key as the user name (empty password; Delighted's clients send no colon)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise ApiError(
            401,
            "Authentication required: use HTTP Basic with your API key as the user name and an empty password.",
            headers={"WWW-Authenticate": 'Basic realm="OpenNPS API"'},
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    key = authenticate(decoded.partition(":")[0].strip())
    if key is None:
        raise ApiError(401, "Invalid API key.", headers={"WWW-Authenticate": 'Basic realm="OpenNPS API"'})
    return key


def _nest(items) -> dict:
    """Rails-style form keys as Delighted reads them: properties[plan]=pro, expand[]=person."""
    data: dict = {}
    for key, values in items:
        if key.endswith("[]"):
            data.setdefault(key[:-2], []).extend(values)
        elif "[" in key and key.endswith("]"):
            name, _, sub = key[:-1].partition("[")
            target = data.setdefault(name, {})
            if isinstance(target, dict):
                target[sub] = values[-1]
        else:
            data[key] = values[-1]
    return data


def _params(request: HttpRequest) -> dict:
    """Query string and body (JSON or form-encoded) as one dict; the body wins."""
    data = _nest(request.GET.lists())
    if request.method != "GET" and request.body:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            data.update(body)
        elif request.content_type == "application/x-www-form-urlencoded":
            data.update(_nest(QueryDict(request.body).lists()))
    for name, value in data.items():
        if _has_nul(value):
            raise invalid(name, "must not contain the NUL character (U+0000)")
    return data


def _has_nul(value) -> bool:
    """PostgreSQL text and JSON cannot hold U+0000: such input is refused, not a database error."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def endpoint(**handlers: Callable) -> Callable:
    """One URL of the API: a handler per HTTP method, each called as handler(request, params, **kwargs).

    Every request is authenticated by API key, counted against the key's rate limit and, unless it only
    reads, refused to read-only keys. Errors of any handler become Delighted's JSON error shapes.
    """
    allowed = ", ".join(sorted(method.upper() for method in handlers))

    @public  # authenticated by API key, not by a session
    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        try:
            key = _api_key(request)
            if (wait := check_rate(key)) is not None:
                raise ApiError(
                    429,
                    f"Too Many Requests: this API key made too many requests; retry in {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )
            handler = handlers.get(request.method.lower())
            if handler is None:
                raise ApiError(405, f"Method Not Allowed: use {allowed}.", headers={"Allow": allowed})
            if request.method != "GET" and not key.can_write:
                raise ApiError(403, "Forbidden: this API key is read-only.")
            return handler(request, _params(request), **kwargs)
        except ApiError as error:
            return error.response()

    view.__name__ = "_".join(handler.__name__ for handler in handlers.values())
    view.__qualname__ = view.__name__
    return view


@public
@csrf_exempt
def unknown(request: HttpRequest, **kwargs) -> HttpResponse:
    return not_found().response()


# Values ------------------------------------------------------------------------------------------


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def _text(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise invalid(name, "must be a string")
    return str(value).strip()


def _integer(params: dict, name: str, *, default=None, low=None, high=None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
        if isinstance(value, float) and value != number:
            raise ValueError
    except ValueError:
        raise invalid(name, "must be an integer") from None
    if low is not None and number < low:
        raise invalid(name, f"must be greater than or equal to {low}")
    if high is not None and number > high:
        raise invalid(name, f"must be less than or equal to {high}")
    return number


def _id(params: dict, name: str) -> int | None:
    """An id parameter; out-of-range numbers are invalid, not a database error."""
    return _integer(params, name, low=1, high=MAX_ID)


def _moment(params: dict, name: str) -> datetime | None:
    """A Unix timestamp parameter as an aware datetime."""
    seconds = _integer(params, name, low=0, high=253402300799)
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds is not None else None


def _boolean(params: dict, name: str, *, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise invalid(name, "must be true or false")


def _mapping(params: dict, name: str) -> dict | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise invalid(name, "must be a hash of names and values")
    return {str(key): item for key, item in value.items()}


def _expand(params: dict) -> set[str]:
    value = params.get("expand") or []
    return {str(item) for item in (value if isinstance(value, list) else [value])}


def _page(params: dict) -> tuple[int, int]:
    # Like Delighted, a per_page above the maximum is served at the maximum rather than refused.
    per_page = min(_integer(params, "per_page", default=PER_PAGE_DEFAULT, low=1), PER_PAGE_MAX)
    page = _integer(params, "page", default=1, low=1, high=1_000_000)
    return per_page, page


def _created_between(queryset, params: dict, field: str, *, since="since", until="until"):
    """Filter on [since, until], both inclusive to the second, as Delighted documents them."""
    start, end = _moment(params, since), _moment(params, until)
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lt": end + timedelta(seconds=1)})
    return queryset


def _cursor_page(request: HttpRequest, queryset, params: dict) -> tuple[list, dict]:
    """Keyset pagination on the primary key, with Delighted's page_info cursor and Link rel="next"."""
    # Like Delighted, a per_page above the maximum is served at the maximum rather than refused.
    per_page = min(_integer(params, "per_page", default=PER_PAGE_DEFAULT, low=1), PER_PAGE_MAX)
    after = 0
    if cursor := params.get("page_info"):
        try:
            after = int(base64.urlsafe_b64decode(str(cursor).encode() + b"==").decode())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("page_info", "is not a cursor from a Link header of this API") from None
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: per_page + 1])
    headers = {}
    if len(rows) > per_page:
        rows = rows[:per_page]
        query = {k: v for k, v in request.GET.items() if k != "page_info"}
        query["page_info"] = base64.urlsafe_b64encode(str(rows[-1].pk).encode()).decode().rstrip("=")
        url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        headers["Link"] = f'<{url}>; rel="next"'
    return rows, headers


def _json(data, *, status: int = 200, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# People ------------------------------------------------------------------------------------------


def _person(contact: Contact, **extra) -> dict:
    return {
        "id": str(contact.pk),
        "email": contact.email or None,
        "name": contact.name or None,
        "created_at": _ts(contact.created_at),
        "phone_number": str(contact.phone) if contact.phone else None,
        **extra,
    }


def _find_person(identifier: str) -> Contact:
    """A person by id, email:…, phone_number:… (Delighted's identifiers) or a bare email address."""
    identifier = identifier.strip()
    if "\x00" in identifier:
        raise not_found()
    kind, _, value = identifier.partition(":")
    if kind == "email" or (not value and "@" in identifier):
        email = value if kind == "email" else identifier
        contact = Contact.objects.filter(email__iexact=email.strip()).first()
    elif kind == "phone_number":
        try:
            phone = services.normalize_phone(value)
        except services.ContactError:
            raise not_found() from None
        contact = Contact.objects.filter(phone=phone).first()
    elif identifier.isdigit() and len(identifier) < 19:
        contact = Contact.objects.filter(pk=int(identifier)).first()
    else:
        contact = None
    if contact is None:
        raise not_found()
    return contact


def _contact_error(error: services.ContactError) -> ApiError:
    field = {"phone": "phone_number"}.get(error.field, error.field or "base")
    return invalid(field, str(error))


def _default_campaign(channel: str, params: dict) -> Campaign:
    """Where a survey request goes: the campaign named by `trend`, else the newest running campaign that
    sends on this channel (recurring ones last: they are autopilot's)."""
    if trend := params.get("trend"):
        campaign = Campaign.objects.active().filter(pk=_id(params, "trend")).first()
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
    channel = _text(params, "channel") or Channel.EMAIL
    if channel not in PLATFORMS:
        raise invalid("channel", "is not included in the list (email, sms)")
    email, phone = _text(params, "email"), _text(params, "phone_number")
    if channel == Channel.SMS and not phone:
        raise invalid("phone_number", "can't be blank")
    if not email and not phone:
        raise invalid("email", "can't be blank")
    delay = _integer(params, "delay", default=0, low=0, high=60 * 60 * 24 * 365)
    send = _boolean(params, "send", default=True)
    last_sent_at = _moment(params, "last_sent_at")
    given = _mapping(params, "properties") or {}
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
    new_email, new_phone = _text(params, "email_update"), _text(params, "phone_number_update")

    campaign = _default_campaign(channel, params) if send else None
    with transaction.atomic():
        try:
            contact, _ = services.upsert_contact(
                email=email or None,
                phone=phone or None,
                name=_text(params, "name"),
                language=locale or None,
                properties=properties,
            )
            if new_email or new_phone:
                contact, _ = services.upsert_contact(
                    contact=contact, email=new_email or None, phone=new_phone or None
                )
        except services.ContactError as error:
            raise _contact_error(error) from None
        if last_sent_at:
            Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=last_sent_at)
            contact.last_surveyed_at = last_sent_at
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
    body = _person(contact, survey_scheduled_at=_ts(scheduled), properties=given)
    return _json(body)


def list_people(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/people.json: people in creation order, cursor pagination through the Link header."""
    people = Contact.objects.all()
    people = _created_between(people, params, "created_at")
    email, phone = _text(params, "email"), _text(params, "phone_number")
    if email and phone:
        raise invalid("base", "pass either email or phone_number, not both")
    if email:
        people = people.filter(email__iexact=email)
    if phone:
        try:
            people = people.filter(phone=services.normalize_phone(phone))
        except services.ContactError:
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
    rows, headers = _cursor_page(request, people, params)
    body = [
        _person(
            contact,
            last_sent_at=_ts(contact.last_surveyed_at),
            last_responded_at=_ts(contact.last_responded_at),
            next_survey_scheduled_at=_ts(contact.next_survey_at),
        )
        for contact in rows
    ]
    return _json(body, headers=headers)


def delete_person(request: HttpRequest, params: dict, identifier: str) -> HttpResponse:
    """DELETE /v1/people/{id|email:…|phone_number:…}: erase the person's personal data."""
    contact = _find_person(identifier.removesuffix(".json"))
    services.erase_contact(contact)
    return _json({"ok": True}, status=202)


def delete_pending(request: HttpRequest, params: dict, identifier: str) -> HttpResponse:
    """DELETE /v1/people/{email}/survey_requests/pending.json: cancel the surveys not sent yet."""
    contact = _find_person(identifier)
    delivery.cancel_pending(contact, reason="Cancelled through the API before it was sent.")
    return _json({"ok": True})


# Survey responses --------------------------------------------------------------------------------


def _response(answer: Answer, expand: set[str]) -> dict:
    contact = answer.contact
    person: dict | str | None = None
    if contact is not None:
        person = _person(contact) if "person" in expand else str(contact.pk)
    notes: list = []
    if answer.notes:
        if "notes" in expand:
            author = answer.recorded_by.email if answer.recorded_by else None
            notes = [
                {
                    "id": str(answer.pk),
                    "text": answer.notes,
                    "user_email": author,
                    "created_at": _ts(answer.updated_at),
                }
            ]
        else:
            notes = [str(answer.pk)]
    permalink = ""
    if contact is not None:
        permalink = settings.PUBLIC_BASE_URL + reverse("surveys:contact_detail", args=[contact.pk])
    return {
        "id": str(answer.pk),
        "person": person,
        "survey_type": "nps",
        "score": answer.score,
        "comment": answer.comment or None,
        "permalink": permalink,
        "created_at": _ts(answer.answered_at),
        "updated_at": _ts(answer.updated_at),
        "person_properties": (contact.properties or None) if contact else None,
        "notes": notes,
        "tags": [],
        "additional_answers": [],
    }


def _answers():
    return Answer.objects.select_related("contact", "recorded_by")


ORDERS = {
    "asc": ("answered_at", "pk"),
    "desc": ("-answered_at", "-pk"),
    "asc:updated_at": ("updated_at", "pk"),
    "desc:updated_at": ("-updated_at", "-pk"),
}


def list_responses(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/survey_responses.json: oldest first unless order says otherwise, page/per_page."""
    per_page, page = _page(params)
    order = _text(params, "order") or "asc"
    if order not in ORDERS:
        raise invalid("order", "is not included in the list (asc, desc, asc:updated_at, desc:updated_at)")
    rows = _created_between(_answers(), params, "answered_at")
    rows = _created_between(rows, params, "updated_at", since="updated_since", until="updated_until")
    if params.get("trend"):
        rows = rows.filter(campaign_id=_id(params, "trend"))
    if params.get("person_id"):
        rows = rows.filter(contact_id=_id(params, "person_id"))
    if email := _text(params, "person_email"):
        rows = rows.filter(contact__email__iexact=email)
    rows = rows.order_by(*ORDERS[order])[(page - 1) * per_page : page * per_page]
    expand = _expand(params)
    return _json([_response(answer, expand) for answer in rows])


def _score(params: dict, *, required: bool) -> int | None:
    if params.get("score") in (None, ""):
        if required:
            raise invalid("score", "can't be blank")
        return None
    return _integer(params, "score", low=0, high=10)


def _merge_person_properties(contact: Contact | None, params: dict) -> None:
    properties = _mapping(params, "person_properties")
    if properties and contact is not None:
        try:
            services.upsert_contact(contact=contact, properties=properties)
        except services.ContactError as error:
            raise _contact_error(error) from None


def create_response(request: HttpRequest, params: dict) -> HttpResponse:
    """POST /v1/survey_responses.json: a score (and comment) a person gave outside OpenNPS."""
    if params.get("person") in (None, ""):
        raise invalid("person", "can't be blank")
    if isinstance(params["person"], dict):
        params["person"] = params["person"].get("id", "")
    try:
        person = _id(params, "person")
    except ApiError:
        person = None
    contact = Contact.objects.filter(pk=person).first() if person else None
    if contact is None:
        raise invalid("person", f"no person has the id {params['person']}")
    score = _score(params, required=True)
    comment = _text(params, "comment") or ""
    answered_at = _moment(params, "created_at")
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
    return _json(_response(answer, _expand(params)), status=201)


def _campaign_for_responses(params: dict) -> Campaign:
    """Where a response added through the API is counted: the campaign `trend` names, else a default."""
    if params.get("trend"):
        return _default_campaign(Channel.EMAIL, params)
    # Delighted has no campaigns: the newest running one, else the newest one not archived.
    campaigns = Campaign.objects.active().order_by("-created_at")
    campaign = campaigns.filter(status=Campaign.Status.RUNNING).first() or campaigns.first()
    if campaign is None:
        raise invalid("trend", "no campaign to add the response to: create a campaign in OpenNPS first")
    return campaign


def _find_response(response_id: str) -> Answer:
    response_id = response_id.removesuffix(".json")
    answer = (
        _answers().filter(pk=int(response_id)).first()
        if response_id.isdigit() and len(response_id) < 19
        else None
    )
    if answer is None:
        raise not_found()
    return answer


def retrieve_response(request: HttpRequest, params: dict, response_id: str) -> HttpResponse:
    """GET /v1/survey_responses/{id}.json"""
    return _json(_response(_find_response(response_id), _expand(params)))


def update_response(request: HttpRequest, params: dict, response_id: str) -> HttpResponse:
    """PUT /v1/survey_responses/{id}.json: change score, comment or person_properties.

    Read-only fields (id, person, permalink, …) in the body are ignored: Delighted's clients send the
    whole object back.
    """
    answer = _find_response(response_id)
    score = _score(params, required=False)
    comment = params.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise invalid("comment", "must be a string")
    with transaction.atomic():
        _merge_person_properties(answer.contact, params)
        answers.update_response(answer, score=score, comment=comment)
    return _json(_response(_answers().get(pk=answer.pk), _expand(params)))


# Metrics -----------------------------------------------------------------------------------------


def _rounded(value: float | None) -> int | None:
    """Half away from zero, as people round percentages (Python's round() rounds half to even)."""
    if value is None:
        return None
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def metrics(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/metrics.json: the dashboard's own figures for whole days from `since` to `until`."""
    since, until = _moment(params, "since"), _moment(params, "until")
    campaign_ids: tuple[int, ...] = ()
    if params.get("trend"):
        campaign_ids = (_id(params, "trend"),)
    zone = workspace_tz()
    filters = queries.Filters(
        start=since.astimezone(zone).date() if since else None,
        end=until.astimezone(zone).date() if until else None,
        campaign_ids=campaign_ids,
    )
    split = queries.split(filters)
    # Delighted's shape: a whole NPS (0, not null, with no responses, as its clients expect) and
    # percentages as numbers with one decimal.
    return _json(
        {
            "nps": _rounded(split.nps) or 0,
            "promoter_count": split.promoters,
            "promoter_percent": _percent(split, "promoter"),
            "passive_count": split.passives,
            "passive_percent": _percent(split, "passive"),
            "detractor_count": split.detractors,
            "detractor_percent": _percent(split, "detractor"),
            "response_count": split.total,
        }
    )


def _percent(split, group: str) -> float:
    share = split.percent(group)
    return 0.0 if share is None else _rounded(share * 10) / 10


# Unsubscribes and bounces ------------------------------------------------------------------------


def _suppressions(params: dict, queryset, stamp: str) -> list[dict]:
    per_page, page = _page(params)
    rows = list(
        _created_between(queryset, params, "created_at").order_by("created_at", "pk")[
            (page - 1) * per_page : page * per_page
        ]
    )
    emails = [row.address for row in rows if "@" in row.address]
    phones = [row.address for row in rows if "@" not in row.address]
    contacts = {}
    for contact in Contact.objects.filter(Q(email__in=emails) | Q(phone__in=phones)):
        contacts[(contact.email or "").lower()] = contact
        contacts[str(contact.phone or "")] = contact
    out = []
    for row in rows:
        contact = contacts.get(row.address)
        out.append(
            {
                "person_id": str(contact.pk) if contact else None,
                "email": row.address if "@" in row.address else (contact.email if contact else None),
                "name": (contact.name or None) if contact else None,
                stamp: _ts(row.created_at),
            }
        )
    return out


def list_unsubscribes(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/unsubscribes.json: unsubscribed, complained or suppressed by an admin."""
    queryset = Suppression.objects.exclude(reason=Suppression.Reason.BOUNCED)
    return _json(_suppressions(params, queryset, "unsubscribed_at"))


def create_unsubscribe(request: HttpRequest, params: dict) -> HttpResponse:
    """POST /v1/unsubscribes.json: person_email never receives a survey again."""
    email = _text(params, "person_email")
    if not email:
        raise invalid("person_email", "can't be blank")
    try:
        email = services.normalize_email(email)
    except services.ContactError:
        raise invalid("person_email", "is invalid") from None
    delivery.suppress(email, reason=Suppression.Reason.UNSUBSCRIBED, detail="Unsubscribed through the API")
    return _json({"ok": True})


def list_bounces(request: HttpRequest, params: dict) -> HttpResponse:
    """GET /v1/bounces.json"""
    queryset = Suppression.objects.filter(reason=Suppression.Reason.BOUNCED)
    return _json(_suppressions(params, queryset, "bounced_at"))


# Autopilot ---------------------------------------------------------------------------------------


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
    return _json(
        {
            "platform_id": platform,
            "active": bool(campaign and campaign.status == Campaign.Status.RUNNING),
            "frequency": campaign.recur_days * 86400 if campaign and campaign.recur_days else None,
            "created_at": _ts(campaign.created_at) if campaign else None,
            "updated_at": _ts(campaign.updated_at) if campaign else None,
        }
    )


def _membership(member: Audience, pending: dict[int, Invitation]) -> dict:
    contact = member.contact
    invitation = pending.get(contact.pk)
    if invitation is not None:
        next_request = {
            "id": str(invitation.pk),
            "created_at": _ts(invitation.created_at),
            "survey_scheduled_at": _ts(invitation.scheduled_for),
            "properties": contact.properties or {},
        }
    else:
        # Not queued yet: the dispatcher queues the member's next round when it is due.
        next_request = {
            "id": None,
            "created_at": None,
            "survey_scheduled_at": _ts(member.next_due_at or member.added_at),
            "properties": contact.properties or {},
        }
    return {
        "created_at": _ts(member.added_at),
        "updated_at": _ts(member.added_at),
        "person": _person(contact, last_sent_at=_ts(contact.last_surveyed_at)),
        "next_survey_request": next_request,
    }


def _person_for_membership(params: dict, *, create: bool, platform: str) -> Contact:
    given = [name for name in ("person_id", "person_email", "person_phone_number") if params.get(name)]
    if not given:
        raise invalid("person_email", "can't be blank")
    if not create and len(given) > 1:
        raise invalid("base", "pass exactly one of person_id, person_email or person_phone_number")
    if params.get("person_id"):
        contact = Contact.objects.filter(pk=_id(params, "person_id")).first()
        if contact is None:
            raise not_found()
        if not create:
            return contact
    elif not create:
        email, phone = _text(params, "person_email"), _text(params, "person_phone_number")
        return _find_person(f"email:{email}" if email else f"phone_number:{phone}")
    else:
        contact = None
    if platform == Channel.SMS and contact is None and not params.get("person_phone_number"):
        raise invalid("person_phone_number", "can't be blank")
    if platform == Channel.EMAIL and contact is None and not params.get("person_email"):
        raise invalid("person_email", "can't be blank")
    properties = _mapping(params, "properties") or {}
    for key in IGNORED_PROPERTIES:
        properties.pop(key, None)
    locale = str(properties.pop(LOCALE, "") or "").strip()
    try:
        contact, _ = services.upsert_contact(
            contact=contact,
            email=_text(params, "person_email") or None,
            phone=_text(params, "person_phone_number") or None,
            name=_text(params, "person_name"),
            language=locale or None,
            properties=properties,
        )
    except services.ContactError as error:
        raise _contact_error(error) from None
    return contact


def list_memberships(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """GET /v1/autopilot/{email|sms}/memberships.json: cursor pagination through the Link header."""
    platform = _platform(platform)
    campaign = _autopilot(platform)
    if campaign is None:
        return _json([])
    members = Audience.objects.filter(campaign=campaign).select_related("contact")
    if params.get("person_id"):
        members = members.filter(contact_id=_id(params, "person_id"))
    if email := _text(params, "person_email"):
        members = members.filter(contact__email__iexact=email)
    if phone := _text(params, "person_phone_number"):
        try:
            members = members.filter(contact__phone=services.normalize_phone(phone))
        except services.ContactError:
            members = members.none()
    rows, headers = _cursor_page(request, members, params)
    pending = {
        invitation.contact_id: invitation
        for invitation in Invitation.objects.filter(
            campaign=campaign, contact_id__in=[m.contact_id for m in rows], state=Invitation.State.QUEUED
        ).order_by("-scheduled_for")
    }
    return _json([_membership(member, pending) for member in rows], headers=headers)


def add_membership(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """POST /v1/autopilot/{email|sms}/memberships.json: add a person (or replace their properties)."""
    platform = _platform(platform)
    campaign = _autopilot_or_422(platform)
    _mapping(params, "properties")
    with transaction.atomic():
        contact = _person_for_membership(params, create=True, platform=platform)
        try:
            services.add_to_audience(campaign, contact)
        except services.CampaignError as error:
            raise invalid("platform", str(error)) from None
    return _json({"person": _person(contact), "properties": contact.properties or {}})


def remove_membership(request: HttpRequest, params: dict, platform: str) -> HttpResponse:
    """DELETE /v1/autopilot/{email|sms}/memberships.json: no more autopilot surveys for this person."""
    platform = _platform(platform)
    campaign = _autopilot_or_422(platform)
    contact = _person_for_membership(params, create=False, platform=platform)
    services.remove_from_audience(campaign, contact)
    return _json({"person": _person(contact)})


# URLs --------------------------------------------------------------------------------------------

people = endpoint(get=list_people, post=create_person)
person = endpoint(delete=delete_person)
pending = endpoint(delete=delete_pending)
survey_responses = endpoint(get=list_responses, post=create_response)
survey_response = endpoint(get=retrieve_response, put=update_response)
metrics_view = endpoint(get=metrics)
unsubscribes = endpoint(get=list_unsubscribes, post=create_unsubscribe)
bounces = endpoint(get=list_bounces)
autopilot = endpoint(get=autopilot_configuration)
memberships = endpoint(get=list_memberships, post=add_membership, delete=remove_membership)


def _with_and_without_json(route: str, view, name: str) -> list:
    """Delighted answers /v1/people and /v1/people.json alike (its clients leave the suffix out)."""
    return [path(route, view, name=name), path(f"{route}.json", view, name=f"{name}_json")]


app_name = "delighted"
urlpatterns = [
    *_with_and_without_json("people", people, "people"),
    *_with_and_without_json("people/<str:identifier>/survey_requests/pending", pending, "pending"),
    # The identifier may end in ".json"; the view strips it.
    path("people/<str:identifier>", person, name="person"),
    *_with_and_without_json("survey_responses", survey_responses, "survey_responses"),
    path("survey_responses/<str:response_id>", survey_response, name="survey_response"),
    *_with_and_without_json("metrics", metrics_view, "metrics"),
    *_with_and_without_json("unsubscribes", unsubscribes, "unsubscribes"),
    *_with_and_without_json("bounces", bounces, "bounces"),
    *_with_and_without_json("autopilot/<str:platform>/memberships", memberships, "memberships"),
    path("autopilot/<str:platform>", autopilot, name="autopilot"),
    # Anything else under /v1/ answers Delighted's JSON 404, not an HTML page.
    re_path(r"^.*$", unknown, name="unknown"),
]
