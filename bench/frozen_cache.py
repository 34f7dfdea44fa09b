"""A Redis that freezes mid-load: page latency against the uncached page, and the log lines.

    .venv/bin/python -m bench.frozen_cache                 # SQLite, 8 clients, 10 s a phase

Builds the throughput benchmark's database (bench/throughput.py), starts a Redis of its own
on a free port (redis-server from Debian's package) and gunicorn with the production
settings, and keeps 8 clients requesting the seed story's page through four phases:

- uncached: a gunicorn with the page cache off, for the time to compare with (measured
  first and again last, since the machine's load drifts);
- healthy: the page cache in the private Redis;
- frozen: that Redis under SIGSTOP (it accepts connections and never answers);
- thawed: SIGCONT, and the cache is used again.

For each phase it prints the median, 95th and 99th percentile and slowest request, and
counts the lines the workers logged about the cache and the tracebacks. Target: frozen
within 50 ms of uncached (p95), one line when the outage starts and one when it ends
(per worker: each process has its own breaker).
"""

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import throughput

ARTICLE = throughput.pages()["article"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(port):
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return redis
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def load(seconds, clients):
    """Latencies (ms) of every request made by `clients` threads for `seconds`."""
    times, errors = [], []
    deadline = time.monotonic() + seconds

    def client():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(throughput.BASE + ARTICLE, timeout=30) as response:
                    response.read()
            except (OSError, urllib.error.HTTPError) as error:
                errors.append(str(error))
                continue
            times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


def summary(name, times, errors):
    ordered = sorted(times)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    row = {
        "phase": name,
        "requests": len(times),
        "errors": len(errors),
        "median_ms": statistics.median(ordered),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": ordered[-1],
    }
    print(
        f"{name:<9} {row['requests']:>6} req  {row['errors']:>3} errors  "
        f"median {row['median_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f}  "
        f"p99 {row['p99_ms']:6.1f}  max {row['max_ms']:7.1f}",
        flush=True,
    )
    return row


def cache_log_lines(path):
    lines, tracebacks = [], 0
    for line in Path(path).read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("logger") == "newsroom.cache":
            lines.append(f"{record['level']}: {record['message']}")
        if record.get("exc"):
            tracebacks += 1
    return lines, tracebacks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.secret_key = secrets.token_urlsafe(50)
    args.redis_url = ""  # building the database needs no cache; the private Redis comes next
    throughput.prepare(args)

    rows = []
    port = free_port()
    redis = start_redis(port)
    args.redis_url = f"redis://127.0.0.1:{port}/0"
    log_path = "/tmp/bench_frozen_cache.log"

    def uncached(name):
        with open(os.devnull, "w") as quiet:
            server = throughput.start_gunicorn(args, 0, redis=True, log=quiet)
            try:
                load(1, args.clients)  # warm up
                return summary(name, *load(args.seconds, args.clients))
            finally:
                throughput.stop(server)

    try:
        rows.append(uncached("uncached"))
        with open(log_path, "w") as log:
            server = throughput.start_gunicorn(args, 300, redis=True, log=log)
            try:
                load(1, args.clients)  # fill the cache
                rows.append(summary("healthy", *load(args.seconds, args.clients)))
                redis.send_signal(signal.SIGSTOP)
                rows.append(summary("frozen", *load(args.seconds, args.clients)))
                redis.send_signal(signal.SIGCONT)
                time.sleep(6)  # past the breaker's pause (CACHE_RETRY_SECONDS, 5 s)
                rows.append(summary("thawed", *load(args.seconds, args.clients)))
            finally:
                throughput.stop(server)
        # Measured again after: the machine's load drifts, and the target is a difference.
        rows.append(uncached("uncached"))
    finally:
        redis.send_signal(signal.SIGCONT)
        redis.terminate()
        redis.wait(timeout=10)

    lines, tracebacks = cache_log_lines(log_path)
    frozen = rows[2]
    uncached_p95 = (rows[0]["p95_ms"] + rows[-1]["p95_ms"]) / 2
    gap = frozen["p95_ms"] - uncached_p95
    print(
        f"\n== {args.database}, gunicorn {args.workers} sync workers, {args.clients} clients, "
        f"{args.seconds} s a phase, {os.cpu_count()} CPUs"
    )
    print(
        f"frozen p95 - uncached p95 (mean of before and after) = {gap:.1f} ms (target <= 50: "
        f"{'met' if gap <= 50 else 'MISSED'})"
    )
    print(f"cache log lines: {len(lines)} (workers: {args.workers}); tracebacks: {tracebacks}")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
