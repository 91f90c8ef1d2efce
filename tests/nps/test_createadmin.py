import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from nps.accounts.models import User
from nps.accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "first-admin-secret-2026"


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.delenv("OPENNPS_ADMIN_PASSWORD", raising=False)


def test_creates_an_active_admin_with_the_password_from_the_environment(monkeypatch, no_terminal):
    monkeypatch.setenv("OPENNPS_ADMIN_PASSWORD", GOOD_PASSWORD)
    out = io.StringIO()
    call_command("createadmin", "--email", "Boss@Example.com", "--name", "Bea Boss", stdout=out)
    assert "Admin boss@example.com created." in out.getvalue()
    user = User.objects.get()
    assert (user.email, user.name, user.role, user.is_active) == (
        "boss@example.com",
        "Bea Boss",
        Role.ADMIN,
        True,
    )
    assert user.check_password(GOOD_PASSWORD)


def test_without_a_password_and_without_a_terminal_it_stops_with_a_clear_error(no_terminal):
    with pytest.raises(CommandError, match="set the environment variable OPENNPS_ADMIN_PASSWORD"):
        call_command("createadmin", "--email", "boss@example.com")
    assert not User.objects.exists()


def test_an_existing_email_is_refused(monkeypatch, no_terminal):
    make_user(email="boss@example.com", role=Role.VIEWER)
    monkeypatch.setenv("OPENNPS_ADMIN_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(
        CommandError, match="An account with the email address boss@example.com already exists."
    ):
        call_command("createadmin", "--email", "BOSS@example.com")
    assert User.objects.get().role == Role.VIEWER


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("18273645091827", "This password is entirely numeric."),
    ],
)
def test_a_weak_password_is_refused_by_the_password_validators(monkeypatch, no_terminal, password, message):
    monkeypatch.setenv("OPENNPS_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("createadmin", "--email", "boss@example.com")
    assert not User.objects.exists()


def test_an_invalid_email_is_refused(monkeypatch, no_terminal):
    monkeypatch.setenv("OPENNPS_ADMIN_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="Enter a valid email address."):
        call_command("createadmin", "--email", "not-an-address")


def test_on_a_terminal_it_asks_for_the_password_twice(monkeypatch, no_terminal):
    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createadmin", "--email", "boss@example.com", stdout=io.StringIO())
    assert User.objects.get().check_password(GOOD_PASSWORD)


def test_on_a_terminal_differing_passwords_are_refused(monkeypatch, no_terminal):
    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ."):
        call_command("createadmin", "--email", "boss@example.com")
    assert not User.objects.exists()


def test_manage_py_exits_non_zero_with_the_message_when_no_password_is_given(settings):
    """The real command line, as an operator runs it in a container without a terminal."""
    env = {k: v for k, v in os.environ.items() if k != "OPENNPS_ADMIN_PASSWORD"}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "createadmin", "--email", "boss@example.com"],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "CommandError: No password: set the environment variable OPENNPS_ADMIN_PASSWORD" in result.stderr
