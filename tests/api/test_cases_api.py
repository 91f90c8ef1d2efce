"""Cases and alert rules through the native API: filters, changes, notes, replies, roles, bad input."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nps.accounts.models import User
from nps.accounts.roles import Role
from nps.api import keys
from nps.audit.models import AuditEntry
from nps.inputs import MAX_ID
from nps.webhooks.models import WebhookEvent
from responses.models import AlertRule, AnswerTag, Case, CaseEvent, CaseMessage, Tag
from tests.api.conftest import ApiClient
from tests.factories import make_answer, make_campaign, make_contact, make_user
from tests.nps.test_webhooks import Receiver, make_endpoint

pytestmark = pytest.mark.django_db

Kind = CaseEvent.Kind


def make_case(
    *, score=3, owner=None, status=Case.Status.NEW, due_in=timedelta(hours=5), contact=None, **answer
):
    """A case on a fresh answer, written directly: the API is what is tested here, not the rules."""
    contact = (
        contact if contact is not None else make_contact(name="Ana Lima", email=f"ana{score}@example.com")
    )
    answer.setdefault("comment", "The delivery was two weeks late.")
    row = make_answer(score=score, contact=contact, **answer)
    return Case.objects.create(
        answer=row,
        campaign=row.campaign,
        contact=contact,
        score=score,
        group=row.group,
        owner=owner,
        status=status,
        due_at=timezone.now() + due_in if due_in is not None else None,
        closed_at=timezone.now() if status in Case.CLOSED else None,
    )


@pytest.fixture
def hooks():
    """A webhook receiver on 127.0.0.1 (the webhook tests' own)."""
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def people():
    return {
        "admin": make_user(role=Role.ADMIN, email="ada@example.com", name="Ada Admin"),
        "lead": make_user(role=Role.LEAD, email="lena@example.com", name="Lena Lead"),
        "viewer": make_user(role=Role.VIEWER, email="vic@example.com", name="Vic Viewer"),
    }


@pytest.fixture
def clients(client, people):
    """An API client per role: keys of an admin and a lead (read-write), and a read-only key (viewer)."""

    def key(user, read_only=False):
        _key, raw = keys.create_api_key(name=f"{user.role} key", read_only=read_only, by=user)
        return ApiClient(client, raw)

    return {
        "admin": key(people["admin"]),
        "lead": key(people["lead"]),
        "viewer": key(people["admin"], read_only=True),
        "viewer_made": key(people["viewer"]),  # read-write, but its creator is a viewer
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def test_list_filters_each_narrow_the_cases(clients, people):
    lead = people["lead"]
    south = make_campaign(name="South")
    mine = make_case(score=2, owner=lead, campaign=south)
    late = make_case(score=4, due_in=timedelta(hours=-3))
    passive = make_case(score=7, status=Case.Status.RESOLVED)
    risky = make_contact(
        name="Rui", email="rui@example.com", at_risk=True, at_risk_reason="Score fell from 9 to 4"
    )
    at_risk = make_case(score=1, contact=risky)
    tag = Tag.objects.create(name="Billing")
    AnswerTag.objects.create(answer=late.answer, tag=tag)
    Case.objects.filter(pk=mine.pk).update(updated_at=datetime(2030, 1, 1, tzinfo=UTC))
    api = clients["lead"]

    assert ids(api.get("/api/v1/cases")) == [mine.pk, late.pk, passive.pk, at_risk.pk]
    assert ids(api.get("/api/v1/cases", {"order": "desc", "limit": 2})) == [at_risk.pk, passive.pk]
    assert ids(api.get("/api/v1/cases", {"status": "open"})) == [mine.pk, late.pk, at_risk.pk]
    assert ids(api.get("/api/v1/cases", {"status": "resolved"})) == [passive.pk]
    assert ids(api.get("/api/v1/cases", {"owner": "LENA@example.com"})) == [mine.pk]
    assert ids(api.get("/api/v1/cases", {"owner": "none"})) == [late.pk, passive.pk, at_risk.pk]
    assert ids(api.get("/api/v1/cases", {"group": "passive"})) == [passive.pk]
    assert ids(api.get("/api/v1/cases", {"campaign": south.pk})) == [mine.pk]
    assert ids(api.get("/api/v1/cases", {"tag": "billing"})) == [late.pk]
    assert ids(api.get("/api/v1/cases", {"overdue": "true"})) == [late.pk]
    assert ids(api.get("/api/v1/cases", {"overdue": "false"})) == [mine.pk, passive.pk, at_risk.pk]
    assert ids(api.get("/api/v1/cases", {"at_risk": "true"})) == [at_risk.pk]
    assert ids(api.get("/api/v1/cases", {"updated_since": "2029-12-31T00:00:00Z"})) == [mine.pk]

    first = api.get("/api/v1/cases", {"limit": 3}).json()
    rest = api.get("/api/v1/cases", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [row["id"] for row in first["data"] + rest["data"]] == [mine.pk, late.pk, passive.pk, at_risk.pk]
    assert rest["next_cursor"] is None

    body = api.get(f"/api/v1/cases/{late.pk}").json()
    assert body["overdue"] is True and body["tags"] == ["Billing"] and body["group"] == "detractor"
    assert body["permalink"] == f"http://testserver/responses/{late.answer_id}/"
    assert body["contact"]["email"] == "ana4@example.com"
    risky_body = api.get(f"/api/v1/cases/{at_risk.pk}").json()
    assert risky_body["at_risk"] is True
    assert risky_body["contact"]["at_risk_reason"] == "Score fell from 9 to 4"


def test_read_only_key_reads_cases_without_contact_details(clients):
    case = make_case(
        contact=make_contact(
            name="Ana Lima", email="ana@example.com", phone="+14155550100", properties={"region": "South"}
        )
    )
    for api in (clients["viewer"], clients["viewer_made"]):
        listed = api.get("/api/v1/cases").json()["data"][0]
        one = api.get(f"/api/v1/cases/{case.pk}").json()
        for body in (listed, one):
            assert body["contact"] == {
                "id": case.contact_id,
                "name": "Ana Lima",
                "email": None,
                "phone": None,
                "properties": None,
                "at_risk": False,
                "at_risk_reason": "",
            }
            assert "ana@example.com" not in json.dumps(body) and "South" not in json.dumps(body)
    assert clients["lead"].get(f"/api/v1/cases/{case.pk}").json()["contact"]["properties"] == {
        "region": "South"
    }


def test_lead_changes_status_owner_priority_tags_and_due_time(clients, people):
    case = make_case()
    due = "2030-05-01T09:00:00+00:00"
    response = clients["lead"].patch(
        f"/api/v1/cases/{case.pk}",
        {
            "status": "in_progress",
            "owner": "LENA@example.com",
            "priority": "high",
            "tags": ["Billing", " late  delivery ", "billing"],
            "due_at": due,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["owner_email"], body["priority"]) == (
        "in_progress",
        "lena@example.com",
        "high",
    )
    assert body["tags"] == ["Billing", "late delivery"]
    assert body["due_at"].startswith("2030-05-01T09:00:00")
    case.refresh_from_db()
    assert (
        case.owner == people["lead"] and case.status == "in_progress" and case.first_response_at is not None
    )
    kinds = list(case.events.values_list("kind", "actor__email"))
    assert sorted(kinds) == sorted(
        [(k, "lena@example.com") for k in (Kind.STATUS, Kind.OWNER, Kind.PRIORITY, Kind.DUE, Kind.TAGS)]
    )
    # The same request again changes nothing: no new timeline lines.
    again = clients["lead"].patch(
        f"/api/v1/cases/{case.pk}", {"status": "in_progress", "tags": ["billing", "Late Delivery"]}
    )
    assert again.status_code == 200 and case.events.count() == 5
    # Unassign, clear the due time.
    cleared = clients["lead"].patch(f"/api/v1/cases/{case.pk}", {"owner": None, "due_at": None}).json()
    assert cleared["owner_email"] is None and cleared["due_at"] is None


def test_case_updated_webhook_carries_the_case_with_tags_notes_and_permalink(
    clients,
    people,
    hooks,
    django_capture_on_commit_callbacks,
):
    make_endpoint(hooks.url, events=[WebhookEvent.CASE_UPDATED])
    contact = make_contact(
        name="Rui", email="rui@example.com", at_risk=True, at_risk_reason="2 detractor answers in a row"
    )
    case = make_case(contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        clients["lead"].post(f"/api/v1/cases/{case.pk}/notes", {"text": "Called, refund agreed."})
    with django_capture_on_commit_callbacks(execute=True):
        clients["lead"].patch(f"/api/v1/cases/{case.pk}", {"tags": ["refund"], "status": "resolved"})

    events = [json.loads(r["body"]) for r in hooks.requests]
    assert {e["event_type"] for e in events} == {"case.updated"}
    data = events[-1]["event_data"]
    note_id = str(case.events.get(kind=Kind.NOTE).pk)
    assert data["id"] == str(case.pk) and data["status"] == "resolved" and data["closed_at"]
    assert data["tags"] == ["refund"] and data["at_risk"] is True
    assert data["permalink"] == f"http://testserver/responses/{case.answer_id}/"
    assert data["notes"] == [
        {
            "id": note_id,
            "text": "Called, refund agreed.",
            "user_email": "lena@example.com",
            "created_at": data["notes"][0]["created_at"],
        }
    ]
    response = data["survey_response"]
    assert response["id"] == str(case.answer_id) and response["tags"] == ["refund"]
    assert response["notes"] == data["notes"]
    assert response["person"]["at_risk"] is True and response["person"]["email"] == "rui@example.com"
    assert response["permalink"] == data["permalink"]


def test_notes_are_added_and_listed(clients, people):
    case = make_case()
    response = clients["lead"].post(f"/api/v1/cases/{case.pk}/notes", {"text": "  Called back, no answer.  "})
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["text"] == "Called back, no answer." and note["user_email"] == "lena@example.com"
    assert CaseEvent.objects.get(kind=Kind.NOTE).text == "Called back, no answer."
    assert clients["viewer"].get(f"/api/v1/cases/{case.pk}").json()["notes"][0]["id"] == note["id"]
    # A key an admin made and whose account is gone keeps working; the note has no author.
    _key, raw = keys.create_api_key(name="Orphan", read_only=False)
    orphan = ApiClient(clients["lead"].client, raw).post(f"/api/v1/cases/{case.pk}/notes", {"text": "Again"})
    assert orphan.status_code == 201 and orphan.json()["user_email"] is None


def test_reply_by_email_is_queued_and_sent(clients, django_capture_on_commit_callbacks, settings):
    settings.CASE_REPLY_ADDRESS = "replies@support.example.com"
    case = make_case(contact=make_contact(name="Ana", email="ana@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["lead"].post(
            f"/api/v1/cases/{case.pk}/replies", {"channel": "email", "body": "Sorry, we refunded you."}
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["channel"] == "email" and body["to_address"] == "ana@example.com"
    message = CaseMessage.objects.get()
    assert message.body == "Sorry, we refunded you." and message.author.email == "lena@example.com"
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING and case.first_response_at is not None

    texted = clients["lead"].post(f"/api/v1/cases/{case.pk}/replies", {"channel": "sms", "body": "Hi"})
    assert texted.status_code == 422
    assert texted.json()["errors"] == [{"field": "body.channel", "message": texted.json()["detail"]}]
    assert "cannot be answered by sms" in texted.json()["detail"]
    assert CaseMessage.objects.count() == 1


def test_roles_of_keys(clients):
    case = make_case()
    rule = AlertRule.objects.create(name="Detractors", destination="email")
    writes = [
        ("patch", f"/api/v1/cases/{case.pk}", {"status": "resolved"}),
        ("post", f"/api/v1/cases/{case.pk}/notes", {"text": "x"}),
        ("post", f"/api/v1/cases/{case.pk}/replies", {"body": "x"}),
    ]
    admin_only = [
        ("get", "/api/v1/alert-rules", None),
        ("get", f"/api/v1/alert-rules/{rule.pk}", None),
        (
            "post",
            "/api/v1/alert-rules",
            {"name": "x", "destination": "email", "recipients": ["ada@example.com"]},
        ),
        ("patch", f"/api/v1/alert-rules/{rule.pk}", {"enabled": False}),
        ("delete", f"/api/v1/alert-rules/{rule.pk}", None),
    ]

    def call(api, method, path, body):
        return getattr(api, method)(path, body) if body is not None else getattr(api, method)(path)

    for role in ("viewer", "viewer_made"):
        for method, path, body in writes + admin_only:
            response = call(clients[role], method, path, body)
            assert response.status_code == 403, (role, method, path, response.content)
    assert "viewer role" in call(clients["viewer_made"], *writes[0]).json()["detail"]
    assert "read-only" in call(clients["viewer"], *writes[0]).json()["detail"]
    for method, path, body in admin_only:
        response = call(clients["lead"], method, path, body)
        assert response.status_code == 403 and "admin role" in response.json()["detail"], (method, path)
    assert clients["lead"].get("/api/v1/cases").status_code == 200
    assert not CaseEvent.objects.exists() and AlertRule.objects.get().enabled
    assert clients["admin"].patch(f"/api/v1/cases/{case.pk}", {"priority": "urgent"}).status_code == 200
    # A deactivated creator's read-write key only reads.
    lead = clients["lead"]
    User.objects.filter(email="lena@example.com").update(is_active=False)
    assert lead.get("/api/v1/cases").status_code == 200
    assert lead.post(f"/api/v1/cases/{case.pk}/notes", {"text": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"status": "done"}, "body.status", "'new', 'in_progress'"),
        ({"status": None}, "body.status", "must not be null"),
        ({"priority": 3}, "body.priority", ""),
        ({"owner": "nobody@example.com"}, "body.owner", "No active user"),
        ({"owner": "vic@example.com"}, "body.owner", "only leads and admins"),
        ({"tags": "billing"}, "body.tags", "valid list"),
        ({"tags": ["a" * 51]}, "body.tags", "at most 50 characters"),
        ({"tags": [f"t{i}" for i in range(21)]}, "body.tags", ""),
        ({"tags": ["bill\x00ing"]}, "body", "NUL"),
        ({"due_at": "tomorrow"}, "body.due_at", "datetime"),
        ({"due_at": "2030-01-01T00:00:00"}, "body.due_at", "timezone"),
        ({"due_at": "3000-01-01T00:00:00Z"}, "body.due_at", "between 1970 and 2100"),
        ({"colour": "red"}, "body.colour", "Unknown field."),
    ],
)
def test_bad_changes_are_422_and_change_nothing(clients, people, body, field, message):
    case = make_case()
    # A valid change in the same request is not written either.
    response = clients["lead"].patch(
        f"/api/v1/cases/{case.pk}", {"priority": "urgent", **body} if "priority" not in body else body
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    case.refresh_from_db()
    assert case.priority == "normal" and case.owner is None and not case.events.exists()
    assert not Tag.objects.exists()


def test_bad_ids_queries_and_bodies_are_precise_4xx(clients):
    case = make_case()
    api = clients["lead"]
    assert api.get(f"/api/v1/cases/{MAX_ID + 1}").status_code == 422
    assert api.get("/api/v1/cases/99999999999999999999999").status_code == 422
    missing = api.get("/api/v1/cases/999999")
    assert missing.status_code == 404 and missing.json()["detail"] == "No case with id 999999."
    assert api.post("/api/v1/cases/999999/notes", {"text": "x"}).status_code == 404
    assert api.get("/api/v1/cases", {"owner": "a\x00b"}).status_code == 422
    assert api.get("/api/v1/cases", {"tag": "a\x00b"}).status_code == 422
    assert api.get("/api/v1/cases", {"cursor": "nonsense"}).status_code == 400
    assert api.get("/api/v1/cases", {"overdue": "maybe"}).status_code == 422
    assert api.get("/api/v1/cases", {"status": "lost"}).status_code == 422
    assert api.get("/api/v1/cases", {"limit": 1000}).status_code == 422
    for text in ("", "   ", "a\x00b", "x" * 10_001):
        response = api.post(f"/api/v1/cases/{case.pk}/notes", {"text": text})
        assert response.status_code == 422, (text[:10], response.content)
    assert api.post(f"/api/v1/cases/{case.pk}/notes", {"text": 5}).status_code == 422
    bad_json = api.client.post(
        f"/api/v1/cases/{case.pk}/notes", "{", content_type="application/json", headers=api._headers()
    )
    assert bad_json.status_code == 400
    for body in (
        {"body": ""},
        {"body": "x\x00"},
        {"body": "x", "channel": "fax"},
        {"body": "x", "subject": "s" * 201},
    ):
        assert api.post(f"/api/v1/cases/{case.pk}/replies", body).status_code == 422, body
    assert not CaseEvent.objects.exists() and not CaseMessage.objects.exists()


def test_alert_rules_are_created_listed_updated_and_deleted(clients, people):
    api = clients["admin"]
    running = make_campaign(name="Quarterly NPS")
    created = api.post(
        "/api/v1/alert-rules",
        {
            "name": "  Detractors   on Slack ",
            "conditions": {"groups": ["detractor"], "has_comment": True, "campaign_ids": [running.pk]},
            "destination": "slack",
            "url": "https://hooks.slack.com/services/T0/B0/abc",
        },
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["name"] == "Detractors on Slack" and rule["trigger"] == "answer" and rule["enabled"] is True
    assert rule["conditions"]["groups"] == ["detractor"] and rule["description"]
    assert rule["recipients"] == []
    stored = AlertRule.objects.get()
    assert stored.url == "https://hooks.slack.com/services/T0/B0/abc" and stored.created_by == people["admin"]

    email = api.post(
        "/api/v1/alert-rules",
        {
            "name": "Overdue",
            "trigger": "case_overdue",
            "destination": "email",
            "recipients": ["LENA@example.com"],
        },
    ).json()
    assert email["recipients"] == ["lena@example.com"] and email["url"] == ""

    listed = api.get("/api/v1/alert-rules", {"limit": 1}).json()
    assert [r["id"] for r in listed["data"]] == [rule["id"]]
    assert [
        r["id"] for r in api.get("/api/v1/alert-rules", {"cursor": listed["next_cursor"]}).json()["data"]
    ] == [email["id"]]

    patched = api.patch(
        f"/api/v1/alert-rules/{rule['id']}",
        {"enabled": False, "destination": "email", "recipients": ["ada@example.com"]},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["enabled"], patched.json()["url"], patched.json()["recipients"]) == (
        False,
        "",
        ["ada@example.com"],
    )
    assert api.get(f"/api/v1/alert-rules/{rule['id']}").json() == patched.json()

    assert api.delete(f"/api/v1/alert-rules/{rule['id']}").status_code == 204
    assert api.get(f"/api/v1/alert-rules/{rule['id']}").status_code == 404
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["Overdue"]
    actions = list(AuditEntry.objects.filter(object_type="alert_rule").values_list("action", flat=True))
    assert sorted(actions) == [
        "alert_rule.create",
        "alert_rule.create",
        "alert_rule.delete",
        "alert_rule.update",
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"conditions": {"groups": ["fans"]}}, "body.conditions", "Unknown group"),
        ({"conditions": {"colour": 1}}, "body.conditions", "Unknown condition"),
        ({"conditions": {"campaign_ids": [999999]}}, "body.conditions", "no campaign with id 999999"),
        ({"conditions": []}, "body.conditions", ""),
        ({"url": ""}, "body.url", "give the slack webhook"),
        ({"url": "https://169.254.169.254/latest"}, "body.url", ""),
        ({"url": "ftp://hooks.slack.com/x"}, "body.url", ""),
        ({"recipients": ["ada@example.com"]}, "body.recipients", "only email alerts"),
        ({"destination": "email"}, "body.recipients", "give the emails"),
        (
            {"destination": "email", "recipients": ["ghost@example.com"]},
            "body.recipients",
            "ghost@example.com",
        ),
        ({"destination": "pager"}, "body.destination", ""),
        ({"trigger": "always"}, "body.trigger", ""),
        ({"name": "   "}, "body.name", "give the rule a name"),
        ({"name": "a\x00b"}, "body", "NUL"),
        ({"name": "x" * 101}, "body.name", ""),
    ],
)
def test_bad_alert_rules_are_422_and_nothing_is_saved(clients, body, field, message):
    base = {"name": "Detractors", "destination": "slack", "url": "https://hooks.slack.com/services/T/B/x"}
    if body.get("destination") == "email":
        base.pop("url")
    response = clients["admin"].post("/api/v1/alert-rules", {**base, **body})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not AlertRule.objects.exists() and not AuditEntry.objects.filter(object_type="alert_rule").exists()


def test_bad_alert_rule_change_keeps_the_rule(clients):
    api = clients["admin"]
    rule = api.post(
        "/api/v1/alert-rules", {"name": "R", "destination": "teams", "url": "https://example.com/teams/hook"}
    ).json()
    for body in (
        {"url": "http://10.0.0.5/hook"},
        {"name": None},
        {"conditions": {"score_min": 11}},
        {"destination": "email"},
    ):
        response = api.patch(f"/api/v1/alert-rules/{rule['id']}", body)
        assert response.status_code == 422, (body, response.content)
    assert api.get(f"/api/v1/alert-rules/{rule['id']}").json() == rule
    assert api.patch(f"/api/v1/alert-rules/{MAX_ID + 1}", {"enabled": False}).status_code == 422
    assert api.delete("/api/v1/alert-rules/999999").status_code == 404


def test_schema_lists_the_case_and_alert_rule_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/cases"]) == {"get"}
    assert set(paths["/api/v1/cases/{case_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/cases/{case_id}/notes"]) == {"post"}
    assert set(paths["/api/v1/cases/{case_id}/replies"]) == {"post"}
    assert set(paths["/api/v1/alert-rules"]) == {"get", "post"}
    assert set(paths["/api/v1/alert-rules/{rule_id}"]) == {"get", "patch", "delete"}


def test_a_page_of_cases_is_read_in_a_few_queries(clients, people, django_assert_max_num_queries):
    for score in range(10):
        case = make_case(score=score, owner=people["lead"])
        CaseEvent.objects.create(case=case, kind=Kind.NOTE, text="note", actor=people["lead"])
    with django_assert_max_num_queries(12):
        rows = clients["lead"].get("/api/v1/cases", {"limit": 100}).json()["data"]
    assert len(rows) == 10 and all(row["notes"][0]["user_email"] == "lena@example.com" for row in rows)
