"""import_story --format ninjs: partner copy in IPTC ninjs 2.x in, drafts out; what we export
imports back equal; a bad file is named by item and field and leaves nothing behind."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from api.ninjs import to_ninjs
from articles.models import Article, Section
from articles.wire import DEFAULT_SECTION, at_noon
from tests.conftest import SEED_SLUG
from tests.test_fixtures import database_state
from tests.test_import_story import import_story

DATA = Path(__file__).parent / "data" / "ninjs"


def import_ninjs(*paths, **options):
    return import_story(*paths, format="ninjs", **options)


# A host with a dot: a page address on it is a web address by Django's URLValidator, as
# "testserver" is not.
HOST = "newsroom.example"


@pytest.fixture(autouse=True)
def _host(settings):
    settings.ALLOWED_HOSTS = [HOST]


def exported(article, tmp_path, name="story.json"):
    """The story as the API sends it in ninjs, written to a file."""
    stories = Article.objects.for_listing().with_names().with_corrections()
    request = RequestFactory(SERVER_NAME=HOST).get("/")
    item = to_ninjs(stories.get(pk=article.pk), request=request)
    path = tmp_path / name
    path.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    return path


def what_readers_get(article):
    return {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "byline": article.byline,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "section": article.section.name,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "original_published_at": article.original_published_at,
        "display_date": article.display_date,
    }


# Round trip -----------------------------------------------------------------------------


def test_the_seed_story_exported_as_ninjs_imports_back_equal(seed, tmp_path):
    before = what_readers_get(seed)
    path = exported(seed, tmp_path)
    seed.delete()  # an exported story of ours is recognised by its guid and skipped
    out, failed = import_ninjs(path)
    assert failed is None, out
    article = Article.objects.get()
    assert what_readers_get(article) == before
    assert article.status == Article.Status.DRAFT and article.guid != seed.guid


def test_syndicated_copy_with_a_standfirst_and_a_source_address_imports_back_equal(
    make_article, tmp_path
):
    original = make_article(
        headline="Flood defences hold as the river peaks",
        slug="flood-defences-hold-as-the-river-peaks",
        standfirst="The barrier held overnight; “no homes” were flooded.",
        body=(
            "<p>The river peaked at <strong>4.2 metres</strong>.</p>\n"
            '<ul><li>Read <a href="https://partner.example/live">the live page</a>.</li></ul>'
        ),
        byline="Partner Wire staff",
        source_name="Partner Wire",
        source_url="https://partner.example/news/flood-defences",
        tags=["Floods", "Weather", "Café culture"],
        original_published_at=datetime(2026, 11, 28, 8, 15, tzinfo=UTC),
        display_date=datetime(2026, 11, 29, 7, 0, tzinfo=UTC),
    )
    before = what_readers_get(original)
    path = exported(original, tmp_path)
    original.delete()
    out, failed = import_ninjs(path)
    assert failed is None, out
    assert what_readers_get(Article.objects.get()) == before


def test_a_story_of_our_own_imported_by_a_partner_names_us_as_its_source(make_article, tmp_path):
    ours = make_article(headline="Our own scoop")
    page = f"http://{HOST}{ours.get_absolute_url()}"
    path = exported(ours, tmp_path)
    ours.delete()
    import_ninjs(path)
    copy = Article.objects.get()
    assert copy.source_name == settings.NEWSROOM_NAME
    assert copy.source_url == page


def test_our_own_story_coming_back_is_skipped_by_its_guid(make_article, tmp_path):
    ours = make_article(headline="Our own scoop")
    path = exported(ours, tmp_path)
    ours.headline = "Our own scoop, retitled"  # not found by headline: by its guid
    ours.save()
    out, failed = import_ninjs(path)
    assert f"skipped: already imported as /articles/{ours.slug}/" in out
    assert Article.objects.count() == 1


# Partner copy ---------------------------------------------------------------------------


def test_partner_copy_in_ninjs_2_is_imported_as_a_draft(db):
    out, failed = import_ninjs(DATA / "good" / "partner-ninjs-2.json")
    assert failed is None, out
    article = Article.objects.get()
    assert article.headline == "Flood defences hold as the river peaks"  # role main, squashed
    assert article.standfirst == "The barrier held overnight."  # HTML description as text
    # The partner's picture is theirs: it goes whole, caption and all.
    assert article.body == "<p>The river peaked at 4.2 metres.</p><p>No homes were flooded.</p>"
    assert article.byline == "Partner Wire staff"
    assert sorted(t.name for t in article.tags.all()) == ["Floods", "Weather"]  # once each
    assert article.section.name == DEFAULT_SECTION
    # The info source, not the copyright holder, is where the story first ran.
    assert article.source_name == "Partner Wire"
    assert article.source_url == "https://partner.example/news/2026/11/flood-defences"
    # contentcreated wins as the original date; firstcreated, which differs, is the date shown.
    assert article.original_published_at == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    assert article.display_date == datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert "item 1 ('Flood defences hold as the river peaks'): imported as a draft: " in out


def test_a_plain_text_body_becomes_escaped_paragraphs_and_a_bare_day_noon(db):
    out, failed = import_ninjs(DATA / "good" / "plain-text-body.json")
    assert failed is None, out
    article = Article.objects.get()
    assert article.body == (
        "<p>Café owners in Hewlêr say &lt;bookings&gt; are up.</p>\n"
        "<p>A second paragraph, over two lines.</p>"
    )
    assert article.slug == "café-owners-welcome-the-first-tourists-of-summer"
    assert article.original_published_at == at_noon(datetime(2026, 6, 3).date())
    assert article.display_date is None
    # No info source: the copyright holder is the source; a urn: uri is no address.
    assert article.source_name == "Kurdistan Wire" and article.source_url == ""
    assert article.byline == ""


def test_a_list_of_items_in_ninjs_1_shape_imports_each(db):
    out, failed = import_ninjs(DATA / "good" / "ninjs-1-fields.json")
    assert failed is None, out
    opened, closed = Article.objects.order_by("original_published_at")
    assert opened.headline == "Markets open higher"
    assert opened.body == "<p>Shares rose in early trading.</p>"
    assert opened.standfirst == "A calm start."
    assert opened.byline == "Markets desk"
    assert closed.body == "<p>Shares fell in late trading.</p>"
    assert closed.section.name == "Business"
    assert [t.name for t in closed.tags.all()] == ["Markets"]
    assert "2 imported, 0 skipped, 0 refused" in out


def test_a_folder_imports_its_json_files_only(db, tmp_path):
    for path in (DATA / "good").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "notes.txt").write_text("Not ninjs.", encoding="utf-8")
    out, failed = import_ninjs(tmp_path)
    assert failed is None, out
    assert Article.objects.count() == 4


# Refusals -------------------------------------------------------------------------------

REFUSED = {
    "invalid-json.json": "not JSON: Expecting ',' delimiter at line 4, column 3",
    "empty-list.json": "the file holds an empty list: no story",
    "not-an-item.json": "item 2 is not a JSON object",
    "no-headline.json": "item 1, headlines: no headline",
    "no-body.json": "item 1, bodies: no body",
    "markup-only-body.json": "item 1 ('A story'), bodies: The body has no text",
    "impossible-date.json": "item 1, contentcreated: '2026-02-30T07:00:00Z' is not a date",
    "date-without-offset.json": "item 1, firstcreated: '2026-11-27T07:00:00' has no time zone",
    "no-date.json": "item 1, contentcreated: no original date",
    "bad-second-item.json": "item 2, firstcreated: expected an ISO 8601 date and time",
    "control-character.json": "item 1, by: contains U+001B at character 5",
    "headline-too-long.json": "headlines: 'Breaking: very very very very very very '… is 323 "
    "characters long; at most 300 fit",
    "tag-too-long.json": "item 1 ('A story'), subjects: 'tttttttttttttttttttttttttttttttttttttttt'… "
    "is 101 characters long; at most 100 fit",
    "source-not-a-web-address.json": "item 1 ('A story'), uri: 'https://exa mple.org/story' is "
    "not a web address",
}


def test_every_refusal_has_a_file():
    assert sorted(p.name for p in (DATA / "bad").glob("*.json")) == sorted(REFUSED)


@pytest.mark.parametrize("name", REFUSED)
def test_a_bad_file_is_refused_naming_item_and_field_and_nothing_from_it_is_kept(seed, name):
    before = database_state()
    out, failed = import_ninjs(DATA / "bad" / name)
    assert f"{name}: refused: " in out and REFUSED[name] in out, out
    assert "nothing from this file was imported" in out
    assert failed and "1 refused" in failed
    assert database_state() == before


def test_good_files_are_imported_and_bad_ones_named_in_one_run(db):
    out, failed = import_ninjs(DATA / "bad", DATA / "good")
    assert Article.objects.count() == 4
    assert failed.startswith(f"4 imported, 0 skipped, {len(REFUSED)} refused")
    # The good first item of a refused file made neither its story, its section nor its tag.
    assert not Article.objects.filter(headline="A good first story").exists()
    assert not Section.objects.filter(name="Fresh section").exists()


def test_a_story_already_here_is_skipped_and_the_rest_of_the_file_imported(seed, tmp_path):
    again = {
        "uri": "https://gulan.example/putin",
        "headlines": [{"value": seed.headline.upper()}],  # any case
        "bodies": [{"contenttype": "text/html", "value": "<p>The same story.</p>"}],
        "contentcreated": "2021-09-14T20:00:00+00:00",  # the same day, another hour
    }
    fresh = {**again, "headlines": [{"value": "Another story"}]}
    path = tmp_path / "two.json"
    path.write_text(json.dumps([again, fresh, fresh]), encoding="utf-8")
    out, failed = import_ninjs(path)
    assert failed is None, out
    assert f"item 1 ('{seed.headline.upper()[:60]}'): skipped: already imported as " in out
    assert f"/articles/{SEED_SLUG}/" in out
    assert "item 3 ('Another story'): skipped: already imported earlier in this run" in out
    assert "1 imported, 2 skipped, 0 refused" in out
    assert Article.objects.count() == 2


def test_dry_run_reports_and_changes_nothing(seed):
    before = database_state()
    out, failed = import_ninjs(DATA / "good" / "ninjs-1-fields.json", dry_run=True)
    assert failed is None
    assert "item 2 ('Markets close lower'): would import as a draft" in out
    assert "2 would be imported, 0 skipped, 0 refused (dry run: nothing was changed)" in out
    assert database_state() == before


def test_publish_puts_the_story_live_now_and_keeps_the_original_date(db):
    start = timezone.now()
    out, failed = import_ninjs(DATA / "good" / "partner-ninjs-2.json", publish=True)
    assert failed is None, out
    article = Article.objects.live().get()
    assert article.published_at >= start - timedelta(seconds=1)
    assert article.original_published_at == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    assert "imported as a published" in out


def test_a_picture_option_is_refused_for_ninjs(db, tmp_path):
    out, failed = import_ninjs(
        DATA / "good" / "partner-ninjs-2.json", image=str(tmp_path / "a.jpg")
    )
    assert failed and "--image is for text copy" in failed
    assert not Article.objects.exists()


def test_json_nested_too_deeply_to_read_is_refused_not_a_crash(db, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out, failed = import_ninjs(path)
    assert "deep.json: refused: not ninjs: JSON nested too deeply to read" in out
    assert failed and "1 refused" in failed


def test_a_null_optional_field_counts_as_absent(db, tmp_path):
    item = {
        "headlines": [{"role": "main", "value": "A story"}],
        "bodies": [{"contenttype": "text/html", "value": "<p>Text</p>"}],
        "firstcreated": "2026-11-27T07:00:00Z",
        "by": None,
        "copyrightholder": None,
    }
    path = tmp_path / "nulls.json"
    path.write_text(json.dumps(item), encoding="utf-8")
    out, failed = import_ninjs(path)
    assert failed is None, out
    article = Article.objects.get()
    assert article.byline == "" and article.source_name == ""


# Odd items: each a refusal naming the item and the field, never a traceback -----------

GOOD_ITEM = {
    "headlines": [{"role": "main", "value": "A story"}],
    "bodies": [{"contenttype": "text/html", "value": "<p>Some words.</p>"}],
    "contentcreated": "2021-09-14T11:00:00Z",
}


def import_items(tmp_path, *items, **options):
    path = tmp_path / "items.json"
    path.write_text(json.dumps(list(items)), encoding="utf-8")
    return import_ninjs(path, **options)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # Dates UTC or our zone cannot hold, though the calendar has them.
        ({"contentcreated": "0001-01-01T00:00:00+05:00"}, "item 2, contentcreated: "),
        ({"contentcreated": "9999-12-31T23:00:00-05:00"}, "item 2, contentcreated: "),
        ({"firstcreated": "0001-01-01T00:00:00+14:00"}, "item 2, firstcreated: "),
        # A body with no words at all, not even markup.
        (
            {"bodies": [{"contenttype": "text/html", "value": ""}]},
            "item 2 ('Another story'), bodies: ",
        ),
        (
            {"bodies": [{"contenttype": "text/html", "value": None}]},
            "item 2 ('Another story'), bodies: ",
        ),
        (
            {"bodies": [{"contenttype": "text/plain", "value": " \n "}]},
            "item 2 ('Another story'), bodies",
        ),
        ({"bodies": [], "body_text": ""}, "item 2 ('Another story'), bodies: "),
        # A section named by white space alone.
        ({"subjects": [{"rel": "section", "name": " \n "}]}, "item 2, subjects: "),
        # What the message quotes of a huge value is cut.
        ({"contentcreated": "2" * 100_000}, "item 2, contentcreated: '222"),
        ({"contentcreated": list(range(10_000))}, "item 2, contentcreated: expected an ISO"),
    ],
)
def test_an_odd_item_is_refused_naming_its_field(db, tmp_path, change, said):
    other = {**GOOD_ITEM, "headlines": [{"value": "Another story"}], **change}
    out, failed = import_items(tmp_path, GOOD_ITEM, other)
    assert f"refused: {said}" in out, out
    assert failed and "1 refused" in failed
    assert max(len(line) for line in out.splitlines()) < 400
    assert not Article.objects.exists() and not Section.objects.exists()


def test_line_breaks_in_a_headline_byline_or_tag_become_spaces(db, tmp_path):
    item = {
        **GOOD_ITEM,
        "headlines": [{"value": "Storm\nwarning\r\n for\u2028Leeds"}],
        "by": "Ann\nWriter",
        "subjects": [{"name": "Bad\nweather"}, {"rel": "section", "name": "Local\nnews"}],
        "copyrightholder": "Leeds\nPress",
    }
    out, failed = import_items(tmp_path, item)
    assert failed is None, out
    article = Article.objects.get()
    assert article.headline == "Storm warning for Leeds"
    assert article.byline == "Ann Writer" and article.source_name == "Leeds Press"
    assert [tag.name for tag in article.tags.all()] == ["Bad weather"]
    assert article.section.name == "Local news"
