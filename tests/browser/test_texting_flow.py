"""Issue 12 end to end in Chromium: an admin creates an SMS campaign in reply mode and a WhatsApp campaign
in link mode, imports contacts with their mobile numbers, launches both; in the phone simulator a customer
replies ९ (Devanagari nine), gets the follow-up, replies a comment, and the answer shows on the dashboard
with the channel SMS; another replies STOP and is never texted again; the WhatsApp customer taps the link."""

import json
import re

from playwright.sync_api import expect

from dashboards import rollups
from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Conversation, Invitation, Suppression
from tests.factories import PASSWORD, make_user

JESSICA, TYLER, PRIYA = "+12125550142", "+14155550163", "+919741234567"
WHATSAPP_TEMPLATE = "HX" + "5d1f0c3a" * 4


def texts_to(outbox, number) -> list[dict]:
    """The texts the demo's file provider wrote to `number`, oldest first."""
    texts = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(outbox.glob("*.json"))]
    return [text for text in texts if text["to"] == number]


def import_contacts(page, tmp_path, *, csv: str, campaign: str, rows: int) -> None:
    path = tmp_path / f"{campaign}.csv"
    path.write_text(csv, encoding="utf-8")
    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_role("link", name="Import a CSV").first.click()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_label("Also add the imported contacts to a campaign's audience").select_option(label=campaign)
    page.get_by_role("button", name="Check all rows").click()
    page.get_by_role("button", name=f"Import the {rows} valid row{'s' if rows > 1 else ''}").click()
    page.get_by_role("link", name=f"Open “{campaign}”").click()


def new_campaign(page, name: str, *, channel: str) -> None:
    """A campaign texting by `channel` alone, at any hour of any day (CI runs whenever it runs)."""
    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("button", name="New campaign").click()
    page.get_by_label("Campaign name").fill(name)
    page.get_by_label("Email", exact=True).uncheck()
    page.get_by_label(channel, exact=True).check()
    page.get_by_label("Send window starts").fill("00:00")
    page.get_by_label("Send window ends").fill("23:59")
    page.get_by_label("Weekdays only (Monday to Friday)").uncheck()


def test_admin_texts_a_survey_and_customers_answer_by_reply_stop_and_link(
    live_server, page, settings, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SMS_BACKEND = "file"
    settings.SMS_OUTBOX_DIR = tmp_path / "sms-outbox"
    # Texts may go at any hour here (quiet hours have their own tests); the numbers are in New York and
    # California, whose hours no stricter row narrows.
    settings.TEXT_QUIET_HOURS = "00:00-24:00"
    outbox = settings.SMS_OUTBOX_DIR
    admin = make_user(role=Role.ADMIN, email="admin@example.com")

    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("button", name="Create a brand first").click()
    page.get_by_label("Brand name").fill("Acme")
    page.get_by_label("Company name in the question").fill("Acme")
    page.get_by_label("Sender name").fill("Acme Support")
    page.get_by_label("Sender email").fill("support@acme.example")
    page.get_by_role("button", name="Create brand").click()

    # An SMS campaign in reply mode…
    new_campaign(page, "Text pulse", channel="SMS")
    page.get_by_label(re.compile("Reply: the customer replies with a number")).check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("The campaign Text pulse is saved.")).to_be_visible()
    # … and a WhatsApp campaign, whose approved template carries the link.
    new_campaign(page, "WhatsApp feedback", channel="WhatsApp")
    page.get_by_label("WhatsApp Content SID (English)").fill(WHATSAPP_TEMPLATE)
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("The campaign WhatsApp feedback is saved.")).to_be_visible()

    import_contacts(
        page,
        tmp_path,
        csv=f"Name,Phone\nJessica Miller,{JESSICA}\nTyler Brooks,{TYLER}\n",
        campaign="Text pulse",
        rows=2,
    )
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text("2 people get a survey")).to_be_visible()
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_text("Text pulse is running: 2 invitations queued.")).to_be_visible()
    import_contacts(
        page, tmp_path, csv=f"Name,Phone\nPriya Nair,{PRIYA}\n", campaign="WhatsApp feedback", rows=1
    )
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text("1 person gets a survey")).to_be_visible()
    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.get_by_text("WhatsApp feedback is running: 1 invitation queued.")).to_be_visible()

    assert sorted(Invitation.objects.values_list("channel", "state")) == [
        ("sms", "sent"),
        ("sms", "sent"),
        ("whatsapp", "sent"),
    ]
    (survey,) = texts_to(outbox, JESSICA)
    assert survey["channel"] == "sms" and survey["link"] == ""
    assert "Reply with a number from 0 (not likely) to 10 (very likely)." in survey["body"]
    (whatsapp,) = texts_to(outbox, PRIYA)
    assert whatsapp["channel"] == "whatsapp"
    assert re.fullmatch(re.escape(live_server.url) + r"/s\?[A-Za-z0-9_-]{12,}", whatsapp["link"])

    # Jessica answers on her phone: ९, then a comment.
    page.get_by_role("link", name="Phone", exact=True).click()
    expect(page.get_by_role("heading", name="Phone simulator")).to_be_visible()
    page.get_by_role("link", name=re.compile("Jessica Miller")).click()
    phone = page.get_by_role("region", name=re.compile("SMS on the phone of Jessica Miller"))
    expect(phone.get_by_text("Reply with a number from 0 (not likely) to 10 (very likely).")).to_be_visible()
    phone.get_by_label("Message").fill("९")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("What do you like most about us?")).to_be_visible()
    phone.get_by_label("Message").fill("Quick, friendly service")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text(re.compile("^Thank you!"))).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.channel, answer.contact.name) == (
        9,
        "Quick, friendly service",
        "sms",
        "Jessica Miller",
    )
    assert [text["body"] for text in texts_to(outbox, JESSICA)][1] == "What do you like most about us?"

    # The answer is on the dashboard (after the every-minute rollup refresh), with its channel.
    rollups.refresh()
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("group", name="Channel").get_by_label("SMS").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("responses")).to_have_text("1")
    expect(page.get_by_text("Quick, friendly service")).to_be_visible()
    page.get_by_role("link", name="All comments").click()
    comment = page.get_by_role("listitem").filter(has_text="Quick, friendly service")
    expect(comment).to_contain_text("Text pulse · SMS ·")

    # Tyler replies STOP: suppressed, for WhatsApp too, and a later campaign texts him nothing.
    page.get_by_role("link", name="Phone", exact=True).click()
    page.get_by_role("link", name=re.compile("Tyler Brooks")).click()
    page.get_by_role("button", name="STOP").click()
    thread = page.get_by_role("list", name="Texts, oldest first")
    expect(thread.get_by_text("STOP", exact=True)).to_be_visible()
    suppression = Suppression.objects.get(address=TYLER)
    assert (suppression.reason, suppression.channel) == ("unsubscribed", "sms")
    assert Conversation.objects.get(number=TYLER).state == Conversation.State.CLOSED
    texts_before = len(list(outbox.glob("*.json")))

    new_campaign(page, "Second pulse", channel="SMS")
    page.get_by_role("button", name="Create campaign").click()
    import_contacts(
        page, tmp_path, csv=f"Name,Phone\nTyler Brooks,{TYLER}\n", campaign="Second pulse", rows=1
    )
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text("Nobody gets a survey now.")).to_be_visible()
    page.get_by_role("button", name="Launch without sending").click()
    expect(page.get_by_text("Second pulse is running: 0 invitations queued.")).to_be_visible()
    assert len(list(outbox.glob("*.json"))) == texts_before
    assert len(texts_to(outbox, TYLER)) == 1  # only the first survey, ever

    # Priya taps the link in her WhatsApp message: the one-click answer page, in one round trip.
    page.get_by_role("link", name="Phone", exact=True).click()
    page.get_by_role("link", name=re.compile("Priya Nair")).click()
    page.get_by_role("link", name=whatsapp["link"]).click()
    expect(page.get_by_text("How likely are you to recommend Acme to a friend or colleague?")).to_be_visible()
    assert page.url == whatsapp["link"]
