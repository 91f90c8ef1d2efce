"""Issue 4 end to end in Chromium: brand and campaign, CSV import with a bad row, launch, the .eml in the
outbox, a one-click score, a comment, and an unsubscribe."""

import email
import email.policy
import re

from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Invitation, Suppression
from tests.factories import PASSWORD, make_user

CSV = (
    "Email,Name,Plan\n"
    "asha@example.com,Asha Rao,pro\n"
    "not-an-email,Broken Row,free\n"
    "ravi@example.com,Ravi Iyer,team\n"
)


def read_eml(path):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    return message, html, text


def test_admin_sends_a_campaign_and_a_customer_answers_and_unsubscribes(
    live_server, page, settings, tmp_path
):
    settings.EMAIL_BACKEND = "surveys.channels.email.backends.EmlFileBackend"
    settings.PUBLIC_BASE_URL = live_server.url
    admin = make_user(role=Role.ADMIN, email="admin@example.com")
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(CSV, encoding="utf-8")

    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # A brand and a campaign that may send at any hour of any day (the test runs whenever CI does).
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("button", name="Create a brand first").click()
    page.get_by_label("Brand name").fill("Acme")
    page.get_by_label("Company name in the question").fill("Acme")
    page.get_by_label("Sender name").fill("Acme Support")
    page.get_by_label("Sender email").fill("support@acme.example")
    page.get_by_role("button", name="Create brand").click()
    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("button", name="New campaign").click()
    page.get_by_label("Campaign name").fill("Spring NPS")
    page.get_by_label("Send window starts").fill("00:00")
    page.get_by_label("Send window ends").fill("23:59")
    page.get_by_label("Weekdays only (Monday to Friday)").uncheck()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("The campaign Spring NPS is saved.")).to_be_visible()

    # The audience comes from a CSV with one bad row.
    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_role("link", name="Import a CSV").first.click()
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_label("Also add the imported contacts to a campaign's audience").select_option(
        label="Spring NPS"
    )
    page.get_by_role("button", name="Check all rows").click()
    expect(
        page.get_by_role("cell", name=re.compile("“not-an-email” is not a valid email address"))
    ).to_be_visible()
    page.get_by_role("button", name="Import the 2 valid rows").click()
    page.get_by_role("link", name="Open “Spring NPS”").click()

    page.get_by_role("button", name="Launch").click()
    # The confirmation step: who gets a survey, then the button that sends.
    expect(page.get_by_role("heading", name="Launch Spring NPS?")).to_be_visible()
    expect(page.get_by_text("2 people get a survey")).to_be_visible()
    assert not Invitation.objects.exists()
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_text("Spring NPS is running: 2 invitations queued.")).to_be_visible()
    assert sorted(Invitation.objects.values_list("state", flat=True)) == ["sent", "sent"]

    outbox = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(outbox) == 2
    (asha_eml,) = [p for p in outbox if "asha@example.com" in read_eml(p)[0]["To"]]
    message, html, text = read_eml(asha_eml)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "How likely are you to recommend Acme to a friend or colleague?" in html
    score_links = re.findall(r'href="(' + re.escape(live_server.url) + r'/r/[^"]+/(\d+)/)"', html)
    assert [int(score) for _, score in score_links] == list(range(11))
    assert all(link in text for link, _ in score_links)

    # The customer clicks 9 in the email: recorded by the page, then a comment.
    page.context.clear_cookies()
    page.goto(score_links[9][0])
    expect(page.get_by_role("status")).to_have_text("Thank you, your score is saved. Tell us more below.")
    page.get_by_label("What do you like most about us?").fill("Quick, friendly support")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.contact.email) == (
        9,
        "Quick, friendly support",
        "asha@example.com",
    )

    # … and unsubscribes from the link at the bottom of the same email.
    unsubscribe = re.search(r'href="(' + re.escape(live_server.url) + r'/u/[^"]+)"', html).group(1)
    page.goto(unsubscribe)
    assert not Suppression.objects.exists()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert list(Suppression.objects.values_list("address", flat=True)) == ["asha@example.com"]
