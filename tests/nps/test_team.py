import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nps.accounts.models import TeamInvitation, User
from nps.accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-good-long-secret-42"


def _invite(client, capture, email="new@example.com", role=Role.VIEWER):
    with capture(execute=True):
        return client.post("/settings/team/invite/", {"email": email, "role": role})


def _link(message) -> str:
    match = re.search(r"http://testserver(/join/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _accept(client, link, name="Nia New", password=NEW_PASSWORD):
    return client.post(link, {"name": name, "password1": password, "password2": password})


def test_settings_page_links_to_the_team(client, sign_in):
    sign_in(Role.ADMIN)
    response = client.get("/settings/")
    assert response.status_code == 200
    assert 'href="/settings/team/"' in response.text
    assert "Teammates and roles" in response.text


def test_team_page_lists_members_with_role_badges_and_pending_invitations(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    make_user(role=Role.LEAD, email="lee@example.com", name="Lee Lead")
    _invite(client, django_capture_on_commit_callbacks, email="pending@example.com", role=Role.LEAD)
    response = client.get("/settings/team/")
    assert '<span class="badge badge-role-lead">Lead</span>' in response.text
    assert "Lee Lead" in response.text and "Ada Admin" in response.text
    assert "pending@example.com" in response.text
    assert 'aria-label="Revoke the invitation for pending@example.com"' in response.text
    # The invite form explains each role.
    assert "Read-only dashboards." in response.text
    assert "Dashboards, responses and follow-up; no settings." in response.text


def test_invited_teammate_sets_a_password_and_is_signed_in_with_the_role(
    client, sign_in, django_capture_on_commit_callbacks
):
    admin = sign_in(Role.ADMIN, name="Ada Admin")
    response = _invite(client, django_capture_on_commit_callbacks, email="New@Example.com", role=Role.LEAD)
    assert response["Location"] == "/settings/team/"
    assert "Invitation sent to new@example.com as lead." in client.get("/settings/team/").text

    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == "Ada Admin invited you to join OpenNPS"
    link = _link(message)
    assert link in message.alternatives[0][0]  # the HTML part carries the same link

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Join your team on OpenNPS" in page.text
    response = _accept(client, link)
    assert response["Location"] == "/"

    user = User.objects.get(email="new@example.com")
    assert (user.name, user.role, user.is_active) == ("Nia New", Role.LEAD, True)
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").context["user"] == user
    invitation = TeamInvitation.objects.get()
    assert invitation.accepted_at is not None and invitation.invited_by == admin


def test_invitation_link_works_once(client, sign_in, django_capture_on_commit_callbacks):
    sign_in(Role.ADMIN)
    _invite(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()
    _accept(client, link)
    client.logout()

    response = client.get(link)
    assert response.status_code == 404
    assert "This invitation link is no longer valid" in response.text
    response = _accept(client, link, name="Someone Else")
    assert response.status_code == 404
    assert User.objects.get(email="new@example.com").name == "Nia New"


def test_expired_invitation_gets_the_friendly_page(client, sign_in, django_capture_on_commit_callbacks):
    sign_in(Role.ADMIN)
    _invite(client, django_capture_on_commit_callbacks)
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = _accept(client, _link(mail.outbox[0]))
    assert response.status_code == 404
    assert "This invitation link is no longer valid" in response.text
    assert not User.objects.filter(email="new@example.com").exists()


def test_revoked_invitation_gets_the_friendly_page(client, sign_in, django_capture_on_commit_callbacks):
    sign_in(Role.ADMIN)
    _invite(client, django_capture_on_commit_callbacks)
    invitation = TeamInvitation.objects.get()
    response = client.post(f"/settings/team/invitations/{invitation.pk}/revoke/", follow=True)
    assert "The invitation for new@example.com no longer works." in response.text
    assert (
        "new@example.com" not in response.text.split("Pending invitations")[1].split("Invite a teammate")[0]
    )
    client.logout()
    response = client.get(_link(mail.outbox[0]))
    assert response.status_code == 404
    assert "This invitation link is no longer valid" in response.text


def test_a_new_invitation_replaces_the_pending_one(client, sign_in, django_capture_on_commit_callbacks):
    sign_in(Role.ADMIN)
    _invite(client, django_capture_on_commit_callbacks, role=Role.VIEWER)
    _invite(client, django_capture_on_commit_callbacks, role=Role.LEAD)
    first, second = (_link(message) for message in mail.outbox)
    client.logout()
    assert client.get(first).status_code == 404
    _accept(client, second)
    assert User.objects.get(email="new@example.com").role == Role.LEAD


def test_inviting_an_existing_member_is_refused_with_a_message(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(Role.ADMIN)
    make_user(email="lee@example.com", role=Role.LEAD)
    response = _invite(client, django_capture_on_commit_callbacks, email="LEE@example.com")
    assert response.status_code == 400
    assert "This person already has an account." in response.text
    assert not TeamInvitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "viewer"}, "Enter a valid email address."),
        ({"email": "", "role": "viewer"}, "This field is required."),
        (
            {"email": "x@example.com", "role": "owner"},
            "Select a valid choice. owner is not one of the available choices.",
        ),
    ],
)
def test_bad_invitation_input_is_refused_and_writes_nothing(
    client, sign_in, django_capture_on_commit_callbacks, data, message
):
    sign_in(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/team/invite/", data)
    assert response.status_code == 400
    assert message in response.text
    assert not TeamInvitation.objects.exists()
    assert mail.outbox == []


def test_accepting_with_differing_or_weak_passwords_is_refused(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(Role.ADMIN)
    _invite(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()
    response = client.post(link, {"name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords differ." in response.text
    response = _accept(client, link, password="12345678901")
    assert response.status_code == 400
    assert "This password is entirely numeric." in response.text
    assert not User.objects.filter(email="new@example.com").exists()
    assert TeamInvitation.objects.get().is_usable


def test_last_admin_cannot_demote_or_lock_out_themselves(client, sign_in):
    admin = sign_in(Role.ADMIN, name="Ada")
    for data in ({"name": "Ada", "role": "viewer", "is_active": "on"}, {"name": "Ada", "role": "admin"}):
        response = client.post(f"/settings/team/{admin.pk}/", data)
        assert response.status_code == 400
        assert "OpenNPS needs at least one active admin" in response.text
        admin.refresh_from_db()
        assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_an_admin_can_step_down_when_another_admin_remains(client, sign_in):
    admin = sign_in(Role.ADMIN, name="Ada")
    make_user(role=Role.ADMIN)
    response = client.post(f"/settings/team/{admin.pk}/", {"name": "Ada", "role": "lead", "is_active": "on"})
    assert response["Location"] == "/settings/team/"
    admin.refresh_from_db()
    assert admin.role == Role.LEAD
    assert client.get("/settings/team/").status_code == 403


def test_admin_changes_a_members_role_and_stops_their_sign_in(client, sign_in):
    sign_in(Role.ADMIN)
    member = make_user(role=Role.VIEWER, email="vera@example.com")
    assert "vera@example.com" in client.get(f"/settings/team/{member.pk}/").text
    response = client.post(f"/settings/team/{member.pk}/", {"name": "Vera", "role": "lead"})
    assert response["Location"] == "/settings/team/"
    member.refresh_from_db()
    assert (member.name, member.role, member.is_active) == ("Vera", Role.LEAD, False)


def test_editing_a_member_with_an_unknown_role_is_refused(client, sign_in):
    sign_in(Role.ADMIN)
    member = make_user(role=Role.VIEWER)
    response = client.post(f"/settings/team/{member.pk}/", {"name": "X", "role": "root", "is_active": "on"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    member.refresh_from_db()
    assert member.role == Role.VIEWER
