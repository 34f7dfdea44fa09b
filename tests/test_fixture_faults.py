"""Fixtures that once slipped past the check: each is refused by name before anything is written.

Too deep a nesting, an id too large for the database, characters XML and PostgreSQL cannot
carry, and a file saved with a byte-order mark (which is simply read).
"""

import codecs
import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Section
from tests.test_fixtures import EXAMPLE_SLUG, article_fields, database_state, example_rows, load


def refused(tmp_path, rows_or_text):
    """The message of a refused load, once shown to have changed nothing."""
    before = database_state()
    with pytest.raises(CommandError) as refusal:
        load(tmp_path, rows_or_text)
    assert database_state() == before
    return str(refusal.value)


def test_json_nested_too_deep_is_refused_naming_the_file(seed, tmp_path):
    message = refused(tmp_path, "[" * 200_000 + "]" * 200_000)
    assert "story.json is nested too deeply" in message


def test_a_fixture_in_another_encoding_is_refused_as_not_utf8(seed, tmp_path):
    # json.loads() would guess UTF-16 from the bytes; Django's loader reads UTF-8 only.
    before = database_state()
    path = tmp_path / "story.json"
    path.write_bytes(json.dumps(example_rows(), ensure_ascii=False).encode("utf-16"))
    with pytest.raises(CommandError, match=r"story\.json is not UTF-8 text \(byte 0\)"):
        call_command("loaddata", str(path), verbosity=0)
    assert database_state() == before


@pytest.mark.parametrize(
    "value, kind",
    [(["Harbour ferry"], "a list"), ({"en": "Harbour ferry"}, "an object")],
    ids=["list", "object"],
)
def test_a_list_or_object_where_one_value_belongs_is_refused_not_stored_as_its_repr(
    seed, tmp_path, value, kind
):
    # Django would store ['Harbour ferry'] as the headline; a list nested a few hundred deep
    # would also make turning it into text recurse past Python's limit.
    rows = example_rows()
    article_fields(rows)["headline"] = value
    message = refused(tmp_path, rows)
    assert f"articles.article ['{EXAMPLE_SLUG}']" in message
    assert f'"headline": expected a single value, not {kind}' in message


@pytest.mark.parametrize("pk", [10**30, -(10**30)], ids=["huge", "hugely-negative"])
def test_an_id_too_large_for_the_database_is_refused_naming_the_object(seed, tmp_path, pk):
    rows = [{"model": "articles.section", "pk": pk, "fields": {"name": "Harbour", "slug": "h"}}]
    message = refused(tmp_path, rows)
    assert "story.json, object 1 (articles.section ['h'])" in message
    assert '"pk": Ensure this value is' in message


def test_a_reference_by_an_id_too_large_is_refused_naming_the_field(seed, tmp_path):
    article = next(row for row in example_rows() if row["model"] == "articles.article")
    article["fields"].update(section=10**30, authors=[10**30])
    message = refused(tmp_path, [article])
    assert f'"section": no articles.section with id {10**30}' in message
    assert f'"authors": no articles.author with id {10**30}' in message


@pytest.mark.parametrize(
    "field, value",
    [("section", [["business"]]), ("authors", [[["amina-rahman"]]])],
    ids=["foreign key", "many-to-many"],
)
def test_a_natural_key_made_of_lists_is_refused_naming_the_field(seed, tmp_path, field, value):
    rows = example_rows()
    article_fields(rows)[field] = value
    message = refused(tmp_path, rows)
    assert f'"{field}": {value[0] if field == "authors" else value} is not a natural key' in message


@pytest.mark.parametrize("pk", [str(10**30), "1" * 40], ids=["huge", "forty-digits"])
def test_an_id_written_as_a_huge_number_in_a_string_is_refused(seed, tmp_path, pk):
    rows = [{"model": "articles.section", "pk": pk, "fields": {"name": "Harbour", "slug": "h"}}]
    assert '"pk": Ensure this value is less than or equal to' in refused(tmp_path, rows)


def test_a_fixture_starting_with_a_byte_order_mark_is_read(db, tmp_path):
    # Windows editors save UTF-8 with a byte-order mark; it is not part of the JSON.
    path = tmp_path / "story.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(example_rows(), ensure_ascii=False).encode())
    call_command("loaddata", str(path), verbosity=0)
    assert Article.objects.get(slug=EXAMPLE_SLUG).section.slug == "business"


def test_a_compressed_fixture_with_a_byte_order_mark_is_read(db, tmp_path):
    import gzip

    path = tmp_path / "story.json.gz"
    path.write_bytes(gzip.compress(codecs.BOM_UTF8 + json.dumps(example_rows()).encode()))
    call_command("loaddata", str(path), verbosity=0)
    assert Article.objects.filter(slug=EXAMPLE_SLUG).exists()


def set_field(model, field, value):
    def change(rows):
        next(row for row in rows if row["model"] == model)["fields"][field] = value

    return change


UNCARRIABLE = {
    "NUL in a headline": (
        set_field("articles.article", "headline", "Harbour\x00ferry"),
        f"articles.article ['{EXAMPLE_SLUG}']",
        '"headline": contains U+0000 at character 8',
    ),
    "NUL in a body": (
        set_field("articles.article", "body", "<p>Ferry\x00</p>"),
        f"articles.article ['{EXAMPLE_SLUG}']",
        '"body": contains U+0000 at character 9',
    ),
    "escape character in a standfirst": (
        set_field("articles.article", "standfirst", "\x1b[31mred"),
        f"articles.article ['{EXAMPLE_SLUG}']",
        '"standfirst": contains U+001B at character 1',
    ),
    "NUL in a section name": (
        set_field("articles.section", "name", "Busi\x00ness"),
        "articles.section ['business']",
        '"name": contains U+0000',
    ),
    "NUL in an author name": (
        set_field("articles.author", "name", "Amina\x00"),
        "articles.author ['amina-rahman']",
        '"name": contains U+0000',
    ),
    "non-character in a tag name": (
        lambda rows: rows.append({"model": "taggit.tag", "fields": {"name": "Ferry\ufffe"}}),
        "object 8 (taggit.tag",
        '"name": contains U+FFFE',
    ),
    "lone surrogate in a byline": (
        set_field("articles.article", "byline", "Staff \ud800"),
        f"articles.article ['{EXAMPLE_SLUG}']",
        '"byline": contains U+D800',
    ),
}


@pytest.mark.parametrize("change, where, expected", UNCARRIABLE.values(), ids=UNCARRIABLE.keys())
def test_a_character_xml_and_postgresql_cannot_carry_is_refused_by_object_and_field(
    seed, tmp_path, change, where, expected
):
    rows = example_rows()
    change(rows)
    message = refused(tmp_path, rows)
    assert where in message
    assert expected in message


def test_tab_newline_and_carriage_return_are_kept(db, tmp_path):
    rows = example_rows()
    article_fields(rows)["standfirst"] = "Line one\r\n\tline two"
    load(tmp_path, rows)
    assert Article.objects.get().standfirst == "Line one\r\n\tline two"


def test_a_nul_in_a_fixture_read_from_stdin_is_refused_by_object_and_field(seed, monkeypatch):
    before = database_state()
    rows = example_rows()
    article_fields(rows)["headline"] = "Harbour\x00ferry"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(rows)))
    with pytest.raises(CommandError) as refusal:
        call_command("loaddata", "-", format="json", verbosity=0)
    assert f"articles.article ['{EXAMPLE_SLUG}']: field \"headline\": contains U+0000" in str(
        refusal.value
    )
    assert database_state() == before
    assert not Section.objects.filter(slug="business").exists()
