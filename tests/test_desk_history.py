"""History that helps: a revision only when the story changed, and each revision shown with
who, when and what changed, word by word; stories that came by fixture or import have one."""

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import reversion
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from articles import history, publishing
from articles.models import Article
from tests.conftest import SEED_SLUG
from tests.workflow_helpers import change_url, form_data, logged_in

LONDON = ZoneInfo("Europe/London")


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def revise(article, by, **fields):
    """Save `article` with `fields` as one revision by `by`, as an admin save would."""
    tags = fields.pop("tags", None)
    for name, value in fields.items():
        setattr(article, name, value)
    with reversion.create_revision():
        article.save()
        if tags is not None:
            article.tags.set(tags)
        reversion.set_user(by)
        reversion.set_comment("Edited")
    return Version.objects.get_for_object(article).first()


# A revision only when something changed


@pytest.mark.parametrize(
    "as_sent",
    [
        pytest.param(lambda data: data, id="the form as it was"),
        # A browser sends a textarea's line breaks as CRLF: the same story, not a change.
        pytest.param(
            lambda data: {
                **data,
                "body": data["body"].replace("\n", "\r\n"),
                "standfirst": data["standfirst"].replace("\n", "\r\n"),
            },
            id="line breaks as a browser sends them",
        ),
    ],
)
def test_a_save_that_changes_nothing_records_no_revision(editor, draft, as_sent):
    eddie = logged_in(editor)
    draft.body = "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    draft.standfirst = "Two lines\nof summary."
    draft.save()
    edited = form_data(eddie.get(change_url(draft)), headline="Council votes")
    assert eddie.post(change_url(draft), edited).status_code == 302
    assert Version.objects.get_for_object(draft).count() == 1
    logged = LogEntry.objects.count()

    unchanged = as_sent(form_data(eddie.get(change_url(draft))))
    draft.refresh_from_db()
    saved_at = draft.updated_at
    assert eddie.post(change_url(draft), unchanged).status_code == 302

    assert Version.objects.get_for_object(draft).count() == 1
    if unchanged == form_data(eddie.get(change_url(draft))):
        # Nothing was written, so a colleague's open form is not refused as out of date.
        draft.refresh_from_db()
        assert draft.updated_at == saved_at
    # Nor does "Recent actions" claim a change that did not happen.
    assert LogEntry.objects.count() == logged


def test_a_save_that_changes_a_tag_records_a_revision(editor, draft):
    eddie = logged_in(editor)
    assert eddie.post(change_url(draft), form_data(eddie.get(change_url(draft)))).status_code == 302
    data = form_data(eddie.get(change_url(draft)), tags="Local economy,")
    assert eddie.post(change_url(draft), data).status_code == 302
    versions = list(Version.objects.get_for_object(draft))
    assert len(versions) == 2
    assert versions[0].revision.user == editor


def test_restoring_a_revision_keeps_publication_state_and_records_the_restore(editor, draft):
    eddie = logged_in(editor)
    old = revise(draft, editor, body="<p>Old words.</p>")
    revise(draft, editor, body="<p>New words.</p>")
    publishing.publish(draft, by=editor)
    url = reverse("admin:articles_article_revision", args=[draft.pk, old.pk])
    assert eddie.post(url, form_data(eddie.get(url))).status_code == 302
    draft.refresh_from_db()
    assert draft.body == "<p>Old words.</p>"
    assert draft.status == Article.Status.PUBLISHED
    latest = Version.objects.get_for_object(draft).first()
    assert latest.revision.get_comment().startswith("Reverted to previous version")


# What changed


def test_the_diff_names_what_changed_headline_body_words_tags_dates_and_status(editor, draft):
    body = "".join(f"<p>Paragraph {n} stays as it was.</p>" for n in range(1, 6))
    first = revise(draft, editor, body=body + "<p>The council met on Monday.</p>", tags=["Budget"])
    when = datetime(2030, 7, 1, 9, 0, tzinfo=LONDON)
    second = revise(
        draft,
        editor,
        headline="Council backs library budget",
        body=body + "<p>The council met late on Tuesday.</p>",
        tags=["Budget", "Local economy"],
        status=Article.Status.PUBLISHED,
        published_at=when,
        original_published_at=when,
    )
    snapshots = history.snapshots_of([first, second])
    changes = history.changes_between(
        snapshots[first.pk], snapshots[second.pk], history.Names(snapshots.values())
    )
    by_name = {change.name: change for change in changes}

    assert set(by_name) == {
        "headline",
        "body",
        "status",
        "original_published_at",
        "published_at",
        "tags",
    }
    assert by_name["headline"].paragraphs == [
        [("same", "Council"), ("del", "story"), ("ins", "backs library budget")]
    ]
    # Five untouched paragraphs fold into one line; the changed one shows word by word.
    assert by_name["body"].paragraphs == [
        [("gap", 5)],
        [
            ("same", "The council met"),
            ("ins", "late"),
            ("same", "on"),
            ("del", "Monday."),
            ("ins", "Tuesday."),
        ],
    ]
    assert by_name["body"].summary == "Body: +2 −1 words"
    assert by_name["tags"].added == ["Local economy"] and by_name["tags"].removed == []
    assert (by_name["status"].before, by_name["status"].after) == ("Draft", "Published")
    assert by_name["published_at"].before == "(empty)"
    assert by_name["published_at"].after == "1 July 2030, 09:00 BST"


def test_a_revision_that_changed_nothing_in_the_story_says_so(editor, draft):
    first = revise(draft, editor, headline="Same")
    second = revise(draft, editor, headline="Same")  # updated_at moved, nothing else
    snapshots = history.snapshots_of([first, second])
    names = history.Names(snapshots.values())
    assert history.changes_between(snapshots[first.pk], snapshots[second.pk], names) == []


def test_the_history_page_shows_who_when_and_the_changed_words(editor, draft):
    eddie = logged_in(editor)
    first = revise(draft, editor, body="<p>The council met on Monday.</p>", tags=["Budget"])
    revise(draft, editor, body="<p>The council met on Tuesday.</p>", tags=["Local economy"])
    html = eddie.get(history_url(draft)).content.decode()

    assert "Eddie Editor" in html and "(eddie)" in html
    assert "<del>on Monday.</del>" not in html  # word level, not the whole rest of the line
    assert "<del>Monday.</del>" in html and "<ins>Tuesday.</ins>" in html
    assert '<ins class="desk-tag">Local economy</ins>' in html
    assert '<del class="desk-tag">Budget</del>' in html
    assert "Body: +1 −1 words" in html
    restore = reverse("admin:articles_article_revision", args=[draft.pk, first.pk])
    assert f'href="{restore}"' in html


def test_a_reporter_is_offered_no_restore_over_a_published_story(reporter, editor, draft):
    revise(draft, editor, body="<p>Draft words.</p>")
    revise(draft, editor, body="<p>Final words.</p>")
    publishing.publish(draft, by=editor)
    assert "Restore this version" in logged_in(editor).get(history_url(draft)).content.decode()
    response = logged_in(reporter).get(history_url(draft))
    assert response.status_code == 200
    assert "<ins>Final</ins>" in response.content.decode()  # the reporter may read it
    assert "Restore this version" not in response.content.decode()


def test_the_history_page_runs_the_same_queries_however_long_the_history(
    editor, draft, count_queries, django_assert_num_queries
):
    eddie = logged_in(editor)
    for n in range(2):
        revise(draft, editor, headline=f"Take {n}", tags=[f"tag {n}"])
    few = count_queries(lambda: eddie.get(history_url(draft)))
    for n in range(2, 12):
        revise(draft, editor, headline=f"Take {n}", tags=[f"tag {n}"])
    with django_assert_num_queries(few):
        eddie.get(history_url(draft))


# Stories that arrived without the admin


def test_a_story_loaded_by_fixture_has_a_first_revision_and_a_history(admin_client, seed):
    (version,) = Version.objects.get_for_object(seed)
    assert version.revision.get_comment() == "Loaded from seed_story"
    assert version.revision.user is None
    assert version.field_dict["headline"] == seed.headline
    html = admin_client.get(history_url(seed)).content.decode()
    assert "Loaded from seed_story" in html
    assert "have a change history" not in html and "added via this admin" not in html


def test_loading_the_same_fixture_again_adds_no_revision(seed):
    call_command("loaddata", "seed_story", verbosity=0)
    assert Version.objects.get_for_object(seed).count() == 1


def test_a_fixture_that_overwrites_a_story_records_what_it_changed(seed, tmp_path):
    rows = json.loads((settings.BASE_DIR / "fixtures" / "seed_story.json").read_text())
    for row in rows:
        if row["model"] == "articles.article":
            row["fields"]["headline"] = "Putin meets al-Assad in the Kremlin"
    fixture = tmp_path / "edited.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)
    latest, first = Version.objects.get_for_object(seed)[:2]
    assert latest.revision.get_comment() == f"Loaded from {fixture}"
    snapshots = history.snapshots_of([first, latest])
    changes = history.changes_between(
        snapshots[first.pk], snapshots[latest.pk], history.Names(snapshots.values())
    )
    assert [change.name for change in changes] == ["headline"]


def test_load_seed_story_starts_the_history_of_a_seed_loaded_without_one(db):
    call_command("loaddata", "seed_story", "--no-checks", verbosity=0)
    seed = Article.objects.get(slug=SEED_SLUG)
    assert not Version.objects.get_for_object(seed).exists()
    call_command("load_seed_story", stdout=StringIO())
    assert Version.objects.get_for_object(seed).get().revision.get_comment() == (
        "Loaded from seed_story"
    )
    call_command("load_seed_story", stdout=StringIO())
    assert Version.objects.get_for_object(seed).count() == 1


def test_an_imported_story_starts_its_history_naming_the_file(db, tmp_path):
    (tmp_path / "story.txt").write_text(
        (settings.BASE_DIR / "fixtures" / "raw" / "gulan-media-putin-assad.txt").read_text()
    )
    call_command("import_story", str(tmp_path / "story.txt"), stdout=StringIO())
    story = Article.objects.get()
    assert Version.objects.get_for_object(story).get().revision.get_comment() == (
        "Imported from story.txt"
    )


# Word-level diffs


def test_a_word_diff_marks_only_the_words_that_changed():
    assert history.word_diff("The mayor resigned on Monday", "The mayor quit on Monday") == [
        ("same", "The mayor"),
        ("del", "resigned"),
        ("ins", "quit"),
        ("same", "on Monday"),
    ]


def test_a_body_is_read_as_paragraphs_headings_list_items_and_quotes():
    body = (
        "<h2>Budget</h2><p>One <strong>bold</strong> move.</p>"
        "<ul><li>First</li><li>Second</li></ul><blockquote><p>Quoted.</p></blockquote>"
    )
    assert history.blocks_of(body) == ["Budget", "One bold move.", "First", "Second", "Quoted."]
    # A body that came as plain text keeps its paragraphs at blank lines.
    assert history.blocks_of("One.\n\nTwo\nlines.") == ["One.", "Two lines."]
