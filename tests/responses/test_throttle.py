"""The answer pages' per-address limits: fixed windows counted in Redis, one round trip per request."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from nps.cache import RedisCache, counters
from responses.models import Answer

from .helpers import make_sent_invitation


def test_redis_pipeline_and_any_other_cache_count_alike():
    redis_cache = caches["default"]
    assert isinstance(redis_cache, RedisCache)
    local = LocMemCache("throttle-test", {})
    for cache in (redis_cache, local):
        assert counters(cache, ["misses"], [("writes", 60)]) == [0, 1]
        assert counters(cache, ["misses"], [("writes", 60), ("misses", 60)]) == [0, 2, 1]
        assert counters(cache, ["misses", "writes"], []) == [1, 2]


def test_a_new_counter_expires_with_its_window():
    cache = caches["default"]
    counters(cache, [], [("window", 60)])
    key = cache.make_and_validate_key("window")
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= 60
    counters(cache, [], [("window", 60)])  # a later bump keeps the window's end
    assert cache._cache.get_client(key).ttl(key) <= ttl


@pytest.mark.django_db
def test_the_write_limit_opens_again_in_the_next_window(client, settings, time_machine):
    settings.ANSWER_RATELIMIT = "2/m"
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC), tick=False)
    invitation = make_sent_invitation()  # an hour before the frozen clock
    statuses = [
        client.post(invitation.answer_path(), {"score": n, "source": "page"}).status_code for n in (1, 2, 3)
    ]
    assert statuses == [200, 200, 429]
    assert Answer.objects.get().score == 2
    time_machine.shift(timedelta(minutes=1))
    assert client.post(invitation.answer_path(), {"score": 4, "source": "page"}).status_code == 200
    assert Answer.objects.get().score == 4


@pytest.mark.django_db
def test_opening_pages_never_counts_as_writes(client, settings):
    settings.ANSWER_RATELIMIT = "1/m"
    invitation = make_sent_invitation()
    for score in range(11):
        assert client.get(invitation.answer_path(score)).status_code == 200
    assert client.post(invitation.answer_path(), {"score": 5, "source": "page"}).status_code == 200


def test_a_connection_redis_dropped_is_replaced_and_the_count_goes_on(real_redis):
    cache = caches["default"]
    counters(cache, [], [("dropped", 60)])
    pool = cache._cache._get_connection_pool(True)
    pooled = pool.get_connection()
    host, port = pooled._sock.getsockname()[:2]
    pool.release(pooled)
    real_redis.client_kill(f"{host}:{port}")  # as a Redis restart would
    assert counters(cache, ["dropped"], [("dropped", 60)]) == [1, 2]
