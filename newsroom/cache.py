"""Django's RedisCache, made to fail fast and then stop asking while Redis does not answer.

A Redis that is frozen (``kill -STOP``, a network partition) still accepts connections, so
every call waits for its socket timeout. Short timeouts (settings: REDIS_TIMEOUT, tens of
milliseconds) bound one call; the circuit breaker below bounds an outage: after
FAILURES_TO_OPEN calls in a row fail, every call is refused at once, without touching the
network, for RETRY_AFTER seconds; then one call is let through to see whether Redis is back.

Callers (the page cache, the Last-Modified stamp) treat CacheUnavailable as "serve the page
uncached", so during an outage pages come at uncached speed, not at timeout speed. The
breaker logs one error when an outage starts and one line when it ends; callers do not log
CacheUnavailable again.
"""

import logging
import random
import threading
import time

import redis
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Redis not answering, or answering only errors (out of memory under noeviction, a replica
# that is read-only): either way the cache cannot be used, and one line per outage will do.
OUTAGE_ERRORS = (redis.exceptions.RedisError, OSError)

# Sent when a cache answers again after an outage: what was written meanwhile was lost
# (articles/public_changes.py moves the public stamp, so no page from before is served).
cache_recovered = Signal()


class CacheUnavailable(Exception):
    """The cache did not answer, or is being skipped until it answers again."""


class CircuitBreaker:
    def __init__(self, name, *, failures_to_open=3, retry_after=5.0, clock=time.monotonic):
        self.name = name
        self.failures_to_open = failures_to_open
        self.retry_after = retry_after
        self.clock = clock
        self.failures = 0
        self.open_until = None  # while set, calls are refused until this time
        self.outage_started = None
        self._lock = threading.Lock()

    @property
    def is_open(self):
        return self.open_until is not None

    def call(self, func, *args, **kwargs):
        if self.open_until is not None and not self._may_try():
            raise CacheUnavailable(f"{self.name} is skipped until it answers again")
        try:
            result = func(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            self._failed(error)
            raise CacheUnavailable(f"{self.name} did not answer: {error}") from error
        if self.failures or self.open_until is not None:
            self._answered()
        return result

    def _may_try(self):
        # After the pause, one call (one thread of the process) tries; the rest wait on.
        with self._lock:
            if self.open_until is None:
                return True
            if self.clock() < self.open_until:
                return False
            self.open_until = self.clock() + self.retry_after
            return True

    def _failed(self, error):
        with self._lock:
            now = self.clock()
            self.failures += 1
            if self.open_until is not None:
                # The trial call after a pause failed: the same outage goes on, quietly.
                self.open_until = now + self.retry_after
            elif self.failures >= self.failures_to_open:
                self.open_until = now + self.retry_after
                self.outage_started = now
                logger.error(
                    "Cache %s is not answering (%s): pages are served uncached, and it is "
                    "tried again every %g s",
                    self.name,
                    error,
                    self.retry_after,
                )

    def _answered(self):
        with self._lock:
            recovered = self.outage_started is not None
            if recovered:
                logger.warning(
                    "Cache %s answers again after an outage of %.1f s",
                    self.name,
                    self.clock() - self.outage_started,
                )
            self.failures = 0
            self.open_until = self.outage_started = None
        if recovered:  # outside the lock: receivers use the cache
            cache_recovered.send(sender=self.__class__, name=self.name)


# One breaker per server and process: Django makes a cache object per thread, and an outage
# seen by one thread is an outage for all of them.
_breakers = {}


class ReusingRedisClient(RedisCacheClient):
    """Django's client, keeping one redis.Redis per connection pool instead of making one
    for every call: making one builds its table of reply parsers (about 170 entries), which
    took longer than the round trip to Redis on a page cache hit (bench/throughput.py).
    A redis.Redis is safe to share between threads; its connections come from the pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if pool not in clients:
            clients[pool] = self._client(connection_pool=pool)
        return clients[pool]


class FailFastRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisClient
        key = str(server)
        if key not in _breakers:
            _breakers[key] = CircuitBreaker(
                f"Redis at {redis_address(key)}",
                failures_to_open=params.get("FAILURES_TO_OPEN", 3),
                retry_after=params.get("RETRY_AFTER", 5.0),
            )
        self.breaker = _breakers[key]

    def validate_key(self, key):
        # Django warns of keys memcached would refuse, reading every character of every key;
        # Redis takes any key, and a page cache hit asks for a dozen.
        pass


def _through_breaker(name):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        return self.breaker.call(method, self, *args, **kwargs)

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


# Every method of RedisCache that talks to Redis; the rest of BaseCache is built on these.
for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FailFastRedisCache, _name, _through_breaker(_name))


class KeepingFileCache(FileBasedCache):
    """Django's file cache, whose culling (past MAX_ENTRIES) never removes the KEEP_KEYS.

    Culling deletes a random third of the files; losing the public stamp with them would
    retire every cached page and move Last-Modified each time the cache fills up.
    """

    def __init__(self, directory, params):
        super().__init__(directory, params)
        self.keep_keys = tuple(params.get("KEEP_KEYS", ()))

    def _cull(self):
        kept = {self._key_to_file(key) for key in self.keep_keys}
        files = [name for name in self._list_cache_files() if name not in kept]
        if len(files) + len(kept) < self._max_entries:
            return
        # A third of the others, at random, as Django's own _cull() does.
        for name in random.sample(files, int(len(files) / self._cull_frequency)):
            self._delete(name)


def redis_address(location):
    """host:port/db of a Redis URL, without a password (user:pass@ or ?password=)."""
    return location.split("?", 1)[0].rsplit("@", 1)[-1].split("://", 1)[-1]


def cache_health(cache):
    """ "ok", or "degraded" while the breaker keeps the cache skipped or a probe fails."""
    breaker = getattr(cache, "breaker", None)
    if breaker is None:
        return "ok"  # a local cache (memory or files) has no outage of its own
    if breaker.is_open:
        return "degraded"
    try:
        cache.get("healthz:probe")
    except CacheUnavailable:
        return "degraded"
    return "ok"
