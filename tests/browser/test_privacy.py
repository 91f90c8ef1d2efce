"""Privacy in the browser: the audit log's filters (Settings → Audit log) and a contact's "Export data"."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from surveys.models import Invitation
from tests.factories import PASSWORD, make_answer, make_campaign, make_contact, make_invitation, make_user

# Set to a directory to keep screenshots of the pages at 1280 and 360 px.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def sign_in(page, url, email):
    page.goto(url + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def shoot(page, name, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}_{width}.png", full_page=True)


def entry(at, actor, action, object_type, label, **changes):
    return AuditEntry.objects.create(
        at=at,
        actor=actor,
        actor_label=f"{actor.name} <{actor.email}>",
        client_address="203.0.113.7",
        action=action,
        object_type=object_type,
        object_id="7",
        object_label=label,
        changes=changes,
    )


def test_admin_filters_the_audit_log_by_person_action_and_date(live_server, browser, transactional_db):
    asha = make_user(role=Role.ADMIN, name="Asha Rao", email="asha@example.com")
    ravi = make_user(role=Role.ADMIN, name="Ravi Kumar", email="ravi@example.com")
    entry(datetime(2026, 1, 10, 9, tzinfo=UTC), asha, "brand.create", "brand", "Acme")
    entry(
        datetime(2026, 2, 3, 9, tzinfo=UTC),
        ravi,
        "team.update",
        "team",
        "meera@example.com",
        role=["viewer", "lead"],
    )
    entry(
        datetime(2026, 3, 5, 9, tzinfo=UTC),
        ravi,
        "campaign.launch",
        "campaign",
        "Quarterly NPS",
        status=["draft", "running"],
        queued=1200,
    )

    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, asha.email)
        page.goto(live_server.url + "/settings/")
        page.get_by_role("link", name="Audit log").click()
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        rows = page.locator(".audit-table tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("Quarterly NPS")
        expect(rows.first).to_contain_text("draft → running")
        shoot(page, "audit_log", width)
        context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, asha.email)
    page.goto(live_server.url + "/settings/audit/")
    page.get_by_label("Who").select_option(label="Ravi Kumar <ravi@example.com>")
    page.get_by_role("button", name="Filter").click()
    expect(rows := page.locator(".audit-table tbody tr")).to_have_count(2)

    page.get_by_label("Action").select_option(label="Teammate changed")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("viewer → lead")

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Object").select_option(label="Brand")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme")

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("From").fill("2026-02-01")
    page.get_by_label("To").fill("2026-02-28")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("meera@example.com")

    page.get_by_label("From").fill("2026-04-01")
    page.get_by_label("To").fill("2026-04-30")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="No entry matches these filters")).to_be_visible()
    context.close()


def test_admin_exports_a_contacts_data_from_the_contact_page(live_server, browser, transactional_db):
    admin = make_user(role=Role.ADMIN)
    contact = make_contact(email="asha.rao@example.com", name="Asha Rao", properties={"plan": "pro"})
    campaign = make_campaign(name="Quarterly NPS")
    make_answer(
        score=9,
        invitation=make_invitation(campaign=campaign, contact=contact, state=Invitation.State.SENT),
        comment="Fast support",
    )

    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, admin.email)
        page.goto(live_server.url + contact.get_absolute_url())
        expect(page.get_by_role("heading", name="Asha Rao")).to_be_visible()
        shoot(page, "contact_detail", width)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Export data").click()
        download = download_info.value
        assert download.suggested_filename == f"contact-{contact.pk}.json"
        data = json.loads(Path(download.path()).read_text())
        assert data["contact"]["email"] == "asha.rao@example.com"
        assert [a["comment"] for a in data["answers"]] == ["Fast support"]
        context.close()

    assert AuditEntry.objects.filter(action="contact.export", object_id=str(contact.pk)).count() == 2
