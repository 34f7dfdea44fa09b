"""import_story in more than one language (issue 17): text copy takes --language, a ninjs
item says its own (a BCP 47 tag matched to the site's codes), and what we export in one
language imports back in it."""

import json

import pytest

from articles.models import Article
from tests.test_fixtures import database_state
from tests.test_import_ninjs import exported, import_ninjs
from tests.test_import_story import import_story

# Wire copy in Sorani: the credit line's date is the format's own (English month names).
SORANI_COPY = """\
پوتین لە مۆسکۆ پێشوازی لە Bashar al-Assad دەکات

Gulan Media September 14, 2021 News

سەرۆکی ڕووسیا Vladimir Putin لە مۆسکۆ پێشوازی لە سەرۆکی سووریا کرد.
"""
KNOWN = "en, ckb, kmr, ar, fa, tr"


@pytest.fixture(autouse=True)
def _host(settings):
    settings.ALLOWED_HOSTS = ["newsroom.example"]


def copy(tmp_path, text=SORANI_COPY, name="sorani.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ninjs_item(tmp_path, **fields):
    item = {
        "uri": "https://partner.example/news/1",
        "headlines": [{"role": "main", "value": "A partner story"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Words.</p>"}],
        "contentcreated": "2026-11-27T07:00:00Z",
        **fields,
    }
    path = tmp_path / "item.json"
    path.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    return path


# Text copy: --language -------------------------------------------------------------------


def test_text_copy_is_imported_in_the_language_given(db, tmp_path):
    out, failed = import_story(copy(tmp_path), language="ckb")
    assert failed is None, out
    article = Article.objects.get()
    assert article.language == "ckb"
    assert article.headline.startswith("پوتین لە مۆسکۆ")
    assert "imported as a draft: " in out and ", in کوردی (ckb)" in out


def test_text_copy_is_in_the_site_language_unless_told(db, tmp_path):
    out, failed = import_story(copy(tmp_path))
    assert failed is None, out
    assert Article.objects.get().language == "en"
    assert "(en)" not in out  # the site's own language goes without saying


@pytest.mark.parametrize("given, stored", [("CKB", "ckb"), ("en-GB", "en"), ("ar-IQ", "ar")])
def test_language_is_matched_without_case_and_a_region_falls_back_to_the_language(
    db, tmp_path, given, stored
):
    out, failed = import_story(copy(tmp_path), language=given)
    assert failed is None, out
    assert Article.objects.get().language == stored


def test_a_language_the_site_does_not_have_is_refused_before_any_file_is_read(db, tmp_path):
    missing = tmp_path / "not-there.txt"  # reading it would be refused otherwise
    before = database_state()
    out, failed = import_story(missing, copy(tmp_path), language="de")
    assert failed == (
        f"--language 'de' is not one of this site's languages ({KNOWN}; "
        "NEWSROOM_LANGUAGES). Nothing was read."
    )
    assert out == ""
    assert database_state() == before


def test_a_dry_run_says_the_language(db, tmp_path):
    out, failed = import_story(copy(tmp_path), language="ckb", dry_run=True)
    assert failed is None, out
    assert "would import as a draft: " in out and ", in کوردی (ckb)" in out
    assert not Article.objects.exists()


# ninjs: the item's `language` -------------------------------------------------------------


@pytest.mark.parametrize(
    "tag, stored", [("ckb", "ckb"), ("en-GB", "en"), ("CKB-iq", "ckb"), ("ar", "ar")]
)
def test_a_ninjs_item_is_imported_in_its_own_language(db, tmp_path, tag, stored):
    out, failed = import_ninjs(ninjs_item(tmp_path, language=tag))
    assert failed is None, out
    assert Article.objects.get().language == stored


def test_an_item_without_a_language_takes_the_one_given_else_the_site_language(db, tmp_path):
    out, failed = import_ninjs(ninjs_item(tmp_path, language=None), language="kmr")
    assert failed is None, out
    assert Article.objects.get().language == "kmr"
    Article.objects.all().delete()
    import_ninjs(ninjs_item(tmp_path))
    assert Article.objects.get().language == "en"


def test_the_items_own_language_wins_over_the_one_given(db, tmp_path):
    out, failed = import_ninjs(ninjs_item(tmp_path, language="ar"), language="ckb")
    assert failed is None, out
    assert Article.objects.get().language == "ar"


@pytest.mark.parametrize(
    "language, said",
    [
        ("de", f"item 1, language: 'de' is not one of this site's languages ({KNOWN})"),
        ("ku-Latn", f"item 1, language: 'ku-Latn' is not one of this site's languages ({KNOWN})"),
        (42, "item 1, language: expected text, found int"),
    ],
)
def test_an_item_in_a_language_the_site_does_not_have_is_refused_naming_item_and_field(
    db, tmp_path, language, said
):
    before = database_state()
    out, failed = import_ninjs(ninjs_item(tmp_path, language=language))
    assert said in out, out
    assert failed and "1 refused" in failed
    assert database_state() == before


def test_a_sorani_story_exported_as_ninjs_imports_back_in_sorani(make_article, tmp_path):
    story = make_article(
        headline="پوتین لە مۆسکۆ پێشوازی لە Bashar al-Assad دەکات",
        slug="پوتین-ئەسەد",
        body="<p>سەرۆکی ڕووسیا <strong>Vladimir Putin</strong> لە مۆسکۆ.</p>",
        language="ckb",
    )
    path = exported(story, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["language"] == "ckb"
    before = (story.headline, story.body)
    story.delete()
    out, failed = import_ninjs(path)
    assert failed is None, out
    back = Article.objects.get()
    assert back.language == "ckb"
    assert (back.headline, back.body) == before
