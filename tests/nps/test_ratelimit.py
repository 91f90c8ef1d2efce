"""One rate syntax for every limit ("20/m", "10/5m"), checked at start-up, and the counters behind it."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from dashboards.models import SavedView, ShareLink
from nps import ratelimit
from responses.models import Answer
from tests.responses.helpers import make_sent_invitation

ROOT = Path(__file__).resolve().parents[2]
rf = RequestFactory()


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("300/m", (300, 60)),
        ("20/m", (20, 60)),
        ("10/5m", (10, 300)),
        ("1/s", (1, 1)),
        ("100/h", (100, 3600)),
        ("2000/d", (2000, 86400)),
        ("3/12h", (3, 43200)),
        ("0/m", (0, 60)),
    ],
)
def test_rates_read_like_django_ratelimit(rate, parsed):
    assert ratelimit.parse_rate(rate) == parsed


@pytest.mark.parametrize(
    "rate",
    [
        "300",
        "m/300",
        "10/5w",
        "",
        "-1/m",
        "10/0m",
        "10/min",
        "10/minute",
        " 10/m",
        "10/m ",
        "1.5/m",
        "10/",
        "/m",
    ],
)
def test_a_malformed_rate_is_a_configuration_error(rate):
    with pytest.raises(ImproperlyConfigured, match="300/m"):
        ratelimit.parse_rate(rate)
    with pytest.raises(ValueError, match="10/5m"):  # the same error is a ValueError: never a KeyError
        ratelimit.parse_rate(rate)


def test_the_error_names_the_setting(settings):
    settings.API_RATELIMIT = "600/minute"
    with pytest.raises(ratelimit.InvalidRate, match=r"^API_RATELIMIT must be a rate: .*'600/minute'"):
        ratelimit.rate_of("API_RATELIMIT")
    with pytest.raises(ValueError, match="API_RATELIMIT"):
        ratelimit.check_settings()


def test_every_rate_setting_is_checked(settings):
    ratelimit.check_settings()  # the defaults are rates
    for setting in ratelimit.SETTINGS:
        good = getattr(settings, setting)
        setattr(settings, setting, "10/5w")
        with pytest.raises(ratelimit.InvalidRate, match=setting):
            ratelimit.check_settings()
        setattr(settings, setting, good)


def test_a_process_with_a_wrong_rate_does_not_start():
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",  # `check` opens no connection
        REDIS_URL="redis://127.0.0.1:6379/0",
        SHARE_RATELIMIT="60 per minute",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SHARE_RATELIMIT must be a rate" in result.stderr and "'60 per minute'" in result.stderr


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        ("600/m", "600 requests a minute"),
        ("1/s", "1 request a second"),
        ("5000/h", "5000 requests an hour"),
        ("10/5m", "10 requests every 5 minutes"),
        ("1000/d", "1000 requests a day"),
    ],
)
def test_a_rate_in_words(rate, words):
    assert ratelimit.describe_rate(rate) == words


def test_an_ipv6_network_counts_as_one_address():
    first = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    same_network = rf.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::9")
    other_network = rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert ratelimit.client_address(first) == ratelimit.client_address(same_network) == "2001:db8:1:2::"
    assert ratelimit.client_address(other_network) == "2001:db8:1:3::"
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


def test_hit_counts_per_group_and_who_and_says_how_long_to_wait(settings, time_machine):
    settings.SHARE_RATELIMIT = "2/5m"
    time_machine.move_to(datetime(2026, 11, 24, 10, 1, 0, tzinfo=UTC), tick=False)  # 1 minute into a window
    assert ratelimit.hit("share", "a", "SHARE_RATELIMIT") is None
    assert ratelimit.hit("share", "a", "SHARE_RATELIMIT") is None
    assert ratelimit.hit("share", "a", "SHARE_RATELIMIT") == 240
    assert ratelimit.hit("share", "b", "SHARE_RATELIMIT") is None
    assert ratelimit.hit("other", "a", "SHARE_RATELIMIT") is None
    time_machine.shift(timedelta(minutes=3, seconds=59, microseconds=500_000))
    assert ratelimit.hit("share", "a", "SHARE_RATELIMIT") == 1  # at least a second
    time_machine.shift(timedelta(seconds=1))  # the next window
    assert ratelimit.hit("share", "a", "SHARE_RATELIMIT") is None


@pytest.mark.django_db
def test_answer_pages_read_the_multiplied_form(client, settings, time_machine):
    settings.ANSWER_RATELIMIT = "2/5m"
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC), tick=False)
    invitation = make_sent_invitation()
    statuses = [
        client.post(invitation.answer_path(), {"score": n, "source": "page"}).status_code for n in (1, 2, 3)
    ]
    assert statuses == [200, 200, 429]
    time_machine.shift(timedelta(minutes=2))  # the same 5-minute window
    assert client.post(invitation.answer_path(), {"score": 4, "source": "page"}).status_code == 429
    time_machine.shift(timedelta(minutes=3))
    assert client.post(invitation.answer_path(), {"score": 5, "source": "page"}).status_code == 200
    assert Answer.objects.get().score == 5


@pytest.mark.django_db
def test_share_pages_read_the_multiplied_form(client, settings):
    settings.SHARE_RATELIMIT = "2/5m"
    link = ShareLink.objects.create(
        saved_view=SavedView.objects.create(name="Board", query="period=30d"), token="m" * 43
    )
    assert [client.get(f"/s/{link.token}/").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(f"/s/{link.token}/", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200  # another address counts on its own
