"""How long `loaddata` takes, and how much memory it holds, for a large fixture.

    .venv/bin/python bench/load_fixture.py                  # 10,000 articles, 5 tags each, SQLite
    .venv/bin/python bench/load_fixture.py --articles 2000  # smaller
    .venv/bin/python bench/load_fixture.py --database-url postgres://user@host:5432/empty_db

Writes a natural-key fixture (like `dumpdata --natural-foreign --natural-primary`) to a
temporary folder, migrates a fresh database (a temporary SQLite file unless a URL is given:
it must be an empty database you can throw away), then runs `loaddata` in a child process
that reports its own wall time and peak resident memory. Another child only parses the
fixture (json.loads) and reports the memory that took: the "parsed size" the load's peak is
measured against (the issue's bound is twice that). The README quotes the figures.
"""

import argparse
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = 10
AUTHORS = 50
TAG_POOL = 500


def write_fixture(path, articles, tags_per_article):
    rows = [
        {"model": "articles.section", "fields": {"name": f"Section {n}", "slug": f"section-{n}"}}
        for n in range(SECTIONS)
    ]
    rows += [
        {"model": "articles.author", "fields": {"name": f"Author {n}", "slug": f"author-{n}"}}
        for n in range(AUTHORS)
    ]
    rows += [{"model": "taggit.tag", "fields": {"name": f"Tag {n}"}} for n in range(TAG_POOL)]
    paragraph = "<p>" + "A sentence of ordinary length for a news story. " * 8 + "</p>\n"
    links = []
    for n in range(articles):
        slug = f"generated-story-{n}"
        day = f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        rows.append(
            {
                "model": "articles.article",
                "fields": {
                    "headline": f"Generated story number {n}",
                    "slug": slug,
                    "standfirst": "A standfirst of one sentence.",
                    "body": paragraph * 12,
                    "section": [f"section-{n % SECTIONS}"],
                    "authors": [[f"author-{n % AUTHORS}"]],
                    "byline": f"Author {n % AUTHORS}",
                    "status": "published",
                    "original_published_at": f"{day}T11:00:00Z",
                    "published_at": f"{day}T11:00:00Z",
                    "created_at": f"{day}T10:00:00Z",
                    "updated_at": f"{day}T11:00:00Z",
                },
            }
        )
        links += [
            {
                "model": "articles.taggedarticle",
                "fields": {"content_object": [slug], "tag": [f"Tag {(n * 7 + k) % TAG_POOL}"]},
            }
            for k in range(tags_per_article)
        ]
    rows += links
    path.write_text(json.dumps(rows), encoding="utf-8")
    return len(rows)


def peak_rss_mib():
    """This process's peak resident memory in MiB."""
    # Linux's VmHWM starts afresh at exec; ru_maxrss would include the parent's peak at fork.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB elsewhere


def child(fixture):
    """Runs in the child process: load the fixture, print what it cost."""
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article, TaggedArticle

    before = peak_rss_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    call_command("loaddata", fixture, verbosity=0)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mib": peak_rss_mib(),
                "rss_before_mib": before,
                "articles": Article.objects.count(),
                "tag_links": TaggedArticle.objects.count(),
            }
        )
    )


def parse_only(fixture):
    """Runs in a child process: how much memory the fixture takes once parsed, in MiB."""
    before = current_rss_mib()
    rows = json.loads(Path(fixture).read_bytes())
    print(json.dumps({"parsed_mib": current_rss_mib() - before, "rows": len(rows)}))


def current_rss_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("parsed size is measured from /proc (Linux)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--tags-per-article", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to load into (default: SQLite)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--parse-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.child)
        return
    if args.parse_only:
        parse_only(args.parse_only)
        return

    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "bench_fixture.json"
        rows = write_fixture(fixture, args.articles, args.tags_per_article)
        env = dict(
            os.environ,
            DATABASE_URL=args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
            # Production settings: DEBUG off (it keeps every query in memory when on).
            DEBUG="0",
            SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            CACHE_DIR=f"{tmp}/cache",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(fixture)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        size_mib = fixture.stat().st_size / 1024 / 1024
        parsed = subprocess.run(
            [sys.executable, __file__, "--parse-only", str(fixture)],
            check=True,
            capture_output=True,
            text=True,
        )
        parsed_mib = json.loads(parsed.stdout)["parsed_mib"]

    engine = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(
        f"loaddata of {args.articles:,} articles x {args.tags_per_article} tags "
        f"({rows:,} rows, {size_mib:.1f} MiB of JSON) into {engine}:\n"
        f"  {figures['seconds']:.1f} s ({figures['cpu_seconds']:.1f} s of CPU in Python), "
        f"peak memory {figures['peak_rss_mib']:.0f} MiB "
        f"({figures['rss_before_mib']:.0f} MiB before loading)\n"
        f"  the fixture parsed takes {parsed_mib:.0f} MiB; loading took "
        f"{figures['peak_rss_mib'] - figures['rss_before_mib']:.0f} MiB at its peak, "
        f"{(figures['peak_rss_mib'] - figures['rss_before_mib']) / parsed_mib:.2f} times that\n"
        f"  loaded {figures['articles']:,} articles, {figures['tag_links']:,} tag links\n"
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.platform()}, load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
