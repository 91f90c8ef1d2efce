"""Django's Redis cache, keeping one redis client per connection pool.

Django builds a new `redis.Redis` object for every cache call; with redis-py 8 that costs about a quarter
of a millisecond (it copies its response-callback table), several times per request on the answer pages
(rate limits). A client is thread-safe and holds no connection of its own, so one per pool is enough.

`counters()` reads and bumps several rate-limit counters in one pipelined round trip.
"""

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def counters(self, read: list[str], bump: list[tuple[str, int]]) -> list[int]:
        """The values of the `read` keys, then of the `bump` keys after adding 1: one round trip.

        `bump` holds (key, timeout) pairs; a new counter lives `timeout` seconds (a fixed window).
        """
        commands = [("GET", self.make_and_validate_key(key)) for key in read]
        for key, timeout in bump:
            key = self.make_and_validate_key(key)
            commands += [("SET", key, 0, "EX", timeout, "NX"), ("INCR", key)]
        replies = self._round_trip(commands)
        return [int(value or 0) for value in replies[: len(read)]] + replies[len(read) + 1 :: 2]

    def _round_trip(self, commands: list[tuple]) -> list:
        """Send `commands` at once on one pooled connection and read their replies.

        A pipeline without redis-py's client layers (retry policy, instrumentation, event hooks), which on
        these two-command calls cost more than the round trip itself. A connection broken since its last
        use (Redis restarted) gets one more try on a fresh one.
        """
        try:
            return self._send(commands)
        except (redis.ConnectionError, redis.TimeoutError):
            return self._send(commands)

    def _send(self, commands: list[tuple]) -> list:
        pool = self._cache._get_connection_pool(True)
        connection = pool.get_connection()
        try:
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _ in commands]
        except BaseException:
            connection.disconnect()  # no unread reply may stay on a pooled connection
            raise
        finally:
            pool.release(connection)


def counters(cache, read: list[str], bump: list[tuple[str, int]]) -> list[int]:
    """Fixed-window counters in any Django cache: pipelined when it is our Redis cache, else key by key."""
    if isinstance(cache, RedisCache):
        return cache.counters(read, bump)
    values = [int(cache.get(key) or 0) for key in read]
    for key, timeout in bump:
        cache.add(key, 0, timeout)
        values.append(cache.incr(key))
    return values
