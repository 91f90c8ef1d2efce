import json

from playwright.sync_api import expect

from nps.accounts.roles import Role
from responses.models import Answer
from tests.factories import PASSWORD, make_brand, make_user
from tests.nps.test_webhooks import Receiver, verify
from tests.responses.test_history_import import delighted_export


def sign_in(page, live_server):
    admin = make_user(role=Role.ADMIN)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_adds_a_webhook_and_sends_a_test_event(live_server, page):
    receiver = Receiver()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + "/settings/")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="No webhook endpoints yet")).to_be_visible()
        page.get_by_role("button", name="Add an endpoint").click()

        page.get_by_label("Endpoint URL").fill("http://example.com/hook")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("Plain http:// is only accepted for this machine")).to_be_visible()
        page.get_by_label("Endpoint URL").fill("https://169.254.169.254/latest/meta-data/")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("169.254.169.254 is a link-local address")).to_be_visible()

        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("An unsubscribe (unsubscribe.created)").uncheck()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("Endpoint added.")).to_be_visible()

        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("Delivered")).to_be_visible()
        expect(page.get_by_role("cell", name="HTTP 200")).to_be_visible()
        page.get_by_text("Show the secret").click()
        secret = page.locator("#webhook-secret").inner_text()
        (request,) = receiver.requests
        assert verify(secret, request["headers"], request["body"])
        assert json.loads(request["body"])["event_type"] == "survey_response.created"
    finally:
        receiver.close()


def test_admin_imports_a_delighted_export(live_server, page, tmp_path):
    make_brand(name="Acme")
    path = tmp_path / "delighted-responses.csv"
    path.write_bytes(delighted_export())
    sign_in(page, live_server)
    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="History import").click()

    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("already recognised")).to_be_visible()
    expect(page.get_by_label("Score", exact=True)).to_have_value("score")
    page.get_by_role("button", name="Check all rows").click()

    expect(page.get_by_role("cell", name="The score “11” is not a whole number from 0 to 10")).to_be_visible()
    page.get_by_role("button", name="Import the 3 valid answers").click()

    expect(page.get_by_role("heading", name="New answers")).to_be_visible()
    assert Answer.objects.filter(external_id__startswith="delighted:").count() == 3
