import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from tests.alert_stub import alert_stub  # noqa: F401  a local Slack / Teams webhook receiver (alerts)
from tests.strict_skips import (  # noqa: F401  a skipped test or module fails the run
    pytest_make_collect_report,
    pytest_runtest_makereport,
)
from tests.twilio_stub import twilio_stub  # noqa: F401  a local Twilio REST API for the real client


@pytest.fixture(scope="session", autouse=True)
def real_redis():
    """The suite runs against real Redis: a missing server fails the run, it never skips."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.exit(f"Redis is not reachable at {settings.REDIS_URL}: {error}", returncode=3)
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
