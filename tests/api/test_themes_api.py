"""Comment themes through the native API (themes, responses' themes, hand tags, alert rule conditions) and
the Delighted-compatible API's survey responses."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nps.accounts.roles import Role
from nps.api import keys
from nps.audit.models import AuditEntry
from nps.inputs import MAX_ID
from responses.models import AlertRule, AnswerTheme, Theme
from tests.api.conftest import ApiClient
from tests.factories import make_answer, make_user

pytestmark = pytest.mark.django_db
Source = AnswerTheme.Source


def make_theme(name="", **fields):
    fields.setdefault("kind", Theme.Kind.AUTO)
    return Theme.objects.create(name=name, **fields)


def tag(answer, theme, source=Source.AUTO):
    return AnswerTheme.objects.create(answer=answer, theme=theme, source=source)


@pytest.fixture
def people():
    return {
        "admin": make_user(role=Role.ADMIN, email="ada@example.com"),
        "lead": make_user(role=Role.LEAD, email="lena@example.com"),
        "viewer": make_user(role=Role.VIEWER, email="vic@example.com"),
    }


@pytest.fixture
def clients(client, people):
    """An admin's and a lead's read-write keys, a read-only key, and a read-write key a viewer made."""

    def key(user, read_only=False):
        _key, raw = keys.create_api_key(name=f"{user.role} key", read_only=read_only, by=user)
        return ApiClient(client, raw)

    return {
        "admin": key(people["admin"]),
        "lead": key(people["lead"]),
        "viewer": key(people["admin"], read_only=True),
        "viewer_made": key(people["viewer"]),
    }


@pytest.fixture
def themes():
    return {
        "refunds": make_theme(
            "Refunds", kind=Theme.Kind.RULE, rule_terms={"en": ["refund"]}, key_phrases={"en": ["refund"]}
        ),
        "late": make_theme(label="late delivery, courier", key_phrases={"en": ["late delivery", "courier"]}),
        "hidden": make_theme("Hidden", hidden=True),
        "retired": make_theme("Old", retired=True),
    }


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()


# Themes ----------------------------------------------------------------------------------------------------


def test_themes_lists_the_active_themes_with_their_comment_counts(clients, themes):
    refunds, late = themes["refunds"], themes["late"]
    Theme.objects.filter(pk=late.pk).update(pinned=True)
    merged = make_theme("Money back", merged_into=refunds)
    for n in range(3):
        tag(make_answer(score=3, comment=f"refund {n}"), refunds, Source.RULE if n else Source.HAND)
    tag(make_answer(score=3, comment="not a refund really"), refunds, Source.REMOVED)
    tag(make_answer(score=2, comment="late"), late)

    response = clients["viewer"].get("/api/v1/themes")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [row["id"] for row in body["data"]] == [refunds.pk, late.pk]  # hidden, retired, merged left out
    assert body["data"][0] == {
        "id": refunds.pk,
        "name": "Refunds",
        "label": "",
        "kind": "rule",
        "key_phrases": {"en": ["refund"]},
        "comments": 3,
        "pinned": False,
        "active": True,
        "merged_into": None,
        "updated_at": body["data"][0]["updated_at"],
    }
    assert body["data"][1]["name"] == "late delivery, courier"  # no name given: the automatic label
    assert (body["data"][1]["comments"], body["data"][1]["pinned"]) == (1, True)

    assert [
        row["id"] for row in clients["viewer"].get("/api/v1/themes", {"kind": "rule"}).json()["data"]
    ] == [refunds.pk]
    first = clients["viewer"].get("/api/v1/themes", {"limit": 1}).json()
    second = clients["viewer"].get("/api/v1/themes", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [row["id"] for row in first["data"] + second["data"]] == [refunds.pk, late.pk]

    one = clients["viewer"].get(f"/api/v1/themes/{merged.pk}").json()
    assert (one["active"], one["merged_into"], one["comments"]) == (False, refunds.pk, 0)
    assert clients["viewer"].get(f"/api/v1/themes/{themes['hidden'].pk}").json()["active"] is False


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/themes/999999", 404, None),
        (f"/api/v1/themes/{MAX_ID + 1}", 422, "path.theme_id"),
        ("/api/v1/themes/refunds", 422, "path.theme_id"),
        ("/api/v1/themes/0", 422, "path.theme_id"),
        ("/api/v1/themes?kind=ai", 422, "query.kind"),
        ("/api/v1/themes?cursor=%00", 422, "query.cursor"),
        ("/api/v1/themes?cursor=nope", 400, "cursor"),
        ("/api/v1/themes?limit=1000", 422, "query.limit"),
    ],
)
def test_bad_theme_reads_are_precise_4xx(clients, path, status, field):
    body = error_of(clients["viewer"].get(path), status)
    if field:
        assert [error["field"] for error in body["errors"]] == [field]
    else:
        assert body["detail"] == "No theme with id 999999."


def test_themes_need_a_key(client):
    assert client.get("/api/v1/themes").status_code == 401


# Responses' themes -----------------------------------------------------------------------------------------


def test_responses_carry_their_themes_in_one_query_per_page(clients, themes):
    refunds, late = themes["refunds"], themes["late"]
    first = make_answer(score=2, comment="late refund")
    tag(first, refunds, Source.HAND)
    tag(first, late)
    tag(first, themes["hidden"])
    clients["viewer"].get("/api/v1/themes")  # the key's first use is noted once a minute: not counted below
    with CaptureQueriesContext(connection) as one:
        page = clients["viewer"].get("/api/v1/responses").json()["data"]
    assert page[0]["themes"] == [
        {"id": late.pk, "name": "late delivery, courier", "source": "auto"},
        {"id": refunds.pk, "name": "Refunds", "source": "hand"},
    ]
    for n in range(4):
        tag(make_answer(score=3, comment=f"refund {n}"), refunds, Source.RULE)
    with CaptureQueriesContext(connection) as five:
        page = clients["viewer"].get("/api/v1/responses").json()["data"]
    assert len(page) == 5 and all(row["themes"] for row in page)
    assert len(five.captured_queries) == len(one.captured_queries)

    assert clients["viewer"].get(f"/api/v1/responses/{first.pk}").json()["themes"][1]["name"] == "Refunds"


def test_responses_filter_by_theme(clients, themes):
    refunds, late = themes["refunds"], themes["late"]
    both = make_answer(score=2, comment="late refund")
    tag(both, refunds)
    tag(both, late)
    only_late = make_answer(score=7, comment="late")
    tag(only_late, late)
    untagged = make_answer(score=5, comment="refund?")
    tag(untagged, refunds, Source.REMOVED)
    make_answer(score=9, comment="great")
    hidden = make_answer(score=4, comment="secret")
    tag(hidden, themes["hidden"])

    def ids(**params):
        response = clients["viewer"].get("/api/v1/responses", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["data"]]

    assert ids(theme=refunds.pk) == [both.pk]
    assert ids(theme=late.pk) == [both.pk, only_late.pk]
    assert ids(theme=late.pk, group="passive") == [only_late.pk]
    assert ids(theme=themes["hidden"].pk) == []  # a hidden theme's comments are not shown
    assert ids(theme=999999) == []
    for bad in ("refunds", "0", str(MAX_ID + 1), "\x00", "١"):
        body = error_of(clients["viewer"].get("/api/v1/responses", {"theme": bad}), 422)
        assert body["errors"][0]["field"] == "query.theme"


# Hand tags -------------------------------------------------------------------------------------------------


def test_a_lead_tags_and_untags_a_comment_by_hand(clients, people, themes):
    refunds, late = themes["refunds"], themes["late"]
    answer = make_answer(score=3, comment="They never sent the money back")
    tag(answer, late)

    response = clients["lead"].post(f"/api/v1/responses/{answer.pk}/themes", {"theme_id": refunds.pk})
    assert response.status_code == 201, response.content
    assert [(row["name"], row["source"]) for row in response.json()["themes"]] == [
        ("late delivery, courier", "auto"),
        ("Refunds", "hand"),
    ]
    link = AnswerTheme.objects.get(answer=answer, theme=refunds)
    assert (link.source, link.tagged_by) == (Source.HAND, people["lead"])
    entry = AuditEntry.objects.get(action="theme.tag")
    assert entry.object_id == str(refunds.pk) and entry.changes["answer"] == answer.pk
    # Again: already tagged by hand, nothing new.
    again = clients["admin"].post(f"/api/v1/responses/{answer.pk}/themes", {"theme_id": refunds.pk})
    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="theme.tag").count() == 1

    response = clients["lead"].delete(f"/api/v1/responses/{answer.pk}/themes/{late.pk}")
    assert response.status_code == 204
    assert AnswerTheme.objects.get(answer=answer, theme=late).source == Source.REMOVED
    assert AuditEntry.objects.filter(action="theme.untag").count() == 1
    read = clients["viewer"].get(f"/api/v1/responses/{answer.pk}").json()
    assert [row["name"] for row in read["themes"]] == ["Refunds"]
    # Removing a theme the comment does not have keeps it from ever getting it.
    assert (
        clients["lead"].delete(f"/api/v1/responses/{answer.pk}/themes/{themes['hidden'].pk}").status_code
        == 204
    )
    assert AnswerTheme.objects.get(answer=answer, theme=themes["hidden"]).source == Source.REMOVED


@pytest.mark.parametrize("who", ["viewer", "viewer_made"])
def test_tagging_needs_a_leads_or_admins_read_write_key(clients, themes, who):
    answer = make_answer(score=3, comment="refund")
    tag(answer, themes["late"])
    post = clients[who].post(f"/api/v1/responses/{answer.pk}/themes", {"theme_id": themes["refunds"].pk})
    delete = clients[who].delete(f"/api/v1/responses/{answer.pk}/themes/{themes['late'].pk}")
    assert (post.status_code, delete.status_code) == (403, 403)
    assert list(AnswerTheme.objects.values_list("theme_id", "source")) == [(themes["late"].pk, Source.AUTO)]
    assert not AuditEntry.objects.filter(action__startswith="theme.").exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"theme_id": 999999}, 404, "body.theme_id"),
        ({"theme_id": "hidden"}, 422, "body.theme_id"),
        ({"theme_id": "retired"}, 422, "body.theme_id"),
        ({"theme_id": "merged"}, 422, "body.theme_id"),
        ({"theme_id": "Refunds"}, 422, "body.theme_id"),
        ({"theme_id": MAX_ID + 1}, 422, "body.theme_id"),
        ({"theme_id": 0}, 422, "body.theme_id"),
        ({"theme_id": [1]}, 422, "body.theme_id"),
        ({"theme_id": "1\x00"}, 422, "body"),
        ({}, 422, "body.theme_id"),
        ({"theme_id": "refunds", "source": "hand"}, 422, "body.source"),
    ],
)
def test_bad_tags_are_precise_4xx_and_write_nothing(clients, themes, body, status, field):
    merged = make_theme("Merged", merged_into=themes["refunds"])
    named = {
        "refunds": themes["refunds"].pk,
        "hidden": themes["hidden"].pk,
        "retired": themes["retired"].pk,
        "merged": merged.pk,
    }
    body = {key: named.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    answer = make_answer(score=3, comment="refund")
    response = clients["lead"].post(f"/api/v1/responses/{answer.pk}/themes", body)
    result = error_of(response, status)
    assert [error["field"] for error in result["errors"]] == [field]
    assert not AnswerTheme.objects.exists()


def test_tagging_needs_an_existing_response_with_a_comment(clients, themes):
    refunds = themes["refunds"]
    body = error_of(clients["lead"].post("/api/v1/responses/999999/themes", {"theme_id": refunds.pk}), 404)
    assert body["detail"] == "No response with id 999999."
    silent = make_answer(score=3, comment="")
    body = error_of(
        clients["lead"].post(f"/api/v1/responses/{silent.pk}/themes", {"theme_id": refunds.pk}), 422
    )
    assert "has no comment" in body["detail"]
    error_of(clients["lead"].delete(f"/api/v1/responses/{silent.pk}/themes/999999"), 404)
    error_of(clients["lead"].delete(f"/api/v1/responses/{silent.pk}/themes/{MAX_ID + 1}"), 422)
    error_of(clients["lead"].delete(f"/api/v1/responses/{MAX_ID + 1}/themes/{refunds.pk}"), 422)
    assert not AnswerTheme.objects.exists()


# Alert rules -----------------------------------------------------------------------------------------------

SLACK = {"destination": "slack", "url": "https://hooks.slack.com/services/T0/B0/abc"}


def test_alert_rules_take_a_theme_condition(clients, themes):
    refunds, late = themes["refunds"], themes["late"]
    response = clients["admin"].post(
        "/api/v1/alert-rules",
        {
            "name": "Refunds",
            "conditions": {"groups": ["detractor"], "theme_ids": [refunds.pk, late.pk]},
            **SLACK,
        },
    )
    assert response.status_code == 201, response.content
    rule = response.json()
    assert rule["conditions"] == {"groups": ["detractor"], "theme_ids": [refunds.pk, late.pk]}
    assert rule["description"] == "Detractors, theme is Refunds or late delivery, courier"

    # Hidden since: the rule can still be renamed, and says so.
    Theme.objects.filter(pk=late.pk).update(hidden=True)
    patched = clients["admin"].patch(f"/api/v1/alert-rules/{rule['id']}", {"name": "Refund requests"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["description"] == "Detractors, theme is Refunds or late delivery, courier (hidden)"
    # …but not be given another theme that is not active.
    body = error_of(
        clients["admin"].patch(
            f"/api/v1/alert-rules/{rule['id']}", {"conditions": {"theme_ids": [themes["retired"].pk]}}
        ),
        422,
    )
    assert body["errors"][0]["field"] == "body.conditions"
    assert AlertRule.objects.get().conditions["theme_ids"] == [refunds.pk, late.pk]


@pytest.mark.parametrize(
    ("theme_ids", "message"),
    [
        ([999999], "no theme with id 999999"),
        (["hidden"], "is hidden"),
        (["merged"], "was merged into theme"),
        (["x"], "Themes must be a list of theme ids"),
        ([MAX_ID + 1], "Themes must be a list of theme ids"),
        ("1", "Themes must be a list of theme ids"),
        (["1\x00"], "NUL"),
        ([True], "Themes must be a list of theme ids"),
    ],
)
def test_alert_rules_refuse_bad_themes_precisely(clients, themes, theme_ids, message):
    merged = make_theme("Merged", merged_into=themes["refunds"])
    named = {"hidden": themes["hidden"].pk, "merged": merged.pk}
    if isinstance(theme_ids, list):
        theme_ids = [named.get(value, value) if isinstance(value, str) else value for value in theme_ids]
    response = clients["admin"].post(
        "/api/v1/alert-rules", {"name": "R", "conditions": {"theme_ids": theme_ids}, **SLACK}
    )
    body = error_of(response, 422)
    assert message in body["detail"]
    assert not AlertRule.objects.exists()


# The Delighted-compatible API ------------------------------------------------------------------------------


def test_delighted_survey_responses_carry_the_themes_in_one_query_per_page(client, themes):
    _key, raw = keys.create_api_key(name="Delighted", read_only=True)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{raw}:".encode()).decode()}
    first = make_answer(score=2, comment="refund")
    tag(first, themes["refunds"], Source.RULE)
    client.get(
        "/v1/metrics.json", headers=auth
    )  # the key's first use is noted once a minute: not counted below
    with CaptureQueriesContext(connection) as one:
        body = client.get("/v1/survey_responses.json", headers=auth).json()
    assert body[0]["themes"] == [{"id": str(themes["refunds"].pk), "name": "Refunds"}]
    for n in range(3):
        tag(make_answer(score=3, comment=f"late {n}"), themes["late"])
    with CaptureQueriesContext(connection) as four:
        body = client.get("/v1/survey_responses.json", headers=auth).json()
    assert [row["themes"][0]["name"] for row in body] == ["Refunds"] + ["late delivery, courier"] * 3
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_schema_describes_the_theme_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/themes", "/api/v1/themes/{theme_id}", "/api/v1/responses/{response_id}/themes"} <= set(
        schema["paths"]
    )
    assert set(schema["paths"]["/api/v1/responses/{response_id}/themes/{theme_id}"]) == {"delete"}
    assert "themes" in schema["components"]["schemas"]["ResponseOut"]["properties"]
