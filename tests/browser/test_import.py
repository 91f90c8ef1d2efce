import re

from playwright.sync_api import expect

from nps.accounts.roles import Role
from tests.factories import PASSWORD, make_user

CSV = (
    "Email,Name,Phone,Plan\n"
    "asha@example.com,Asha Rao,+91 98765 43210,pro\n"
    "not-an-email,Broken Row,,free\n"
    "ravi@example.com,Ravi Iyer,,team\n"
)


def test_admin_imports_csv_with_a_bad_row(live_server, page, tmp_path):
    admin = make_user(role=Role.ADMIN)
    path = tmp_path / "customers.csv"
    path.write_text(CSV, encoding="utf-8")

    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/contacts/")
    expect(page.get_by_role("heading", name="No contacts yet")).to_be_visible()
    page.get_by_role("link", name="Import a CSV").first.click()

    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Preview of the first rows")).to_be_visible()
    expect(page.get_by_role("cell", name="Broken Row")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    expect(page.get_by_label("Plan", exact=True)).to_have_value("property")
    page.get_by_role("button", name="Check all rows").click()

    expect(
        page.get_by_role("cell", name=re.compile("“not-an-email” is not a valid email address"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="3", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download the rejected rows as CSV")).to_be_visible()
    page.get_by_role("button", name="Import the 2 valid rows").click()

    expect(page.get_by_role("heading", name="New contacts")).to_be_visible()
    page.get_by_role("link", name="See your contacts").click()
    expect(page.get_by_role("link", name="Asha Rao")).to_be_visible()
    expect(page.get_by_role("link", name="Ravi Iyer")).to_be_visible()
    expect(page.get_by_text("Broken Row")).to_have_count(0)
