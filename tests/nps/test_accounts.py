import re

import pytest
from django.core import mail

from nps.accounts.models import User
from nps.accounts.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_lands_on_the_dashboard(client):
    make_user(email="asha@example.com", role=Role.LEAD)
    response = client.post("/login/", {"username": "Asha@Example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "<h1>Dashboard</h1>" in response.text
    assert response.context["user"].email == "asha@example.com"


def test_sign_in_page_is_a_card_with_a_forgot_password_link(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'class="auth-card"' in response.text
    assert '<a href="/password-reset/">Forgot your password?</a>' in response.text
    assert '<label for="id_username">Email</label>' in response.text


def test_sign_in_returns_to_the_page_asked_for(client):
    make_user(email="lee@example.com")
    response = client.get("/settings/team/")
    assert response["Location"] == "/login/?next=/settings/team/"
    response = client.post(
        "/login/?next=/settings/team/",
        {"username": "lee@example.com", "password": PASSWORD, "next": "/settings/team/"},
    )
    assert response["Location"] == "/settings/team/"


def test_wrong_password_says_so_and_signs_nobody_in(client):
    make_user(email="asha@example.com")
    response = client.post("/login/", {"username": "asha@example.com", "password": "not-the-password"})
    assert response.status_code == 200
    assert "This email and password do not match an account." in response.text
    assert "_auth_user_id" not in client.session


def test_deactivated_account_cannot_sign_in(client):
    make_user(email="gone@example.com", is_active=False)
    response = client.post("/login/", {"username": "gone@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "do not match an account" in response.text


def test_signed_in_user_opening_sign_in_goes_to_the_dashboard(client, sign_in):
    sign_in(Role.VIEWER)
    assert client.get("/login/")["Location"] == "/"


def test_sign_out_is_a_post_and_ends_the_session(client, sign_in):
    sign_in(Role.VIEWER)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def _fail(client, username, times, *, after=0):
    """`times` more wrong passwords (`after` were made already): the form until the limit, then the lockout."""
    from django.conf import settings

    for attempt in range(after + 1, after + times + 1):
        response = client.post("/login/", {"username": username, "password": "wrong-password-1"})
        assert response.status_code == (429 if attempt >= settings.AXES_FAILURE_LIMIT else 200), attempt
    return response


def test_repeated_wrong_passwords_lock_the_address_out_with_a_clear_page(client, settings):
    make_user(email="asha@example.com")
    limit = settings.AXES_FAILURE_LIMIT
    response = _fail(client, "asha@example.com", limit - 1)
    assert response.status_code == 200  # still the sign-in form

    response = _fail(client, "asha@example.com", 1, after=limit - 1)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    assert f"After {limit} wrong passwords in a row" in response.text
    assert "paused for 15\xa0minutes" in response.text

    # Even the right password is refused while locked out, and nobody is signed in.
    response = client.post("/login/", {"username": "asha@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_capitals_in_the_address_do_not_reset_the_failure_count(client, settings):
    make_user(email="asha@example.com")
    _fail(client, "asha@example.com", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post("/login/", {"username": "ASHA@example.com", "password": "wrong-password-1"})
    assert response.status_code == 429


def test_lockout_of_one_address_leaves_others_alone(client, settings):
    make_user(email="asha@example.com")
    make_user(email="ben@example.com")
    _fail(client, "asha@example.com", settings.AXES_FAILURE_LIMIT)
    response = client.post("/login/", {"username": "ben@example.com", "password": PASSWORD})
    assert response["Location"] == "/"


def _reset_link(message) -> str:
    match = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_email_link_sets_a_new_password(client):
    user = make_user(email="asha@example.com", name="Asha")
    response = client.post("/password-reset/", {"email": "Asha@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert "Check your email" in client.get("/password-reset/sent/").text

    [message] = mail.outbox
    assert message.to == ["asha@example.com"]
    assert message.subject == "Reset your OpenNPS password"
    link = _reset_link(message)

    response = client.get(link, follow=True)
    assert "Choose a new password" in response.text
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-brand-new-secret-7", "new_password2": "a-brand-new-secret-7"}
    )
    assert response["Location"] == "/password-reset/done/"
    assert "Your password is changed" in client.get("/password-reset/done/").text

    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret-7")
    # The link works once.
    assert "This link is no longer valid" in client.get(link, follow=True).text


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_lifts_a_lockout(client, settings):
    make_user(email="asha@example.com")
    _fail(client, "asha@example.com", settings.AXES_FAILURE_LIMIT)
    client.post("/password-reset/", {"email": "asha@example.com"})
    response = client.get(_reset_link(mail.outbox[0]), follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-7", "new_password2": "a-brand-new-secret-7"},
    )
    response = client.post("/login/", {"username": "asha@example.com", "password": "a-brand-new-secret-7"})
    assert response["Location"] == "/"


def test_account_page_changes_the_name(client, sign_in):
    user = sign_in(Role.VIEWER, name="Old Name")
    response = client.get("/account/")
    assert "Your account" in response.text
    response = client.post("/account/", {"name": "Vera Viewer"})
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.name == "Vera Viewer"


def test_password_change_keeps_the_session_and_takes_the_new_password(client, sign_in):
    user = sign_in(Role.VIEWER)
    data = {
        "old_password": PASSWORD,
        "new_password1": "another-secret-77",
        "new_password2": "another-secret-77",
    }
    response = client.post("/account/password/", data, follow=True)
    assert "Your password is changed." in response.text
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.check_password("another-secret-77")


def test_password_change_with_a_wrong_old_password_is_refused(client, sign_in):
    user = sign_in(Role.VIEWER)
    data = {
        "old_password": "wrong",
        "new_password1": "another-secret-77",
        "new_password2": "another-secret-77",
    }
    response = client.post("/account/password/", data)
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_unknown_page_gets_the_friendly_404(client, sign_in):
    sign_in(Role.VIEWER)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text


def test_500_page_renders_without_a_request(settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_emails_are_stored_lower_case_and_unique_whatever_the_capitals():
    User.objects.create_user("Mixed@Example.com", PASSWORD)
    assert User.objects.get_by_natural_key("MIXED@example.COM").email == "mixed@example.com"
