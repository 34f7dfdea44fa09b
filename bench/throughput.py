"""Throughput: pages under gunicorn against a bare Django view of the same size, with wrk.

    .venv/bin/python -m bench.throughput                  # SQLite, 10 s per measurement
    .venv/bin/python -m bench.throughput --database postgres --duration 20

Builds a database once (the seed story plus 1,000 generated articles; SQLite file
/tmp/bench_throughput.sqlite3 or PostgreSQL database bench_throughput), collects static
files, and then for each mode starts gunicorn with the production settings (DEBUG off, JSON
request log, WhiteNoise, Redis cache at REDIS_URL, db 14 by default) plus one extra URL,
/bench/bare/<bytes>/ (bench/urls.py), a view that only answers with that many bytes:

- uncached: the public page cache off (PUBLIC_CACHE_SECONDS=0);
- warm: the cache on, in Redis, and filled before measuring (every response an X-Cache hit);
- warm-local: the same with no REDIS_URL, so the cache is files on this machine that every
  worker shares (what `make serve` does without Redis): the cost of the Redis round trip, by
  difference;
- edge: as warm, with Varnish and the repo's VCL in front (deploy/varnish/run.py, as `make
  serve-edge` starts it, on EDGE_BIND): the pages are measured through Varnish, filled before
  measuring (every response an X-Edge hit), against the same bare view straight from gunicorn.

For the article page, the front page and a tag page it runs wrk against the page and then
against the bare view sized to the page's body, in the same gunicorn, and prints both rates
and their ratio. Targets: article >= 0.135 uncached (3x Wagtail's 0.045), >= 0.9 warm, >= 5
through the edge. Needs
`wrk` (apt-get install wrk), for the warm modes Redis, and for the edge mode varnishd
(apt-get install varnish varnish-modules).
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.scale import POSTGRES

ROOT = Path(__file__).resolve().parent.parent
BIND = "127.0.0.1:8765"
BASE = f"http://{BIND}"
EDGE_BIND = "127.0.0.1:8766"
EDGE = f"http://{EDGE_BIND}"
ARTICLES = 1000
# Issue #13: through the edge 5x the bare view; the app's page cache in Redis 0.9x; uncached
# three times Wagtail 8.0.1 serving the same story, which measured 0.045x the bare view.
WAGTAIL_UNCACHED = 0.045
TARGETS = {
    ("article", "uncached"): 3 * WAGTAIL_UNCACHED,
    ("article", "warm"): 0.9,
    ("article", "edge"): 5,
}


def database_url(database):
    if database == "sqlite":
        return "sqlite:////tmp/bench_throughput.sqlite3"
    return f"{POSTGRES}/bench_throughput"


def environment(args, cache_seconds, redis=True, edge=False):
    # The app tags pages for a shared cache (s-maxage, Surrogate-Key) only when one hears its
    # purges: in the edge mode, the Varnish that start_varnish() starts.
    edge_settings = {"VARNISH_PURGE_URL": EDGE, "EDGE_PURGE_TOKEN": args.edge_token} if edge else {}
    return {
        **os.environ,
        "DATABASE_URL": database_url(args.database),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": args.secret_key,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": args.redis_url if redis else "",
        "PUBLIC_CACHE_SECONDS": str(cache_seconds),
        **edge_settings,
    }


def manage(args, *command, check=True, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=environment(args, 0),
        check=check,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.DEVNULL if capture else None,
        text=True,
    )


def prepare(args):
    code = "from articles.models import Article; print(Article.objects.count())"
    result = manage(args, "shell", "-c", code, check=False, capture=True)
    lines = (result.stdout or "").strip().splitlines()
    if result.returncode == 0 and lines and lines[-1] == str(ARTICLES + 1):
        manage(args, "migrate", "--noinput", "--verbosity", "0")
    else:
        print(f"building {database_url(args.database)}: seed story + {ARTICLES} articles")
        if args.database == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"/tmp/bench_throughput.sqlite3{suffix}").unlink(missing_ok=True)
        else:
            import psycopg

            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS bench_throughput WITH (FORCE)")
                admin.execute("CREATE DATABASE bench_throughput")
        manage(args, "migrate", "--noinput", "--verbosity", "0")
        manage(args, "load_seed_story")
        generate = f"from bench.generate import generate; generate({ARTICLES}, progress=len)"
        manage(args, "shell", "-c", generate)
    manage(args, "collectstatic", "--noinput", "--verbosity", "0")


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def start_gunicorn(args, cache_seconds, redis, log=None, edge=False):
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            # DJANGO_SETTINGS_MODULE=bench.settings comes from the environment.
            "newsroom.wsgi:application",
            "--bind",
            BIND,
            "--workers",
            str(args.workers),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment(args, cache_seconds, redis, edge),
        # The JSON request log is part of what is measured; where it goes is not.
        stdout=log or subprocess.DEVNULL,
        stderr=log and subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def start_varnish(args):
    """varnishd with the repo's VCL in front of gunicorn on BIND, as `make serve-edge` runs it."""
    server = subprocess.Popen(
        [sys.executable, "deploy/varnish/run.py", "--listen", EDGE_BIND, "--app", BIND],
        cwd=ROOT,
        env={**os.environ, "EDGE_PURGE_TOKEN": args.edge_token},
        stdout=subprocess.DEVNULL,
        # varnishd's own lines, shown only if it does not start.
        stderr=(log := tempfile.TemporaryFile(mode="w+")),
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{EDGE}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    log.seek(0)
    raise SystemExit(f"varnishd did not start (deploy/varnish/run.py):\n{log.read()}")


def fetch(path, base=BASE):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        if base == EDGE:
            return response.read(), response.headers.get("X-Edge")
        return response.read(), response.headers.get("X-Cache")


def wrk(args, path, base=BASE):
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} error responses\n{result.stdout}")
    return rate


def pages():
    return {
        "article": "/articles/putin-meets-al-assad-in-moscow-criticizes-foreign-forces-in-syria/",
        "front": "/",
        "tag": "/tags/topic-7/",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--modes", default="", help="comma-separated modes to run (default: all), e.g. edge"
    )
    args = parser.parse_args()
    args.secret_key = secrets.token_urlsafe(50)
    args.edge_token = secrets.token_urlsafe(32)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    prepare(args)
    rows = []
    modes = (("uncached", 0, True), ("warm", 300, True), ("warm-local", 300, False))
    if shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists():
        modes += (("edge", 300, True),)
    else:
        print("varnishd is not installed: no edge mode (apt-get install varnish varnish-modules)")
    if args.modes:
        modes = tuple(mode for mode in modes if mode[0] in args.modes.split(","))
    for mode, cache_seconds, redis in modes:
        flush_redis(args.redis_url)
        server = start_gunicorn(args, cache_seconds, redis, edge=mode == "edge")
        edge = None
        try:
            if mode == "edge":
                edge = start_varnish(args)
            # Through the edge, the pages come from Varnish; the bare view always from gunicorn.
            base = EDGE if edge else BASE
            for name, path in pages().items():
                body, _ = fetch(path, base)
                bare = f"/bench/bare/{len(body)}/"
                assert len(fetch(bare)[0]) == len(body)
                # Enough requests for every worker to have met the page at least once.
                for _ in range(4 * args.workers):
                    _, cache_state = fetch(path, base)
                expected = "hit" if cache_seconds else None
                assert cache_state == expected, (name, mode, cache_state)
                page_rate = wrk(args, path, base)
                bare_rate = wrk(args, bare)
                rows.append((name, mode, len(body), page_rate, bare_rate))
                print(
                    f"{name:<8} {mode:<9} {len(body):>7} B  page {page_rate:8.1f}/s  "
                    f"bare {bare_rate:8.1f}/s  ratio {page_rate / bare_rate:.2f}",
                    flush=True,
                )
        finally:
            if edge:
                stop(edge)
            stop(server)

    print(
        f"\n== {args.database}, gunicorn {args.workers} sync workers, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {os.cpu_count()} CPUs"
    )
    print(f"{'page':<8} {'mode':<9} {'bytes':>7} {'page/s':>9} {'bare/s':>9} ratio  target")
    for name, mode, size, page_rate, bare_rate in rows:
        ratio = page_rate / bare_rate
        target = TARGETS.get((name, mode))
        verdict = (
            "" if target is None else f">= {target}: " + ("met" if ratio >= target else "MISSED")
        )
        rates = f"{page_rate:9.1f} {bare_rate:9.1f} {ratio:5.2f}"
        print(f"{name:<8} {mode:<9} {size:>7} {rates}  {verdict}")


if __name__ == "__main__":
    main()
