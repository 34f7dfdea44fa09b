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
