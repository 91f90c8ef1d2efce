import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nps.accounts.roles import Role
from surveys.models import Audience, Contact, ContactImport
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def upload(client, content: bytes, name="contacts.csv"):
    return client.post(
        reverse("surveys:import_start"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def uploaded(client, content: bytes, name="contacts.csv") -> ContactImport:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ContactImport.objects.latest("pk")


def check(client, contact_import, *, campaign=None, **targets) -> ContactImport:
    """Post the suggested mapping (with overrides by header) and return the checked import."""
    data = {"map-campaign": campaign.pk if campaign else ""}
    for index, (header, target) in enumerate(
        zip(contact_import.headers, contact_import.mapping, strict=True)
    ):
        data[f"map-column_{index}"] = targets.get(header, target)
    response = client.post(reverse("surveys:import_map", args=[contact_import.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact_import.refresh_from_db()
    return contact_import


def import_valid(client, contact_import):
    response = client.post(reverse("surveys:import_confirm", args=[contact_import.pk]), {"action": "import"})
    assert response.status_code == 302
    contact_import.refresh_from_db()
    return contact_import


def full_import(client, content: bytes, **kwargs) -> ContactImport:
    return import_valid(client, check(client, uploaded(client, content), **kwargs))


@pytest.mark.parametrize(
    "content",
    [
        codecs.BOM_UTF8 + "email,name\r\njose@example.com,José\r\nzoe@example.com,Zoë\r\n".encode(),
        "email,name\r\njose@example.com,José\r\nzoe@example.com,Zoë\r\n".encode(),
        codecs.BOM_UTF16_LE
        + "email,name\r\njose@example.com,José\r\nzoe@example.com,Zoë\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE
        + "email,name\r\njose@example.com,José\r\nzoe@example.com,Zoë\r\n".encode("utf-16-be"),
        "email;name\r\njose@example.com;José\r\nzoe@example.com;Zoë\r\n".encode("cp1252"),
    ],
    ids=["utf8-bom", "utf8", "utf16-le", "utf16-be", "cp1252-semicolon"],
)
def test_each_encoding_keeps_accents(admin_client, content):
    contact_import = full_import(admin_client, content)

    assert contact_import.status == ContactImport.Status.IMPORTED
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["José", "Zoë"]
    assert Contact.objects.filter(email="jose@example.com").exists()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_each_delimiter_with_quoted_newlines(admin_client, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows(
        [
            ["Email", "Full name", "Notes", "Plan"],
            ["a@example.com", "Asha Rao", "line one\nline two; with, commas", "pro"],
            ["b@example.com", "Ravi Iyer", "", "free"],
        ]
    )
    contact_import = full_import(admin_client, buffer.getvalue().encode())

    assert contact_import.delimiter == delimiter
    assert contact_import.total_rows == 2
    asha = Contact.objects.get(email="a@example.com")
    assert asha.name == "Asha Rao"
    # Property names have one spelling (issue 10): the headers "Notes" and "Plan" are "notes" and "plan".
    assert asha.properties == {"notes": "line one\nline two; with, commas", "plan": "pro"}
    assert Contact.objects.get(email="b@example.com").properties == {"plan": "free"}


def test_fields_are_normalised(admin_client, settings):
    settings.DEFAULT_PHONE_REGION = "IN"
    content = (
        b"email,phone,name,language,timezone\n"
        b"Asha.Rao@Example.COM,098765 43210,Asha,hi-IN,asia/kolkata\n"
        b",+1 (415) 555-2671,Li,zh-CN,America/Los_Angeles\n"
        b"pt@example.com,,Ana,pt-BR,\n"
        b"en@example.com,,Ed,English,UTC\n"
    )
    full_import(admin_client, content)

    asha = Contact.objects.get(email="asha.rao@example.com")
    assert (str(asha.phone), asha.language, asha.time_zone) == ("+919876543210", "hi", "Asia/Kolkata")
    li = Contact.objects.get(phone="+14155552671")
    assert (li.email, li.language) == (None, "zh-hans")
    assert Contact.objects.get(email="pt@example.com").language == "pt"
    assert Contact.objects.get(email="en@example.com").language == "en"


def test_bad_rows_get_line_numbers_and_reasons(admin_client):
    content = (
        b"email,phone,name,language,time_zone\n"
        b"good@example.com,,Good,en,\n"
        b"not-an-email,,Bad email,,\n"
        b"x@example.com,12,Bad phone,,\n"
        b"y@example.com,,Bad language,klingon,\n"
        b',,"Nobody\nat all",,\n'
        b"z@example.com,,Bad zone,,Mars/Olympus\n"
        b"GOOD@example.com,,Duplicate,,\n"
    )
    contact_import = check(admin_client, uploaded(admin_client, content))

    assert (contact_import.total_rows, contact_import.valid_rows, contact_import.invalid_rows) == (7, 1, 6)
    page = admin_client.get(contact_import.get_absolute_url()).content.decode()
    assert "“not-an-email” is not a valid email address" in page
    assert "“12” is not a valid phone number" in page
    assert "Unknown language “klingon”" in page
    assert "Neither an email nor a phone number" in page
    assert "Unknown time zone “Mars/Olympus”" in page
    assert "Same email as line 2" in page
    assert [error["line"] for error in contact_import.errors] == [3, 4, 5, 6, 8, 9]
    assert "Import the 1 valid row" in page
    assert not Contact.objects.exists()


def test_rejected_rows_download_escapes_formulas(admin_client):
    content = (
        b'email,name\nbad-address,=HYPERLINK("http://evil.example")\nok@example.com,Ok\n'
        b'also-bad,"\t=1+2"\nstill-bad,"\r=1+2"\n'
    )
    contact_import = check(admin_client, uploaded(admin_client, content))

    response = admin_client.get(reverse("surveys:import_rejected", args=[contact_import.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["line", "reason", "email", "name"]
    assert rows[1][0] == "2"
    assert "not a valid email address" in rows[1][1]
    assert rows[1][3].startswith("'=")  # a spreadsheet shows it as text, never runs it
    # A leading TAB or CR is skipped by spreadsheets before they run the formula: escaped too.
    assert [row[3] for row in rows[2:]] == ["'\t=1+2", "'\r=1+2"]


def test_import_nothing_writes_nothing(admin_client):
    contact_import = check(admin_client, uploaded(admin_client, b"email\na@example.com\nbad\n"))

    response = admin_client.post(
        reverse("surveys:import_confirm", args=[contact_import.pk]), {"action": "cancel"}
    )

    assert response.status_code == 302
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.CANCELLED
    assert not Contact.objects.exists()
    page = admin_client.get(contact_import.get_absolute_url()).content.decode()
    assert "Nothing was imported" in page
    # A late "import" after "import nothing" changes nothing.
    admin_client.post(reverse("surveys:import_confirm", args=[contact_import.pk]), {"action": "import"})
    assert not Contact.objects.exists()


def test_reimport_updates_instead_of_duplicating(admin_client):
    existing = make_contact(
        email="Asha@Example.com", name="Asha", properties={"plan": "free", "region": "EU"}
    )
    by_phone = make_contact(email=None, phone="+919876543210", name="")
    campaign = make_campaign()
    content = (
        b"email,phone,name,plan\n"
        b"asha@example.com,,Asha Rao,pro\n"
        b"ravi@example.com,+91 98765 43210,Ravi,team\n"
        b"new@example.com,,,free\n"
    )

    contact_import = full_import(admin_client, content, campaign=campaign)

    assert (contact_import.created_count, contact_import.updated_count) == (1, 2)
    assert Contact.objects.count() == 3
    existing.refresh_from_db()
    assert existing.name == "Asha Rao"
    assert existing.properties == {"plan": "pro", "region": "EU"}
    by_phone.refresh_from_db()
    assert (by_phone.email, by_phone.name, by_phone.properties) == (
        "ravi@example.com",
        "Ravi",
        {"plan": "team"},
    )
    assert Audience.objects.filter(campaign=campaign).count() == 3


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "contacts.csv", "The submitted file is empty"),
        (b"\n\n  \n", "contacts.csv", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "contacts.csv", "This file is not a CSV file"),
        (b"PK\x03\x04", "contacts.xlsx", "Spreadsheet workbooks cannot be read directly"),
    ],
    ids=["zero-bytes", "blank", "binary", "xlsx"],
)
def test_unreadable_file_is_refused_with_a_clear_message(admin_client, content, name, message):
    response = upload(admin_client, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactImport.objects.exists()


def test_too_large_file_is_refused(admin_client, settings):
    settings.CONTACT_IMPORT_MAX_MB = 1
    response = upload(admin_client, b"email\n" + b"a@example.com\n" * 80_000)

    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert not ContactImport.objects.exists()


def test_mapping_needs_an_email_or_phone_column(admin_client):
    contact_import = uploaded(admin_client, b"email,name\na@example.com,A\n")
    response = admin_client.post(
        reverse("surveys:import_map", args=[contact_import.pk]),
        {"map-column_0": "property", "map-column_1": "name", "map-campaign": ""},
    )
    assert response.status_code == 400
    assert "Choose the column that holds the email or the phone number." in response.content.decode()
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.UPLOADED


def test_preview_shows_first_rows_and_suggested_mapping(admin_client):
    contact_import = uploaded(
        admin_client, b"E-mail,Mobile Number,Customer Name,Plan\na@example.com,,Asha,pro\n"
    )

    assert contact_import.mapping == ["email", "phone", "name", "property"]
    page = admin_client.get(contact_import.get_absolute_url()).content.decode()
    assert "Preview of the first rows" in page
    assert "Asha" in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LEAD])
def test_viewer_and_lead_cannot_import(client, role):
    client.force_login(make_user(role=role))

    assert client.get(reverse("surveys:import_start")).status_code == 403
    assert upload(client, b"email\na@example.com\n").status_code == 403
    assert not ContactImport.objects.exists()


def test_contact_list_search_and_empty_state(client):
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(reverse("surveys:contact_list")).content.decode()
    assert "No contacts yet" in page

    make_contact(email="asha@example.com", name="Asha Rao", phone="+919876543210")
    make_contact(email="ravi@example.com", name="Ravi Iyer")
    assert "Ravi Iyer" not in client.get(reverse("surveys:contact_list"), {"q": "asha"}).content.decode()
    assert "Asha Rao" in client.get(reverse("surveys:contact_list"), {"q": "98765"}).content.decode()
    assert "No contact matches" in client.get(reverse("surveys:contact_list"), {"q": "zzz"}).content.decode()


def test_contact_list_pages_keep_the_search(client):
    from surveys.models import Contact

    client.force_login(make_user(role=Role.LEAD))
    Contact.objects.bulk_create(Contact(email=f"asha{n}@example.com", name=f"Asha {n}") for n in range(51))
    first = client.get(reverse("surveys:contact_list"), {"q": "asha & co"}).content.decode()
    assert "No contact matches" in first
    first = client.get(reverse("surveys:contact_list"), {"q": "asha"}).content.decode()
    assert 'href="?q=asha&amp;page=2" rel="next">Next →</a>' in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("surveys:contact_list"), {"q": "asha", "page": 2}).content.decode()
    assert 'href="?q=asha&amp;page=1" rel="prev">← Previous</a>' in second
    unfiltered = client.get(reverse("surveys:contact_list")).content.decode()
    assert 'href="?page=2" rel="next">Next →</a>' in unfiltered


def test_viewer_cannot_see_contacts_and_lead_cannot_delete(client):
    contact = make_contact()
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(reverse("surveys:contact_list")).status_code == 403
    client.force_login(make_user(role=Role.LEAD))
    assert client.get(contact.get_absolute_url()).status_code == 200
    assert client.post(reverse("surveys:contact_delete", args=[contact.pk])).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_matching_filters_properties():
    pro_eu = make_contact(properties={"plan": "pro", "region": "EU"})
    make_contact(properties={"plan": "free", "region": "EU"})
    pro_us = make_contact(properties={"plan": "pro", "region": "US", "account manager": "Li"})
    make_contact(properties={"plan": "pro", "region": "IN"})

    assert set(Contact.objects.matching({"plan": "pro", "region": ["EU", "US"]})) == {pro_eu, pro_us}
    assert list(Contact.objects.matching({"account manager": "Li"})) == [pro_us]
    assert Contact.objects.matching({}).count() == 4


def test_batch_path_for_sqlite_merges_like_copy_path(tmp_path):
    """The demo's loader (ORM batches) follows the same rules as the COPY path."""
    from surveys.contact_import import _load_batches, check_file, suggest_mapping

    existing = make_contact(email="asha@example.com", name="Asha", properties={"region": "EU"})
    source = tmp_path / "contacts.csv"
    source.write_text("email,phone,name,plan\nASHA@example.com,,,pro\n,+91 98765 43210,Ravi,free\n")
    clean = tmp_path / "clean.tsv"
    headers = ["email", "phone", "name", "plan"]
    with open(clean, "w", encoding="utf-8") as out:
        check_file(
            source,
            encoding="utf-8",
            delimiter=",",
            headers=headers,
            mapping=suggest_mapping(headers),
            clean_out=out,
            rejected_out=io.StringIO(),
            errors=[],
        )
    campaign = make_campaign()

    assert _load_batches(clean, campaign.pk, batch_size=1) == (1, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.properties) == ("Asha", {"region": "EU", "plan": "pro"})
    assert Contact.objects.get(phone="+919876543210").name == "Ravi"
    assert Audience.objects.filter(campaign=campaign).count() == 2


def test_retried_import_task_writes_nothing_twice(admin_client):
    from surveys.tasks import import_contacts

    contact_import = full_import(admin_client, b"email\na@example.com\nb@example.com\n")
    import_contacts(contact_import.pk)

    contact_import.refresh_from_db()
    assert (contact_import.status, contact_import.created_count) == (ContactImport.Status.IMPORTED, 2)
    assert Contact.objects.count() == 2


def test_progress_partial_while_running_and_refresh_when_done(admin_client):
    contact_import = uploaded(admin_client, b"email\na@example.com\n")
    ContactImport.objects.filter(pk=contact_import.pk).update(
        status=ContactImport.Status.CHECKING, progress=42
    )
    url = reverse("surveys:import_progress", args=[contact_import.pk])

    response = admin_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<progress value="42" max="100"' in response.content.decode()
    page = admin_client.get(contact_import.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page

    ContactImport.objects.filter(pk=contact_import.pk).update(status=ContactImport.Status.CHECKED)
    response = admin_client.get(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"


def test_admin_edits_a_contact_and_bad_input_changes_nothing(admin_client):
    contact = make_contact(email="asha@example.com", name="Asha")
    make_contact(email="taken@example.com")
    url = reverse("surveys:contact_edit", args=[contact.pk])
    data = {"email": "taken@example.com", "phone": "", "name": "Asha Rao", "language": "hi", "time_zone": ""}

    response = admin_client.post(url, {**data, "properties": '{"plan": "pro"}'})
    assert response.status_code == 400
    assert "Another contact has this email." in response.content.decode()
    response = admin_client.post(url, {**data, "email": "", "properties": "{}"})
    assert "A contact needs an email, a phone number or both." in response.content.decode()
    contact.refresh_from_db()
    assert (contact.email, contact.name) == ("asha@example.com", "Asha")

    response = admin_client.post(
        url, {**data, "email": "Asha.Rao@Example.com", "properties": '{"plan": "pro"}'}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.email, contact.name, contact.language, contact.properties) == (
        "asha.rao@example.com",
        "Asha Rao",
        "hi",
        {"plan": "pro"},
    )


def test_failed_load_writes_nothing_and_says_so(admin_client, settings):
    """A row that breaks the database half way (a duplicate slipped into the checked rows) undoes it all."""
    from django.db import IntegrityError

    from surveys.tasks import import_contacts

    existing = make_contact(email="a@example.com", name="Old")
    contact_import = check(
        admin_client, uploaded(admin_client, b"email,name\na@example.com,New\nb@example.com,B\n")
    )
    clean = settings.MEDIA_ROOT / contact_import.clean_file.name
    clean.write_text(clean.read_text() + clean.read_text().splitlines(keepends=True)[1])
    ContactImport.objects.filter(pk=contact_import.pk).update(status=ContactImport.Status.IMPORTING)

    with pytest.raises(IntegrityError):
        import_contacts(contact_import.pk)

    existing.refresh_from_db()
    assert existing.name == "Old"
    assert Contact.objects.count() == 1
    contact_import.refresh_from_db()
    assert contact_import.status == ContactImport.Status.FAILED
    page = admin_client.get(contact_import.get_absolute_url()).content.decode()
    assert "nothing was written" in page


def test_admin_deletes_a_contact_after_confirming(admin_client):
    contact = make_contact(email="asha@example.com", name="Asha")
    url = reverse("surveys:contact_delete", args=[contact.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Delete Asha?" in page.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()

    response = admin_client.post(url)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
