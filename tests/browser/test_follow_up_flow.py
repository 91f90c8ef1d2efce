"""Issue 14 end to end in Chromium: a detractor's emailed answer becomes a Slack alert and a case; the lead
works it (assign, note, email reply), the customer's emailed answer comes back through the ESP's inbound
webhook, the lead resolves it, and the dashboard's follow-up figures move; the customer's next, higher score
is the re-survey outcome."""

import email
import email.policy
import importlib
import json
import re
from datetime import time, timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.urls import clear_url_caches
from django.utils import timezone
from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from responses.alerts import sending
from responses.cases import replies
from responses.models import AlertRule, Case, CaseMessage, CaseRule
from surveys import delivery
from surveys.models import Audience, Campaign, Invitation
from tests.alert_stub import alert_stub  # noqa: F401  the local Slack receiver
from tests.factories import PASSWORD, make_brand, make_contact, make_user

HOOK_USER, HOOK_PASSWORD = "hook-user", "hook-secret-123"
REPLIES = "replies@support.acme.example"
COMMENT = "The card reader froze twice during the lunch rush and nobody called back."


def reload_urls():
    importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def inbound_mail(settings):
    """Postmark's webhooks mounted (inbound too, as CASE_REPLY_ADDRESS is set) while mail goes to .eml
    files; afterwards the test settings' URLs come back."""
    settings.CASE_REPLY_ADDRESS = REPLIES
    settings.ANYMAIL = {"WEBHOOK_SECRET": f"{HOOK_USER}:{HOOK_PASSWORD}"}
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    reload_urls()
    settings.EMAIL_BACKEND = "surveys.channels.email.backends.EmlFileBackend"
    yield
    settings.CASE_REPLY_ADDRESS = ""
    reload_urls()


def read_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def new_emls(outbox, seen: set) -> list:
    """The .eml files written since the last call, oldest first, as parsed messages."""
    fresh = sorted(p for p in outbox.glob("*.eml") if p not in seen)
    seen.update(fresh)
    return [read_eml(p) for p in fresh]


def send_survey(campaign, contact) -> None:
    """What launching the campaign does for one member: queue the invitation and send it."""
    Audience.objects.get_or_create(campaign=campaign, contact=contact)
    delivery.queue_campaign(campaign)
    queued = Invitation.objects.filter(campaign=campaign, state=Invitation.State.QUEUED)
    delivery.send_invitations(list(queued.values_list("pk", flat=True)))


def score_link(message, base: str, score: int) -> str:
    html = message.get_body(preferencelist=("html",)).get_content()
    links = dict(
        (int(s), url) for url, s in re.findall(r'href="(' + re.escape(base) + r'/r/[^"]+/(\d+)/)"', html)
    )
    return links[score]


def postmark_inbound(*, to: str, message_id: str, in_reply_to: str, text: str) -> dict:
    """Postmark's documented inbound webhook JSON: the customer answering our reply."""
    return {
        "FromName": "Ana Lima",
        "MessageStream": "inbound",
        "From": "ana@example.com",
        "FromFull": {"Email": "ana@example.com", "Name": "Ana Lima", "MailboxHash": ""},
        "To": f'"Acme Support" <{to}>',
        "ToFull": [{"Email": to, "Name": "Acme Support", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "OriginalRecipient": to,
        "Subject": "Re: About your card reader",
        "MessageID": "5b1c7f0e-2a4d-4a53-9d0e-8f7a0b9c1d2e",
        "Date": "Mon, 30 Nov 2026 15:02:11 +0000",
        "TextBody": f"{text}\n\nOn Mon, 30 Nov 2026 at 15:00, Acme Support wrote:\n> Sorry about the reader.\n",
        "HtmlBody": f"<p>{text}</p><blockquote>Sorry about the reader.</blockquote>",
        "StrippedTextReply": text,
        "Headers": [
            {"Name": "Message-ID", "Value": message_id},
            {"Name": "In-Reply-To", "Value": in_reply_to},
            {"Name": "References", "Value": in_reply_to},
        ],
        "Attachments": [],
    }


def followup_panel(page, base):
    page.goto(base + "/")
    panel = page.locator("section.followup")
    expect(panel).to_be_visible()
    return panel


def test_a_detractor_is_alerted_followed_up_answered_and_measured(
    live_server,
    page,
    settings,
    tmp_path,
    inbound_mail,
    alert_stub,  # noqa: F811
):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base
    outbox, seen = tmp_path / "outbox", set()
    lead = make_user(role=Role.LEAD, email="lena@acme.example", name="Lena Lead")
    brand = make_brand(company_name="Acme", sender_name="Acme Support", sender_email="support@acme.example")
    every_hour = {"window_start": time(0), "window_end": time(23, 59), "weekdays_only": False}
    campaign = Campaign.objects.create(
        brand=brand, name="Quarterly NPS", channels=["email"], status=Campaign.Status.RUNNING, **every_hour
    )
    ana = make_contact(name="Ana Lima", email="ana@example.com", properties={"plan": "pro"})
    CaseRule.objects.get_or_create(name="Every detractor", defaults={"conditions": {"groups": ["detractor"]}})
    AlertRule.objects.create(
        name="Detractors to #cx",
        conditions={"groups": ["detractor"]},
        destination=AlertRule.Destination.SLACK,
        url=alert_stub.url,
    )

    page.goto(base + "/login/")
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Ana gets the survey by email and answers 3, then says why.
    send_survey(campaign, ana)
    (survey,) = new_emls(outbox, seen)
    customer = page.context.browser.new_page()
    customer.set_default_timeout(10_000)
    customer.goto(score_link(survey, base, 3))
    expect(customer.get_by_role("status")).to_contain_text("your score is saved")
    customer.get_by_label("What disappointed you?").fill(COMMENT)
    customer.get_by_role("button", name="Send").click()
    expect(customer.get_by_role("heading", name="Thank you!")).to_be_visible()
    case = Case.objects.get()
    assert (case.score, case.group, case.status, case.owner) == (3, "detractor", "new", None)

    # The dashboard (rollups refreshed as the beat does every minute): one detractor, not followed up yet.
    rollups.refresh()
    panel = followup_panel(page, base)
    expect(panel.get_by_test_id("followup-share")).to_contain_text("0 of 1 detractors")
    expect(panel.get_by_test_id("followup-open")).to_contain_text("1")

    # The alert waits for the comment (ALERT_SETTLE_SECONDS), then the sweep posts ONE Block Kit message.
    assert alert_stub.messages == []
    sending.send_due(now=timezone.now() + timedelta(seconds=settings.ALERT_SETTLE_SECONDS + 1))
    sending.send_due(now=timezone.now() + timedelta(seconds=settings.ALERT_SETTLE_SECONDS + 5))
    (slack,) = alert_stub.messages
    blocks = json.dumps(slack["blocks"])
    assert slack["text"] and "*Score*" in blocks and " 3" in blocks
    assert COMMENT in blocks
    assert f"/cases/{case.pk}/" in blocks

    # The lead opens the case from the inbox's unassigned queue and takes it.
    page.get_by_role("link", name=re.compile(r"^Cases")).first.click()
    page.get_by_role("link", name=re.compile(r"^Unassigned")).first.click()
    page.get_by_role("link", name=re.compile("Ana Lima")).first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.get_by_text(COMMENT).first).to_be_visible()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#id_owner, [name=owner]").first).to_be_attached()
    case.refresh_from_db()
    assert case.owner == lead

    # A note, then a reply by email.
    page.get_by_role("textbox", name="Note").fill(
        "Reader firmware 2.1 freezes under load. Calling her after lunch."
    )
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Reader firmware 2.1 freezes under load.")).to_be_visible()
    page.get_by_role("textbox", name="Subject").fill("About your card reader")
    page.get_by_role("textbox", name="Message").fill(
        "Sorry about the reader, Ana. A replacement ships today."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("A replacement ships today.").first).to_be_visible()
    (reply,) = new_emls(outbox, seen)
    out = CaseMessage.objects.get(case=case, direction="out")
    signed = replies.reply_address(case)
    assert signed.startswith(f"replies+c{case.pk}.") and signed.endswith("@support.acme.example")
    assert reply["Reply-To"] == signed
    assert reply["Message-ID"] == out.message_id
    assert reply["To"] == "ana@example.com" and reply["Subject"] == "About your card reader"
    case.refresh_from_db()
    assert case.status == "waiting" and case.first_response_at is not None

    # Ana answers the email: Postmark posts it to the inbound webhook, and it shows on the timeline.
    answer_id = "<CAF-ana-reply-1@mail.example.com>"
    payload = postmark_inbound(
        to=signed, message_id=answer_id, in_reply_to=out.message_id, text="Thanks, the new reader works!"
    )
    url = base + "/anymail/postmark/inbound/"
    assert requests.post(url, json=payload, auth=(HOOK_USER, "wrong-password"), timeout=10).status_code == 401
    assert requests.post(url, json=payload, auth=(HOOK_USER, HOOK_PASSWORD), timeout=10).status_code == 200
    page.reload()
    expect(page.get_by_text("Thanks, the new reader works!")).to_be_visible()

    # The lead answers in the same thread, then resolves the case.
    page.get_by_role("textbox", name="Subject").fill("")
    page.get_by_role("textbox", name="Message").fill("Glad it works. Have a good week!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Glad it works.").first).to_be_visible()
    mails = new_emls(outbox, seen)
    # Lena was emailed that Ana replied (her personal email preferences: all on by default).
    assert [m["To"] for m in mails] == ["lena@acme.example", "ana@example.com"]
    second = mails[1]
    assert second["In-Reply-To"] == answer_id
    assert second["References"].split() == [out.message_id, answer_id]
    assert second["Reply-To"] == signed
    status = page.get_by_role("combobox", name="Status")
    status.select_option("resolved")
    page.locator("form", has=status).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Resolved").first).to_be_visible()
    case.refresh_from_db()
    assert case.status == "resolved" and case.closed_at is not None

    # The dashboard's follow-up figures moved.
    rollups.refresh()
    panel = followup_panel(page, base)
    expect(panel.get_by_test_id("followup-share")).to_contain_text("1 of 1 detractors")
    expect(panel.get_by_test_id("followup-resolution")).to_contain_text("Median of 1 resolved case")
    expect(panel.get_by_test_id("followup-open")).to_contain_text("0")
    expect(panel.get_by_test_id("followup-outcome")).to_contain_text("nobody answered again yet")

    # Next quarter Ana answers again, 9 this time: the re-survey outcome counts her, her score rose.
    next_round = Campaign.objects.create(
        brand=brand,
        name="Check-in after support",
        throttle_days=0,  # "next quarter" is a minute later here
        channels=["email"],
        status=Campaign.Status.RUNNING,
        **every_hour,
    )
    send_survey(next_round, ana)
    (again,) = new_emls(outbox, seen)
    customer.context.clear_cookies()
    customer.goto(score_link(again, base, 9))
    expect(customer.get_by_role("status")).to_contain_text("your score is saved")
    assert Case.objects.count() == 1  # a promoter opens no case
    rollups.refresh()
    panel = followup_panel(page, base)
    outcome = panel.get_by_test_id("followup-outcome")
    expect(outcome).to_contain_text("Followed up:")
    expect(outcome.locator("li", has_text="Followed up:").first).to_contain_text("1 answer")
    expect(outcome.locator("li", has_text="Score rose:")).to_contain_text("1 of 1")
    assert len(alert_stub.messages) == 1  # the 9 matched no alert rule
