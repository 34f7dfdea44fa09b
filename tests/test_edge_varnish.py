"""The edge cache, live: Varnish with the repo's VCL (deploy/varnish/) in front of the app.

deploy/varnish/run.py starts varnishd as `make serve-edge` does, in front of pytest-django's
live server. Pages come from tests/edge_urls.py (pages that tag themselves, so the VCL is
tested apart from the app's keys) and, for the end-to-end freshness test, from the site.
Readers are plain HTTP requests to the edge; `X-Edge` (set in vcl_deliver) says hit, miss
or pass, and a page body differs on every render, so a hit is also the same body twice.
"""

import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client

from articles.models import Article, Section
from newsroom import edge
from tests.workflow_helpers import change_url, form_data

RUN = Path(django_settings.BASE_DIR) / "deploy" / "varnish" / "run.py"
spec = importlib.util.spec_from_file_location("varnish_run", RUN)
varnish_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(varnish_run)

pytestmark = pytest.mark.skipif(
    not varnish_run.varnishd_path(),
    reason="varnishd is not installed (apt-get install varnish varnish-modules): "
    "the edge cache is not tested live",
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_varnish(live_server, *purge_from):
    """varnishd in front of the live server, started by deploy/varnish/run.py; stop() it."""
    port = free_port()
    token = secrets.token_urlsafe(32)
    app = f"{socket.gethostbyname(live_server.thread.host)}:{live_server.thread.port}"
    log = tempfile.TemporaryFile(mode="w+")
    command = [sys.executable, str(RUN), "--listen", f"127.0.0.1:{port}", "--app", app]
    command += ["--storage", "32m", *(f"--purge-from={address}" for address in purge_from)]
    process = subprocess.Popen(
        command, env={**os.environ, "EDGE_PURGE_TOKEN": token}, stdout=log, stderr=log
    )
    varnish = SimpleNamespace(url=f"http://127.0.0.1:{port}", token=token)

    def stop():
        process.send_signal(signal.SIGTERM)  # run.py stops varnishd and removes its files
        process.wait(timeout=30)

    varnish.stop = stop
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return varnish
        except OSError:
            time.sleep(0.1)
    if process.poll() is None:
        stop()
    log.seek(0)
    pytest.fail(f"varnishd did not start:\n{log.read()}")


@pytest.fixture(scope="module")
def varnish(live_server):
    varnish = start_varnish(live_server)
    yield varnish
    varnish.stop()


@pytest.fixture(autouse=True)
def pages_that_tag_themselves(settings):
    settings.ROOT_URLCONF = "tests.edge_urls"


@pytest.fixture
def purging(settings, varnish):
    """The app purges this Varnish, as VARNISH_PURGE_URL and EDGE_PURGE_TOKEN would say."""
    options = {"url": varnish.url, "token": varnish.token}
    settings.EDGE_CACHES = [{"BACKEND": "newsroom.edge.VarnishBackend", "OPTIONS": options}]


def key():
    return f"k{uuid.uuid4().hex[:10]}"


def get(varnish, path, **headers):
    request = urllib.request.Request(varnish.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return SimpleNamespace(
                status=response.status, headers=response.headers, body=response.read().decode()
            )
    except urllib.error.HTTPError as error:
        return SimpleNamespace(status=error.code, headers=error.headers, body=error.read().decode())


def send_purge(varnish, keys, **headers):
    request = urllib.request.Request(
        varnish.url + "/", method="PURGE", headers={"xkey-purge": keys, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return SimpleNamespace(status=response.status, headers=response.headers)
    except urllib.error.HTTPError as error:
        return SimpleNamespace(status=error.code, headers=error.headers)


def warm(varnish, path):
    """The page as the edge holds it, after asserting it is held."""
    get(varnish, path)
    held = get(varnish, path)
    assert held.headers["X-Edge"] == "hit", (path, dict(held.headers))
    return held


def test_a_public_page_is_a_miss_then_a_hit_and_its_keys_stay_at_the_edge(varnish):
    path = f"/edge-test/{key()}+front/"
    first, second = get(varnish, path), get(varnish, path)

    assert (first.headers["X-Edge"], second.headers["X-Edge"]) == ("miss", "hit")
    assert second.body == first.body
    for name in ("Surrogate-Key", "xkey", "Cache-Tag"):
        assert name not in second.headers
    # s-maxage was for the edge; a shared cache beyond it, never purged, must not keep it.
    assert second.headers["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_the_apps_surrogate_control_sets_how_long_the_edge_keeps_a_page(varnish):
    # s-maxage (60) is the same on every page, for whoever reads it; the lifetime up to the
    # clock's next change on this page is in Surrogate-Control, which readers never see.
    path = f"/edge-test/due-soon/{key()}/"
    held = warm(varnish, path)
    assert "Surrogate-Control" not in held.headers
    time.sleep(1.5)
    again = get(varnish, path)
    assert again.headers["X-Edge"] == "miss" and again.body != held.body


def test_tracking_and_unknown_parameters_share_the_page_entry(varnish):
    path = f"/edge-test/{key()}/"
    page = get(varnish, path)
    for query in ("?utm_source=x", "?x=1", "?utm_medium=a&fbclid=b&gclid=c", "?x", "?pagex=2"):
        same = get(varnish, path + query)
        assert (same.headers["X-Edge"], same.body) == ("hit", page.body), query
    assert "query=''" in page.body  # the app never saw them either


def test_page_numbers_and_search_words_are_entries_of_their_own(varnish):
    path = f"/edge-test/{key()}/"
    page = get(varnish, path)
    second = get(varnish, path + "?utm_source=x&page=2")
    assert (second.headers["X-Edge"], second.body != page.body) == ("miss", True)
    assert "query='page=2'" in second.body
    assert get(varnish, path + "?page=2&utm_campaign=y").body == second.body

    # Search words only on the search page: anywhere else ?q= is one more unknown parameter.
    assert get(varnish, path + "?q=ferry").body == page.body
    search = f"/search/?q={key()}"
    words = get(varnish, search + "&x=1&utm_source=y")
    assert words.headers["X-Edge"] == "miss" and f"query='{search[9:]}'" in words.body
    assert get(varnish, search).body == words.body
    assert get(varnish, f"/search/?q={key()}").body != words.body


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=abc123"},
        {"Cookie": "_ga=GA1.1.1; csrftoken=xyz"},
        {"Authorization": "Basic ZWRpdG9yOnNlY3JldA=="},
    ],
    ids=["session", "csrf", "authorization"],
)
def test_a_session_csrf_cookie_or_credentials_pass_straight_through(varnish, headers):
    path = f"/edge-test/{key()}/"
    shared = warm(varnish, path)

    for _ in range(2):
        theirs = get(varnish, path, **headers)
        assert (theirs.headers["X-Edge"], theirs.body != shared.body) == ("pass", True)
    # Nothing they were sent was stored for anyone else.
    assert get(varnish, path).body == shared.body


def test_other_cookies_do_not_keep_a_reader_from_the_shared_page(varnish):
    path = f"/edge-test/{key()}/"
    shared = warm(varnish, path)
    theirs = get(varnish, path, Cookie="_ga=GA1.1.1; consent=yes")
    assert (theirs.headers["X-Edge"], theirs.body) == ("hit", shared.body)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/articles/article/1/preview/"])
def test_the_admin_and_its_previews_are_never_stored(varnish, path):
    for _ in range(3):
        response = get(varnish, path)
        assert response.headers["X-Edge"] == "pass"


@pytest.mark.parametrize("kind", ["private", "no-store", "cookie", "browser-only"])
def test_personal_or_unmarked_responses_are_never_stored(varnish, kind):
    path = f"/edge-test/{kind}/{key()}/"
    first, second = get(varnish, path), get(varnish, path)
    assert second.headers["X-Edge"] != "hit"
    assert second.body != first.body


def test_a_purge_removes_exactly_the_pages_with_that_key(varnish, purging, caplog):
    a1, a2 = key(), key()
    gone = [f"/edge-test/{a1}/", f"/edge-test/{a1}+{a2}/", f"/edge-test/{a1}/?page=2"]
    kept = [f"/edge-test/{a2}/", f"/edge-test/{key()}+front/"]
    held = {path: warm(varnish, path).body for path in gone + kept}

    edge.purge([a1])

    for path in gone:
        again = get(varnish, path)
        assert (again.headers["X-Edge"], again.body != held[path]) == ("miss", True), path
    for path in kept:
        again = get(varnish, path)
        assert (again.headers["X-Edge"], again.body) == ("hit", held[path]), path
    assert "Edge purge failed" not in caplog.text


def test_a_page_naming_a_thousand_stories_is_stored_and_purged_by_any_one(varnish, purging):
    prefix = key()
    path = f"/edge-test/many/{prefix}/1000/"  # a Surrogate-Key of 17 KB
    held = warm(varnish, path)
    edge.purge([f"{prefix}-500"])
    again = get(varnish, path)
    assert (again.headers["X-Edge"], again.body != held.body) == ("miss", True)


def test_a_purge_answers_how_many_pages_went(varnish):
    k = key()
    for path in (f"/edge-test/{k}/", f"/edge-test/{k}+x/", f"/edge-test/{k}/?page=3"):
        warm(varnish, path)
    answer = send_purge(varnish, k, **{"X-Edge-Token": varnish.token})
    assert (answer.status, answer.headers["X-Purged"]) == (200, "3")


@pytest.mark.parametrize(
    "token",
    [None, "wrong", lambda right: right + "x", lambda right: right[:-1]],
    ids=["none", "wrong", "longer", "shorter"],
)
def test_a_purge_without_the_right_token_is_refused(varnish, token):
    k = key()
    path = f"/edge-test/{k}/"
    held = warm(varnish, path)
    token = token(varnish.token) if callable(token) else token
    headers = {"X-Edge-Token": token} if token else {}

    assert send_purge(varnish, k, **headers).status == 403
    assert get(varnish, path).body == held.body


def test_a_purge_from_an_address_outside_the_acl_is_refused_even_with_the_token(live_server):
    # Purges accepted from 192.0.2.1 only (a documentation address): this machine is not it.
    elsewhere = start_varnish(live_server, "192.0.2.1")
    try:
        k = key()
        held = warm(elsewhere, f"/edge-test/{k}/")
        assert send_purge(elsewhere, k, **{"X-Edge-Token": elsewhere.token}).status == 403
        assert get(elsewhere, f"/edge-test/{k}/").body == held.body
    finally:
        elsewhere.stop()


def test_an_edge_that_refuses_is_logged_by_the_app(varnish, settings, caplog):
    options = {"url": varnish.url, "token": "not-the-token"}
    settings.EDGE_CACHES = [{"BACKEND": "newsroom.edge.VarnishBackend", "OPTIONS": options}]
    edge.purge([key()])
    assert "Edge purge failed: Varnish at" in caplog.text
    assert "403" in caplog.text


# End to end: the app's own keys and purges, through the admin.


def headline_shown(headline):
    return lambda page: page.status == 200 and headline in page.body


def gone(page):
    return page.status in (404, 410)


@pytest.mark.parametrize(
    "change, shows",
    [
        ({"headline": "Harbour reopens after the storm"}, headline_shown("Harbour reopens")),
        ({"status": Article.Status.WITHDRAWN}, gone),
        ({"status": Article.Status.DRAFT}, gone),
    ],
    ids=["edited", "withdrawn", "unpublished"],
)
def test_a_story_changed_in_the_admin_shows_its_new_state_at_the_edge_within_a_second(
    varnish, purging, make_article, django_user_model, change, shows
):
    story = make_article(headline="Harbour closes for the winter")
    # Its section keeps a live story, so the section navigation on every page stays as it is
    # (a section's last story leaving changes every page, and purges them all: "nav").
    make_article(headline="Ferry timetable for December", section=story.section)
    other = make_article(
        headline="Chess final goes to a tiebreak",
        section=Section.objects.create(name="Sport", slug="sport"),
    )
    a, b = story.get_absolute_url(), other.get_absolute_url()
    # Needs the app's side: story pages carry s-maxage and their surrogate keys.
    held_a, held_b = warm(varnish, a), warm(varnish, b)
    assert "Harbour closes" in held_a.body and "Harbour closes" not in held_b.body

    desk = Client()
    desk.force_login(django_user_model.objects.create_superuser("desk", "desk@example.org", "x"))
    data = form_data(desk.get(change_url(story)), **change)
    assert desk.post(change_url(story), data).status_code == 302
    saved = time.monotonic()

    while not shows(page := get(varnish, a)) and time.monotonic() - saved < 5:
        time.sleep(0.02)
    waited = time.monotonic() - saved
    assert shows(page), (page.status, page.headers.get("X-Edge"))
    assert waited < 1.0, f"the edge showed the change {waited:.2f} s after the save"
    # Only what the story touched was purged: the other story is still served from the edge.
    again = get(varnish, b)
    assert (again.headers["X-Edge"], again.body) == ("hit", held_b.body)


def test_the_api_is_an_entry_per_query_and_format_and_purged_by_its_story(
    varnish, purging, make_article
):
    story = make_article(headline="Harbour reopens after the storm")
    other = make_article(
        headline="Chess final goes to a tiebreak",
        section=Section.objects.create(name="Sport", slug="sport"),
    )

    def slugs(page):
        return [item["slug"] for item in json.loads(page.body)["items"]]

    # Every parameter makes the entry (a filter, a cursor), in any order.
    assert set(slugs(warm(varnish, "/api/v1/articles/?limit=5"))) == {story.slug, other.slug}
    sport = get(varnish, "/api/v1/articles/?section=sport&limit=5")
    assert (sport.headers["X-Edge"], slugs(sport)) == ("miss", [other.slug])
    reordered = get(varnish, "/api/v1/articles/?limit=5&section=sport")
    assert (reordered.headers["X-Edge"], reordered.body) == ("hit", sport.body)

    # Two variants by Accept, whatever else a client's Accept header says.
    detail = f"/api/v1/articles/{story.slug}/"
    plain = warm(varnish, detail)
    ninjs = get(varnish, detail, Accept="application/ninjs+json")
    assert ninjs.headers["X-Edge"] == "miss"
    assert ninjs.headers["Content-Type"].startswith("application/ninjs+json")
    for accept, held in [
        ("text/html, application/ninjs+json;q=0.9", ninjs),
        ("application/json", plain),
        ("*/*", plain),
    ]:
        again = get(varnish, detail, Accept=accept)
        assert (again.headers["X-Edge"], again.body) == ("hit", held.body), accept

    # An edit purges the story's answers; the other story's stay at the edge.
    held_other = warm(varnish, f"/api/v1/articles/{other.slug}/")
    story.headline = "Harbour closes again"
    story.save()
    deadline = time.monotonic() + 1
    while "Harbour closes" not in (page := get(varnish, detail)).body:
        assert time.monotonic() < deadline, page.headers.get("X-Edge")
        time.sleep(0.02)
    again = get(varnish, f"/api/v1/articles/{other.slug}/")
    assert (again.headers["X-Edge"], again.body) == ("hit", held_other.body)
