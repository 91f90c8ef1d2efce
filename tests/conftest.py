import importlib

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_migrate

from tests.alert_stub import alert_stub  # noqa: F401  a local Slack / Teams webhook receiver (alerts)
from tests.strict_skips import (  # noqa: F401  a skipped test or module fails the run
    missing_service,
    pytest_make_collect_report,
    pytest_runtest_makereport,
)
from tests.twilio_stub import twilio_stub  # noqa: F401  a local Twilio REST API for the real client


def reseed_quiet_hours(app_config, **kwargs):
    """A transactional test ends by emptying every table (Django's flush), which also removes the rows data
    migrations seeded (the US state quiet-hours rules, the default case rule); the flush then sends post_migrate, on which Django re-creates content
    types and permissions, and this the rules. In one process pytest-django runs the transactional tests
    last, so nothing noticed; in several (`make test`) each process's tests come file by file, and a later
    file's tests expect the database as the migrations left it."""
    if app_config.label == "surveys":
        seeded = importlib.import_module("surveys.migrations.0008_quiet_hours_rules")
        seeded.add_rules(apps, None)
    if app_config.label == "responses":  # the default case rule, "Every detractor"
        seeded = importlib.import_module("responses.migrations.0009_default_case_rule")
        seeded.add_default_rule(apps, None)


post_migrate.connect(reseed_quiet_hours, dispatch_uid="tests_reseed_quiet_hours")


@pytest.fixture(scope="session", autouse=True)
def real_redis():
    """The suite runs against real Redis: a missing server fails the run, it never skips."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        missing_service(f"Redis is not reachable at {settings.REDIS_URL}: {error}")
    yield client


@pytest.fixture(autouse=True)
def clean_cache(real_redis):
    """Rate limits and caches never leak from one test into the next."""
    from nps.webhooks import services as webhooks

    cache.clear()
    webhooks.drop_local_copy()
    yield


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.SMS_OUTBOX_DIR = tmp_path / "sms-outbox"


@pytest.fixture
def rate_window(time_machine):
    """Start the test at the top of the next hour, the clock running.

    Rate limits count in fixed windows (a minute, an hour), so a test that makes its requests across the end of
    one would see the count start again and flake; from the top of an hour it has a whole minute.
    """
    from datetime import timedelta

    from django.utils import timezone

    time_machine.move_to(
        timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1), tick=True
    )
