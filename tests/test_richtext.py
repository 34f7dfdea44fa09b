import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django_prose_editor.config import allowlist_from_extensions
from hypothesis import given
from hypothesis import strategies as st

from articles.models import Article
from articles.sanitize import ALLOWED_TAGS, clean_body

# What the issue asks the toolbar to offer, as HTML: paragraphs (and Shift+Enter's line
# break), subheadings, bold, italic, links, both kinds of list, block quotes, and a picture
# from the library (a reference the page expands: tests/test_photos_inline.py).
STORY_MARKUP = set("p br h2 h3 strong em a ul ol li blockquote figure".split())

# Every tag as the editor (Tiptap) writes it.
EDITOR_OUTPUT = (
    "<h2>Subheading</h2><h3>Smaller one</h3>"
    '<p>A <strong>bold</strong>, an <em>italic</em> and a <a href="https://example.org/" '
    'title="Example">link</a>.<br>After a line break.</p>'
    "<ul><li><p>Bulleted</p></li></ul><ol><li><p>Numbered</p></li></ol>"
    "<blockquote><p>Quoted</p></blockquote>"
    '<figure data-image="photos/2026/11/flood.jpg" data-caption="Here"></figure>'
)

PLAIN_TEXT = "First paragraph.\n\nSecond paragraph,\nwrapped.\r\n\r\nThird & last."
PARAGRAPHS = ["First paragraph.", "Second paragraph,\nwrapped.", "Third &amp; last."]


def editor_config(admin_client):
    """The extensions the body's widget is configured with, as the admin renders them."""
    html = admin_client.get("/admin/articles/article/add/").content.decode()
    attribute = re.search(r'id="id_body" data-django-prose-editor-newsroom="([^"]*)"', html)
    return json.loads(attribute[1].replace("&quot;", '"').replace("&amp;", "&"))


def test_the_toolbar_offers_exactly_the_markup_the_sanitizer_keeps(admin_client):
    offered = allowlist_from_extensions(editor_config(admin_client)["extensions"])["tags"]
    assert offered == STORY_MARKUP
    assert ALLOWED_TAGS == offered


def test_nothing_the_editor_writes_is_lost_on_save():
    cleaned = clean_body(EDITOR_OUTPUT)
    assert set(re.findall(r"<([a-z0-9]+)", cleaned)) == ALLOWED_TAGS
    assert 'href="https://example.org/"' in cleaned and 'title="Example"' in cleaned


def test_the_editor_is_served_from_our_own_static_files(admin_client):
    html = admin_client.get("/admin/articles/article/add/").content.decode()
    import_map = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html)[1])
    addresses = [
        *import_map["imports"].values(),
        *re.findall(r'<script src="([^"]*)"[^>]*type="module"', html),
        *re.findall(r'<link href="([^"]*(?:prose_editor|richtext)[^"]*)"', html),
    ]
    assert len(addresses) >= 5
    for address in addresses:
        assert address.startswith(settings.STATIC_URL) or address.startswith("/static/")
        assert finders.find(address.split("/static/", 1)[1]), address


def test_the_import_map_carries_the_nonce_the_policy_allows(admin_client, client, seed):
    response = admin_client.get("/admin/articles/article/add/")
    nonce = re.search(r'<script type="importmap" nonce="([^"]+)"', response.content.decode())[1]
    policy = response["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in policy
    assert "unsafe-inline" not in policy
    # Pages with no inline script name no nonce.
    assert "nonce-" not in client.get(seed.get_absolute_url())["Content-Security-Policy"]


def test_the_body_field_says_how_to_write_not_which_tags_to_type(admin_client):
    html = admin_client.get("/admin/articles/article/add/").content.decode()
    help_text = re.search(r'id="id_body_helptext">\s*<div>(.*?)</div>', html, re.S)
    assert help_text and "Enter starts a new paragraph" in help_text[1]
    assert "HTML" not in help_text[1]


@pytest.mark.parametrize(
    "pasted, kept",
    [
        (
            "<p><b>Bold</b> and <i>italic</i></p>",
            "<p><strong>Bold</strong> and <em>italic</em></p>",
        ),
        ("<h4>Small heading</h4><p>Text</p>", "<p>Small heading</p><p>Text</p>"),
        (
            "<p><u>Under</u>lined, <s>struck</s>, H<sub>2</sub>O</p>",
            "<p>Underlined, struck, H2O</p>",
        ),
        ('<blockquote cite="https://x.example/">Q</blockquote>', "<blockquote>Q</blockquote>"),
        (
            '<p><a href="https://x.example/" title="">x</a></p>',
            '<p><a href="https://x.example/" rel="noopener noreferrer">x</a></p>',
        ),
        (
            '<p><span style="color:red" class="MsoNormal">Words</span><!-- note --></p>',
            "<p>Words</p>",
        ),
        (
            "<ul><li><p>One</p></li><li><p>Two</p><p>More</p></li></ul>",
            "<ul><li>One</li><li><p>Two</p><p>More</p></li></ul>",
        ),
    ],
)
def test_markup_the_editor_cannot_make_is_dropped_and_its_words_kept(pasted, kept):
    assert clean_body(pasted) == kept


@pytest.mark.parametrize(
    "body, cleaned",
    [
        (PLAIN_TEXT, "".join(f"<p>{p}</p>" for p in PARAGRAPHS)),
        ("One line", "<p>One line</p>"),
        (
            "<p>Marked up</p>\n\nThen plain.\n\nAnd more.",
            "<p>Marked up</p><p>Then plain.</p><p>And more.</p>",
        ),
        ("Before a list\n<ul><li>item</li></ul>", "<p>Before a list</p><ul><li>item</li></ul>"),
        ("<p>Already</p>\n<p>paragraphs</p>", "<p>Already</p>\n<p>paragraphs</p>"),
    ],
)
def test_text_outside_any_block_becomes_paragraphs_split_at_blank_lines(body, cleaned):
    assert clean_body(body) == cleaned


def test_plain_text_with_blank_lines_is_saved_as_paragraphs(make_article):
    article = make_article(body=PLAIN_TEXT)
    article.refresh_from_db()
    assert article.body == "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def story_paragraphs(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    body = re.search(r'<div class="story-body">(.*?)</div>', html, re.S)[1]
    return re.findall(r"<p>(.*?)</p>", body, re.S)


def test_plain_text_loaded_by_loaddata_reads_as_paragraphs(client, db, tmp_path):
    rows = json.loads((settings.BASE_DIR / "fixtures" / "example_story.json").read_text())
    story = next(row for row in rows if row["model"] == "articles.article")
    story["fields"]["body"] = PLAIN_TEXT
    fixture = tmp_path / "plain_story.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", fixture, verbosity=0)
    article = Article.objects.get(slug=story["fields"]["slug"])
    assert story_paragraphs(client, article) == PARAGRAPHS


def test_plain_text_written_by_update_reads_as_paragraphs(client, make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(body=PLAIN_TEXT)
    assert story_paragraphs(client, article) == PARAGRAPHS


def test_the_seed_and_example_bodies_keep_every_tag(db):
    for name in ("seed_story.json", "example_story.json"):
        rows = json.loads((settings.BASE_DIR / "fixtures" / name).read_text())
        for row in rows:
            if row["model"] == "articles.article":
                assert clean_body(row["fields"]["body"]) == row["fields"]["body"]


SNIPPETS = [
    "text", " ", "\n", "\n\n", "<p>", "</p>", "<b>", "</b>", "<em>", "</em>", "<ul><li>",
    "</li></ul>", "<li><p>", "</p></li>", '<a href="/x">', "</a>", "<br>", "<h2>", "</h2>",
    "<blockquote>", "</blockquote>", "&amp;", "<", ">", '"', "<script>x</script>", "<!-- c -->",
    "<li>", "</li>", "<h4>", "<i>", "<ol>", "<div>",
]  # fmt: skip


@given(st.lists(st.sampled_from(SNIPPETS), max_size=30).map("".join))
def test_cleaning_a_clean_body_changes_nothing(html):
    # Saving an unchanged story must store the same body (and so record no change).
    once = clean_body(html)
    assert clean_body(once) == once


def test_a_no_break_space_between_blocks_makes_no_empty_paragraph():
    # Older editors leave these between blocks; they are not a paragraph of their own.
    assert "<p>&nbsp;</p>" not in clean_body("<p>a</p>&nbsp;<p>b</p>")
