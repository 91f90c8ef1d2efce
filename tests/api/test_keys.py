"""API keys: created and revoked by admins, shown once, stored hashed, scoped, rate limited."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from nps.accounts.roles import Role
from nps.api import keys
from nps.api.keys import ApiKey
from tests.api.conftest import ApiClient
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db

KEY_IN_PAGE = re.compile(r'id="new-key-value" type="text" value="([^"]+)"')


def test_admin_creates_a_key_that_is_shown_once_and_stored_hashed(client):
    admin = make_user(role=Role.ADMIN)
    client.force_login(admin)
    response = client.post("/settings/api-keys/new/", {"name": "CRM sync", "scope": "write"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert "Copy your new key now" in response.text
    raw = KEY_IN_PAGE.search(response.text).group(1)

    key = ApiKey.objects.get()
    assert key.name == "CRM sync" and not key.read_only and key.created_by == admin
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in key.key_hash and key.prefix == raw[:12]

    listing = client.get("/settings/api-keys/")
    assert "CRM sync" in listing.text and "Read and write" in listing.text
    assert raw not in listing.text  # never shown again
    assert "Copy your new key now" not in listing.text


def test_key_without_a_name_is_refused_and_nothing_is_created(client):
    client.force_login(make_user(role=Role.ADMIN))
    response = client.post("/settings/api-keys/new/", {"name": "  ", "scope": "read"})
    assert response.status_code == 400
    assert "Give the key a name." in response.text
    assert not ApiKey.objects.exists()


def test_unknown_scope_is_refused(client):
    client.force_login(make_user(role=Role.ADMIN))
    response = client.post("/settings/api-keys/new/", {"name": "x", "scope": "root"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER])
def test_only_admins_manage_keys(client, role):
    key, _ = keys.create_api_key(name="Kept", read_only=False)
    client.force_login(make_user(role=role))
    assert client.get("/settings/api-keys/").status_code == 403
    assert client.post("/settings/api-keys/new/", {"name": "x", "scope": "write"}).status_code == 403
    assert client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.get().revoked_at is None
    assert ApiKey.objects.count() == 1


def test_revoked_key_gets_401(client):
    key, raw = keys.create_api_key(name="Old", read_only=False)
    api = ApiClient(client, raw)
    assert api.get("/api/v1/contacts").status_code == 200

    client.force_login(make_user(role=Role.ADMIN))
    response = client.post(f"/settings/api-keys/{key.pk}/revoke/", follow=True)
    assert "is revoked" in response.text
    client.logout()

    response = api.get("/api/v1/contacts")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is not valid: it is unknown or was revoked."


def test_missing_wrong_scheme_and_unknown_keys_get_precise_401(client):
    assert client.get("/api/v1/contacts").json()["detail"].startswith("Send your API key")
    response = client.get("/api/v1/contacts", headers={"Authorization": "Token abc"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Use the Bearer scheme: `Authorization: Bearer <key>`."
    response = ApiClient(client, "onps_not-a-key").get("/api/v1/contacts")
    assert response.status_code == 401
    assert "unknown or was revoked" in response.json()["detail"]


def test_read_only_key_reads_but_cannot_write(read_api):
    contact = make_contact(email="ana@example.com")
    assert read_api.get(f"/api/v1/contacts/{contact.pk}").status_code == 200

    response = read_api.post("/api/v1/contacts", {"email": "new@example.com"})
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "The API key “Reporting” is read-only; this request needs a read-write key."
    )
    assert read_api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 403
    assert read_api.patch(f"/api/v1/contacts/{contact.pk}", {"name": "X"}).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "Asha Rao"
    assert not type(contact).objects.filter(email="new@example.com").exists()


def test_last_used_is_written_at_most_once_a_minute(client):
    key, raw = keys.create_api_key(name="Busy", read_only=True)
    assert keys.authenticate(raw).last_used_at is not None
    first = ApiKey.objects.get().last_used_at
    keys.authenticate(raw)
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    keys.authenticate(raw)
    assert ApiKey.objects.get().last_used_at > first


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_answers_429_with_retry_after(api, settings):
    settings.API_RATELIMIT = "3/h"
    for _ in range(3):
        assert api.get("/api/v1/campaigns").status_code == 200
    response = api.get("/api/v1/campaigns")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 3600
    assert response.json()["detail"] == f"Too many requests with this API key; retry in {wait} seconds."


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_counts_per_key(api, read_api, settings):
    settings.API_RATELIMIT = "1/h"
    assert api.get("/api/v1/campaigns").status_code == 200
    assert api.get("/api/v1/campaigns").status_code == 429
    assert read_api.get("/api/v1/campaigns").status_code == 200


def test_check_rate_returns_seconds_to_wait(settings):
    settings.API_RATELIMIT = "2/m"
    key, _ = keys.create_api_key(name="Shared", read_only=True)
    assert keys.check_rate(key) is None
    assert keys.check_rate(key) is None
    assert 1 <= keys.check_rate(key) <= 60


def test_rate_limit_reads_the_multiplied_form(api, settings, time_machine):
    settings.API_RATELIMIT = "2/5m"
    time_machine.move_to(timezone.now().replace(minute=0, second=30), tick=False)
    assert [api.get("/api/v1/campaigns").status_code for _ in range(3)] == [200, 200, 429]
    assert int(api.get("/api/v1/campaigns")["Retry-After"]) == 270  # the rest of the 5-minute window


def test_command_prints_a_working_key(capsys):
    call_command("create_api_key", "--name", "CI", "--read-only")
    raw = capsys.readouterr().out.strip()
    key = keys.authenticate(raw)
    assert key is not None and key.name == "CI" and key.read_only
    call_command("create_api_key", "--name", "Writer")
    assert keys.authenticate(capsys.readouterr().out.strip()).can_write
