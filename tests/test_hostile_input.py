"""Every URL and every API operation, fed hostile input by every kind of caller, never answers 500.

The walker reads the URL patterns themselves (django.urls.get_resolver(), recursively) and the native API's
OpenAPI schema, so a new page or operation is walked without anyone adding it here. Each pattern is
requested with hostile values in each path converter, and with a real object (one per route family) and
hostile values in the query string, in every field of the page's own forms, and, for the APIs, in every
parameter and body property the schema documents. Callers: anonymous, viewer, lead, admin, and an API key
on the API routes. Any status >= 500 or any exception that escapes the view fails the test, listed.

Kept within a minute (about 13,000 requests, ~50 s on a quiet machine): each pattern runs in a savepoint
rolled back afterwards (a walked delete or logout undoes itself); a caller turned away (sign-in, role, key)
gets only the path variants; every hostile value goes in the query string, and in form bodies all of them
from admin, anonymous and the API key, the sharpest from viewer and lead; admin also sends each form
field hostile on its own, the others as the page filled them, so one refused field cannot hide another.
"""

import base64
import importlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from dashboards import sharing
from nps.accounts.models import TeamInvitation, hash_token
from nps.accounts.roles import Role
from nps.api import keys
from nps.webhooks.models import WebhookEndpoint
from responses.models import AlertRule, Answer, AnswerTheme, Case, ResponseImport, Theme, ThemeRun
from surveys.csvfile import NUL_REASON
from surveys.models import Contact, ContactImport, Suppression
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user
from tests.test_demo import demo_env, manage

NUL = "\x00"
# What a caller can put in a path segment, a query parameter or a form field.
HOSTILE_TEXT = [
    NUL,
    "a\x00b",
    "²",  # str.isdigit() is True, int() fails
    "٣",  # int() reads 3: Unicode digits must not count as numbers either
    str(2**63),  # one past PostgreSQL's bigint
    str(10**30),  # past SQLite's integer too
    "-" + str(10**30),
    "253402300799",  # 9999-12-31 23:59:59 as a Unix time: one second more overflows
    "-62135596800",  # 0001-01-01
    "9999-12-31",
    "x" * 10_000,
    "",
    "%",
    '{"\\u0000": "\\u0000"}',  # JSON text whose key and value decode to NUL
    "x\x00@example.com",
]
ONE_AT_A_TIME = ['{"\\u0000": "\\u0000"}', "a\x00b", "²", str(10**30)]
SHARPEST = {"a\x00b", "²", str(10**30)}
# Path converters only match some values: int takes digits, the others any non-empty text.
HOSTILE_INT = ["0", str(2**31), str(2**63), str(10**30)]
DATES_ONLY = {"-" + str(10**30), "253402300799", "-62135596800", "9999-12-31"}  # for parameters, not paths
HOSTILE_STR = [v for v in HOSTILE_TEXT if v and v not in DATES_ONLY] + ["①", "../.."]
# Query parameters the pages, the dashboards and the two APIs read (the pages' GET forms add their own).
QUERY_PARAMS = [
    "q", "page", "campaign", "channel", "period", "start", "end", "grain", "segment", "by", "window",
    "theme", "group", "score", "view", "archived", "new", "language", "next", "since", "until", "per_page",
    "page_info", "email", "phone_number", "person_id", "person_email", "trend", "expand[]", "order",
    "updated_since", "updated_until", "cursor", "limit", "contact", "status", "source", "comment",
]  # fmt: skip
# Wrong types: in a form body a list is a repeated field; in JSON, arrays and objects for scalars.
JSON_WRONG_TYPES = [[], ["a", "b"], {}, {"a": NUL}, 10**30, 2**63, -(2**63) - 1, 1e308, True, None]
# Body properties of the Delighted API (it has no schema): people, survey responses, autopilot.
DELIGHTED_NAMES = {
    "email", "name", "phone_number", "properties", "delay", "send", "last_sent_at", "channel", "locale",
    "person", "person_properties", "score", "comment", "additional_answers", "created_at", "updated_at",
    "person_email", "person_phone_number", "person_id", "person_name", "thank_you_message", "question",
}  # fmt: skip
ROLES = {"viewer": Role.VIEWER, "lead": Role.LEAD, "admin": Role.ADMIN}
FORM_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
FILE_FIELD = re.compile(
    r"<input\b[^>]*\btype=\"file\"[^>]*\bname=\"([^\"]+)\"|<input\b[^>]*\bname=\"([^\"]+)\"[^>]*\btype=\"file\"",
    re.I,
)
# An upload past the first 64 KB that the upload itself checks, with NUL in a header-less cell and a key.
HOSTILE_CSV = b"email,plan\n" + b"a@example.com,pro\n" * 5000 + b"b@example.com,p\x00ro\n\xff\xfe,\n"


@dataclass
class World:
    """One real object per route family, and the credentials of each caller."""

    ids: dict[str, str]
    api_key: str
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    api_names: set[str] = field(default_factory=set)
    api_paths: set[str] = field(default_factory=set)


def _make_world() -> World:
    admin = make_user(role=Role.ADMIN, email="walker-admin@example.com")
    campaign = make_campaign(name="Walked", status="running")
    contact = make_contact(email="walked@example.com", properties={"plan": "pro"})
    invitation = make_invitation(campaign=campaign, contact=contact, state="sent")
    answer = make_answer(invitation=invitation, score=9, comment="Fine")
    view = sharing.save_view(name="Walked view", query="period=30d", by=admin)
    link = sharing.create_share_link(view, by=admin)
    team_token = TeamInvitation.new_token()
    team_invitation = TeamInvitation.objects.create(
        email="new@example.com", role=Role.VIEWER, token_hash=hash_token(team_token), invited_by=admin
    )
    api_key, raw = keys.create_api_key(name="Walker", read_only=False)
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example.com/x", events=[])
    csv = ContentFile(b"email,plan\nwalk@example.com,pro\n", name="walk.csv")
    contact_import = ContactImport.objects.create(file=csv, original_name="walk.csv", created_by=admin)
    history = ResponseImport.objects.create(
        file=ContentFile(b"score\n9\n", name="h.csv"), original_name="h.csv", brand=campaign.brand
    )
    # Follow-up: a case on a detractor's answer and an alert rule, for their pages and API routes.
    detractor = make_answer(campaign=campaign, contact=contact, score=2, comment="Slow")
    case = Case.objects.create(
        answer=detractor, campaign=campaign, contact=contact, score=2, group="detractor", owner=admin
    )
    alert_rule = AlertRule.objects.create(name="Walked rule", destination="email")
    # Themes: a rule theme (every action of a theme page applies to it), another to merge into, a learn run.
    theme = Theme.objects.create(kind=Theme.Kind.RULE, name="Walked theme", rule_terms={"en": ["slow"]})
    Theme.objects.create(label="walked, other")
    AnswerTheme.objects.create(answer=detractor, theme=theme, source=AnswerTheme.Source.RULE)
    theme_run = ThemeRun.objects.create(state=ThemeRun.State.DONE, progress=100)
    AnswerTheme.objects.get_or_create(
        answer=answer, theme=theme, defaults={"source": AnswerTheme.Source.AUTO}
    )
    ids = {
        "brands": campaign.brand.pk,
        "campaigns": campaign.pk,
        "contacts/import": contact_import.pk,
        "contacts": contact.pk,
        "responses/import": history.pk,
        "settings/team/invitations": team_invitation.pk,
        "settings/team": admin.pk,
        "settings/api-keys": api_key.pk,
        "settings/webhooks": endpoint.pk,
        "views": view.pk,
        "share-links": link.pk,
        "r": invitation.token,
        "u": invitation.token,
        "s": link.token,
        "join": team_token,
        "api/v1/contacts": contact.pk,
        "api/v1/survey-requests": invitation.pk,
        "api/v1/responses": answer.pk,
        "api/v1/campaigns": campaign.pk,
        "api/v1/cases": case.pk,
        "cases": case.pk,
        "settings/alerts": alert_rule.pk,
        "themes": theme.pk,
        "themes/runs": theme_run.pk,
        "themes/answers": detractor.pk,
        "api/v1/alert-rules": alert_rule.pk,
        "api/v1/themes": theme.pk,
        "v1/people": contact.email,
        "v1/survey_responses": answer.pk,
        "v1/autopilot": "email",
        "preview": "email",
        "score": "9",
        "media/brands": "logo.png",
    }
    return World(ids={key: str(value) for key, value in ids.items()}, api_key=raw)


# Walking the URL patterns -------------------------------------------------------------------------


@dataclass
class Route:
    """One URL pattern: its full route text and, per path part, the converter name (or a literal)."""

    text: str
    parts: list[tuple[str, str | None, str | None]]  # (literal before, name, converter kind)
    regex: str | None = None


def _routes(resolver=None, prefix=()) -> list[tuple[tuple, URLPattern]]:
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        chain = (*prefix, pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, chain)
        else:
            found.append((chain, pattern))
    return found


CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>\w+)>")


def _real_value(text: str, name: str, ids: dict[str, str]) -> str:
    """The real object for a path parameter: the longest route-family prefix that names one."""
    if name in ("score", "channel"):
        return ids["score"] if name == "score" else ids["preview"]
    if name == "uidb64":
        return "MQ"
    head = text.split("<", 1)[0].strip("/")
    best = max((key for key in ids if head == key or head.startswith(key + "/")), key=len, default="")
    return ids.get(best, "1")


def _fill(chain: tuple, values: dict[str, str] | None, hostile: str | None, ids: dict[str, str]) -> str:
    """The URL of a pattern chain: real values, or `hostile` (converter-compatible) in every parameter."""
    out = ""
    for part in chain:
        if isinstance(part, RegexPattern):
            # A regex route (anymail's, the Delighted catch-all): its literal text, or the hostile value.
            literal = re.sub(r"\(.*?\)\?|[\^$]", "", part._regex).replace(".*", hostile or "x")
            out += literal
            continue
        text = str(part)
        pieces, last = [], 0
        for match in CONVERTER.finditer(text):
            pieces.append(text[last : match.start()])
            kind = match.group("kind") or "str"
            value = _real_value(out + text[: match.start()], match.group("name"), ids)
            if hostile is not None:
                fits = hostile.isascii() and hostile.isdigit() if kind == "int" else "/" not in hostile
                value = hostile if fits or kind == "path" else value
            pieces.append(value)
            last = match.end()
        pieces.append(text[last:])
        out += "".join(pieces)
    return "/" + out


def _path_variants(chain: tuple, ids: dict[str, str]) -> list[str]:
    kinds = [
        m.group("kind") or "str"
        for p in chain
        if not isinstance(p, RegexPattern)
        for m in CONVERTER.finditer(str(p))
    ]
    regex = any(isinstance(p, RegexPattern) and ".*" in p._regex for p in chain)
    values = set()
    if "int" in kinds:
        values.update(HOSTILE_INT)
    if set(kinds) - {"int"} or regex:
        values.update(HOSTILE_STR)
    return sorted({_fill(chain, None, v, ids) for v in values})


# Requests -----------------------------------------------------------------------------------------


def _auth_headers(path: str, caller: str, world: World) -> dict[str, str]:
    if caller != "key":
        return {}
    if path.startswith("/api/v1/"):
        return {"Authorization": f"Bearer {world.api_key}"}
    if path.startswith("/v1/"):
        return {"Authorization": "Basic " + base64.b64encode(f"{world.api_key}:".encode()).decode()}
    if path.startswith("/anymail/"):
        secret = django_settings.ANYMAIL.get("WEBHOOK_SECRET", "")
        return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}
    return {}


def _call(client: Client, world: World, method: str, path: str, *, caller: str, **kwargs):
    """One request in its own savepoint; a 5xx or an escaped exception is recorded as a failure."""
    world.requests += 1
    label = f"{caller} {method.upper()} {path[:120]!r} {str(kwargs)[:160]}"
    try:
        with transaction.atomic():
            response = getattr(client, method)(path, headers=_auth_headers(path, caller, world), **kwargs)
            if response.streaming:
                b"".join(response.streaming_content)
    except Exception as error:  # noqa: BLE001  any escaped exception is what this test looks for
        world.failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
        return None
    if response.status_code >= 500:
        world.failures.append(f"{label}: HTTP {response.status_code}")
    return response


def _form_fields(response) -> list[str]:
    if response is None or "html" not in response.get("Content-Type", ""):
        return []
    return sorted(
        set(FORM_FIELD.findall(response.content.decode(errors="replace"))) - {"csrfmiddlewaretoken"}
    )


class _FormValues(HTMLParser):
    """The values a page's forms would submit as they stand (inputs, checked boxes, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in self.values:
                self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _form_values(response) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(response.content.decode(errors="replace"))
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def _one_per_family(fields: list[str]) -> list[str]:
    """The fields to walk one at a time: one per family of per-language copies (tr_hi_question, dlt_hi…),
    which one form field class and one validator serve. The body-wide walks above still send every field."""
    language = re.compile(
        r"(?<=_)(?:" + "|".join(re.escape(code) for code, _ in django_settings.LANGUAGES) + r")(?=_|$)"
    )
    families = {}
    for name in fields:
        families.setdefault(language.sub("<language>", name), name)
    return list(families.values())


def _is_api(path: str) -> bool:
    return path.startswith(("/api/v1/", "/v1/", "/anymail/"))


def _refused(response, path: str) -> bool:
    """Whether the caller was turned away before any input was read (sign-in, role, API key)."""
    if response is None:
        return False
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and response["Location"].startswith("/login/")


def _json_bodies(names: list[str]) -> list:
    bodies = [dict.fromkeys(names, value) for value in [*JSON_WRONG_TYPES, NUL, "x" * 10_000, "²"]]
    return [*bodies, {"properties": {NUL: "x"}}, {"properties": {"plan": NUL}}, [NUL], "text", None]


def _walk_pattern(client: Client, world: World, chain: tuple, caller: str) -> None:
    real = _fill(chain, None, None, world.ids)
    first = _call(client, world, "get", real, caller=caller)
    refused = _refused(first, real)
    for path in _path_variants(chain, world.ids):
        _call(client, world, "get", path, caller=caller)
        if not refused:
            _call(client, world, "post", path, caller=caller)
    if refused:
        return  # turned away before reading input: the path variants are all this caller reaches
    fields = _form_fields(first)
    params = sorted(set(QUERY_PARAMS) | set(fields))
    # Every hostile value in the query string; in the body, all of them from the caller who reaches deepest
    # (admin, an API key) and the sharpest ones from the others: the same views read the same fields.
    deepest = caller in ("admin", "key", "anonymous")
    for value in HOSTILE_TEXT:
        _call(client, world, "get", real, caller=caller, data=dict.fromkeys(params, value))
        if (fields or _is_api(real)) and (deepest or value in SHARPEST):
            _call(client, world, "post", real, caller=caller, data=dict.fromkeys(fields or params, value))
    _call(client, world, "get", real, caller=caller, data={name: ["1", "²"] for name in params})
    _call(client, world, "post", real, caller=caller, data={name: [NUL, "1"] for name in fields or params})
    if fields and caller == "admin":
        # One field hostile at a time, the others as the page filled them: a form that refuses one bad
        # field must not hide another that reaches the database (a NUL in JSON properties, say).
        baseline = _form_values(first)
        for name in _one_per_family(fields):
            for value in ONE_AT_A_TIME:
                _call(client, world, "post", real, caller=caller, data={**baseline, name: value})
    for match in FILE_FIELD.finditer(first.content.decode(errors="replace") if fields else ""):
        upload = ContentFile(HOSTILE_CSV, name="hostile\x00.csv")
        body = {**dict.fromkeys(fields, "1"), (match[1] or match[2]): upload}
        _call(client, world, "post", real, caller=caller, data=body)
    if _is_api(real):
        names = sorted(set(params) | world.api_names)
        form = {f"properties[{NUL}]": "x", "properties[plan]": NUL, "expand[]": [NUL, "²"]}
        _call(client, world, "post", real, caller=caller, data=form)
        for body in _json_bodies(names):
            for method in ("post", "patch") if isinstance(body, dict) else ("post",):
                _call(
                    client,
                    world,
                    method,
                    real,
                    caller=caller,
                    data=json.dumps(body),
                    content_type="application/json",
                )
        _call(
            client,
            world,
            "put",
            real,
            caller=caller,
            data=json.dumps({NUL: NUL}),
            content_type="application/json",
        )
        _call(client, world, "delete", real, caller=caller, data="[1", content_type="application/json")


def _api_schema(client: Client) -> tuple[set[str], set[str]]:
    """Every path, and every parameter and body property, that the native API's OpenAPI schema documents."""
    schema = client.get("/api/v1/openapi.json").json()
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            names.update(parameter["name"] for parameter in operation.get("parameters", []))
    for component in schema.get("components", {}).get("schemas", {}).values():
        names.update(component.get("properties", {}))
    return set(schema["paths"]), names


@pytest.fixture
def world(db, settings):
    logging.disable(logging.CRITICAL)  # thousands of expected 4xx warnings; failures are listed below
    settings.ANSWER_RATELIMIT = settings.ANSWER_MISS_RATELIMIT = "1000000/m"
    settings.SHARE_RATELIMIT = settings.API_RATELIMIT = "1000000/m"
    settings.AXES_FAILURE_LIMIT = 1_000_000
    world = _make_world()
    world.api_paths, names = _api_schema(Client())
    world.api_names = names | DELIGHTED_NAMES
    yield world
    logging.disable(logging.NOTSET)


@pytest.fixture
def postmark(settings):
    """Postmark as the configured ESP, its webhook mounted (nps/urls.py mounts only the configured ESP's)."""

    def reload_urls():
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        clear_url_caches()

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook-user:hook-secret-123"}
    reload_urls()
    yield {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook-user:hook-secret-123").decode()}
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    reload_urls()


CALLERS = ["anonymous", "viewer", "lead", "admin", "key"]


@pytest.mark.parametrize("caller", CALLERS)
def test_every_url_pattern_survives_hostile_input(world, postmark, caller):
    client = Client()
    user = make_user(role=ROLES[caller]) if caller in ROLES else None
    walked, started = set(), time.monotonic()
    for chain, _pattern in _routes():
        path = _fill(chain, None, None, world.ids)
        if caller == "key" and not _is_api(path):
            continue  # an API key opens only the APIs; the other callers cover the pages
        # Each pattern starts from the same world, signed in: a walked logout, delete or revoke is undone.
        with transaction.atomic():
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            _walk_pattern(client, world, chain, caller)
            transaction.set_rollback(True)
        walked.add("/" + "".join(str(part) for part in chain))
    assert len(walked) >= (20 if caller == "key" else 100)
    # Every operation the native API documents was among the walked routes.
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in world.api_paths}
    assert len(documented) >= 10
    assert not documented - walked, f"not walked: {documented - walked}"
    print(f"{caller}: {world.requests} requests in {time.monotonic() - started:.1f}s")
    assert not world.failures, f"{len(world.failures)} of {world.requests} requests failed:\n" + "\n".join(
        world.failures[:60]
    )


# The defects found by hand, one test each -----------------------------------------------------------


def _sent_invitation(**fields):
    return make_invitation(state="sent", sent_at=timezone.now(), **fields)


@pytest.mark.usefixtures("rate_window")
@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["/r/{nul}/", "/r/a{nul}b/9/", "/r/{nul}/thanks/"])
def test_nul_in_an_answer_token_is_a_miss_that_counts_toward_the_limit(client, settings, method, path):
    settings.ANSWER_MISS_RATELIMIT = "2/m"
    invitation = _sent_invitation()
    if method == "post" and path.endswith("thanks/"):
        path = "/r/{nul}/"
    for _ in range(3):
        response = getattr(client, method)(path.format(nul=NUL), {"score": "9"} if method == "post" else {})
        assert response.status_code == 404
        assert "This link is no longer valid" in response.text
    # Three misses went past the address's allowance: even a real link now waits.
    assert client.get(invitation.answer_path()).status_code == 429
    assert not Answer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("score", ["²", "①", "٣", "9²"])
def test_a_score_of_unicode_digits_gets_the_bad_score_page(client, score):
    invitation = _sent_invitation()
    response = client.get(f"/r/{invitation.token}/{score}/")
    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    assert not Answer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_nul_in_an_unsubscribe_token_is_not_found(client, method):
    _sent_invitation()
    response = getattr(client, method)(f"/u/a{NUL}b/")
    assert response.status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_contact_search_with_nul_is_400_with_a_message(client):
    client.force_login(make_user(role=Role.LEAD))
    make_contact(email="asha@example.com")
    response = client.get("/contacts/", {"q": f"asha{NUL}"})
    assert response.status_code == 400
    assert "A search cannot hold a NUL character." in response.text
    assert "asha@example.com" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("properties", ['{"pl\\u0000an": "pro"}', '{"plan": "p\\u0000ro"}'])
def test_contact_form_refuses_nul_in_property_names_and_values(client, properties):
    client.force_login(make_user(role=Role.ADMIN))
    contact = make_contact(email="asha@example.com", properties={"plan": "basic"})
    response = client.post(
        f"/contacts/{contact.pk}/edit/", {"email": "asha@example.com", "properties": properties}
    )
    assert response.status_code == 400
    assert "cannot contain the NUL character" in response.text
    contact.refresh_from_db()
    assert contact.properties == {"plan": "basic"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{"properties": {f"pl{NUL}an": "pro"}}, {"properties": {"plan": f"p{NUL}ro"}}],
    ids=["key", "value"],
)
def test_both_apis_refuse_nul_in_property_names_and_values(client, body):
    _key, raw = keys.create_api_key(name="Tests", read_only=False)
    make_campaign(status="running")
    native = client.post(
        "/api/v1/contacts",
        json.dumps({"email": "asha@example.com", **body}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert native.status_code == 422
    basic = "Basic " + base64.b64encode(f"{raw}:".encode()).decode()
    delighted = client.post(
        "/v1/people.json",
        json.dumps({"email": "asha@example.com", **body}),
        content_type="application/json",
        headers={"Authorization": basic},
    )
    assert delighted.status_code == 422
    assert "NUL" in delighted.text
    form = client.post(
        "/v1/people.json",
        {"email": "asha@example.com", **{f"properties[{k}]": v for k, v in body["properties"].items()}},
        headers={"Authorization": basic},
    )
    assert form.status_code == 422
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_contact_import_rejects_a_row_with_nul_past_the_checked_start(
    client, django_capture_on_commit_callbacks
):
    client.force_login(make_user(role=Role.ADMIN))
    rows = "".join(f"c{n}@example.com,pro\n" for n in range(4000))  # past the 64 KB the upload checks
    content = f"email,plan\n{rows}nul@example.com,p{NUL}ro\nlast@example.com,basic\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contacts/import/", {"file": SimpleUploadedFile("c.csv", content, "text/csv")})
    contact_import = ContactImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/contacts/import/{contact_import.pk}/map/",
            {"map-column_0": "email", "map-column_1": "property", "map-campaign": ""},
        )
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.CHECKED, contact_import.error
    assert contact_import.invalid_rows == 1
    assert contact_import.errors == [{"line": 4002, "reason": NUL_REASON}]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contacts/import/{contact_import.pk}/confirm/", {"action": "import"})
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.IMPORTED, contact_import.error
    assert Contact.objects.count() == 4001
    assert not Contact.objects.filter(email="nul@example.com").exists()


@pytest.mark.django_db
def test_history_import_rejects_nul_unicode_digit_scores_and_far_timestamps(
    client, django_capture_on_commit_callbacks
):
    client.force_login(make_user(role=Role.ADMIN))
    brand = make_campaign().brand
    filler = "".join(f"2024-03-05,ok{n}@example.com,9\n" for n in range(3000))
    content = (
        f"Date,Email,Score\n{filler}2024-03-05,nul@example.com,9{NUL}\n"
        "2024-03-05,arabic@example.com,٣\n99999999999999999999,far@example.com,9\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/responses/import/",
            {"file": SimpleUploadedFile("h.csv", content, "text/csv"), "brand": brand.pk},
        )
    history = ResponseImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/responses/import/{history.pk}/map/",
            {"map-column_0": "date", "map-column_1": "email", "map-column_2": "score"},
        )
    history.refresh_from_db()
    assert history.status == ResponseImport.Status.CHECKED, history.error
    assert (history.valid_rows, history.invalid_rows) == (3000, 3)
    reasons = [error["reason"] for error in history.errors]
    assert reasons[0] == NUL_REASON
    assert "not a whole number from 0 to 10" in reasons[1]
    assert "in the future" in reasons[2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/survey_responses.json?until=253402300799", "until"),
        ("/v1/survey_responses.json?updated_until=253402300799", "updated_until"),
        ("/v1/survey_responses.json?since=253402300799", "since"),
        ("/v1/people.json?since=253402300799", "since"),
        ("/v1/metrics.json?since=253402300799", "since"),
        ("/v1/metrics.json?until=253402300799", "until"),
        ("/v1/metrics.json?until=253402214400", "until"),  # 9999-12-31 00:00: its next day overflows
        ("/v1/survey_responses.json?per_page=٣", "per_page"),
        ("/v1/survey_responses.json?page=1_0", "page"),
        ("/v1/survey_responses.json?since=²", "since"),
    ],
)
def test_delighted_far_dates_and_unicode_digits_are_422(client, path, field):
    _key, raw = keys.create_api_key(name="Tests", read_only=True)
    basic = "Basic " + base64.b64encode(f"{raw}:".encode()).decode()
    response = client.get(path, headers={"Authorization": basic})
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("response_id", ["²", "①", "٣"])
def test_delighted_response_id_of_unicode_digits_is_404(client, response_id):
    _key, raw = keys.create_api_key(name="Tests", read_only=True)
    make_answer()
    basic = "Basic " + base64.b64encode(f"{raw}:".encode()).decode()
    response = client.get(f"/v1/survey_responses/{response_id}.json", headers={"Authorization": basic})
    assert response.status_code == 404


@pytest.mark.django_db
def test_dashboard_ignores_a_saved_view_id_of_unicode_digits_and_refuses_such_a_campaign_segment(client):
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get("/", {"view": "²"}).status_code == 200
    response = client.get("/", {"segment": "campaign:²"})
    assert response.status_code == 400
    assert "A campaign segment is campaign: and the campaign" in response.text


@pytest.mark.django_db
def test_an_overlong_brand_logo_name_is_not_found(client):
    assert client.get("/media/brands/" + "x" * 10_000).status_code == 404


SQLITE_SCRIPT = """
from django.test import Client
from tests.factories import make_campaign, make_user
make_campaign(name="Demo")
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
client.force_login(make_user(email="demo-admin@example.com"))
for path in ("/", "/comments/", "/export.csv"):
    for value in ("1" * 23, str(2**63), "²"):
        print("STATUS", path, value, client.get(path, {"campaign": value}).status_code)
    print("STATUS", path, "segment", client.get(path, {"segment": "campaign:" + "1" * 23}).status_code)
"""


def test_huge_campaign_ids_in_dashboard_filters_are_400_on_sqlite(tmp_path):
    """The demo's SQLite cannot bind integers past 2**63: refused as bad input before the query."""
    env = demo_env(tmp_path)
    assert manage(env, "migrate", "--no-input").returncode == 0
    result = manage(env, "shell", "-c", SQLITE_SCRIPT)
    assert result.returncode == 0, result.stderr
    statuses = re.findall(r"^STATUS (\S+) (\S+) (\d+)$", result.stdout, re.M)
    assert len(statuses) == 12, result.stdout + result.stderr[-2000:]
    assert {status for *_, status in statuses} == {"400"}, statuses


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["opennps-²", "opennps-①", "opennps-" + "9" * 30, f"opennps-{NUL}"])
def test_esp_bounce_whose_metadata_holds_no_id_is_still_recorded(client, postmark, key):
    contact = make_contact(email="john@example.com")
    make_invitation(contact=contact, campaign=make_campaign(status="running"), state="sent")
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"invitation": key},
        "Description": "Unknown user.",
        "Email": "john@example.com",
        "BouncedAt": "2026-11-05T16:33:54Z",
    }
    response = client.post(
        "/anymail/postmark/tracking/", json.dumps(bounce), content_type="application/json", **postmark
    )
    assert response.status_code == 200
    assert Suppression.objects.filter(address="john@example.com").exists()
