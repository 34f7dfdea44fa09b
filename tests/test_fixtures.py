"""Fixtures as a public format: the documented example, loading twice, and bad input refused whole."""

import codecs
import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Author, Section, TaggedArticle
from articles.search import search_articles

EXAMPLE = settings.BASE_DIR / "fixtures" / "example_story.json"
EXAMPLE_SLUG = "harbour-ferry-returns"


def example_rows():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def article_fields(rows):
    return next(row["fields"] for row in rows if row["model"] == "articles.article")


def database_state():
    """Every row of every story table, so a refused load can be shown to have changed nothing."""
    models = [*apps.get_app_config("articles").get_models(include_auto_created=True), Tag]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def load(tmp_path, rows_or_text, name="story.json"):
    path = tmp_path / name
    text = rows_or_text if isinstance(rows_or_text, str) else json.dumps(rows_or_text)
    path.write_text(text, encoding="utf-8")
    call_command("loaddata", str(path), verbosity=0)


def test_example_fixture_loads_with_its_section_author_tags_and_dates(db):
    call_command("loaddata", "example_story", verbosity=0)
    article = Article.objects.get(slug=EXAMPLE_SLUG)
    assert article.headline == "Harbour ferry returns after a two-year pause"
    assert article.section == Section.objects.get(slug="business", name="Business")
    assert list(article.authors.values_list("name", flat=True)) == ["Amina Rahman"]
    assert sorted(t.name for t in article.tags.all()) == ["Harbour", "Local economy"]
    # Written with a +01:00 offset, stored as the same instant in UTC.
    assert article.original_published_at == datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    assert article.published_at == article.original_published_at
    assert article.display_date is None
    assert article.date_shown == article.original_published_at
    # loaddata keeps the times written, rather than stamping the moment of loading.
    assert article.created_at == datetime(2024, 5, 1, 16, 45, tzinfo=UTC)
    assert article.updated_at == datetime(2024, 5, 2, 7, 25, tzinfo=UTC)
    assert article in Article.objects.live()


def test_example_story_appears_on_the_site_with_its_tags(client, db):
    call_command("loaddata", "example_story", verbosity=0)
    page = client.get(f"/articles/{EXAMPLE_SLUG}/")
    assert page.status_code == 200
    assert "Harbour ferry returns after a two-year pause" in page.text
    tag = Tag.objects.get(name="Local economy")
    assert tag.slug == "local-economy"  # the fixture gives no slug: one is made on load
    tag_page = client.get(f"/tags/{tag.slug}/")
    assert tag_page.status_code == 200
    assert f"/articles/{EXAMPLE_SLUG}/" in tag_page.text


def test_readme_shows_the_example_fixture_as_it_is():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Fixture format", 1)[1]
    shown = re.search(r"```json\n(.*?)```", section, re.S).group(1)
    assert json.loads(shown) == example_rows()


def test_example_fixture_names_nothing_by_id():
    for row in example_rows():
        assert "pk" not in row
        fields = row["fields"]
        for name in ("section", "content_object", "tag"):
            if name in fields:
                assert isinstance(fields[name], list), (row["model"], name)
        for author in fields.get("authors", []):
            assert isinstance(author, list)


def test_loading_the_same_fixture_twice_duplicates_nothing(db):
    call_command("loaddata", "example_story", "seed_story", verbosity=0)
    before = database_state()
    call_command("loaddata", "example_story", "seed_story", verbosity=0)
    assert database_state() == before
    assert TaggedArticle.objects.filter(content_object__slug=EXAMPLE_SLUG).count() == 2
    assert Tag.objects.count() == 7


def test_loading_again_updates_the_story_in_place(db, tmp_path):
    call_command("loaddata", "example_story", verbosity=0)
    rows = example_rows()
    article_fields(rows)["headline"] = "Harbour ferry is back"
    load(tmp_path, rows)
    assert Article.objects.get(slug=EXAMPLE_SLUG).headline == "Harbour ferry is back"
    assert Article.objects.count() == 1


def test_a_tag_link_may_name_a_tag_already_in_the_database(db, tmp_path):
    call_command("loaddata", "seed_story", verbosity=0)
    rows = [row for row in example_rows() if row["model"] != "taggit.tag"]
    links = [row for row in rows if row["model"] == "articles.taggedarticle"]
    links[0]["fields"]["tag"] = ["Syria"]
    rows.remove(links[1])
    load(tmp_path, rows)
    article = Article.objects.get(slug=EXAMPLE_SLUG)
    assert [t.name for t in article.tags.all()] == ["Syria"]
    assert Tag.objects.filter(name__iexact="syria").count() == 1


def set_article(**changes):
    def change(rows):
        article_fields(rows).update(changes)

    return change


def drop_article_field(name):
    def change(rows):
        del article_fields(rows)[name]

    return change


def set_row(model, **changes):
    def change(rows):
        next(row for row in rows if row["model"] == model)["fields"].update(changes)

    return change


def duplicate_article(rows):
    copy = json.loads(json.dumps(next(row for row in rows if row["model"] == "articles.article")))
    copy["fields"]["headline"] = "A second story under the same address"
    rows.insert(5, copy)


def section_after_article(rows):
    section = rows.pop(0)
    section["fields"] = {"name": "Harbour", "slug": "harbour"}
    article_fields(rows)["section"] = ["harbour"]
    rows.append(section)


BAD_FIXTURES = {
    "malformed date": (
        set_article(original_published_at="2024-13-02T08:30:00Z"),
        ["harbour-ferry-returns", '"original_published_at"', "invalid date"],
    ),
    "unknown section": (
        set_article(section=["nowhere"]),
        ["harbour-ferry-returns", '"section"', "['nowhere']", "articles.section"],
    ),
    "unknown author": (
        set_article(authors=[["amina-rahman"], ["nobody-at-all"]]),
        ["harbour-ferry-returns", '"authors"', "['nobody-at-all']"],
    ),
    "unknown tag": (
        set_row("articles.taggedarticle", tag=["Harbor"]),
        ["articles.taggedarticle", '"tag"', "['Harbor']", "taggit.tag"],
    ),
    "unknown article in a tag link": (
        set_row("articles.taggedarticle", content_object=["no-such-story"]),
        ['"content_object"', "['no-such-story']", "articles.article"],
    ),
    "duplicate slug": (
        duplicate_article,
        ["object 6", "harbour-ferry-returns", '"slug"', "object 5"],
    ),
    "missing headline": (
        drop_article_field("headline"),
        ["harbour-ferry-returns", '"headline" is missing'],
    ),
    "empty headline": (
        set_article(headline=""),
        ["harbour-ferry-returns", '"headline"', "cannot be blank"],
    ),
    "body of only a picture": (
        set_article(body='<p><img src="ferry.jpg"></p>'),
        ["harbour-ferry-returns", '"body"', "no text once unsupported markup is removed (<img>"],
    ),
    "body of only a script": (
        set_article(body="<script>alert(1)</script>"),
        ["harbour-ferry-returns", '"body"', "(<script> removed)"],
    ),
    "naive datetime": (
        set_article(display_date="2024-05-02T08:30:00"),
        ["harbour-ferry-returns", '"display_date"', "no time zone"],
    ),
    "date without a time": (
        set_article(published_at="2024-05-02"),
        ["harbour-ferry-returns", '"published_at"', "no time zone"],
    ),
    "unknown status": (
        set_article(status="pubished"),
        ["harbour-ferry-returns", '"status"', "pubished"],
    ),
    "unknown field": (
        set_article(kicker="Exclusive"),
        ["harbour-ferry-returns", '"kicker"'],
    ),
    "unknown model": (
        lambda rows: rows.append({"model": "articles.storyy", "fields": {}}),
        ["object 8", "articles.storyy"],
    ),
    "section named after the article": (
        section_after_article,
        ["harbour-ferry-returns", '"section"', "['harbour']", "come after"],
    ),
}


@pytest.mark.parametrize("change, expected", BAD_FIXTURES.values(), ids=BAD_FIXTURES.keys())
def test_a_bad_fixture_is_refused_naming_object_and_field_and_changes_nothing(
    seed, tmp_path, change, expected
):
    before = database_state()
    rows = example_rows()
    change(rows)
    with pytest.raises(CommandError) as refused:
        load(tmp_path, rows)
    message = str(refused.value)
    for words in expected:
        assert words in message
    assert "NOT NULL" not in message
    assert database_state() == before


def test_broken_json_is_refused_with_its_line_and_changes_nothing(seed, tmp_path):
    before = database_state()
    text = EXAMPLE.read_text(encoding="utf-8").replace('"Harbour"}', '"Harbour"', 1)
    with pytest.raises(CommandError, match=r"story\.json is not valid JSON: .*line 14"):
        load(tmp_path, text)
    assert database_state() == before


def test_a_fault_only_the_database_sees_rolls_back_the_rows_before_it(seed, tmp_path):
    # "SYRIA" is a new name, so the checks let it through, but its slug is the seed's "syria":
    # the database refuses the row after the section and author before it were saved.
    before = database_state()
    rows = example_rows()
    rows.insert(2, {"model": "taggit.tag", "fields": {"name": "SYRIA"}})
    with pytest.raises(CommandError) as refused:
        load(tmp_path, rows)
    assert "taggit.tag ['SYRIA']" in str(refused.value)
    assert "slug" in str(refused.value)
    assert database_state() == before
    assert not Section.objects.filter(slug="business").exists()
    assert not Author.objects.filter(slug="amina-rahman").exists()


def test_every_fault_is_reported_at_once(db, tmp_path):
    rows = example_rows()
    article_fields(rows).update(section=["nowhere"], display_date="2024-05-02T08:30:00")
    del article_fields(rows)["headline"]
    with pytest.raises(CommandError) as refused:
        load(tmp_path, rows)
    assert "3 fault(s)" in str(refused.value)
    assert not Article.objects.exists()


def test_a_loaded_story_is_found_by_search_at_once(db, tmp_path):
    # The index is derived data kept by database triggers, which raw saves do not skip.
    call_command("loaddata", "example_story", verbosity=0)
    assert [a.slug for a in search_articles("harbour ferry")] == [EXAMPLE_SLUG]
    rows = example_rows()
    article_fields(rows)["headline"] = "Lighthouse keeper retires"
    load(tmp_path, rows)
    assert [a.slug for a in search_articles("lighthouse")] == [EXAMPLE_SLUG]
    assert list(search_articles("pause")) == []


def test_a_loaded_story_gets_its_first_revision_from_loaddata(db):
    call_command("loaddata", "example_story", verbosity=0)
    article = Article.objects.get(slug=EXAMPLE_SLUG)
    assert Version.objects.get_for_object(article).count() == 1
    # Django-reversion's own command finds nothing left to start.
    call_command("createinitialrevisions", "articles.Article", verbosity=0)
    assert Version.objects.get_for_object(article).count() == 1


def test_a_fixture_that_is_not_a_list_of_objects_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="story.json: a fixture is a JSON list of objects"):
        load(tmp_path, {"model": "articles.section", "fields": {"name": "A", "slug": "a"}})
    with pytest.raises(CommandError, match='object 1: expected an object with a "model"'):
        load(tmp_path, [["articles.section", {"name": "A", "slug": "a"}]])
    assert not Section.objects.exists()


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            set_article(section=["nowhere"]),
            "\"section\": no articles.section with natural key ['nowhere']",
        ),
        (
            set_article(display_date="2024-05-02T08:30:00"),
            "\"display_date\": '2024-05-02T08:30:00' has no time zone",
        ),
        (
            set_article(body='<img src="ferry.jpg">'),
            '"body": The body has no text once unsupported markup is removed (<img> removed)',
        ),
        (set_article(headline=""), '"headline": This field cannot be blank.'),
    ],
    ids=["unknown section", "naive datetime", "body of only a picture", "empty headline"],
)
def test_a_fixture_read_from_stdin_is_still_refused_by_name(seed, monkeypatch, change, expected):
    # stdin can be read only once, so it skips the checks in front; the rows are checked as
    # they are saved instead, and the transaction takes back the rows saved before.
    before = database_state()
    rows = example_rows()
    change(rows)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(rows)))
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", "-", format="json", verbosity=0)
    assert "articles.article ['harbour-ferry-returns']" in str(refused.value)
    assert expected in str(refused.value)
    assert database_state() == before


def test_help_says_what_this_loaddata_adds_to_djangos(capsys):
    ManagementUtility(["manage.py", "help", "loaddata"]).execute()
    shown = " ".join(capsys.readouterr().out.split())
    assert "Django's loaddata with checks added (articles/fixture_checks.py)" in shown
    assert "refused whole, naming the file, object and field" in shown
    assert "--no-checks runs Django's loaddata unchanged" in shown
    assert "--no-checks Django's own loaddata" in shown


def test_no_checks_loads_what_the_checks_refuse_as_django_would(db, tmp_path):
    rows = example_rows()
    article_fields(rows).update(headline="", body='<img src="ferry.jpg">')
    path = tmp_path / "story.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("loaddata", str(path), verbosity=0)
    call_command("loaddata", str(path), no_checks=True, verbosity=0)
    article = Article.objects.get(slug=EXAMPLE_SLUG)
    assert (article.headline, article.body) == ("", '<img src="ferry.jpg">')


def test_no_checks_lets_djangos_own_errors_through_unwrapped(seed, tmp_path):
    rows = example_rows()
    article_fields(rows)["section"] = ["nowhere"]
    path = tmp_path / "story.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    before = database_state()
    with pytest.raises(IntegrityError, match="Problem installing fixture '"):
        call_command("loaddata", str(path), no_checks=True, verbosity=0)
    assert database_state() == before


def test_no_checks_reads_files_as_django_does_byte_order_mark_and_all(db, tmp_path):
    path = tmp_path / "story.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(example_rows()).encode())
    with pytest.raises(DeserializationError):
        call_command("loaddata", str(path), no_checks=True, verbosity=0)


def test_a_hand_written_fixture_may_leave_out_when_it_was_last_updated(db, tmp_path):
    rows = example_rows()
    del article_fields(rows)["updated_at"]
    load(tmp_path, rows)
    assert Article.objects.get(slug=EXAMPLE_SLUG).updated_at is not None
