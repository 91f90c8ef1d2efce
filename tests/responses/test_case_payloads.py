"""Tags, notes, at-risk and the permalink where customers' data leaves OpenNPS: the Delighted-compatible API,
webhook payloads (and their erasure), the dashboard's CSV export and a contact's data export."""

import base64
import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from nps.accounts.roles import Role
from nps.api import keys
from nps.webhooks.models import WebhookDelivery, WebhookEvent
from responses import serializers
from responses.models import AnswerTag, Case, CaseEvent, Tag
from surveys.contacts import erase_contact
from tests.factories import make_answer, make_campaign, make_contact, make_user
from tests.nps.test_webhooks import Receiver, make_endpoint

pytestmark = pytest.mark.django_db


def answered_with_case(*, contact, score=3, tags=(), notes=(), by=None, **fields):
    answer = make_answer(score=score, contact=contact, campaign=fields.pop("campaign", None), **fields)
    case = Case.objects.create(
        answer=answer, campaign=answer.campaign, contact=contact, score=score, group=answer.group
    )
    for name in tags:
        tag = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        AnswerTag.objects.create(answer=answer, tag=tag)
    for text in notes:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, text=text, actor=by)
    return answer, case


@pytest.fixture
def delighted(client):
    _key, raw = keys.create_api_key(name="Delighted", read_only=True)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{raw}:".encode()).decode()}
    return lambda path: client.get(path, headers=auth)


def test_delighted_survey_responses_carry_tags_case_notes_permalink_and_at_risk(delighted):
    lead = make_user(role=Role.LEAD, email="lena@example.com")
    risky = make_contact(email="rui@example.com", at_risk=True, at_risk_reason="Score fell from 9 to 4")
    answer, case = answered_with_case(
        contact=risky, tags=["refund", "Billing"], notes=["Called, refund agreed."], by=lead
    )
    note = case.events.get()

    body = delighted(f"/v1/survey_responses/{answer.pk}.json?expand[]=notes&expand[]=person").json()

    assert body["tags"] == ["Billing", "refund"]
    assert body["notes"] == [
        {
            "id": str(note.pk),
            "text": "Called, refund agreed.",
            "user_email": "lena@example.com",
            "created_at": int(note.created_at.timestamp()),
        }
    ]
    assert body["permalink"] == f"http://testserver/responses/{answer.pk}/"
    assert body["person"]["at_risk"] is True
    unexpanded = delighted(f"/v1/survey_responses/{answer.pk}.json").json()
    assert unexpanded["notes"] == [str(note.pk)] and unexpanded["person"] == str(risky.pk)
    # The answer without a case: no notes, its own tags (none), the same keys as before.
    plain = make_answer(score=9, contact=make_contact())
    plain_body = delighted(f"/v1/survey_responses/{plain.pk}.json").json()
    assert (plain_body["tags"], plain_body["notes"]) == ([], [])
    assert set(plain_body) == set(body)


def test_a_page_of_responses_reads_tags_and_notes_in_a_few_queries(delighted, django_assert_max_num_queries):
    lead = make_user(role=Role.LEAD)
    campaign = make_campaign()
    for i in range(15):
        answered_with_case(
            contact=make_contact(),
            campaign=campaign,
            tags=["billing", f"t{i}"],
            notes=["one", "two"],
            by=lead,
        )
    with django_assert_max_num_queries(12):
        rows = delighted("/v1/survey_responses.json?per_page=100&expand[]=notes&expand[]=person").json()
    assert len(rows) == 15 and all(len(row["notes"]) == 2 and "billing" in row["tags"] for row in rows)


def test_case_payload_matches_the_case(settings):
    lead = make_user(role=Role.LEAD, email="lena@example.com")
    contact = make_contact(email="ana@example.com", at_risk=True)
    answer, case = answered_with_case(contact=contact, tags=["late"], notes=["Left a voicemail"], by=lead)
    Case.objects.filter(pk=case.pk).update(owner=lead, due_at=timezone.now() - timedelta(hours=1))
    case.refresh_from_db()

    data = serializers.case(case)

    assert data["id"] == str(case.pk) and data["owner_email"] == "lena@example.com"
    assert (data["status"], data["priority"], data["overdue"], data["group"]) == (
        "new",
        "normal",
        True,
        "detractor",
    )
    assert data["tags"] == ["late"] and data["at_risk"] is True and data["score"] == 3
    assert data["due_at"] == int(case.due_at.timestamp()) and data["closed_at"] is None
    assert [note["text"] for note in data["notes"]] == ["Left a voicemail"]
    assert data["survey_response"] == serializers.survey_response(answer)
    assert json.loads(json.dumps(data)) == data  # plain JSON


def test_erasing_the_contact_redacts_case_deliveries_too(django_capture_on_commit_callbacks):
    receiver = Receiver()
    try:
        make_endpoint(receiver.url, events=[WebhookEvent.CASE_UPDATED])
        lead = make_user(role=Role.LEAD)
        contact = make_contact(
            email="asha.rao@example.com", name="Asha Rao", properties={"city": "Coimbatore"}
        )
        _answer, case = answered_with_case(contact=contact, tags=["billing"])
        from responses.cases import services

        receiver.statuses = [500]  # not delivered yet: a retry is pending when the contact is erased
        with django_capture_on_commit_callbacks(execute=True):
            services.add_note(case, "Asha Rao asked for a call", by=lead)
        delivery = WebhookDelivery.objects.get(event_type=WebhookEvent.CASE_UPDATED)
        assert "asha.rao@example.com" in json.dumps(delivery.payload)

        erase_contact(contact)

        delivery.refresh_from_db()
        text = json.dumps(delivery.payload)
        assert "asha.rao@example.com" not in text and "Asha Rao" not in text and "Coimbatore" not in text
        data = delivery.payload["event_data"]
        assert data["notes"] == [] and data["permalink"] == ""
        assert data["survey_response"]["person"] is None and data["survey_response"]["notes"] == []
        assert delivery.state == WebhookDelivery.State.FAILED
    finally:
        receiver.close()


def test_dashboard_export_has_tags_and_at_risk_columns(client):
    risky = make_contact(email="rui@example.com", at_risk=True)
    answered_with_case(contact=risky, tags=["refund", "Billing"])
    make_answer(score=9, contact=make_contact())
    make_answer(score=8)  # no contact
    client.force_login(make_user(role=Role.VIEWER))
    body = b"".join(client.get("/export.csv", {"period": "all"}).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted((row["score"], row["tags"], row["at_risk"]) for row in rows) == [
        ("3", "Billing, refund", "true"),
        ("8", "", ""),
        ("9", "", "false"),
    ]


def test_contact_data_export_has_at_risk_and_tags(client):
    contact = make_contact(
        email="rui@example.com", at_risk=True, at_risk_reason="Score fell from 9 to 4", last_score=4
    )
    answered_with_case(contact=contact, score=4, tags=["refund"])
    _key, raw = keys.create_api_key(name="Privacy", read_only=True)
    data = client.get(
        f"/api/v1/contacts/{contact.pk}/export", headers={"Authorization": f"Bearer {raw}"}
    ).json()
    assert data["contact"]["at_risk"] is True
    assert (
        data["contact"]["at_risk_reason"] == "Score fell from 9 to 4" and data["contact"]["last_score"] == 4
    )
    assert [answer["tags"] for answer in data["answers"]] == [["refund"]]
