"""A worker or beat that is gone is noticed, and every deployment path starts it again."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from surveys import delivery

pytestmark = pytest.mark.django_db

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


def test_compose_restarts_worker_and_beat_and_checks_both():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("worker", "beat"):
        assert services[name]["restart"] in ("always", "unless-stopped")
        assert services[name]["healthcheck"]["test"]
    # The worker answers a ping to its own node; beat's check is the dispatcher's heartbeat.
    assert "inspect ping --destination celery@$$HOSTNAME" in " ".join(
        services["worker"]["healthcheck"]["test"]
    )
    assert services["beat"]["healthcheck"]["test"][-1] == "dispatch_status"


@pytest.fixture
def with_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_healthz_reports_a_stale_worker_only_when_asked_to_fail(client, with_worker):
    # Nothing has run the dispatcher: the web process is fine, the background work is not.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "stale"
    response = client.get("/healthz?worker=1")
    assert response.status_code == 503
    assert response.json()["status"] == "worker stale"


def test_a_dispatcher_run_makes_the_worker_healthy_for_a_few_minutes(client, with_worker):
    delivery.dispatch_due()

    response = client.get("/healthz?worker=1")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"
    call_command("dispatch_status")

    with time_machine.travel(timezone.now() + delivery.DISPATCH_STALE_AFTER + timedelta(seconds=1)):
        assert client.get("/healthz?worker=1").status_code == 503
        with pytest.raises(CommandError, match="has not run since"):
            call_command("dispatch_status")


def test_the_demo_runs_tasks_in_process_and_has_no_worker_to_watch(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz?worker=1")
    assert response.status_code == 200
    assert response.json()["worker"] == "in process"
