"""Issue 4: an admin sets up a brand (with a logo) and a campaign in the browser, then previews it."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from nps.accounts.roles import Role
from surveys.models import Brand, Campaign
from tests.factories import PASSWORD, make_user


def tiny_png(path):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 24), "#0f766e").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page, base_url, email):
    page.goto(base_url + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_creates_brand_and_campaign_and_opens_preview(live_server, page, transactional_db, tmp_path):
    make_user(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)
    sign_in(page, live_server.url, "admin@example.com")

    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", name="No campaigns yet")).to_be_visible()
    page.get_by_role("button", name="Create a brand first").click()

    page.get_by_label("Brand name").fill("Acme EU")
    page.get_by_label("Company name in the question").fill("Acme")
    page.get_by_label("Sender name").fill("Acme Support")
    page.get_by_label("Sender email").fill("support@acme.example")
    page.get_by_label("Logo").set_input_files(tiny_png(tmp_path / "logo.png"))
    page.get_by_label("Accent colour").fill("#0f766e")
    page.get_by_role("button", name="Create brand").click()
    expect(page.get_by_text("The brand Acme EU is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Acme EU")).to_be_visible()
    brand = Brand.objects.get()
    assert brand.logo.name.endswith(".png")
    assert brand.accent_color == "#0f766e"

    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("button", name="New campaign").click()
    page.get_by_label("Campaign name").fill("Spring NPS")
    expect(page.get_by_label("Email")).to_be_checked()
    page.get_by_label("Follow-up for promoters", exact=True).fill("What do you love about Acme?")
    page.get_by_label("Thank-you redirect for promoters", exact=True).fill("http://reviews.example/acme")
    page.get_by_role("group").filter(has_text="Question (Español)").locator("summary").click()
    page.get_by_label("Question (Español)").fill("¿Recomendarías {brand} a un amigo?")
    page.get_by_label("Send one reminder after (days)").fill("3")
    page.get_by_role("button", name="Create campaign").click()

    # http is refused with the reason; the rest of the form is kept.
    expect(page.get_by_text("Use a full https:// address")).to_be_visible()
    assert not Campaign.objects.exists()
    expect(page.get_by_label("Campaign name")).to_have_value("Spring NPS")
    page.get_by_label("Thank-you redirect for promoters", exact=True).fill("https://reviews.example/acme")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_text("The campaign Spring NPS is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Spring NPS"))).to_be_visible()
    campaign = Campaign.objects.get()
    assert campaign.translations == {"es": {"question": "¿Recomendarías {brand} a un amigo?"}}
    assert campaign.reminder_days == 3

    page.get_by_role("link", name="Campaigns").first.click()
    row = page.get_by_role("row", name=re.compile("Spring NPS"))
    expect(row).to_contain_text("Draft")
    expect(row).to_contain_text("Email")

    row.get_by_role("link", name="Spring NPS").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("support@acme.example")).to_be_visible()
    email = page.frame_locator("iframe[title='Email as the customer sees it']")
    expect(email.get_by_text("¿Recomendarías Acme a un amigo?")).to_be_visible()
    answer = page.frame_locator("iframe[title='Answer page as the customer sees it']")
    expect(answer.get_by_text("¿Recomendarías Acme a un amigo?")).to_be_visible()
