"""Issue 3 end to end: an admin invites a viewer, who joins and is refused the settings."""

import re

from django.core import mail
from playwright.sync_api import expect

from nps.accounts.models import User
from nps.accounts.roles import Role
from tests.factories import PASSWORD, make_user


def sign_in(page, base_url, email, password):
    page.goto(base_url + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_invites_a_viewer_who_joins_and_is_refused_the_settings(
    live_server, page, browser, transactional_db
):
    make_user(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)

    sign_in(page, live_server.url, "admin@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("Teammates and roles")).click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()

    invite_form = page.get_by_role("complementary")
    invite_form.get_by_label("Email").fill("vera@example.com")
    invite_form.get_by_role("radio", name=re.compile("^Viewer")).check()
    invite_form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to vera@example.com as viewer.")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke the invitation for vera@example.com")).to_be_visible()

    [message] = mail.outbox
    assert message.to == ["vera@example.com"]
    link = re.search(r"http://testserver(/join/\S+/)", message.body).group(1)

    # The invitee opens the link in their own browser.
    context = browser.new_context()
    invitee = context.new_page()
    invitee.set_default_timeout(10_000)
    invitee.goto(live_server.url + link)
    expect(invitee.get_by_role("heading", name="Join your team on OpenNPS")).to_be_visible()
    invitee.get_by_label("Your name").fill("Vera Viewer")
    invitee.get_by_label("Password", exact=True).fill("vera-secret-password-7")
    invitee.get_by_label("Password again").fill("vera-secret-password-7")
    invitee.get_by_role("button", name="Create my account").click()

    expect(invitee.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(invitee.get_by_text("Welcome to OpenNPS, Vera Viewer!")).to_be_visible()
    expect(invitee.get_by_role("link", name="Settings")).to_have_count(0)

    invitee.goto(live_server.url + "/settings/")
    expect(invitee.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    expect(invitee.get_by_text("This page needs the admin role.")).to_be_visible()
    invitee.get_by_role("link", name="Back to the dashboard").click()
    expect(invitee.get_by_role("heading", name="Dashboard")).to_be_visible()
    context.close()

    assert User.objects.get(email="vera@example.com").role == Role.VIEWER


def test_account_pages_fit_a_360px_phone(live_server, browser, transactional_db):
    admin = make_user(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)
    make_user(email="a.rather.long.address.for.a.teammate@example.com", role=Role.LEAD, is_active=False)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(live_server.url + "/login/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    sign_in(phone, live_server.url, "admin@example.com", PASSWORD)
    for path in ("/settings/", "/settings/team/", "/account/", f"/settings/team/{admin.pk}/"):
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    # The menu opens from its button-like toggle.
    phone.get_by_label("Show menu").check()
    expect(phone.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")).to_be_visible()
    context.close()
