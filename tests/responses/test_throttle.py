"""The answer pages' per-address limits: fixed windows counted in Redis, one round trip per request."""

import contextlib
import socket
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
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


class DroppingProxy:
    """A TCP relay to Redis that can drop a connection after a command went out, before its reply came.

    That is what a Redis restart does to a request in flight; redis-py's pool only notices a connection
    that broke while idle, so only our retry in `RedisCache._round_trip` saves this request.
    """

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.drop_next_command = threading.Event()
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source, target, from_client):
        try:
            while data := source.recv(65536):
                if from_client and self.drop_next_command.is_set():
                    self.drop_next_command.clear()
                    break  # the command is lost with the connection
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self):
        self.listener.close()


def test_a_command_lost_with_its_connection_is_sent_again_on_a_fresh_one():
    url = urlsplit(settings.REDIS_URL)
    proxy = DroppingProxy((url.hostname, url.port or 6379))
    cache = RedisCache(f"redis://127.0.0.1:{proxy.port}{url.path}", {})
    try:
        assert counters(cache, [], [("dropped", 60)]) == [1]
        proxy.drop_next_command.set()
        assert counters(cache, ["dropped"], [("dropped", 60)]) == [1, 2]
        assert not proxy.drop_next_command.is_set()  # the first try did go out, and was lost
        assert proxy.connections == 2
    finally:
        proxy.close()
