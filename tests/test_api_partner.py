"""The issue's "done when": a partner's script (examples/partner_sync.py), starting from
nothing, pulls every live story as ninjs, follows the changes feed, and removes the seed
story when the desk withdraws it.

The script runs as a partner runs it, over HTTP against a live server (a thread sharing the
test database, so the data is really committed: transactional_db).
"""

import importlib.util
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator

from articles.models import Article
from tests.conftest import SEED_SLUG
from tests.workflow_helpers import change_url, form_data, logged_in

SCRIPT = settings.BASE_DIR / "examples" / "partner_sync.py"
SCHEMA = json.loads((settings.BASE_DIR / "tests" / "data" / "ninjs-schema_2.2.json").read_text())

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_settle_delay(settings):
    settings.API_CHANGES_SETTLE_SECONDS = 0


@pytest.fixture
def partner_sync():
    spec = importlib.util.spec_from_file_location("partner_sync", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run(partner_sync, live_server, tmp_path):
    folder = tmp_path / "partner"

    def run_once(*options):
        arguments = ["--base", live_server.url, "--into", str(folder), *options]
        assert partner_sync.main(arguments) == 0
        return {path.name for path in folder.iterdir() if not path.name.startswith(".")}

    run_once.folder = folder
    return run_once


def test_partner_copies_the_seed_story_and_removes_it_when_withdrawn(run, admin_user):
    call_command("loaddata", "seed_story", verbosity=0)
    seed = Article.objects.get(slug=SEED_SLUG)
    mine = f"{seed.guid}.json"

    assert run() == {mine}
    item = json.loads((run.folder / mine).read_text())
    assert (
        list(
            Draft202012Validator(
                SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
            ).iter_errors(item)
        )
        == []
    )
    assert item["uri"] == f"urn:uuid:{seed.guid}"
    assert item["headlines"][0]["value"] == seed.headline
    assert (run.folder / ".cursor").read_text().strip()

    # The desk withdraws it, through the admin's change form.
    desk = logged_in(admin_user)
    form = desk.get(change_url(seed))
    response = desk.post(change_url(seed), form_data(form, status="withdrawn"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(pk=seed.pk).status == Article.Status.WITHDRAWN

    assert run() == set()


def test_partner_follows_stories_published_and_updated_after_the_first_run(
    run, make_article, section
):
    first = make_article(slug="already-here")
    assert run() == {f"{first.guid}.json"}

    later = make_article(slug="published-later", published_at=timezone.now())
    first.headline = "Already here, and corrected"
    first.save()
    draft = make_article(slug="not-for-partners", status=Article.Status.DRAFT)

    assert run() == {f"{first.guid}.json", f"{later.guid}.json"}
    copy = json.loads((run.folder / f"{first.guid}.json").read_text())
    assert copy["headlines"][0]["value"] == "Already here, and corrected"
    assert f"{draft.guid}.json" not in run()


def test_partner_gets_a_scheduled_story_only_once_its_time_has_come(run, make_article, section):
    goes_live = timezone.now() + timedelta(minutes=10)
    soon = make_article(slug="scheduled", published_at=goes_live)
    assert run() == set()
    assert run() == set()

    # The clock moves for the server thread too: it reads the same patched timezone.now.
    with mock.patch("django.utils.timezone.now", return_value=goes_live):
        assert run() == {f"{soon.guid}.json"}


def test_a_full_run_repairs_a_change_the_feed_never_listed(run, make_article, section):
    kept, lost = make_article(slug="kept"), make_article(slug="lost")
    assert run() == {f"{kept.guid}.json", f"{lost.guid}.json"}
    # Hidden behind the feed's back (update() sends no signal), as a missed change would be.
    Article.objects.filter(pk=lost.pk).update(status=Article.Status.DRAFT)
    assert run() == {f"{kept.guid}.json", f"{lost.guid}.json"}

    assert run("--full") == {f"{kept.guid}.json"}


# A server that answers wrongly: the script stops with a message, never a traceback, and
# writes nothing the answer did not justify ------------------------------------------------

GUID = "5f0c1a52-8a4e-4c43-9d0e-3b1f9d0c2a11"


@pytest.fixture
def hostile(partner_sync, tmp_path):
    """A server answering {path: (status, body)}; the script run against it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answers = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = answers.get(self.path.split("?")[0], (404, b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if isinstance(body, bytes) else json.dumps(body).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    folder = tmp_path / "partner"

    def run_once():
        return partner_sync.main(["--base", base, "--into", str(folder)])

    run_once.answers, run_once.base, run_once.folder = answers, base, folder
    yield run_once
    server.shutdown()


def change(kind, n, base, slug="a-story"):
    links = None if kind == "withdrawn" else {"ninjs": f"{base}/api/v1/articles/{slug}.ninjs"}
    return {"kind": kind, "guid": GUID, "slug": slug, "cursor": f"c{n}", "links": links}


@pytest.mark.parametrize(
    "answer",
    [
        (200, b"<html>Service moved</html>"),  # not JSON
        (500, b"oops"),
        (200, []),  # JSON, but not the shape
        (200, {"items": "nothing", "more": False, "next": "x"}),
        (200, {"items": [{"kind": "published"}], "more": False, "next": "x"}),
        (200, {"items": [{**change("published", 1, ""), "guid": "../../etc/passwd"}]}),
        (200, {"items": [{**change("updated", 1, ""), "links": {"ninjs": "file:///etc/passwd"}}]}),
        (200, {"items": [change("updated", 1, "http://elsewhere.example")]}),
    ],
    ids=["html", "500", "list", "items-text", "no-guid", "guid-path", "file-link", "other-host"],
)
def test_a_wrong_answer_stops_the_run_with_a_message_and_keeps_the_cursor(hostile, capsys, answer):
    hostile.folder.mkdir()
    (hostile.folder / ".cursor").write_text("c0\n")
    hostile.answers["/api/v1/changes/"] = answer

    assert hostile() == 1
    assert capsys.readouterr().err.startswith("partner_sync: ")
    assert sorted(p.name for p in hostile.folder.iterdir()) == [".cursor"]
    assert (hostile.folder / ".cursor").read_text() == "c0\n"


def test_a_huge_answer_is_refused_unread(hostile, partner_sync, capsys):
    hostile.folder.mkdir()
    (hostile.folder / ".cursor").write_text("c0\n")
    hostile.answers["/api/v1/changes/"] = (200, b" " * (partner_sync.MAX_ANSWER + 1))
    assert hostile() == 1
    assert "more than" in capsys.readouterr().err


def test_more_with_nothing_in_it_does_not_loop_forever(hostile):
    hostile.folder.mkdir()
    (hostile.folder / ".cursor").write_text("c0\n")
    again = f"{hostile.base}/api/v1/changes/?since=c0"
    hostile.answers["/api/v1/changes/"] = (200, {"items": [], "more": True, "next": again})
    assert hostile() == 0


def test_an_interrupted_run_starts_again_after_the_last_change_it_applied(hostile, capsys):
    hostile.folder.mkdir()
    (hostile.folder / ".cursor").write_text("c0\n")
    other = "0c9f5e1e-3d57-4f3b-a4b0-4c4f0f2a9b77"
    story = {"uri": f"urn:uuid:{GUID}", "type": "text"}
    hostile.answers["/api/v1/articles/a-story.ninjs"] = (200, story)
    hostile.answers["/api/v1/articles/broken.ninjs"] = (500, b"oops")
    hostile.answers["/api/v1/changes/"] = (
        200,
        {
            "items": [
                change("published", 1, hostile.base),
                {**change("updated", 2, hostile.base, slug="broken"), "guid": other},
            ],
            "more": False,
            "next": "x",
        },
    )
    assert hostile() == 1
    assert json.loads((hostile.folder / f"{GUID}.json").read_text()) == story
    assert (hostile.folder / ".cursor").read_text() == "c1\n"  # not past the failed one


def test_a_story_answered_under_another_guid_is_not_written(hostile, capsys):
    hostile.folder.mkdir()
    (hostile.folder / ".cursor").write_text("c0\n")
    hostile.answers["/api/v1/articles/a-story.ninjs"] = (
        200,
        {"uri": "urn:uuid:0c9f5e1e-3d57-4f3b-a4b0-4c4f0f2a9b77"},
    )
    hostile.answers["/api/v1/changes/"] = (
        200,
        {"items": [change("updated", 1, hostile.base)], "more": False, "next": "x"},
    )
    assert hostile() == 1
    assert "not urn:uuid:" in capsys.readouterr().err
    assert not (hostile.folder / f"{GUID}.json").exists()


def test_a_slug_change_replaces_the_partners_copy(run, make_article, section):
    story = make_article(slug="old-slug")
    assert run() == {f"{story.guid}.json"}
    story.slug = "new-slug"
    story.headline = "Renamed"
    story.save()

    assert run() == {f"{story.guid}.json"}
    copy = json.loads((run.folder / f"{story.guid}.json").read_text())
    assert copy["headlines"][0]["value"] == "Renamed"
    assert {"role": "slug", "value": "new-slug"} in copy["altids"]
