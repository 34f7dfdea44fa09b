"""The changes feed (api/changes.py): every public change in order, for partners to replay.

Changes are recorded when the transaction commits; these tests run in one that never does,
so each step runs inside `committed()` (pytest-django's capture of on_commit callbacks).
"""

import importlib
import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from api.http import make_cursor
from api.models import PublicChange
from articles import publishing
from articles.models import Article, Correction
from tests.conftest import SEED_SLUG

URL = "/api/v1/changes/"
SECRET = "Zebra-crossing scandal"  # text that must never reach the feed


@pytest.fixture(autouse=True)
def _no_settle_delay(settings):
    # Rows show as soon as they are written; test_a_change_waits_out_the_settle_delay
    # sets the delay back.
    settings.API_CHANGES_SETTLE_SECONDS = 0


@pytest.fixture
def committed(db, django_capture_on_commit_callbacks):
    """Run a step as if its transaction committed (what records the change)."""

    @contextmanager
    def commit():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return commit


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "unused")


@pytest.fixture
def story(make_article, committed):
    """A draft with words that must never leak; each test takes it through the workflow."""
    with committed():
        return make_article(
            headline=SECRET,
            slug="zebra-crossing",
            standfirst=f"Standfirst: {SECRET}",
            body=f"<p>Body: {SECRET}</p>",
            status=Article.Status.DRAFT,
            published_at=None,
            original_published_at=None,
        )


def feed(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return response.json()


def kinds(client, **query):
    return [(item["kind"], item["slug"]) for item in feed(client, **query)["items"]]


@contextmanager
def clock_at(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def test_each_step_of_a_story_is_listed_in_order(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        story.body = "<p>A new paragraph.</p>"
        story.save()
    with committed():
        Correction.objects.create(article=story, text="The crossing is in Leeds.")
    with committed():
        story.tags.add("Roads")
    with committed():
        publishing.withdraw(story, by=boss)

    assert kinds(client) == [
        ("published", "zebra-crossing"),
        ("updated", "zebra-crossing"),
        ("updated", "zebra-crossing"),
        ("updated", "zebra-crossing"),
        ("withdrawn", "zebra-crossing"),
    ]


def test_unpublished_story_is_withdrawn_and_published_again_when_it_returns(
    client, story, boss, committed
):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        publishing.unpublish(story, by=boss)
    with committed():
        story.headline = "Still a draft"
        story.save()  # a draft's edits are nobody's business
    with committed():
        publishing.publish(story, by=boss)

    assert [kind for kind, _ in kinds(client)] == ["published", "withdrawn", "published"]


def test_one_save_with_its_links_is_one_change(client, story, boss, make_author, committed):
    author = make_author("Ann Writer")
    with committed():  # as the admin saves: the story, then its tags and authors
        publishing.publish(story, by=boss)
        story.tags.add("Roads", "Leeds")
        story.authors.add(author)
    with committed():
        author.articles.remove(story)  # from the other side

    assert [kind for kind, _ in kinds(client)] == ["published", "updated"]


def test_deleted_story_leaves_a_tombstone_without_its_text(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    guid = str(story.guid)
    with committed():
        story.delete()

    data = feed(client)
    tombstone = data["items"][-1]
    assert tombstone["kind"] == "withdrawn"
    assert tombstone["guid"] == guid
    assert tombstone["uri"] == f"urn:uuid:{guid}"
    assert tombstone["slug"] == "zebra-crossing"
    assert tombstone.get("links") is None
    assert "Zebra-crossing scandal" not in json.dumps(data)
    assert "Body" not in json.dumps(data) and "Standfirst" not in json.dumps(data)


def test_withdrawn_story_tombstone_has_no_text_and_no_links(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        publishing.withdraw(story, by=boss)

    data = feed(client)
    published, withdrawn = data["items"]
    assert set(withdrawn) == {"cursor", "kind", "at", "guid", "uri", "slug", "links"}
    assert withdrawn["links"] is None
    assert published["links"] == {
        "api": f"http://testserver/api/v1/articles/{story.slug}/",
        "ninjs": f"http://testserver/api/v1/articles/{story.slug}.ninjs",
        "html": f"http://testserver{story.get_absolute_url()}",
    }
    assert SECRET not in json.dumps(data)


def test_a_draft_never_appears(client, story, reporter, committed):
    with committed():
        story.tags.add("Roads")
        Correction.objects.create(article=story, text="A note.")
    with committed():
        publishing.submit_for_review(story, by=reporter)
    with committed():
        story.delete()

    assert kinds(client) == []
    assert not PublicChange.objects.exists()


def test_scheduled_story_appears_at_its_time_and_not_before(client, story, boss, committed):
    start = timezone.now()
    goes_live = start + timedelta(minutes=10)
    with committed():
        publishing.publish(story, by=boss, at=goes_live)

    with clock_at(goes_live - timedelta(seconds=1)):
        assert kinds(client) == []
        # Nor do its headline or slug leak through any other answer of the feed.
        assert "zebra" not in client.get("/api/v1/changes/latest").content.decode()
    with clock_at(goes_live):
        items = feed(client)["items"]
    # At its time (JSON gives milliseconds), not when it was scheduled.
    shown_at = goes_live.replace(microsecond=goes_live.microsecond // 1000 * 1000)
    assert [(item["kind"], datetime.fromisoformat(item["at"])) for item in items] == [
        ("published", shown_at)
    ]


def test_rescheduling_moves_the_future_change(client, story, boss, committed):
    first = timezone.now() + timedelta(minutes=10)
    later = first + timedelta(hours=1)
    with committed():
        publishing.publish(story, by=boss, at=first)
    with committed():
        publishing.publish(story, by=boss, at=later)

    with clock_at(later - timedelta(seconds=1)):
        assert kinds(client) == []
    with clock_at(later):
        assert kinds(client) == [("published", "zebra-crossing")]


def test_unpublishing_a_scheduled_story_leaves_nothing_behind(client, story, boss, committed):
    goes_live = timezone.now() + timedelta(minutes=10)
    with committed():
        publishing.publish(story, by=boss, at=goes_live)
    with committed():
        publishing.unpublish(story, by=boss)

    with clock_at(goes_live + timedelta(days=1)):
        assert kinds(client) == []
    assert not PublicChange.objects.exists()


def test_expiry_is_a_withdrawal_at_its_time(client, story, boss, committed):
    ends = timezone.now() + timedelta(minutes=10)
    with committed():
        story.expires_at = ends
        publishing.publish(story, by=boss)
        story.save()

    assert kinds(client) == [("published", "zebra-crossing")]
    with clock_at(ends):
        assert [kind for kind, _ in kinds(client)] == ["published", "withdrawn"]
        with committed():
            story.headline = "Edited after it expired"
            story.save()  # readers cannot see it: no change
        assert [kind for kind, _ in kinds(client)] == ["published", "withdrawn"]


def test_expiry_moved_ahead_before_it_came_leaves_one_withdrawal(client, story, boss, committed):
    ends = timezone.now() + timedelta(minutes=10)
    with committed():
        story.expires_at = ends
        publishing.publish(story, by=boss)
        story.save()
    with committed():
        story.expires_at = None
        story.save()

    with clock_at(ends + timedelta(days=1)):
        assert [kind for kind, _ in kinds(client)] == ["published", "updated"]


def test_correction_due_later_is_an_update_at_its_time(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    due = timezone.now() + timedelta(minutes=10)
    with committed():
        Correction.objects.create(article=story, text="Leeds, not York.", published_at=due)

    # Saving it is a change of its own (the story's Last-Modified moves); its time is another.
    assert [kind for kind, _ in kinds(client)] == ["published", "updated"]
    with clock_at(due):
        assert [kind for kind, _ in kinds(client)] == ["published", "updated", "updated"]


def test_loading_the_seed_fixture_lists_it_once(client, committed):
    with committed():
        call_command("loaddata", "seed_story", verbosity=0)
    with committed():
        call_command("loaddata", "seed_story", verbosity=0)  # writes nothing: no change

    items = feed(client)["items"]
    seed = Article.objects.get(slug=SEED_SLUG)
    assert [(item["kind"], item["guid"]) for item in items] == [("published", str(seed.guid))]


def test_a_fixture_withdrawing_a_story_lists_its_withdrawal(client, committed, settings, tmp_path):
    with committed():
        call_command("loaddata", "seed_story", verbosity=0)
    rows = json.loads((settings.BASE_DIR / "fixtures" / "seed_story.json").read_text())
    for row in rows:
        if row["model"] == "articles.article":
            row["fields"]["status"] = "withdrawn"
    changed = tmp_path / "seed_withdrawn.json"
    changed.write_text(json.dumps(rows))
    with committed():
        call_command("loaddata", str(changed), verbosity=0)

    assert [kind for kind, _ in kinds(client)] == ["published", "withdrawn"]


def test_cursor_holds_its_place_while_changes_arrive(client, make_article, committed):
    with committed():
        for n in range(3):
            make_article(slug=f"first-{n}")
    page = feed(client, limit="2")
    assert [item["slug"] for item in page["items"]] == ["first-0", "first-1"]
    assert page["more"] is True
    with committed():
        make_article(slug="later")

    rest = client.get(page["next"]).json()
    assert [item["slug"] for item in rest["items"]] == ["first-2", "later"]
    assert rest["more"] is False
    # Nothing new: `next` is still given, and leads on from the same place.
    again = client.get(rest["next"]).json()
    assert again["items"] == [] and again["next"] == rest["next"]
    with committed():
        make_article(slug="last")
    assert [item["slug"] for item in client.get(again["next"]).json()["items"]] == ["last"]


def test_an_answer_holds_a_hundred_changes_unless_told(client, make_article):
    story = make_article()
    start = timezone.now() - timedelta(hours=1)
    PublicChange.objects.bulk_create(
        PublicChange(
            article=story,
            guid=story.guid,
            slug=story.slug,
            kind="updated",
            at=start + timedelta(seconds=n),
        )
        for n in range(101)
    )

    page = feed(client)
    assert len(page["items"]) == 100 and page["more"] is True
    assert len(client.get(page["next"]).json()["items"]) == 1
    assert len(feed(client, limit="500")["items"]) == 101


def test_latest_gives_the_cursor_of_now(client, make_article, committed):
    with committed():
        make_article(slug="before-the-pull")
    latest = client.get("/api/v1/changes/latest").json()
    with committed():
        make_article(slug="during-the-pull")

    assert latest["cursor"] == feed(client)["items"][0]["cursor"]
    assert [item["slug"] for item in client.get(latest["next"]).json()["items"]] == [
        "during-the-pull"
    ]


def test_latest_with_no_changes_starts_at_the_beginning(client, make_article, committed):
    latest = client.get("/api/v1/changes/latest").json()
    with committed():
        make_article(slug="first-ever")
    assert [item["slug"] for item in client.get(latest["next"]).json()["items"]] == ["first-ever"]


def test_a_change_waits_out_the_settle_delay(client, settings, make_article, committed):
    settings.API_CHANGES_SETTLE_SECONDS = 2
    with committed():
        make_article(slug="just-now")
    now = timezone.now()

    with clock_at(now + timedelta(seconds=1)):
        assert kinds(client) == []
    with clock_at(now + timedelta(seconds=2)):
        assert kinds(client) == [("published", "just-now")]


def test_slug_given_to_an_unpublished_story_does_not_leak(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        publishing.unpublish(story, by=boss)
    with committed():
        story.slug = "zebra-scandal-exclusive"
        story.save()

    text = client.get(URL).content.decode()
    assert "zebra-scandal-exclusive" not in text and SECRET not in text


@pytest.mark.parametrize(
    "query",
    [
        {"since": "x"},
        {"since": ""},
        {"since": "eyJhIjoxfQ"},  # base64 of a JSON object, not a cursor
        {"since": make_cursor("changes", "yesterday", 1)},
        {"since": make_cursor("changes", timezone.now(), -1)},
        {"since": make_cursor(timezone.now(), 1)},  # a cursor of the articles list
        {"since": make_cursor("elsewhere", timezone.now(), 1)},
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "501"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": "٣"},  # a digit, but not an ASCII one
        {"limit": ""},
    ],
)
def test_bad_parameters_are_a_problem_naming_them(client, db, query):
    response = client.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    (name,) = query
    assert name in response.json()["detail"]


def test_polling_revalidates_and_is_never_stored(client, make_article, committed):
    with committed():
        make_article(slug="polled")
    response = client.get(URL)

    assert response["Cache-Control"] == "no-cache"
    assert "Surrogate-Key" not in response and "Surrogate-Control" not in response
    again = client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("count", [5, 50])
def test_queries_do_not_grow_with_the_changes(
    client, make_article, committed, count, django_assert_num_queries
):
    with committed():
        for n in range(count):
            make_article(slug=f"counted-{n}")
    with django_assert_num_queries(1):
        items = feed(client, limit="100")["items"]
    assert len(items) == count


def test_recording_a_load_costs_the_same_for_few_or_many_stories(make_article, count_queries):
    from api.changes import record

    few = [make_article().pk for _ in range(3)]
    many = [make_article().pk for _ in range(30)]

    assert count_queries(lambda: record(dict.fromkeys(few))) == count_queries(
        lambda: record(dict.fromkeys(many))
    )
    assert PublicChange.objects.count() == 33


def test_backfill_lists_the_stories_already_here(client, make_article):
    now = timezone.now()
    make_article(slug="live", published_at=now - timedelta(days=2))
    make_article(slug="gone", status=Article.Status.WITHDRAWN)
    scheduled = make_article(slug="soon", published_at=now + timedelta(hours=1))
    make_article(slug="draft", status=Article.Status.DRAFT)
    make_article(slug="expired", expires_at=now - timedelta(hours=1))
    PublicChange.objects.all().delete()  # none recorded: no commit in this test anyway
    migration = importlib.import_module("api.migrations.0003_backfill_public_changes")

    migration.backfill(apps, mock.Mock(connection=connection))

    rows = list(PublicChange.objects.values_list("slug", "kind"))
    assert ("live", "published") in rows and ("live", "updated") in rows
    assert ("gone", "withdrawn") in rows and ("gone", "published") not in rows
    assert ("expired", "published") in rows and ("expired", "withdrawn") in rows
    assert not {slug for slug, _ in rows} & {"draft"}
    assert ("soon", "published") in rows
    assert [kind for kind, _ in kinds(client)].count("published") == 2  # live and expired
    with clock_at(scheduled.published_at):
        assert ("published", "soon") in kinds(client)


def test_a_slug_changed_in_the_save_that_unpublishes_never_reaches_the_feed(
    client, story, boss, committed
):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        # Renamed and sent back to draft in one save, as the change form can.
        story.slug = "zebra-scandal-exclusive"
        story.status = Article.Status.DRAFT
        story.save()

    text = client.get(URL).content.decode()
    assert kinds(client) == [("published", "zebra-crossing"), ("withdrawn", "zebra-crossing")]
    assert "zebra-scandal-exclusive" not in text


def test_a_deleted_story_leaves_under_the_slug_readers_last_saw(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        publishing.unpublish(story, by=boss)
        story.slug = "never-public"
        story.save()
        publishing.publish(story, by=boss, at=timezone.now() + timedelta(days=1))
    with committed():
        story.delete()

    assert kinds(client) == [("published", "zebra-crossing"), ("withdrawn", "zebra-crossing")]


def test_admin_saves_and_a_revert_are_one_change_each(eddie, editor, section, committed):
    from django.urls import reverse
    from reversion.models import Version

    from tests.workflow_helpers import change_url, form_data

    add = reverse("admin:articles_article_add")
    data = form_data(
        eddie.get(add), headline="Desk", slug="desk", body="<p>One.</p>", section=str(section.pk)
    )
    with committed():
        assert eddie.post(add, data).status_code == 302
    story = Article.objects.get(slug="desk")
    assert not PublicChange.objects.exists()  # a draft
    with committed():
        publishing.publish(story, by=editor)
    edited = form_data(eddie.get(change_url(story)), body="<p>Two.</p>", tags="Roads, Leeds")
    with committed():
        assert eddie.post(change_url(story), edited).status_code == 302
    old = Version.objects.get_for_object(story).last()
    revert = reverse("admin:articles_article_revision", args=[story.pk, old.pk])
    with committed():
        assert eddie.post(revert, form_data(eddie.get(revert))).status_code == 302

    assert list(PublicChange.objects.values_list("kind", flat=True)) == [
        "published",
        "updated",
        "updated",
    ]


def test_published_now_after_being_scheduled_leaves_nothing_ahead(story, boss, committed):
    with committed():
        publishing.publish(story, by=boss, at=timezone.now() + timedelta(hours=1))
    with committed():
        publishing.publish(story, by=boss)

    (row,) = PublicChange.objects.all()
    assert row.kind == "published" and row.at <= timezone.now()


def test_revived_after_a_withdrawal_it_is_published_again(client, story, boss, committed):
    with committed():
        publishing.publish(story, by=boss)
    with committed():
        publishing.withdraw(story, by=boss)
    with committed():
        publishing.unpublish(story, by=boss)  # a withdrawn story is revived through draft
    with committed():
        publishing.publish(story, by=boss)

    assert [kind for kind, _ in kinds(client)] == ["published", "withdrawn", "published"]


# What a story shows but does not own: a rename changes every live story carrying it.


def _rename_section(story):
    story.section.name = "Roads and Rail"
    story.section.save()


def _rename_tag(story):
    tag = story.tags.get()
    tag.name = "Streets"
    tag.save()


def _rename_author(story):
    author = story.authors.get()
    author.name = "Ann Writer-Jones"
    author.save()


def _delete_author(story):
    story.authors.get().delete()


@pytest.mark.parametrize(
    "change",
    [_rename_section, _rename_tag, _rename_author, _delete_author],
    ids=lambda f: f.__name__,
)
def test_a_change_to_what_live_stories_show_updates_each_of_them(
    make_article, make_author, section, committed, change
):
    author = make_author("Ann Writer")

    def stories(count, **fields):
        made = [make_article(section=section, authors=[author], **fields) for _ in range(count)]
        for story in made:
            story.tags.add("Roads")
        return made

    with committed():
        live = stories(3)
        stories(1, status=Article.Status.DRAFT)
        stories(1, published_at=timezone.now() + timedelta(days=1))
    before = set(PublicChange.objects.values_list("id", flat=True))

    with committed():
        change(live[0])

    new = PublicChange.objects.exclude(id__in=before)
    assert sorted(new.values_list("kind", "article_id")) == [("updated", s.pk) for s in live]


def test_a_rename_costs_the_same_queries_for_few_or_many_stories(
    make_article, section, committed, count_queries
):
    def rename(name):
        def run():
            with committed():
                section.name = name
                section.save()

        return run

    with committed():
        for _ in range(3):
            make_article(section=section)
    few = count_queries(rename("Three stories"))
    with committed():
        for _ in range(30):
            make_article(section=section)
    many = count_queries(rename("Thirty-three stories"))

    assert few == many
    assert PublicChange.objects.filter(kind="updated").count() == 3 + 33


def test_saving_a_tag_unchanged_changes_no_story(make_article, committed):
    from taggit.models import Tag

    with committed():
        make_article().tags.add("Roads")
    before = PublicChange.objects.count()
    with committed():
        Tag.objects.get(name="Roads").save()

    assert PublicChange.objects.count() == before


@pytest.mark.usefixtures("media")
def test_a_picture_fixed_in_the_library_updates_the_live_stories_showing_it(
    make_article, committed
):
    from articles.sanitize import picture_reference
    from tests.photos_helpers import make_image

    picture = make_image("harbour.jpg", caption="The harbour", credit="Ann Agency")
    with committed():
        lead = make_article(lead_image=picture)
        inside = make_article(body="<p>Words.</p>" + picture_reference(picture.file.name))
        make_article(body="<p>Another picture entirely.</p>")
        make_article(lead_image=picture, status=Article.Status.DRAFT)
    before = set(PublicChange.objects.values_list("id", flat=True))

    with committed():
        picture.caption = "The harbour at dawn"
        picture.save()

    new = PublicChange.objects.exclude(id__in=before)
    assert sorted(new.values_list("kind", "article_id")) == [
        ("updated", lead.pk),
        ("updated", inside.pk),
    ]


def test_recording_is_all_or_nothing(story, boss, committed):
    from api import changes

    goes_live = timezone.now() + timedelta(hours=1)
    with committed():
        publishing.publish(story, by=boss, at=goes_live)
    with mock.patch.object(
        PublicChange.objects, "bulk_create", side_effect=RuntimeError("disk full")
    ):
        with pytest.raises(RuntimeError):
            changes.record({story.pk: None})

    # The row ahead, deleted before the failed write, is back.
    assert list(PublicChange.objects.values_list("kind", "at")) == [("published", goes_live)]
