"""Erasing a contact reaches every store: webhook payloads and retries, import files, log lines.

Each way of erasing (the native API, the browser, the Delighted API) goes through erase_contact; the webhook
receiver is a real HTTP server on 127.0.0.1 (tests/nps/test_webhooks.py).
"""

import base64
import csv
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from nps.accounts.roles import Role
from nps.api import keys
from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookDelivery, WebhookEvent
from responses.services import record_score, save_comment
from surveys import delivery
from surveys.contacts import suppress
from surveys.models import Campaign, Contact, ContactImport, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_invitation, make_user
from tests.nps.test_webhooks import Receiver, make_endpoint, sent_invitation
from tests.surveys.test_import import check, uploaded

pytestmark = pytest.mark.django_db

EMAIL, PHONE, NAME = "asha.rao@example.com", "+919876543210", "Asha Rao"
PROPERTIES = {"plan": "platinum-7731", "city": "Coimbatore"}


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def erase_by_api(client, contact):
    _key, raw = keys.create_api_key(name="Erasure", read_only=False)
    response = client.delete(f"/api/v1/contacts/{contact.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 204


def erase_in_browser(client, contact):
    client.force_login(make_user(role=Role.ADMIN, email="erasing-admin@example.com"))
    response = client.post(reverse("surveys:contact_delete", args=[contact.pk]), follow=True)
    assert f"{NAME} was erased for good." in response.text
    assert "Kept in the webhook delivery log, anonymised: 3 webhook events." in response.text


def erase_by_delighted_api(client, contact):
    _key, raw = keys.create_api_key(name="Erasure", read_only=False)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{raw}:".encode()).decode()}
    response = client.delete(f"/v1/people/{contact.pk}", headers=auth)
    assert response.status_code in (200, 202), response.content


def personal_data_in(payload: dict) -> list[str]:
    text = json.dumps(payload, ensure_ascii=False)
    return [value for value in (EMAIL, PHONE, NAME, *PROPERTIES.values()) if value in text]


@pytest.mark.parametrize("erase", [erase_by_api, erase_in_browser, erase_by_delighted_api])
def test_erasure_redacts_every_delivery_about_the_person_and_cancels_pending_retries(
    erase, client, receiver, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    make_endpoint(receiver.url)
    contact = make_contact(email=EMAIL, phone=PHONE, name=NAME, properties=PROPERTIES)
    other = make_contact(email="someone.else@example.com", name="Someone Else")
    invitation = sent_invitation(contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(invitation, score=4)  # delivered at once
    receiver.statuses = [500]  # the receiver is down for the next one: a retry is pending
    with django_capture_on_commit_callbacks(execute=True):
        save_comment(invitation, comment="Invoices are slow")
    with django_capture_on_commit_callbacks(execute=True):
        suppress(EMAIL, reason=Suppression.Reason.UNSUBSCRIBED)  # unsubscribe.created, delivered
        record_score(sent_invitation(contact=other), score=10)
    about_them = WebhookDelivery.objects.filter(contact_id=contact.pk)
    assert about_them.count() == 3
    assert all(personal_data_in(d.payload) for d in about_them)
    pending = about_them.get(state=WebhookDelivery.State.PENDING)
    assert pending.event_type == WebhookEvent.RESPONSE_UPDATED
    sent_before = len(receiver.requests)

    erase(client, contact)

    assert not Contact.objects.filter(pk=contact.pk).exists()
    for row in WebhookDelivery.objects.all():
        assert personal_data_in(row.payload) == [], row.payload
    redacted = WebhookDelivery.objects.get(pk=pending.pk)
    assert redacted.state == WebhookDelivery.State.FAILED
    assert "erased" in redacted.last_error and redacted.next_attempt_at is None
    assert redacted.redacted_at is not None
    data = redacted.payload["event_data"]
    assert (data["person"], data["person_properties"], data["notes"], data["permalink"]) == (
        None,
        None,
        [],
        "",
    )
    assert (data["score"], data["comment"]) == (4, "Invoices are slow")  # as the anonymised answer keeps
    # The other person's event is untouched.
    theirs = WebhookDelivery.objects.get(contact_id=other.pk)
    assert theirs.payload["event_data"]["person"]["email"] == "someone.else@example.com"
    assert theirs.redacted_at is None

    # The retry's time comes, and goes: nothing about the erased person reaches the receiver.
    time_machine.shift(timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.send_due() == 0
        webhooks.send_delivery(pending.pk, attempt=1)  # a task queued before the erasure runs late
    assert len(receiver.requests) == sent_before
    assert WebhookDelivery.objects.get(pk=pending.pk).state == WebhookDelivery.State.FAILED


def test_unsubscribe_and_answer_events_record_their_contact(receiver, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url)
    contact = make_contact(email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(contact=contact), score=9)
        suppress(EMAIL, reason=Suppression.Reason.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test_event(WebhookDelivery.objects.first().endpoint)
    assert sorted(WebhookDelivery.objects.values_list("event_type", "contact_id"), key=str) == [
        ("survey_response.created", contact.pk),
        ("survey_response.created", None),  # the test event is about nobody
        ("unsubscribe.created", contact.pk),
    ]


def test_the_confirmation_page_counts_the_webhook_events(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url)
    contact = make_contact(email=EMAIL, name=NAME)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(sent_invitation(contact=contact), score=9)
    page = admin_client.get(reverse("surveys:contact_delete", args=[contact.pk])).text
    assert "<strong>1 webhook event</strong> stays in the webhook delivery log, linked to nobody" in page


# Import files ------------------------------------------------------------------------------------------------

CSV = f"email,name,phone\n{EMAIL},{NAME},{PHONE}\nnot-an-address,Bad Row,\nok@example.com,Ok,\n".encode()


def media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def finished_import(admin_client, django_capture_on_commit_callbacks, *, action="import", content=CSV):
    contact_import = check(admin_client, uploaded(admin_client, content))
    assert contact_import.rejected_file and Path(contact_import.file.path).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("surveys:import_confirm", args=[contact_import.pk]), {"action": action}
        )
    assert response.status_code == 302
    contact_import.refresh_from_db()
    return contact_import


@pytest.mark.parametrize("action", ["import", "cancel"])
def test_the_upload_is_deleted_when_an_import_ends_and_the_rejected_rows_stay_a_while(
    action, admin_client, settings, django_capture_on_commit_callbacks
):
    contact_import = finished_import(admin_client, django_capture_on_commit_callbacks, action=action)

    assert contact_import.status in (ContactImport.Status.IMPORTED, ContactImport.Status.CANCELLED)
    assert not contact_import.file and not contact_import.clean_file
    assert media_files(settings) == [contact_import.rejected_file.name]  # the upload is gone
    page = admin_client.get(contact_import.get_absolute_url()).text
    expires = (contact_import.finished_at + timedelta(days=7)).strftime("%-d %b %Y")
    assert f"Download the rejected rows</a> (kept until {expires})" in page
    download = admin_client.get(reverse("surveys:import_rejected", args=[contact_import.pk]))
    assert download.status_code == 200


def test_a_failed_import_deletes_its_upload(admin_client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contact_import = check(
            admin_client,
            uploaded(admin_client, b"email\n" + b"a@example.com\n" * 50 + b"x" * 200_000 + b"\n"),
        )
    assert contact_import.status == ContactImport.Status.FAILED
    assert not contact_import.file
    assert media_files(settings) == []


def test_rejected_rows_expire_after_the_retention(
    admin_client, settings, django_capture_on_commit_callbacks, time_machine
):
    from surveys.tasks import expire_import_files

    contact_import = finished_import(admin_client, django_capture_on_commit_callbacks)
    time_machine.move_to(contact_import.finished_at + timedelta(days=6, hours=23), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        expire_import_files.delay()
    assert media_files(settings) == [contact_import.rejected_file.name]  # not yet

    time_machine.shift(timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        expire_import_files.delay()

    assert media_files(settings) == []
    contact_import.refresh_from_db()
    assert not contact_import.rejected_file
    assert contact_import.invalid_rows == 1  # the counts stay
    page = admin_client.get(contact_import.get_absolute_url()).text
    assert "The rejected rows have expired: they are kept 7 days after an import ends" in page
    assert "Download the rejected rows" not in page
    download = admin_client.get(reverse("surveys:import_rejected", args=[contact_import.pk]))
    assert download.status_code == 410
    assert "expired" in download.text


def test_the_retention_is_a_setting(admin_client, settings, django_capture_on_commit_callbacks, time_machine):
    from surveys.import_files import expire_files

    settings.IMPORT_FILE_RETENTION_DAYS = 30
    contact_import = finished_import(admin_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_files(now=contact_import.finished_at + timedelta(days=29)) == {
            "imports": 0,
            "cancelled": 0,
        }
        assert expire_files(now=contact_import.finished_at + timedelta(days=31)) == {
            "imports": 1,
            "cancelled": 0,
        }
    assert media_files(settings) == []


def test_an_import_left_waiting_is_cancelled_and_its_files_deleted(
    admin_client, settings, django_capture_on_commit_callbacks, time_machine
):
    from surveys.import_files import expire_files

    waiting = check(admin_client, uploaded(admin_client, CSV))  # checked, never chosen
    never_mapped = uploaded(admin_client, CSV)
    assert len(media_files(settings)) == 4  # two uploads, the checked rows, the rejected rows
    with django_capture_on_commit_callbacks(execute=True):
        counts = expire_files(now=timezone.now() + timedelta(days=8))

    assert counts == {"imports": 2, "cancelled": 2}
    assert media_files(settings) == []
    for upload in (waiting, never_mapped):
        upload.refresh_from_db()
        assert upload.status == ContactImport.Status.CANCELLED
    page = admin_client.get(waiting.get_absolute_url()).text
    assert "The upload waited more than 7 days for its next step, so it was cancelled" in page
    # The admin's late "import" changes nothing.
    admin_client.post(reverse("surveys:import_confirm", args=[waiting.pk]), {"action": "import"})
    assert not Contact.objects.exists()


def test_history_import_deletes_its_upload_when_it_ends(
    admin_client, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from responses.models import ResponseImport
    from tests.factories import make_brand

    brand = make_brand()
    content = f"email,score,comment,date\n{EMAIL},9,Great,2024-01-05\n".encode()
    response = admin_client.post(
        reverse("responses:import_start"),
        {"file": SimpleUploadedFile("history.csv", content, "text/csv"), "brand": brand.pk},
    )
    assert response.status_code == 302, response.text[:2000]
    response_import = ResponseImport.objects.get()
    data = {f"map-column_{i}": target for i, target in enumerate(response_import.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("responses:import_map", args=[response_import.pk]), data)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("responses:import_confirm", args=[response_import.pk]), {"action": "import"}
        )
    response_import.refresh_from_db()
    assert response_import.status == ResponseImport.Status.IMPORTED, response_import.error
    assert not response_import.file
    assert media_files(settings) == []


def rejected_rows(admin_client, contact_import) -> list[list[str]]:
    response = admin_client.get(reverse("surveys:import_rejected", args=[contact_import.pk]))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_erasure_removes_the_persons_rows_from_kept_rejected_rows(
    admin_client, settings, django_capture_on_commit_callbacks
):
    content = (
        f"email,name,phone\n{EMAIL},{NAME},{PHONE}\n"
        f"{EMAIL.upper()},{NAME} again,\n"  # a duplicate of their row: rejected, and theirs
        f"not-an-address,{NAME},098765 43210\n"  # their phone, written nationally: theirs
        "not-an-address,Bad Row,\nok@example.com,Ok,\n"
    ).encode()
    contact_import = finished_import(admin_client, django_capture_on_commit_callbacks, content=content)
    assert len(rejected_rows(admin_client, contact_import)) == 4  # header and three rows
    contact = Contact.objects.get(email=EMAIL)

    erase_in_browser_without_webhooks(admin_client, contact)

    rows = rejected_rows(admin_client, contact_import)
    assert [row[2:] for row in rows] == [["email", "name", "phone"], ["not-an-address", "Bad Row", ""]]
    text = Path(ContactImport.objects.get().rejected_file.path).read_text("utf-8-sig")
    assert EMAIL not in text.lower() and "98765" not in text


def erase_in_browser_without_webhooks(client, contact):
    response = client.post(reverse("surveys:contact_delete", args=[contact.pk]), follow=True)
    assert f"{NAME} was erased for good." in response.text


# Log lines ---------------------------------------------------------------------------------------------------


def test_a_failed_send_logs_no_address(caplog, settings):
    settings.EMAIL_BACKEND = "tests.surveys.test_erasure_reach.RefusingBackend"
    invitation = make_invitation(
        campaign=make_campaign(status=Campaign.Status.RUNNING),
        contact=make_contact(email=EMAIL, name=NAME),
        state=Invitation.State.QUEUED,
    )
    with caplog.at_level(logging.WARNING, logger="surveys.delivery"):
        delivery.send_invitation(invitation.pk)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Sending invitation" in logged and "mailbox busy" in logged
    assert EMAIL not in logged and "9876543210" not in logged
    assert "<email>" in logged and "<phone>" in logged


class RefusingBackend:
    """An email backend whose server refuses for a while, quoting the recipient (as SMTP servers do)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        recipient = messages[0].to[0]
        raise ConnectionError(f"451 4.2.1 <{recipient}>: mailbox busy, call +91 98765 43210")


def test_deliveries_made_before_the_upgrade_learn_their_contact_from_their_payload(receiver):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("nps.migrations.0004_webhook_delivery_subject")
    endpoint = make_endpoint(receiver.url)
    contact = make_contact(email=EMAIL)
    answer = {"event_data": {"person": {"id": str(contact.pk), "email": EMAIL}, "score": 9}}
    unsubscribe = {"event_data": {"person_id": str(contact.pk), "email": EMAIL}}
    test_event = {"event_data": {"person": {"id": "0"}, "test": True}}
    for payload in (answer, unsubscribe, test_event):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="survey_response.created", payload=payload
        )

    migration.fill_contact_ids(apps, None)

    assert list(WebhookDelivery.objects.order_by("pk").values_list("contact_id", flat=True)) == [
        contact.pk,
        contact.pk,
        None,
    ]


def test_a_receivers_reply_quoting_the_person_loses_their_values(client, receiver):
    endpoint = make_endpoint(receiver.url)
    contact = make_contact(email=EMAIL, phone=PHONE, name=NAME, properties=PROPERTIES)
    reply = f'HTTP 422: {{"error": "unknown customer {EMAIL} ({NAME}, plan {PROPERTIES["plan"]})", "code": "pro"}}'
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="survey_response.created",
        payload={"event_data": {"person": {"email": EMAIL}}},
        contact_id=contact.pk,
        state=WebhookDelivery.State.FAILED,
        last_error=reply,
    )

    erase_by_api(client, contact)

    delivery.refresh_from_db()
    assert delivery.last_error == (
        'HTTP 422: {"error": "unknown customer [erased] ([erased], plan [erased])", "code": "pro"}'
    )
    assert delivery.state == WebhookDelivery.State.FAILED


def test_a_receivers_reply_quoting_the_body_is_logged_without_addresses(
    caplog, django_capture_on_commit_callbacks
):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b"bad request: " + body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        make_endpoint(f"http://127.0.0.1:{server.server_port}/hooks")
        contact = make_contact(email=EMAIL, phone=PHONE, name=NAME)
        with (
            caplog.at_level(logging.INFO, logger="nps.webhooks"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            record_score(sent_invitation(contact=contact), score=3)
    finally:
        server.shutdown()
        server.server_close()
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("nps.webhooks")
    )
    assert "Webhook delivery" in logged and "bad request" in logged
    assert EMAIL not in logged and "9876543210" not in logged
    assert "<email>" in logged
