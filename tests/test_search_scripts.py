"""Search in every script (issue 17): a Sorani, Arabic or Persian word is found on SQLite and
PostgreSQL, and a reader's spelling variant finds it (articles/scripts.py folds both the
stories, in the index triggers of migration 0019, and the query)."""

from importlib import import_module

import pytest
from django.db import connection

from articles.scripts import FOLDS, fold, fold_sql
from articles.search import rebuild_index, search_terms
from tests.test_bulk_load import load

# "Parliament of Kurdistan meets in Erbil in 2024", as a Sorani newsroom writes it.
SORANI_HEADLINE = "پەرلەمانی کوردستان لە هەولێر کۆدەبێتەوە"
SORANI_BODY = "<p>دانیشتنی ساڵی 2024 لە هەولێر دەستی پێکرد.</p>"


def found(client, query):
    return list(client.get("/search/", {"q": query}).context["articles"])


@pytest.fixture
def sorani(make_article):
    return make_article(headline=SORANI_HEADLINE, body=SORANI_BODY, language="ckb")


# --- the fold itself ---------------------------------------------------------------------------


def test_spelling_variants_fold_to_the_form_the_index_keeps():
    assert fold("كوردستان") == "کوردستان"  # Arabic kaf
    assert fold("پەرلەماني") == "پەرلەمانی"  # Arabic yeh
    assert fold("کوردستـــان") == "کوردستان"  # tatweel
    assert fold("کُوردِستان") == "کوردستان"  # harakat
    assert fold("ھەولێر") == "هەولێر"  # Sorani h written with heh doachashmee
    assert fold("الإمارات") == "الامارات"
    assert fold("۲۰۲۴ ٢٠٢٤") == "2024 2024"
    assert fold("کتاب‌ها") == "کتاب ها"  # a zero-width non-joiner parts the word


def test_no_folded_form_is_folded_again():
    # What lets PostgreSQL's one translate() and SQLite's chain of replace() agree with
    # str.translate, whatever order the chain runs in.
    assert not set(FOLDS.values()) & set(FOLDS)


def test_sorani_letters_of_their_own_stay_apart():
    # ە "e" is not ه "h", ێ "ê" is not ی "y": folding them would make words equal that differ.
    assert fold("هەولێر") != fold("ههولیر")
    assert fold("دێ") != fold("دی")


@pytest.mark.django_db
def test_the_database_folds_every_character_as_python_does():
    text = "".join(FOLDS) + " کوردستان 2024"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {fold_sql('CAST(%s AS text)', vendor=connection.vendor)}", [text])
        assert cursor.fetchone()[0] == fold(text)


def test_a_query_with_vowel_marks_stays_one_word():
    assert search_terms("کُوردِستان هەولێر") == ["کوردستان", "هەولێر"]


# --- search finds Arabic-script words with their variants -------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "کوردستان",
        "كوردستان",  # Arabic kaf for keheh
        "پەرلەماني",  # Arabic yeh for Sorani yeh
        "کوردستـــان",  # tatweel
        "کُوردِستان",  # harakat
        "ھەولێر",  # heh doachashmee
        "هەولێر ۲۰۲۴",  # Persian digits for the year
        "هەولێر ٢٠٢٤",  # Arabic-Indic digits
    ],
)
def test_a_sorani_story_is_found_by_a_readers_spelling(client, sorani, make_article, query):
    make_article(headline="سلێمانی", body="<p>ڕاپۆرت</p>", language="ckb")
    assert found(client, query) == [sorani]


def test_a_story_written_with_variants_is_found_by_the_usual_spelling(client, make_article):
    story = make_article(headline="كوردستان", body="<p>ساڵی ۲۰۲۴</p>", language="ckb")
    assert found(client, "کوردستان") == [story]
    assert found(client, "2024") == [story]


def test_an_arabic_story_is_found_without_its_hamza_or_teh_marbuta(client, make_article):
    story = make_article(headline="زيارة رسمية إلى الإمارات", language="ar")
    assert found(client, "الامارات") == [story]
    assert found(client, "زياره رسميه") == [story]


def test_a_persian_compound_is_found_by_its_first_part(client, make_article):
    story = make_article(headline="کتاب‌های تازه در تهران", language="fa")
    assert found(client, "کتاب") == [story]
    assert found(client, "کتاب های") == [story]


def test_tags_in_arabic_script_are_folded_too(client, make_article):
    story = make_article(tags=["كوردستان"], language="ckb")
    assert found(client, "کوردستان") == [story]


def test_a_mixed_script_headline_is_found_by_either_part(client, make_article):
    story = make_article(headline="Erbil هەولێر talks")
    assert found(client, "erbil") == [story]
    assert found(client, "هەولێر") == [story]
    assert found(client, "talk هەولێر") == [story]


def test_english_words_are_still_stemmed(client, make_article):
    story = make_article(headline="Election day in Erbil")
    assert found(client, "elections") == [story]


def test_a_different_word_is_not_found(client, sorani):
    assert found(client, "سلێمانی") == []
    assert found(client, "ههولیر") == []  # ه for ە and ی for ێ: other letters in Sorani
    assert found(client, "کوردستان 2023") == []


def test_an_arabic_script_query_costs_what_a_latin_one_does(
    client, sorani, make_article, count_queries
):
    make_article(headline="Erbil talks")
    found(client, "erbil")  # the menu and the stamps, kept for a while
    latin = count_queries(lambda: found(client, "erbil"))
    assert count_queries(lambda: found(client, "كوردستـان")) == latin


# --- every way a story reaches the index -----------------------------------------------------


def test_stories_loaded_in_bulk_are_folded(client, db, tmp_path):
    rows = [
        {"model": "articles.section", "fields": {"name": "News", "slug": "news"}},
        {"model": "taggit.tag", "fields": {"name": "هەڵبژاردن"}},
        {
            "model": "articles.article",
            "fields": {
                "headline": "پەرلەماني كوردستان",
                "slug": "parliament",
                "body": "<p>ساڵی ۲۰۲۴</p>",
                "section": ["news"],
                "language": "ckb",
                "status": "published",
                "original_published_at": "2024-05-02T08:30:00Z",
                "published_at": "2024-05-02T08:30:00Z",
            },
        },
        {
            "model": "articles.taggedarticle",
            "fields": {"content_object": ["parliament"], "tag": ["هەڵبژاردن"]},
        },
    ]
    load(tmp_path, rows)
    assert [a.slug for a in found(client, "پەرلەمانی کوردستان 2024")] == ["parliament"]
    assert [a.slug for a in found(client, "هەڵبژاردن")] == ["parliament"]


def test_the_migration_folds_stories_indexed_before_it(client, make_article):
    migration = import_module("articles.migrations.0019_arabic_script_search")
    # Not entered as a context manager: only execute() is used, and SQLite refuses to enter
    # a schema editor inside the test's transaction.
    editor = connection.schema_editor()
    migration.install(folded=False)(None, editor)
    story = make_article(headline="كوردستان", language="ckb")
    assert found(client, "کوردستان") == []  # indexed as written, before 0019
    migration.install(folded=True)(None, editor)
    assert found(client, "کوردستان") == [story]


def test_rebuilding_the_index_keeps_stories_folded(client, sorani):
    rebuild_index()
    assert found(client, "كوردستان") == [sorani]
