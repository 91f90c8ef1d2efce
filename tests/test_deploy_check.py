"""Production settings: `check --deploy` is clean, and a missing secret stops the start with its name."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7Qz!pV3#xR9$wN2^bT6&yM4*hJ8@cL1%fG5+dS0=aE7-uI3~oP9",
    "ALLOWED_HOSTS": "nps.example.com",
    "PUBLIC_BASE_URL": "https://nps.example.com",
    "DATABASE_URL": "postgres://opennps:secret@127.0.0.1:5432/opennps",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "not-a-real-token",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_COOKIES": "true",
    "BEHIND_TLS_PROXY": "true",
}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # A clean environment: nothing of the test settings may leak into the production check.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_an_insecure_production_configuration():
    insecure = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",
    }
    result = manage(insecure, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL"])
def test_missing_required_setting_stops_start_up_naming_it(variable):
    env = {key: value for key, value in PRODUCTION.items() if key != variable}
    result = manage(env, "check")
    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr


def settings_variables() -> set[str]:
    source = (ROOT / "nps" / "settings.py").read_text()
    names = set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\"([A-Z][A-Z0-9_]*)\"", source))
    return names - {"NPS_ENV_FILE"}  # names the demo's file; documented, not a production setting


def test_every_variable_the_settings_read_is_in_env_example_and_the_docs():
    variables = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables
    example = (ROOT / ".env.example").read_text()
    docs = (ROOT / "docs" / "configuration.md").read_text()
    assert not [name for name in sorted(variables) if not re.search(rf"^#? ?{name}=", example, re.M)]
    assert not [name for name in sorted(variables) if f"`{name}`" not in docs]


def test_docker_compose_runs_the_five_services_from_the_env_file():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"
        assert "uv sync --frozen --no-dev" in services[name]["build"]["dockerfile_inline"]
    assert "gunicorn nps.wsgi" in " ".join(services["web"]["command"])
    assert "celery -A nps worker" in services["worker"]["command"]
    assert "celery -A nps beat" in services["beat"]["command"]
    assert all("healthcheck" in services[name] for name in ("web", "worker", "db", "redis"))
