"""One rule for contacts (surveys.contacts): addresses, property names, and deleting = erasing."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from dashboards import rollups
from nps.accounts.roles import Role
from responses.models import Answer
from surveys import contacts
from surveys.models import Audience, Campaign, Contact, Invitation, Suppression
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user
from tests.surveys.test_import import full_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


# Phone numbers: a national number is read in settings.DEFAULT_PHONE_REGION, everywhere.


@pytest.mark.parametrize(
    ("written", "region", "expected"),
    [
        ("98765 43210", "IN", "+919876543210"),
        ("098765-43210", "IN", "+919876543210"),
        ("+91 98765 43210", "IN", "+919876543210"),
        ("+91 98765 43210", "US", "+919876543210"),
        ("(202) 555-0142", "US", "+12025550142"),
    ],
)
def test_phone_numbers_have_one_form(settings, written, region, expected):
    settings.DEFAULT_PHONE_REGION = region
    assert contacts.normalize_phone(written) == expected


@pytest.mark.parametrize("junk", ["12", "98765", "call me", "+0 1234 5678"])
def test_junk_phone_numbers_are_refused_saying_how_to_write_one(junk):
    with pytest.raises(contacts.ContactError) as raised:
        contacts.normalize_phone(junk)
    assert str(raised.value).startswith(
        f"“{junk}” is not a valid phone number; write it with its country code"
    )
    assert raised.value.field == "phone"


def test_emails_are_trimmed_lower_cased_and_checked():
    assert contacts.normalize_email("  Ana.Rao@Example.COM ") == "ana.rao@example.com"
    with pytest.raises(contacts.ContactError, match="“ana@” is not a valid email address."):
        contacts.normalize_email("ana@")
    with pytest.raises(contacts.ContactError, match="longer than 254 characters"):
        contacts.normalize_email("a" * 250 + "@example.com")


def contact_form_data(**fields):
    return {
        "email": "",
        "phone": "",
        "name": "Ravi",
        "language": "",
        "time_zone": "",
        "properties": "{}",
        **fields,
    }


def test_contact_form_accepts_a_national_number_and_refuses_junk(admin_client):
    contact = make_contact(email="ravi@example.com")
    url = reverse("surveys:contact_edit", args=[contact.pk])

    response = admin_client.post(url, contact_form_data(email="ravi@example.com", phone="12"))
    assert response.status_code == 400
    assert "“12” is not a valid phone number" in response.text
    response = admin_client.post(url, contact_form_data(email="not-an-email", phone=""))
    assert response.status_code == 400
    assert "“not-an-email” is not a valid email address." in response.text
    contact.refresh_from_db()
    assert contact.phone is None

    response = admin_client.post(url, contact_form_data(email="Ravi@Example.com", phone="98765 43210"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.email, str(contact.phone)) == ("ravi@example.com", "+919876543210")


def test_contact_form_refuses_a_number_another_contact_has_written_differently(admin_client):
    make_contact(phone="+919876543210")
    contact = make_contact(email="ravi@example.com")
    response = admin_client.post(
        reverse("surveys:contact_edit", args=[contact.pk]),
        contact_form_data(email="ravi@example.com", phone="98765 43210"),
    )
    assert response.status_code == 400
    assert "Another contact has this phone number." in response.text


def test_csv_import_accepts_a_national_number_and_rejects_junk_with_the_reason(admin_client):
    contact_import = full_import(admin_client, b"email,phone\na@example.com,98765 43210\nb@example.com,12\n")

    assert (contact_import.valid_rows, contact_import.invalid_rows) == (1, 1)
    assert str(Contact.objects.get(email="a@example.com").phone) == "+919876543210"
    (error,) = contact_import.errors
    assert error["reason"].startswith("“12” is not a valid phone number; write it with its country code")
    assert not error["reason"].endswith(".")


def test_phone_interview_finds_the_contact_by_a_national_number(client):
    client.force_login(make_user(role=Role.LEAD))
    contact = make_contact(phone="+919876543210")
    response = client.post(
        "/responses/phone/new/", {"contact": "98765 43210", "campaign": make_campaign().pk, "score": "9"}
    )
    assert response.status_code == 302, response.text
    assert Answer.objects.get().contact == contact


# Property names: one spelling, lower-case.


@pytest.mark.parametrize(
    ("written", "key"),
    [("plan", "plan"), ("Plan", "plan"), (" PLAN ", "plan"), ("Account  Manager", "account manager")],
)
def test_property_names_have_one_spelling(written, key):
    assert contacts.property_key(written) == key


def test_upsert_merges_plan_and_Plan_into_one_property():
    contact, _ = contacts.upsert_contact(email="ana@example.com", properties={"plan": "free", "Region": "EU"})
    contacts.upsert_contact(email="ana@example.com", properties={"Plan": "pro"})
    contact.refresh_from_db()
    assert contact.properties == {"plan": "pro", "region": "EU"}
    contacts.upsert_contact(email="ana@example.com", properties={"REGION": None})
    contact.refresh_from_db()
    assert contact.properties == {"plan": "pro"}


def test_csv_header_Plan_updates_the_property_plan(admin_client):
    existing = make_contact(email="a@example.com", properties={"plan": "free", "region": "EU"})
    full_import(admin_client, b"email,Plan\na@example.com,pro\nb@example.com,free\n")

    existing.refresh_from_db()
    assert existing.properties == {"plan": "pro", "region": "EU"}
    assert Contact.objects.get(email="b@example.com").properties == {"plan": "free"}


def test_the_sqlite_loader_spells_property_names_like_the_copy_path(tmp_path):
    from surveys.contact_import import _load_batches, check_file, suggest_mapping

    existing = make_contact(email="asha@example.com", properties={"plan": "free"})
    source = tmp_path / "contacts.csv"
    source.write_text("email,Plan\nasha@example.com,pro\n")
    clean = tmp_path / "clean.tsv"
    with open(clean, "w", encoding="utf-8") as out:
        check_file(
            source,
            encoding="utf-8",
            delimiter=",",
            headers=["email", "Plan"],
            mapping=suggest_mapping(["email", "Plan"]),
            clean_out=out,
            rejected_out=io.StringIO(),
            errors=[],
        )
    _load_batches(clean, None, batch_size=1)
    existing.refresh_from_db()
    assert existing.properties == {"plan": "pro"}


def test_two_columns_spelling_one_property_are_refused_at_mapping(admin_client):
    from tests.surveys.test_import import uploaded

    contact_import = uploaded(admin_client, b"email,Plan,plan \na@example.com,pro,free\n")
    data = {f"map-column_{i}": target for i, target in enumerate(["email", "property", "property"])}
    response = admin_client.post(reverse("surveys:import_map", args=[contact_import.pk]), data)
    assert "Two columns would both be saved as the property “plan”" in response.text


def test_contact_form_saves_property_names_in_their_one_spelling(admin_client):
    contact = make_contact(email="ravi@example.com")
    response = admin_client.post(
        reverse("surveys:contact_edit", args=[contact.pk]),
        contact_form_data(email="ravi@example.com", properties='{"Plan": "pro", " Account  Manager": "Li"}'),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.properties == {"plan": "pro", "account manager": "Li"}


def test_audience_filter_on_Plan_matches_plan(admin_client):
    campaign = make_campaign()
    pro = make_contact(properties={"plan": "pro"})
    make_contact(properties={"plan": "free"})
    response = admin_client.post(
        reverse("surveys:campaign_audience", args=[campaign.pk]), {"property_1": "Plan", "values_1": "pro"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.audience_filter == {"plan": "pro"}
    assert list(Audience.objects.values_list("contact", flat=True)) == [pro.pk]


def test_dashboard_splits_by_plan_once_and_reads_a_Plan_segment(client, admin_client):
    campaign = make_campaign()
    full_import(admin_client, b"email,Plan\na@example.com,pro\n")
    contacts.upsert_contact(email="b@example.com", properties={"plan": "free"})
    for contact, score in zip(Contact.objects.order_by("email"), (10, 0), strict=True):
        make_answer(score=score, campaign=campaign, contact=contact)
    rollups.rebuild()

    assert rollups.segment_keys() == ["plan"]
    response = admin_client.get("/", {"period": "all"})
    # Once in each selector that offers properties ("Split by", "One line per"), never as Plan and plan.
    assert response.text.count('<option value="plan"') == 2
    response = admin_client.get("/", {"period": "all", "segment": "Plan:pro"})
    assert response.status_code == 200
    assert response.context["filters"].segment == ("plan", "pro")


def load_migration():
    return importlib.import_module("surveys.migrations.0005_contact_property_keys")


def test_migration_gives_existing_property_names_their_one_spelling():
    from django.apps import apps

    both = make_contact(properties={"Plan": "pro", "plan": "free", "Region": "EU"})
    empty_canonical = make_contact(properties={"Plan": "pro", "plan": ""})
    right = make_contact(properties={"plan": "pro", "account manager": "Li"})
    spaced = make_contact(properties={" Account  Manager ": "Li", "Région": "Île-de-France"})
    campaign = make_campaign(audience_filter={"Plan": ["pro", "free"]})
    right_updated = Contact.objects.get(pk=right.pk).updated_at

    load_migration().rewrite_property_names(apps, SimpleNamespace(connection=connection))

    values = dict(Contact.objects.values_list("pk", "properties"))
    # Two spellings of one name: the one spelling's value wins, unless it is empty.
    assert values[both.pk] == {"plan": "free", "region": "EU"}
    assert values[empty_canonical.pk] == {"plan": "pro"}
    assert values[right.pk] == {"plan": "pro", "account manager": "Li"}
    assert values[spaced.pk] == {"account manager": "Li", "région": "Île-de-France"}
    assert Contact.objects.get(pk=right.pk).updated_at == right_updated
    campaign.refresh_from_db()
    assert campaign.audience_filter == {"plan": ["pro", "free"]}


def test_migration_is_batched_and_can_run_again(monkeypatch):
    from django.apps import apps

    migration = load_migration()
    monkeypatch.setattr(migration, "BATCH", 2)
    made = [make_contact(properties={f"Key {n}": n}) for n in range(5)]
    for _ in range(2):
        migration.rewrite_property_names(apps, SimpleNamespace(connection=connection))
    assert [Contact.objects.get(pk=c.pk).properties for c in made] == [{f"key {n}": n} for n in range(5)]


# Deleting a contact in the browser erases them, and keeps their answers anonymised.


def contact_with_history():
    contact = make_contact(
        email="asha@example.com", phone="+919876543210", name="Asha Rao", properties={"plan": "pro"}
    )
    campaign = make_campaign(status=Campaign.Status.RUNNING)
    sent = make_invitation(campaign=campaign, contact=contact, state=Invitation.State.SENT)
    make_answer(score=3, invitation=sent, comment="Slow invoices", notes="Called back, angry")
    make_answer(score=9, campaign=campaign, contact=contact, channel="phone")  # a phone interview
    make_invitation(campaign=make_campaign(name="Renewal"), contact=contact, state=Invitation.State.QUEUED)
    Audience.objects.create(campaign=campaign, contact=contact)
    return contact, campaign


def test_confirmation_page_says_exactly_what_erasing_does(admin_client):
    contact, _ = contact_with_history()
    Suppression.objects.create(address="asha@example.com", reason=Suppression.Reason.UNSUBSCRIBED)

    page = admin_client.get(reverse("surveys:contact_delete", args=[contact.pk])).text

    assert "Delete Asha Rao?" in page
    assert "erases their personal data for good" in page
    assert (
        "Their name, email (asha@example.com), phone (+919876543210), language, time zone and properties"
        in page
    )
    assert "the 2 surveys sent or scheduled for them" in page
    assert "<strong>2 answers</strong> stay in the figures, linked to nobody" in page
    assert "The 1 survey waiting to be sent is cancelled." in page
    assert "Leaves the audience of 1 campaign." in page
    assert "stays on the suppression list" in page
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_confirmation_page_of_a_contact_without_history():
    contact = make_contact(email="new@example.com", name="")
    erasure = contacts.erasure_of(contact)
    assert [(kept.noun, kept.count) for kept in erasure.kept] == [
        ("webhook event", 0),
        ("text", 0),
        ("follow-up case", 0),  # deleted with the contact, never kept
        ("answer", 0),
    ]
    assert (erasure.invitations, erasure.pending, erasure.campaigns) == (0, 0, 0)
    assert not erasure.suppressed


def test_browser_delete_erases_the_contact_and_keeps_the_answers_anonymised(admin_client):
    contact, campaign = contact_with_history()

    response = admin_client.post(reverse("surveys:contact_delete", args=[contact.pk]), follow=True)

    assert "Asha Rao was erased for good. Kept in the figures, anonymised: 2 answers." in response.text
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Invitation.objects.exists()
    assert not Audience.objects.exists()
    answers = Answer.objects.order_by("score")
    assert [(a.score, a.comment, a.campaign, a.contact, a.invitation, a.notes) for a in answers] == [
        (3, "Slow invoices", campaign, None, None, ""),
        (9, "", campaign, None, None, ""),
    ]
    assert not Contact.objects.filter(email="asha@example.com").exists()
    assert not Contact.objects.filter(phone="+919876543210").exists()


def test_the_erasers_are_registered_once_by_surveys_and_responses():
    # surveys registers the webhook deliveries' (nps.webhooks sits below it) and the texts', responses the
    # follow-up cases' (deleted) and the answers'.
    assert [eraser.noun for eraser in contacts.erasers()] == [
        "webhook event",
        "text",
        "follow-up case",
        "answer",
    ]
    contacts.register_eraser(contacts.erasers()[3])
    assert len(contacts.erasers()) == 4
