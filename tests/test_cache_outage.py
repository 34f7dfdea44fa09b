"""A Redis that stops answering: pages at uncached speed, one log line per outage, a health line.

The frozen Redis is a socket that accepts connections and never answers, as a Redis under
`kill -STOP` or behind a network partition does. It counts what reaches it, so the tests say
exactly how many calls waited on it, instead of timing anything.
"""

import logging
import socket
import threading
import time

import pytest
from django.core.cache import caches
from redis import exceptions as redis_errors

from articles.models import Article
from newsroom import cache as cache_module

REAL_REDIS = ("127.0.0.1", 6379)


class FrozenRedis:
    """Listens on 127.0.0.1; while frozen, reads what it is sent and never answers.

    Thawed, it relays each connection to the real Redis, so the same address recovers.
    """

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.frozen = True
        self.commands = 0  # requests that reached it while frozen
        self.open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.open.append(client)
            target = self._silence if self.frozen else self._relay
            threading.Thread(target=target, args=(client,), daemon=True).start()

    def _silence(self, client):
        while self.frozen:
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.commands += 1

    def _relay(self, client):
        upstream = socket.create_connection(REAL_REDIS)
        self.open.append(upstream)

        def pump(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)

    def thaw(self):
        self._switch(frozen=False)

    def freeze(self):
        self._switch(frozen=True)

    def _switch(self, frozen):
        self.frozen = frozen
        for connection in self.open:  # the app reconnects, to the silence or the relay
            connection.close()
        self.open = []

    def close(self):
        self.server.close()
        for connection in self.open:
            connection.close()


def _redis_reachable():
    try:
        socket.create_connection(REAL_REDIS, timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def frozen_redis(settings):
    redis = FrozenRedis()
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis.port}/15",
            "KEY_PREFIX": f"outage-test-{time.time_ns()}",
            "RETRY_AFTER": 5.0,
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }
    settings.PUBLIC_CACHE_SECONDS = 300
    yield redis
    redis.close()
    cache_module._breakers.clear()


@pytest.fixture
def breaker_clock(monkeypatch):
    """The breaker's clock, moved by hand: `breaker_clock.now += 6`."""

    class Clock:
        now = 1000.0

    clock = Clock()
    monkeypatch.setattr(cache_module.CircuitBreaker, "__init__", _with_clock(clock))
    return clock


def _with_clock(clock):
    original = cache_module.CircuitBreaker.__init__

    def init(self, name, **kwargs):
        original(self, name, **kwargs, clock=lambda: clock.now)

    return init


def test_pages_are_served_and_redis_is_asked_only_until_the_breaker_opens(
    client, frozen_redis, breaker_clock, make_article, caplog
):
    article = make_article(headline="Still served")  # its save tries Redis: one call
    with caplog.at_level(logging.WARNING):
        responses = [client.get(article.get_absolute_url()) for _ in range(20)]
    assert all(r.status_code == 200 and "Still served" in r.content.decode() for r in responses)
    assert all("X-Cache" not in r for r in responses)
    # Three calls waited on the frozen Redis (one save, two lookups); then none at all.
    assert frozen_redis.commands == 3
    outage_lines = [r for r in caplog.records if r.name == "newsroom.cache"]
    assert [r.levelname for r in outage_lines] == ["ERROR"]
    assert "is not answering" in outage_lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per request


def test_the_breaker_tries_again_after_a_pause_and_stays_quiet_while_redis_is_frozen(
    client, frozen_redis, breaker_clock, make_article, caplog
):
    article = make_article()
    for _ in range(5):
        client.get(article.get_absolute_url())
    asked = frozen_redis.commands
    breaker_clock.now += 6
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert client.get(article.get_absolute_url()).status_code == 200
    assert frozen_redis.commands == asked + 1  # one trial call, then skipped again
    assert not [r for r in caplog.records if r.name == "newsroom.cache"]


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_when_redis_answers_again_the_cache_is_used_and_the_end_is_logged_once(
    client, frozen_redis, breaker_clock, make_article, caplog
):
    article = make_article()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            client.get(article.get_absolute_url())
        frozen_redis.thaw()
        breaker_clock.now += 6
        first, second = (client.get(article.get_absolute_url()) for _ in range(2))
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    lines = [r.getMessage() for r in caplog.records if r.name == "newsroom.cache"]
    assert len(lines) == 2
    assert "is not answering" in lines[0] and "answers again" in lines[1]
    caches["default"].clear()


def test_healthz_says_the_cache_is_degraded_but_the_site_is_up(
    client, frozen_redis, breaker_clock, db
):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\ncache: degraded\n"


def test_the_outage_log_line_carries_no_redis_password(frozen_redis, settings, caplog):
    settings.CACHES["default"]["LOCATION"] = f"redis://:s3cret@127.0.0.1:{frozen_redis.port}/15"
    cache_module._breakers.clear()
    from django.core.cache import cache

    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            try:
                cache.get("anything")
            except cache_module.CacheUnavailable:
                pass
    assert caplog.records and "s3cret" not in caplog.text
    assert f"127.0.0.1:{frozen_redis.port}" in caplog.text


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_a_story_withdrawn_while_redis_was_frozen_is_not_served_once_it_answers(
    client, frozen_redis, breaker_clock, make_article
):
    frozen_redis.thaw()
    article = make_article(headline="Taken down in the outage")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    frozen_redis.freeze()
    article.status = Article.Status.WITHDRAWN
    article.save()  # its stamp move is lost: Redis does not answer
    for _ in range(3):
        assert client.get(url).status_code == 410  # uncached meanwhile
    frozen_redis.thaw()
    breaker_clock.now += 6
    response = client.get(url)
    assert response.status_code == 410 and response.get("X-Cache") == "miss"
    caches["default"].clear()


def test_redis_answering_only_errors_is_an_outage_too(settings, caplog):
    breaker = cache_module.CircuitBreaker("Redis at test", failures_to_open=1)

    def out_of_memory():
        raise redis_errors.ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            with pytest.raises(cache_module.CacheUnavailable):
                breaker.call(out_of_memory)
    assert len([r for r in caplog.records if r.name == "newsroom.cache"]) == 1


def test_no_password_reaches_the_log_in_any_form_of_redis_url():
    for url in (
        "redis://:s3cret@cache.internal:6379/0",
        "redis://user:s3cret@cache.internal:6379/0",
        "redis://cache.internal:6379/0?password=s3cret",
    ):
        assert cache_module.redis_address(url) == "cache.internal:6379/0"


def test_the_file_cache_never_culls_the_public_stamps(tmp_path):

    files = cache_module.KeepingFileCache(
        str(tmp_path),
        {"OPTIONS": {"MAX_ENTRIES": 10}, "KEEP_KEYS": ["public:changed-at"]},
    )
    files.set("public:changed-at", "stamp", timeout=None)
    for n in range(200):  # past the cap many times over: culling runs again and again
        files.set(f"page-{n}", n)
    assert files.get("public:changed-at") == "stamp"
    assert len(list(tmp_path.iterdir())) <= 11
