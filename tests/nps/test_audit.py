"""The audit log: what admins do is recorded with who, when, from where and what changed; nobody edits it."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from nps import audit
from nps.accounts.models import User
from nps.accounts.roles import Role
from nps.audit.models import AuditEntry, ReadOnlyError
from surveys.models import Brand, Campaign
from tests.factories import make_brand, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


# Append-only ------------------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted_through_the_app():
    entry = audit.record("brand.create", object_id=1, label="Acme")
    entry.object_label = "Something else"
    with pytest.raises(ReadOnlyError):
        entry.save()
    with pytest.raises(ReadOnlyError):
        entry.delete()
    with pytest.raises(ReadOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_label="x")
    with pytest.raises(ReadOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_label == "Acme"


@pytest.mark.parametrize(
    "statement", ["UPDATE nps_auditentry SET object_label = 'x'", "DELETE FROM nps_auditentry"]
)
def test_the_database_refuses_to_change_or_delete_an_entry(statement):
    entry = audit.record("brand.create", object_id=1, label="Acme")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).object_label == "Acme"


def test_the_log_has_no_url_that_writes(client):
    client.force_login(make_user(role=Role.ADMIN))
    audit.record("brand.create", object_id=1, label="Acme")
    for url in (reverse("nps:audit_log"), reverse("nps:audit_export")):
        assert client.post(url).status_code == 405
        assert client.delete(url).status_code == 405
    assert AuditEntry.objects.count() == 1


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record("brand.explode")


# Who, when, from where, what changed -----------------------------------------------------------------


def test_a_launch_records_the_admin_the_client_address_and_the_status_change(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    admin = make_user(role=Role.ADMIN, name="Asha Rao", email="asha@example.com")
    client.force_login(admin)
    campaign = make_campaign(name="Quarterly NPS")
    campaign.audience.create(contact=make_contact())

    response = client.post(
        reverse("surveys:campaign_launch", args=[campaign.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="campaign.launch")
    assert entry.actor == admin
    assert entry.actor_label == "Asha Rao <asha@example.com>"
    assert entry.client_address == "203.0.113.7"  # the client, not the proxy
    assert (entry.object_type, entry.object_id, entry.object_label) == (
        "campaign",
        str(campaign.pk),
        "Quarterly NPS",
    )
    assert entry.changes == {"status": ["draft", "running"], "queued": 1}


def test_pause_resume_and_archive_are_recorded(client):
    client.force_login(make_user(role=Role.ADMIN))
    campaign = make_campaign(status=Campaign.Status.RUNNING)
    for step in ("pause", "resume", "archive"):
        assert client.post(reverse(f"surveys:campaign_{step}", args=[campaign.pk])).status_code == 302
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "changes"))
    assert actions == [
        ("campaign.pause", {"status": ["running", "paused"]}),
        ("campaign.resume", {"status": ["paused", "running"]}),
        ("campaign.archive", {"status": ["running", "archived"]}),
    ]


def test_a_refused_action_records_nothing(client):
    client.force_login(make_user(role=Role.ADMIN))
    campaign = make_campaign()  # a draft without audience cannot be launched
    assert client.post(reverse("surveys:campaign_launch", args=[campaign.pk])).status_code == 400
    assert not AuditEntry.objects.exists()


def test_a_brand_edit_records_what_changed_before_and_after(client):
    client.force_login(make_user(role=Role.ADMIN))
    brand = make_brand(name="Acme")
    fields = ["company_name", "sender_name", "sender_email", "reply_to", "accent_color"]
    data = {field: getattr(brand, field) for field in fields} | {"name": "Acme Corp"}
    response = client.post(reverse("surveys:brand_edit", args=[brand.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="brand.update")
    assert entry.changes == {"name": ["Acme", "Acme Corp"]}
    assert entry.object_label == "Acme Corp"


def test_a_role_change_records_the_member_and_both_roles(client):
    admin = make_user(role=Role.ADMIN)
    client.force_login(admin)
    member = make_user(role=Role.VIEWER, email="ravi@example.com", name="Ravi")
    response = client.post(
        reverse("nps:edit_member", args=[member.pk]), {"name": "Ravi", "role": "lead", "is_active": "on"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="team.update")
    assert (entry.actor, entry.object_label, entry.changes) == (
        admin,
        "ravi@example.com",
        {"role": ["viewer", "lead"]},
    )


def test_api_keys_and_webhooks_are_recorded(client):
    client.force_login(make_user(role=Role.ADMIN))
    client.post(reverse("nps:create_api_key"), {"name": "CRM sync", "scope": "read"})
    client.post(
        reverse("nps:webhook_create"),
        {"url": "https://hooks.example.com/nps", "events": ["survey_response.created"], "is_active": "on"},
    )
    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert entries["api_key.create"].object_label == "CRM sync"
    assert entries["api_key.create"].changes["scope"] == "Read-only"
    assert "api_key.create" in entries and "webhook.create" in entries
    assert entries["webhook.create"].changes["url"] == [None, "https://hooks.example.com/nps"]


def test_outside_a_request_the_actor_is_the_system():
    entry = audit.record("retention.run", label="Retention", changes={"answers": 0})
    assert (entry.actor, entry.actor_label, entry.client_address) == (None, "System", None)


def test_a_responses_export_is_recorded(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get(reverse("dashboards:export_csv"), {"period": "all"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export.responses")
    assert entry.changes["contacts"] is False


# The page ---------------------------------------------------------------------------------------------


def _entries():
    asha = make_user(role=Role.ADMIN, name="Asha", email="asha@example.com")
    ravi = make_user(role=Role.ADMIN, name="Ravi", email="ravi@example.com")
    old = AuditEntry.objects.create(
        at=datetime(2026, 1, 10, 12, tzinfo=UTC),
        actor=asha,
        actor_label="Asha <asha@example.com>",
        action="brand.create",
        object_type="brand",
        object_id="1",
        object_label="Acme",
    )
    new = AuditEntry.objects.create(
        at=datetime(2026, 3, 5, 12, tzinfo=UTC),
        actor=ravi,
        actor_label="Ravi <ravi@example.com>",
        action="campaign.launch",
        object_type="campaign",
        object_id="7",
        object_label="Quarterly NPS",
        changes={"status": ["draft", "running"]},
    )
    return asha, ravi, old, new


def test_only_admins_see_the_audit_log(client):
    client.force_login(make_user(role=Role.LEAD))
    assert client.get(reverse("nps:audit_log")).status_code == 403
    assert client.get(reverse("nps:audit_export")).status_code == 403
    client.logout()
    assert client.get(reverse("nps:audit_log")).status_code == 302


def test_the_page_lists_newest_first_and_filters(client):
    asha, ravi, old, new = _entries()
    client.force_login(asha)
    page = client.get(reverse("nps:audit_log")).text
    assert page.index("Quarterly NPS") < page.index("Acme")
    assert "draft → running" in page
    assert "Campaign launched" in page and "Brand created" in page

    def shown(**filters):
        text = client.get(reverse("nps:audit_log"), filters).text
        return [label for label in ("Quarterly NPS", "Acme") if f"{label} <small" in text]

    assert shown(actor=ravi.pk) == ["Quarterly NPS"]
    assert shown(action="brand.create") == ["Acme"]
    assert shown(object_type="campaign") == ["Quarterly NPS"]
    assert shown(since="2026-03-01") == ["Quarterly NPS"]
    assert shown(until="2026-01-10") == ["Acme"]
    assert shown(since="2026-02-01", until="2026-02-28") == []
    assert (
        "No entry matches these filters"
        in client.get(reverse("nps:audit_log"), {"since": "2026-02-01", "until": "2026-02-28"}).text
    )


def test_bad_filters_get_400_with_the_reason(client):
    admin = make_user(role=Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("nps:audit_log"), {"since": "2026-03-01", "until": "2026-01-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.text
    assert client.get(reverse("nps:audit_log"), {"action": "nope\x00"}).status_code == 400
    for day in ("9999-12-31", "0001-01-01"):
        for url in (reverse("nps:audit_log"), reverse("nps:audit_export")):
            assert client.get(url, {"since": day, "until": day}).status_code == 400
    response = client.get(reverse("nps:audit_log"), {"until": "9999-12-31"})
    assert response.status_code == 400
    assert "Choose a day between 1970 and 9998." in response.text
    response = client.get(reverse("nps:audit_export"), {"action": "nope"})
    assert response.status_code == 400
    assert "Invalid filters: Select a valid choice." in response.text
    assert not AuditEntry.objects.filter(action="export.audit").exists()
    assert client.get(reverse("nps:audit_log"), {"actor": "99999999999999999999999"}).status_code == 400


def test_the_page_is_paginated_by_50(client):
    client.force_login(make_user(role=Role.ADMIN))
    for number in range(51):
        audit.record("brand.create", object_id=number, label=f"Brand {number}")
    first = client.get(reverse("nps:audit_log")).text
    assert "Page 1 of 2" in first and "Brand 50 <small" in first and "Brand 0 <small" not in first
    second = client.get(reverse("nps:audit_log"), {"page": 2}).text
    assert "Brand 0 <small" in second


def test_an_empty_log_explains_itself(client):
    client.force_login(make_user(role=Role.ADMIN))
    assert "Nothing recorded yet" in client.get(reverse("nps:audit_log")).text


def test_the_settings_page_links_to_the_audit_log(client):
    client.force_login(make_user(role=Role.ADMIN))
    assert reverse("nps:audit_log") in client.get(reverse("nps:settings")).text


# The CSV ----------------------------------------------------------------------------------------------


def test_the_export_is_the_filtered_log_with_formulas_neutralised_and_is_itself_recorded(client):
    asha, _ravi, _old, _new = _entries()
    for label in ('=HYPERLINK("http://evil")', "\t=1+1", "\r=1+1", "-2+3", "@SUM(A1)"):
        audit.record("brand.create", object_id=9, label=label)
    client.force_login(asha)
    response = client.get(reverse("nps:audit_export"), {"action": "brand.create"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == [
        "at",
        "actor",
        "client_address",
        "action",
        "object_type",
        "object_id",
        "object",
        "changes",
    ]
    objects = [row[6] for row in rows[1:]]
    assert objects == ["'@SUM(A1)", "'-2+3", "'\r=1+1", "'\t=1+1", '\'=HYPERLINK("http://evil")', "Acme"]
    assert {row[3] for row in rows[1:]} == {"brand.create"}
    exported = AuditEntry.objects.get(action="export.audit")
    assert exported.actor == asha and exported.changes == {"filters": {"action": "brand.create"}}


def test_a_deleted_user_stays_in_the_log_by_name():
    user = make_user(role=Role.ADMIN, email="gone@example.com")
    audit.record("brand.create", object_id=1, label="Acme", actor=user)
    User.objects.filter(pk=user.pk).delete()
    entry = AuditEntry.objects.get()
    assert entry.actor_label == "Test User <gone@example.com>"
    assert Brand.objects.count() == 0


def test_a_contact_import_records_upload_start_and_cancel(client):
    from tests.surveys.test_import import check, import_valid, uploaded

    client.force_login(make_user(role=Role.ADMIN))
    loaded = import_valid(client, check(client, uploaded(client, b"email\na@example.com\nb@example.com\n")))
    cancelled = check(client, uploaded(client, b"email\nc@example.com\n", name="second.csv"))
    client.post(reverse("surveys:import_confirm", args=[cancelled.pk]), {"action": "cancel"})

    entries = list(
        AuditEntry.objects.order_by("id").values_list("action", "object_id", "object_label", "changes")
    )
    assert entries == [
        ("import.start", str(loaded.pk), "Contact import: contacts.csv", {}),
        ("import.load", str(loaded.pk), "Contact import: contacts.csv", {"rows": 2}),
        ("import.start", str(cancelled.pk), "Contact import: second.csv", {}),
        ("import.cancel", str(cancelled.pk), "Contact import: second.csv", {}),
    ]
