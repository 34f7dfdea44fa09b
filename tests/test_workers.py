"""Several gunicorn workers without Redis: a withdrawal reaches every one of them at once.

Real processes, as `make serve` runs them: gunicorn with four workers on a SQLite file and the
default cache of settings.py (files on this machine), and the withdrawal made by another
process, as an editor's save on another worker would be.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.conftest import SEED_SLUG

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(os.path.dirname(sys.executable), "gunicorn")),
    reason="gunicorn is not installed",
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("X-Cache")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache")


@pytest.fixture
def served(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_DIR": str(tmp_path / "cache"),
        "LOG_LEVEL": "WARNING",
    }

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    manage("migrate", "--noinput")
    manage("loaddata", "seed_story")
    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "newsroom.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "4"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _status_or_none(f"{base}/healthz") != 200:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield base, manage
    finally:
        server.terminate()
        server.wait(timeout=10)


def _status_or_none(url):
    try:
        return _status(url)[0]
    except OSError:
        return None


def test_a_withdrawal_on_one_process_is_seen_by_every_worker_at_once(served):
    base, manage = served
    url = f"{base}/articles/{SEED_SLUG}/"
    # Each request on a new connection: the four workers take turns, and all have seen it.
    before = [_status(url) for _ in range(40)]
    assert {status for status, _ in before} == {200}
    assert ("200", "hit") in {(str(s), c) for s, c in before}
    manage(
        "shell",
        "-c",
        "from articles.models import Article; "
        f"a = Article.objects.get(slug={SEED_SLUG!r}); a.status = 'withdrawn'; a.save()",
    )
    after = [_status(url)[0] for _ in range(40)]
    assert after == [410] * 40
