"""Sign-in hardening: password reset cannot be used to mail-bomb, a deactivated user's sessions end for
good, and the site's Content-Security-Policy lets forms post to this site only."""

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from nps.accounts.roles import Role
from tests.factories import make_user
from tests.responses.helpers import make_sent_invitation

pytestmark = pytest.mark.django_db
PROXY = "172.18.0.1"


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = (PROXY,)


def via_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


# --- password reset ---------------------------------------------------------------------------------------


def test_password_reset_mails_one_address_a_few_times_an_hour_at_most(client, settings):
    settings.PASSWORD_RESET_EMAIL_RATELIMIT = "3/h"
    make_user(email="asha@example.com")
    for n in range(6):  # from six different clients: the address is what is protected
        response = client.post("/password-reset/", {"email": "Asha@example.com"}, **via_proxy(f"192.0.2.{n}"))
        assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 3
    assert {tuple(message.to) for message in mail.outbox} == {("asha@example.com",)}


def test_a_limited_address_looks_the_same_whether_or_not_it_has_an_account(client, settings):
    settings.PASSWORD_RESET_EMAIL_RATELIMIT = "1/h"
    make_user(email="asha@example.com")
    answers = {}
    for email in ("asha@example.com", "nobody@example.com"):
        responses = [
            client.post("/password-reset/", {"email": email}, **via_proxy("192.0.2.1")) for _ in range(2)
        ]
        answers[email] = [(r.status_code, r["Location"]) for r in responses]
    assert (
        answers["asha@example.com"] == answers["nobody@example.com"] == [(302, "/password-reset/sent/")] * 2
    )
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("rate_window")
def test_one_client_asking_for_many_reset_links_is_told_to_wait(client, settings):
    settings.PASSWORD_RESET_RATELIMIT = "3/h"
    for n in range(3):
        response = client.post(
            "/password-reset/", {"email": f"p{n}@example.com"}, **via_proxy("203.0.113.66")
        )
        assert response.status_code == 302
    make_user(email="asha@example.com")
    response = client.post("/password-reset/", {"email": "asha@example.com"}, **via_proxy("203.0.113.66"))
    assert response.status_code == 429
    assert "Too many reset requests" in response.text
    assert int(response["Retry-After"]) > 0
    assert mail.outbox == []
    # Another client behind the same proxy still gets its link.
    response = client.post("/password-reset/", {"email": "asha@example.com"}, **via_proxy("192.0.2.10"))
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1


# --- deactivation -----------------------------------------------------------------------------------------


def test_a_deactivated_users_sessions_do_not_work_again_after_reactivation(client, django_user_model):
    admin = make_user(email="admin@example.com", role=Role.ADMIN)
    lee = make_user(email="lee@example.com", role=Role.LEAD)
    lee_browser = Client()
    lee_browser.force_login(lee)
    other_browser = Client()
    other_browser.force_login(make_user(email="ben@example.com", role=Role.LEAD))
    assert lee_browser.get("/").status_code == 200

    client.force_login(admin)
    form = {"name": "Lee", "role": Role.LEAD}
    assert client.post(f"/settings/team/{lee.pk}/", form)["Location"] == "/settings/team/"  # deactivated
    assert lee_browser.get("/")["Location"].startswith("/login/")
    assert (
        client.post(f"/settings/team/{lee.pk}/", {**form, "is_active": "on"})["Location"] == "/settings/team/"
    )

    assert django_user_model.objects.get(pk=lee.pk).is_active
    assert lee_browser.get("/")["Location"].startswith("/login/")  # the old session is gone for good
    assert other_browser.get("/").status_code == 200  # other people's sessions are untouched
    assert Session.objects.count() == 2  # the admin's and Ben's


# --- Content-Security-Policy ------------------------------------------------------------------------------


def test_forms_may_post_to_this_site_only(client, settings):
    policies = [client.get("/login/")["Content-Security-Policy"]]
    policies.append(client.get(make_sent_invitation().answer_path(9))["Content-Security-Policy"])
    for policy in policies:
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["form-action"] == "'self'"
