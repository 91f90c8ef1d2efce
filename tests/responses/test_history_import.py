"""History import: a realistic Delighted export and a generic CSV, through the admin's pages."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards import queries
from dashboards.filters import Filters
from responses import history_import
from responses.models import Answer, ResponseImport
from surveys.models import Campaign, Contact
from tests.factories import make_brand, make_contact, make_user

pytestmark = pytest.mark.django_db

DELIGHTED_HEADER = (
    "Response ID,Date,Updated,Name,Email,Score,Comment,Permalink,Delighted Source,Delighted Trend,Tags,Notes,"
    "Plan,Region\r\n"
)
DELIGHTED_ROWS = [
    # Quoted commas and a quoted newline inside comments, as Delighted wrote them.
    "101,2024-03-05 23:30:00 -0800,2024-03-06 01:00:00 -0800,Asha Rao,asha@example.com,10,"
    '"Fast, friendly support","https://delighted.com/r/101",email,1,"vip, renewal",Called back,pro,EU\r\n',
    '102,2024-03-10 09:15:00 -0800,,Bruno,BRUNO@example.com,6,"Good product.\r\nSlow invoices.",'
    "https://delighted.com/r/102,sms,1,,,basic,US\r\n",
    "103,2024-04-02T12:00:00Z,,Chen,chen@example.com,3,,https://delighted.com/r/103,web,1,,,pro,APAC\r\n",
    "104,2024-04-03 08:00:00 -0800,,Dana,dana@example.com,11,Too high,https://delighted.com/r/104,email,1,,,pro,EU\r\n",
    "105,,,Eve,eve@example.com,9,No date,https://delighted.com/r/105,email,1,,,pro,EU\r\n",
    "106,2024-04-04 08:00:00 -0800,,Finn,not-an-email,9,,https://delighted.com/r/106,email,1,,,pro,EU\r\n",
    "101,2024-03-05 23:30:00 -0800,,Asha Rao,asha@example.com,10,Again,https://delighted.com/r/101,email,1,,,pro,EU\r\n",
    "107,2024-04-20 10:00:00 -0800,,Gita,,8,By text,https://delighted.com/r/107,sms,1,,,basic,IN\r\n",
]


def delighted_export(rows=DELIGHTED_ROWS) -> bytes:
    # Excel-friendly: UTF-8 with a BOM, CRLF line ends.
    return ("\ufeff" + DELIGHTED_HEADER + "".join(rows)).encode("utf-8")


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    client.force_login(user)
    return user


def upload(client, content: bytes, brand, name="delighted-responses.csv"):
    response = client.post(
        "/responses/import/", {"file": SimpleUploadedFile(name, content, "text/csv"), "brand": brand.pk}
    )
    assert response.status_code == 302, response.text
    return ResponseImport.objects.latest("created_at")


def run_import(client, response_import, capture, mapping=None):
    """Confirm the columns (as suggested unless given), check the rows, import the valid ones."""
    mapping = mapping or response_import.mapping
    data = {f"map-column_{index}": target for index, target in enumerate(mapping)}
    with capture(execute=True):
        assert client.post(f"/responses/import/{response_import.pk}/map/", data).status_code == 302
    response_import.refresh_from_db()
    assert response_import.status == ResponseImport.Status.CHECKED, response_import.error
    with capture(execute=True):
        response = client.post(f"/responses/import/{response_import.pk}/confirm/", {"action": "import"})
    assert response.status_code == 302
    response_import.refresh_from_db()
    return response_import


def test_delighted_export_is_recognised_and_imported_with_its_dates(
    client, admin, django_capture_on_commit_callbacks
):
    brand = make_brand()
    existing = make_contact(email="asha@example.com", name="", properties={"plan": "enterprise"})
    response_import = upload(client, delighted_export(), brand)

    assert response_import.is_delighted
    page = client.get(f"/responses/import/{response_import.pk}/").text
    assert "already recognised" in page and "Fast, friendly support" in page
    assert response_import.mapping == [
        "response_id", "date", "ignore", "name", "email", "score", "comment", "ignore", "channel", "ignore",
        "ignore", "notes", "property", "property",
    ]  # fmt: skip

    response_import = run_import(client, response_import, django_capture_on_commit_callbacks)

    assert response_import.status == ResponseImport.Status.IMPORTED
    assert (response_import.total_rows, response_import.valid_rows, response_import.invalid_rows) == (8, 3, 5)
    assert response_import.created_count == 3
    reasons = {error["line"]: error["reason"] for error in response_import.errors}
    assert reasons == {
        6: "The score “11” is not a whole number from 0 to 10",
        7: "No date",
        8: "“not-an-email” is not a valid email address",
        9: "The same answer as line 2",
        10: "Neither an email nor a phone number: the answer needs a contact",
    }
    page = client.get(f"/responses/import/{response_import.pk}/").text
    assert "The score “11” is not a whole number from 0 to 10" in page

    asha = Answer.objects.get(external_id="delighted:101")
    assert asha.contact == existing
    assert asha.answered_at == datetime(2024, 3, 6, 7, 30, tzinfo=UTC)
    assert (asha.score, asha.comment, asha.notes, asha.channel) == (
        10,
        "Fast, friendly support",
        "Called back",
        "email",
    )
    assert asha.invitation is None
    existing.refresh_from_db()
    # History fills gaps but never overwrites what is known today.
    assert existing.name == "Asha Rao"
    # Property names have one spelling (issue 10): the header "Region" is "region".
    assert existing.properties == {"plan": "enterprise", "region": "EU"}

    bruno = Answer.objects.get(external_id="delighted:102")
    assert bruno.comment == "Good product.\r\nSlow invoices."
    assert bruno.channel == "sms"
    assert bruno.contact.email == "bruno@example.com"
    assert bruno.contact.properties == {"plan": "basic", "region": "US"}
    assert Answer.objects.get(external_id="delighted:103").channel == "web"

    campaign = asha.campaign
    assert campaign.name == "Imported history" and campaign.brand == brand
    assert campaign.status == Campaign.Status.ARCHIVED

    # The dashboards count them on their original days.
    march = queries.split(Filters(start=date(2024, 3, 1), end=date(2024, 3, 31)))
    assert (march.total, march.promoters, march.passives, march.detractors) == (2, 1, 0, 1)
    assert queries.split(Filters(start=date(2024, 3, 6), end=date(2024, 3, 6))).total == 1
    assert queries.split(Filters(start=date(2024, 4, 1), end=date(2024, 4, 30))).detractors == 1


def test_the_row_without_email_needs_a_phone(client, admin, django_capture_on_commit_callbacks):
    response_import = upload(client, delighted_export(), make_brand())
    response_import = run_import(client, response_import, django_capture_on_commit_callbacks)
    assert {"line": 10, "reason": "Neither an email nor a phone number: the answer needs a contact"} in (
        response_import.errors
    )
    assert not Answer.objects.filter(external_id="delighted:107").exists()


def test_phone_variant_of_the_export(client, admin, django_capture_on_commit_callbacks):
    content = (
        b"Response ID,Date,Name,Phone Number,Score,Comment,Permalink,Delighted Source\n"
        b"900,2024-05-01 10:00:00 +0530,Ravi,+91 98765 43210,9,Bahut accha,https://delighted.com/r/900,sms\n"
    )
    response_import = upload(client, content, make_brand())
    assert response_import.is_delighted
    run_import(client, response_import, django_capture_on_commit_callbacks)
    answer = Answer.objects.get(external_id="delighted:900")
    assert str(answer.contact.phone) == "+919876543210"
    assert answer.answered_at == datetime(2024, 5, 1, 4, 30, tzinfo=UTC)


def test_importing_the_same_file_twice_adds_nothing(client, admin, django_capture_on_commit_callbacks):
    brand = make_brand()
    first = run_import(client, upload(client, delighted_export(), brand), django_capture_on_commit_callbacks)
    answers, contacts = Answer.objects.count(), Contact.objects.count()

    second = run_import(client, upload(client, delighted_export(), brand), django_capture_on_commit_callbacks)

    assert first.created_count == 3
    assert (second.created_count, second.updated_count, second.contacts_created) == (0, 3, 0)
    assert Answer.objects.count() == answers == 3
    assert Contact.objects.count() == contacts
    assert Campaign.objects.filter(name="Imported history").count() == 1
    assert queries.split(Filters(start=date(2024, 3, 1), end=date(2024, 4, 30))).total == 3
    page = client.get(f"/responses/import/{second.pk}/").text
    assert "Already imported" in page


def test_generic_csv_is_mapped_on_the_preview(client, admin, django_capture_on_commit_callbacks):
    content = (
        "customer;nps;feedback;when;plan\n"
        "ana@example.com;9;Muito bom;2023-11-05;pro\n"
        "li@example.com;2;Too slow;11/20/2023 16:45;basic\n"
        "li@example.com;abc;;2023-11-21;basic\n"
    ).encode("cp1252")
    response_import = upload(client, content, make_brand(), name="history.csv")
    assert not response_import.is_delighted
    # "customer" reads as a name and "when" is unknown: the admin maps both on the preview.
    assert response_import.mapping == ["name", "score", "comment", "property", "property"]
    mapping = ["email", "score", "comment", "date", "property"]
    response_import = run_import(client, response_import, django_capture_on_commit_callbacks, mapping=mapping)

    assert (response_import.created_count, response_import.invalid_rows) == (2, 1)
    assert response_import.errors == [
        {"line": 4, "reason": "The score “abc” is not a whole number from 0 to 10"}
    ]
    li = Answer.objects.get(contact__email="li@example.com")
    assert li.answered_at == datetime(2023, 11, 20, 16, 45, tzinfo=UTC)
    assert li.external_id.startswith("csv:")
    assert li.contact.properties == {"plan": "basic"}

    again = run_import(
        client, upload(client, content, make_brand(), name="history.csv"), django_capture_on_commit_callbacks,
        mapping=mapping,
    )  # fmt: skip
    assert again.created_count == 0 and Answer.objects.count() == 2


def test_mapping_needs_score_date_and_contact(client, admin):
    response_import = upload(client, b"email,comment\na@example.com,hi\n", make_brand())
    data = {"map-column_0": "email", "map-column_1": "comment"}
    response = client.post(f"/responses/import/{response_import.pk}/map/", data)
    assert response.status_code == 400
    assert "Choose the column that holds the score." in response.text
    response_import.refresh_from_db()
    assert response_import.status == ResponseImport.Status.UPLOADED


def test_binary_or_empty_upload_is_refused_and_nothing_stored(client, admin):
    brand = make_brand()
    response = client.post(
        "/responses/import/", {"file": SimpleUploadedFile("x.csv", b"", "text/csv"), "brand": brand.pk}
    )
    assert response.status_code == 400
    assert "The submitted file is empty." in response.text
    response = client.post(
        "/responses/import/",
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04", "application/octet-stream"), "brand": brand.pk},
    )
    assert response.status_code == 400
    assert "choose “Save as” → “CSV”" in response.text
    assert not ResponseImport.objects.exists()


def test_cancel_imports_nothing(client, admin, django_capture_on_commit_callbacks):
    response_import = upload(client, delighted_export(), make_brand())
    data = {f"map-column_{i}": t for i, t in enumerate(response_import.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/responses/import/{response_import.pk}/map/", data)
    response = client.post(
        f"/responses/import/{response_import.pk}/confirm/", {"action": "cancel"}, follow=True
    )
    assert "Nothing was imported" in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_history_import_is_for_admins(client, role):
    client.force_login(make_user(role=role))
    brand = make_brand()
    response = client.post(
        "/responses/import/",
        {"file": SimpleUploadedFile("x.csv", delighted_export(), "text/csv"), "brand": brand.pk},
    )
    assert response.status_code == 403
    assert not ResponseImport.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05 14:02:11 -0800", datetime(2024, 3, 5, 22, 2, 11, tzinfo=UTC)),
        ("2024-03-05T14:02:11Z", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024-03-05 14:02:11 UTC", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("03/05/2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("1709647331", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
    ],
)
def test_dates_delighted_and_spreadsheets_write(value, expected):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert history_import.parse_date(value, UTC, now=now) == expected


@pytest.mark.parametrize("value", ["yesterday", "2030-01-01", "31/12/2024", "1899-01-01"])
def test_bad_dates_are_refused(value):
    with pytest.raises(ValueError):  # noqa: PT011 (the message is checked on the page tests)
        history_import.parse_date(value, UTC, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_dashboards_refresh_their_rollups_after_every_history_import():
    from dashboards.tasks import refresh_rollups

    assert refresh_rollups.delay in history_import.after_load
