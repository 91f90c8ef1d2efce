import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dashboards import rollups
from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_lead_exports_every_filtered_row_with_contact_and_properties(client, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    kept, other = make_campaign(name="Kept"), make_campaign(name="Other")
    contact = make_contact(name="Asha Rao", email="asha@example.com", properties={"plan": "pro", "seats": 12})
    when = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    make_answer(score=3, campaign=kept, contact=contact, comment="Slow", language="en", answered_at=when)
    for i in range(2500):  # more than one server-side cursor chunk
        make_answer(score=9, campaign=kept, answered_at=when + timedelta(seconds=i + 1))
    make_answer(score=10, campaign=other, answered_at=when)
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/export.csv", {"period": "all", "campaign": kept.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="nps-responses-')
    rows = _rows(response)
    assert len(rows) == 2501
    assert {row["campaign"] for row in rows} == {"Kept"}
    first = rows[0]
    assert first == {
        "answered_at": "2026-11-21T01:30:00+05:30",  # the workspace time zone
        "score": "3",
        "group": "detractor",
        "comment": "Slow",
        "campaign": "Kept",
        "channel": "email",
        "language": "en",
        "tags": "",
        "themes": "",
        "at_risk": "false",
        "contact_email": "asha@example.com",
        "contact_name": "Asha Rao",
        "plan": "pro",
        "seats": "12",
    }
    assert rows[1]["plan"] == "" and rows[1]["group"] == "promoter"


def test_viewer_export_has_no_contact_data(client):
    contact = make_contact(
        name="Asha Rao", email="asha@example.com", properties={"plan": "pro", "phone_note": "x"}
    )
    make_answer(score=3, contact=contact, comment="Slow")
    rollups.refresh()  # the segment keys are those the rollups hold
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/export.csv", {"period": "all"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "asha@example.com" not in body and "Asha Rao" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert "contact_email" not in rows[0] and "contact_name" not in rows[0]
    # Only segment keys (few distinct values) reach a viewer's export.
    assert rows[0]["plan"] == "pro"


def test_formula_cells_are_escaped(client):
    contact = make_contact(
        name='=HYPERLINK("http://evil")',
        properties={"note": "@SUM(A1)", "tabbed": "\t=1+2", "returned": "\r=1+2", "balance": "-12.5"},
    )
    make_answer(score=0, contact=contact, comment="=cmd|' /C calc'!A0")
    make_answer(score=5, comment="+1 for support")
    make_answer(score=7, comment='\t=HYPERLINK("http://evil")')
    client.force_login(make_user(role=Role.LEAD))
    rows = _rows(client.get("/export.csv", {"period": "all"}))
    by_score = {row["score"]: row for row in rows}
    assert by_score["0"]["comment"].startswith("'=cmd")
    assert by_score["0"]["contact_name"] == '\'=HYPERLINK("http://evil")'
    assert by_score["0"]["note"] == "'@SUM(A1)"
    # Spreadsheets skip a leading TAB or CR and run the formula after it.
    assert by_score["0"]["tabbed"] == "'\t=1+2"
    assert by_score["0"]["returned"] == "'\r=1+2"
    assert by_score["7"]["comment"] == '\'\t=HYPERLINK("http://evil")'
    assert by_score["0"]["balance"] == "-12.5"  # a number stays a number
    assert by_score["5"]["comment"] == "'+1 for support"


def test_period_filter_applies(client):
    make_answer(score=9, comment="recent")
    make_answer(score=9, comment="old", answered_at=timezone.now() - timedelta(days=100))
    client.force_login(make_user(role=Role.VIEWER))
    rows = _rows(client.get("/export.csv", {"period": "30d"}))
    assert [row["comment"] for row in rows] == ["recent"]


def test_invalid_filters_are_a_400_with_the_reason(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/export.csv", {"period": "custom", "start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.text


def test_empty_export_is_just_the_header(client):
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/export.csv", {"period": "7d"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == [
        "answered_at,score,group,comment,campaign,channel,language,tags,themes,at_risk,contact_email,contact_name"
    ]
