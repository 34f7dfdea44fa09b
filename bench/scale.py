"""Scale: page times at 1,000 and 100,000 articles, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.scale                       # both databases, both sizes
    .venv/bin/python -m bench.scale --databases sqlite --sizes 1000,10000 --reuse
    .venv/bin/python -m bench.scale --reuse --only api    # the content API's pages alone

For each database and size it builds a fresh database (SQLite file under /tmp, PostgreSQL
database bench_scale_<n> on 127.0.0.1), migrates it, generates the articles
(bench/generate.py) and then, in a separate process running the production settings
(DEBUG off, page cache off), times each page through Django's test client: the median of
--repeat requests after one warm-up. It prints the query count of every page, the
100k/1k time ratio (target: at most 1.5 for public pages, 2 for the admin) and the query
plans (EXPLAIN) of the slowest queries of each page at the largest size. --reuse keeps a
database that already has the right number of articles.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
# Issue #13: a public page at 100,000 stories within 1.5 times its time at 1,000; the admin
# story list, its search and its filters within 2 times.
PUBLIC_BOUND, ADMIN_BOUND = 1.5, 2.0


def database_url(database, size):
    if database == "sqlite":
        return f"sqlite:////tmp/bench_scale_{size}.sqlite3"
    return f"{POSTGRES}/bench_scale_{size}"


def environment(url):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PUBLIC_CACHE_SECONDS": "0",
        # The benchmark is one client asking hundreds of times a minute.
        "API_RATE_LIMIT": "off",
        "API_TOKEN_RATE_LIMIT": "off",
        "LOG_LEVEL": "WARNING",
    }


def manage(url, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(url), check=True)


def prepare(database, size, reuse):
    url = database_url(database, size)
    if reuse and article_count(url) == size:
        print(f"{database} {size}: reusing {url}")
        manage(url, "migrate", "--noinput", "--verbosity", "0")
        return url
    print(f"{database} {size}: building {url}")
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/bench_scale_{size}.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS bench_scale_{size} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE bench_scale_{size}")
    manage(url, "migrate", "--noinput", "--verbosity", "0")
    started = time.perf_counter()
    run_child(url, "--generate", str(size))
    print(f"  generated in {time.perf_counter() - started:.0f} s")
    return url


def article_count(url):
    code = "from articles.models import Article; print(Article.objects.count())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment(url),
        capture_output=True,
        text=True,
    )
    try:
        return int(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def run_child(url, *args, capture=False):
    result = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args],
        cwd=ROOT,
        env=environment(url),
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout


# --- in the child process, with Django set up ---------------------------------------------


def pages():
    """Every kind of public page, and the admin changelist with its search and filters."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from api.changes import CURSOR_MARK
    from api.http import make_cursor
    from api.models import PublicChange
    from articles.models import Article, Author, Section
    from articles.sitemaps import SITEMAPS
    from bench.generate import ADMIN_QUERY, SEARCH_QUERY, WORDS

    live = Article.objects.live()
    middle = live.order_by("pk")[live.count() // 2]
    day = timezone.localtime(middle.date_shown)
    author = Author.objects.get(slug="reporter-7")
    news = Section.objects.get(slug="news")
    last = {name: sitemap().paginator.num_pages for name, sitemap in SITEMAPS.items()}
    changelist = ("admin:articles_article_changelist", "")
    deep_cursor = make_cursor(middle.date_shown, middle.pk)
    # 50 changes before the newest due one (scheduled stories' rows wait ahead): what a
    # partner polling every minute has left to read.
    polled = PublicChange.objects.filter(at__lte=timezone.now()).order_by("-at", "-pk")[50]
    polled_cursor = make_cursor(CURSOR_MARK, polled.at, polled.pk)
    candidates = {
        "article": middle.get_absolute_url(),
        "front": "/",
        "front page 40": "/?page=40",
        "section": "/sections/news/",
        "section page 3": "/sections/news/?page=3",
        "tag": "/tags/topic-7/",
        "author": f"/authors/{author.slug}/",
        "year": f"/{day.year}/",
        "month": f"/{day.year}/{day.month}/",
        "day": f"/{day.year}/{day.month}/{day.day}/",
        "search": ("articles:search", "?" + urlencode({"q": SEARCH_QUERY})),
        "feed": ("articles:feed_rss", ""),
        "atom feed": ("articles:feed_atom", ""),
        "section feed": "/sections/news/feed/",
        "tag feed": "/tags/topic-7/feed/atom/",
        "sitemap index": ("sitemap-index", ""),
        "sitemap articles": "/sitemap-articles.xml",
        "sitemap articles last": f"/sitemap-articles.xml?p={last['articles']}",
        "sitemap sections": "/sitemap-sections.xml",
        "sitemap tags": "/sitemap-tags.xml",
        "sitemap tags last": f"/sitemap-tags.xml?p={last['tags']}",
        "news sitemap": ("news-sitemap", ""),
        # The content API (api/): a list page deep in the archive by its cursor, as a
        # partner paging through everything reaches it; the changes feed near its end, as a
        # partner polling every minute reads it.
        "api list": "/api/v1/articles/",
        "api list deep": "/api/v1/articles/?" + urlencode({"cursor": deep_cursor}),
        "api list section": "/api/v1/articles/?section=news",
        "api list tag": "/api/v1/articles/?tag=topic-7",
        "api article": f"/api/v1/articles/{middle.slug}/",
        "api ninjs": f"/api/v1/articles/{middle.slug}.ninjs",
        "api search": "/api/v1/search/?" + urlencode({"q": SEARCH_QUERY}),
        "api changes": "/api/v1/changes/",
        "api changes polled": "/api/v1/changes/?" + urlencode({"since": polled_cursor}),
        "api changes latest": "/api/v1/changes/latest",
        "admin changelist": changelist,
        "admin search": (changelist[0], "?" + urlencode({"q": ADMIN_QUERY})),
        # In about 1 story in 10: a full page of 100 rows at both sizes (the search above
        # fills 20 rows at 1,000 stories and 100 at 100,000).
        "admin search, common": (changelist[0], "?" + urlencode({"q": WORDS[300]})),
        "admin live": (changelist[0], "?publication=live"),
        "admin review": (changelist[0], "?publication=review"),
        "admin section": (changelist[0], f"?section__id__exact={news.pk}"),
        "admin author": (changelist[0], f"?authors__id__exact={author.pk}"),
        "admin year": (changelist[0], f"?published_at__year={day.year}"),
    }
    found = {}
    for name, target in candidates.items():
        if isinstance(target, tuple):
            try:
                target = reverse(target[0]) + target[1]
            except NoReverseMatch:
                print(f"  ({name}: no such URL here, left out)")
                continue
        found[name] = target
    return found


def measure(repeat, explain, only=""):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    reader = Client()
    staff = Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    staff.force_login(user)
    results = {}
    for name, url in pages().items():
        if not name.startswith(only):
            continue
        client = staff if url.startswith("/admin/") else reader
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]
        results[name] = {
            "url": url,
            "ms": statistics.median(times),
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
            "plans": [plan(connection, q["sql"]) for q in slowest] if explain else [],
        }
    return results


def plan(connection, sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    lines = [row[0] for row in rows] if connection.vendor == "postgresql" else [r[-1] for r in rows]
    return {"sql": sql, "plan": lines}


def child(args):
    import django

    django.setup()
    if args.generate:
        from bench.generate import generate

        generate(args.generate)
        return
    print("RESULTS " + json.dumps(measure(args.repeat, args.explain, args.only)))


# --- the report ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--only", default="", help="time only the pages whose name starts with this (e.g. api)"
    )
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate or args.measure:
        return child(args)

    sizes = [int(s) for s in args.sizes.split(",")]
    manage(database_url("sqlite", sizes[0]), "collectstatic", "--noinput", "--verbosity", "0")
    report = {}
    for database in args.databases.split(","):
        for size in sizes:
            url = prepare(database, size, args.reuse)
            extra = ["--explain"] if size == sizes[-1] else []
            extra += ["--only", args.only] if args.only else []
            out = run_child(url, "--measure", "--repeat", str(args.repeat), *extra, capture=True)
            line = next(x for x in out.splitlines() if x.startswith("RESULTS "))
            report[(database, size)] = json.loads(line.removeprefix("RESULTS "))
            for name, result in report[(database, size)].items():
                print(f"  {name:<22} {result['ms']:8.1f} ms  {result['queries']} queries")
    print_report(report, args.databases.split(","), sizes)


def print_report(report, databases, sizes):
    small, large = sizes[0], sizes[-1]
    for database in databases:
        print(f"\n== {database}: median ms per page (queries), {small:,} vs {large:,} articles")
        print(f"{'page':<22} {small:>10,} {large:>10,}  ratio  queries")
        for name, at_large in report[(database, large)].items():
            at_small = report[(database, small)].get(name)
            if not at_small:
                continue
            ratio = at_large["ms"] / at_small["ms"]
            bound = ADMIN_BOUND if name.startswith("admin") else PUBLIC_BOUND
            flag = "" if ratio <= bound else f"  > {bound}"
            queries = f"{at_small['queries']} / {at_large['queries']}"
            print(
                f"{name:<22} {at_small['ms']:>10.1f} {at_large['ms']:>10.1f}  "
                f"{ratio:5.2f}  {queries}{flag}"
            )
    for database in databases:
        print(f"\n== {database}: query plans of the slowest queries at {large:,} articles")
        for name, result in report[(database, large)].items():
            print(f"\n-- {name} ({result['url']})")
            for item in result["plans"]:
                print("   " + item["sql"][:400] + (" ..." if len(item["sql"]) > 400 else ""))
                for line in item["plan"]:
                    print("     " + line)


if __name__ == "__main__":
    main()
