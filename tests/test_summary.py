"""Nothing empty: with no standfirst, every description (meta, Open Graph, Twitter, JSON-LD, feed
items) is the body's first paragraph as text, cut at a word near 160 characters; and feeds carry
the full text, pictures included, unless FEEDS_FULL_TEXT is off."""

import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from articles.sanitize import picture_reference
from articles.summary import SUMMARY_LENGTH, first_paragraph, shorten, summary
from tests.photos_helpers import make_image
from tests.test_meta_tags import json_ld, read_head

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"

LONG = (
    "The harbour ferry returned on Monday after a two-year pause, carrying 212 passengers "
    "across the bay in forty minutes, and the council says a second boat will follow in spring."
)


# The summary itself.


def test_the_standfirst_is_the_summary_when_there_is_one(make_article):
    story = make_article(standfirst="Back after two years.", body=f"<p>{LONG}</p>")
    assert summary(story) == "Back after two years."


def test_without_a_standfirst_the_first_paragraph_is_the_summary(make_article):
    story = make_article(standfirst="", body="<p>Ferry <em>returns</em>.</p><p>Second.</p>")
    assert summary(story) == "Ferry returns."


@pytest.mark.parametrize(
    "standfirst", ["", "   \n ", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]
)
def test_a_standfirst_of_spaces_or_markup_alone_counts_as_none(make_article, standfirst):
    story = make_article(standfirst=standfirst, body="<p>Ferry returns.</p>")
    assert summary(story) == "Ferry returns."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # An empty paragraph, a picture or a heading before the words.
        ("<p> </p><p>Ferry returns.</p>", "Ferry returns."),
        (
            f"{picture_reference('photos/x.jpg', 'A caption')}<p>Ferry returns.</p>",
            "Ferry returns.",
        ),
        ("<h2>Background</h2><p>Ferry returns.</p>", "Ferry returns."),
        # No paragraph at all: the body's words.
        ("<ul><li>Ferry</li><li>returns</li></ul>", "Ferry returns"),
        # Plain text from a fixture: its first blank-line paragraph.
        ("Ferry\nreturns.\n\nSecond paragraph.", "Ferry returns."),
        # Lines and items are words apart.
        ("<p>Ferry<br>returns.</p>", "Ferry returns."),
        # Escaped markup is not decoded into a tag; entities are text.
        ("<p>Fares &lt;img src=x onerror=alert(1)&gt;rise &amp; fall.</p>", "Fares rise & fall."),
    ],
)
def test_the_first_paragraph_with_words_is_the_one_read(body, expected):
    assert first_paragraph(body) == expected


def test_a_long_paragraph_is_cut_after_a_whole_word_with_an_ellipsis():
    cut = shorten(LONG)
    assert len(LONG) > SUMMARY_LENGTH
    assert len(cut) <= SUMMARY_LENGTH
    assert cut.endswith("…")
    kept = cut.removesuffix("…")
    assert LONG.startswith(kept)
    assert LONG[len(kept)] == " "  # the next character starts a new word
    assert len(kept) > SUMMARY_LENGTH - 20  # near the limit, not a stub


def test_a_short_paragraph_is_kept_whole_without_an_ellipsis():
    text = "x" * (SUMMARY_LENGTH - 10) + " end."
    assert shorten(text) == text


def test_a_cut_leaves_no_comma_before_the_ellipsis():
    # The last whole word before the limit is "pause,".
    text = "word " * 30 + "pause, " + "more " * 20
    assert shorten(text) == "word " * 30 + "pause…"


def test_a_word_longer_than_half_the_limit_is_cut_inside():
    text = "See " + "x" * 400
    cut = shorten(text)
    assert cut == ("See " + "x" * 400)[: SUMMARY_LENGTH - 1] + "…"


# Everywhere a description goes.


@pytest.fixture
def story_without_standfirst(make_article):
    return make_article(
        headline="Ferry returns",
        standfirst="",
        body=f"<p><strong>{LONG}</strong></p><p>Second paragraph.</p>",
    )


def test_meta_open_graph_twitter_and_json_ld_fall_back_to_the_body(
    client, story_without_standfirst
):
    reader = read_head(client, story_without_standfirst)
    expected = shorten(LONG)
    descriptions = {name: value for name, value in reader.meta if "description" in name}
    assert descriptions == {
        "description": expected,
        "og:description": expected,
        "twitter:description": expected,
    }
    assert json_ld(reader)["description"] == expected


def test_feed_items_fall_back_to_the_body_in_rss_and_atom(client, story_without_standfirst):
    expected = shorten(LONG)
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("description") == expected
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").text == expected


def test_a_standfirst_still_wins_in_feeds_and_meta(client, make_article):
    story = make_article(standfirst="Back after two years.", body=f"<p>{LONG}</p>")
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("description") == "Back after two years."
    assert dict(read_head(client, story).meta)["description"] == "Back after two years."


# The full text in feeds.


BODY = (
    '<p>The ferry <a href="https://example.org/timetable">timetable</a> is out.</p>'
    "<h2>Fares</h2><ul><li>Adults: £4</li></ul>"
)


def test_rss_and_atom_carry_the_full_text_as_the_story_page_has_it(client, make_article):
    make_article(body=BODY + "<script>alert(1)</script>")
    rss = client.get("/feed/").content.decode()
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in rss
    item = ET.fromstring(rss).find("channel/item")
    clean = Article.objects.get().body
    assert "<script>" not in clean and "timetable</a>" in clean
    assert item.findtext(CONTENT) == clean
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    content = entry.find(f"{ATOM}content")
    assert (content.get("type"), content.text) == ("html", clean)


def test_with_full_text_off_feeds_carry_the_summary_alone(client, settings, make_article):
    settings.FEEDS_FULL_TEXT = False
    make_article(standfirst="", body=BODY)
    rss = client.get("/feed/").content.decode()
    assert "content:encoded" not in rss and "xmlns:content" not in rss
    item = ET.fromstring(rss).find("channel/item")
    assert item.findtext("description") == "The ferry timetable is out."
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content") is None
    assert entry.find(f"{ATOM}summary").text == "The ferry timetable is out."


def test_the_setting_is_on_unless_the_environment_turns_it_off(monkeypatch):
    from newsroom.settings import env

    assert env("FEEDS_FULL_TEXT", True, bool) is True
    monkeypatch.setenv("FEEDS_FULL_TEXT", "0")
    assert env("FEEDS_FULL_TEXT", True, bool) is False


@pytest.mark.usefixtures("media")
def test_a_picture_in_the_body_reaches_feeds_as_a_plain_figure_with_an_absolute_address(
    client, make_article
):
    image = make_image(alt_text="Two boats", credit="Ann Agency", caption="Library caption")
    gone = "photos/2019/01/gone.jpg"
    make_article(
        body="<p>Before.</p>"
        + picture_reference(image.file.name, "The quay at dawn")
        + picture_reference(gone)
        + "<p>After.</p>"
    )
    url = f"http://testserver{image.renditions.near('full', 1200).url}"
    rendition = image.renditions.near("full", 1200)
    expected = (
        "<p>Before.</p>"
        f'<figure><img src="{url}" width="{rendition.width}" height="{rendition.height}" '
        'alt="Two boats"><figcaption>The quay at dawn <small>Ann Agency</small></figcaption>'
        "</figure>"
        "<p>After.</p>"
    )
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext(CONTENT) == expected
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").text == expected


def _stories_with_pictures(make_article, n):
    for _ in range(n):
        image = make_image()
        make_article(body=f"<p>Words.</p>{picture_reference(image.file.name)}")


@pytest.mark.usefixtures("media")
def test_the_full_text_costs_one_query_for_every_items_pictures(
    client, make_article, count_queries, django_assert_num_queries
):
    make_article()
    without_pictures = count_queries(lambda: client.get("/feed/"))
    _stories_with_pictures(make_article, 2)
    with django_assert_num_queries(without_pictures + 1):
        client.get("/feed/")
    _stories_with_pictures(make_article, 8)
    with django_assert_num_queries(without_pictures + 1):
        response = client.get("/feed/")
    assert response.content.decode().count("&lt;figure&gt;&lt;img") == 10


def test_a_body_changed_without_save_reaches_feeds_and_summary_at_once(client, make_article):
    # QuerySet.update() skips save() and updated_at: what is shown follows the body itself.
    story = make_article(standfirst="", body="<p>First text.</p>")
    client.get("/feed/")
    Article.objects.filter(pk=story.pk).update(body="<p>Second text.<script>x</script></p>")
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("description") == "Second text."
    assert item.findtext(CONTENT) == "<p>Second text.</p>"


def test_full_text_links_are_absolute_for_reader_apps(client, make_article):
    make_article(
        slug="floods",
        body='<p>See <a href="/sections/world/">World</a>, <a href="#note">the note</a> '
        'and <a href="mailto:desk@example.org">the desk</a>.</p>',
    )
    for feed in ("/feed/", "/feed/atom/"):
        text = client.get(feed).content.decode()
        assert 'href="http://testserver/sections/world/"' in text.replace("&quot;", '"')
        assert 'href="http://testserver/articles/floods/#note"' in text.replace("&quot;", '"')
        assert 'href="mailto:desk@example.org"' in text.replace("&quot;", '"')
        assert 'href="/sections/world/"' not in text.replace("&quot;", '"')
