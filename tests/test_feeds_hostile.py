"""
Feeds and the news sitemap carry a story's words, never its markup: whatever a headline,
standfirst, credit, author, tag or section name holds, a reader that renders any field as
HTML runs nothing. RSS cannot say whether a field is HTML (many readers guess), so every
field is checked as HTML, in both formats. The full text (RSS content:encoded, Atom content)
is HTML on purpose: the body's cleaned markup, which runs nothing either.
"""

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Author
from articles.sanitize import picture_reference
from tests.photos_helpers import make_image

ATOM = "{http://www.w3.org/2005/Atom}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# A plain word put first in every field: stripping markup must not empty the field.
MARKER = "Kurdistan"
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "cite", "data", "poster"}


class LiveMarkupFinder(HTMLParser):
    """What a browser would run in a fragment: script elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            # Browsers ignore whitespace and control characters around and inside a scheme.
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and scheme.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(fragment):
    finder = LiveMarkupFinder()
    finder.feed(fragment or "")
    finder.close()
    return finder.found


_element = st.builds(
    lambda tag, event, attribute, url, inner: (
        f'<{tag} {event}=alert(1) {attribute}="{url}">'
        f"{'alert(1)' if tag == 'script' else inner}</{tag}>"
    ),
    st.sampled_from(["img", "script", "svg", "a", "iframe", "q", "details", "body"]),
    st.sampled_from(["onerror", "onload", "onclick", "ONMOUSEOVER", "ontoggle"]),
    st.sampled_from(["href", "src", "xlink:href", "formaction", "cite"]),
    st.sampled_from(
        [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)",
            "https://example.org/",
        ]
    ),
    st.sampled_from(["", "x", "<b>bold</b>", "<img src=x onerror=alert(2)>"]),
)
_numeric = str.maketrans({"<": "&#60;", ">": "&#x3E;"})
_fragment = st.one_of(
    _element,
    _element.map(html.escape),  # text that reads as a tag once its entities are decoded
    _element.map(lambda s: html.escape(html.escape(s))),
    _element.map(lambda s: s.translate(_numeric)),
    st.sampled_from(
        [
            "&lt;img src=x onerror=alert(1)&gt;",
            "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
            "<!--<img src=x onerror=alert(1)>-->",
            "<![CDATA[<img src=x onerror=alert(1)>]]>",
            *"< > & &amp; &lt; &#60; &#x3C; \" '".split(),
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&\x00"),
        max_size=20,
    ),
)


def hostile(limit):
    """The marker, then random hostile HTML, cut to fit a column of `limit` characters."""
    return st.lists(_fragment, max_size=4).map(lambda parts: f"{MARKER} {' '.join(parts)}"[:limit])


def make_hostile_story(
    section, *, headline, standfirst, credit, author_name, tag_name, body="<p>Body.</p>"
):
    section.name = f"{MARKER} {standfirst}"[:100]
    section.save()
    author, _ = Author.objects.update_or_create(
        slug="hostile-author", defaults={"name": author_name}
    )
    stories = []
    # One story credited to an author, one to a credit line only: feeds name either.
    for slug, byline, authors in (("hostile", "", [author]), ("hostile-credit", credit, [])):
        story, _ = Article.objects.update_or_create(
            slug=slug,
            defaults=dict(
                headline=headline,
                standfirst=standfirst,
                body=body,
                byline=byline,
                section=section,
                status=Article.Status.PUBLISHED,
                original_published_at=timezone.now(),
                published_at=timezone.now(),
            ),
        )
        story.authors.set(authors)
        story.tags.set([tag_name])
        stories.append(story)
    return stories[0]


def feed_urls(story):
    section, tag = story.section.slug, story.tags.get().slug
    return [
        reverse("articles:feed_rss"),
        reverse("articles:feed_atom"),
        reverse("articles:section_feed_rss", args=[section]),
        reverse("articles:section_feed_atom", args=[section]),
        reverse("articles:tag_feed_rss", args=[tag]),
        reverse("articles:tag_feed_atom", args=[tag]),
    ]


def fields(document):
    """Every element's text and every attribute value: anything a reader might show."""
    for element in document.iter():
        yield element.tag, element.text
        yield from ((f"{element.tag}@{name}", value) for name, value in element.attrib.items())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    headline=hostile(300),
    standfirst=hostile(400),
    credit=hostile(200),
    author_name=hostile(200),
    tag_name=hostile(100),
    body=hostile(2000),
)
def test_no_feed_field_runs_anything_when_read_as_html(
    client, section, headline, standfirst, credit, author_name, tag_name, body
):
    story = make_hostile_story(
        section,
        headline=headline,
        standfirst=standfirst,
        credit=credit,
        author_name=author_name,
        tag_name=tag_name,
        body=body,
    )
    for url in [*feed_urls(story), reverse("news-sitemap")]:
        document = ET.fromstring(client.get(url).content)
        for where, text in fields(document):
            assert live_markup(text) == [], (url, where, text)
        # The words are still there: every field this test fills starts with the marker.
        carried = " ".join(text or "" for _, text in fields(document))
        assert carried.count(MARKER) >= (2 if "sitemap" in url else 8), url


@pytest.mark.parametrize(
    "standfirst",
    [
        "<img src=x onerror=alert(1)>Police say nothing.",
        # Stripping tags once would decode this into the same live image.
        "&lt;img src=x onerror=alert(1)&gt;Police say nothing.",
    ],
)
def test_a_standfirst_with_an_onerror_image_reaches_rss_and_atom_as_plain_text(
    client, make_article, standfirst
):
    make_article(headline="Police report", standfirst=standfirst)
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("description") == "Police say nothing."
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "Police say nothing."


def test_atom_declares_every_entry_summary_plain_text(client, make_article):
    make_article(standfirst="One & two")
    make_article(standfirst="Three < four")
    feed = ET.fromstring(client.get("/feed/atom/").content)
    summaries = feed.findall(f"{ATOM}entry/{ATOM}summary")
    assert [(s.get("type"), s.text) for s in summaries] == [
        ("text", "One & two"),
        ("text", "Three < four"),
    ]


def test_markup_in_a_headline_tag_or_credit_is_stripped_from_rss(client, make_article):
    make_article(
        headline='Vote <a href="javascript:alert(1)">counted</a>',
        byline="<b onclick=alert(1)>Desk</b>",
        tags=["<svg onload=alert(1)>Elections"],
    )
    item = ET.fromstring(client.get("/feed/").content).find("channel/item")
    assert item.findtext("title") == "Vote counted"
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Desk"
    assert [c.text for c in item.findall("category")] == ["Elections"]


def test_a_tag_feed_title_carries_the_tag_without_its_markup(client, make_article):
    story = make_article(tags=["<img src=x onerror=alert(1)>Elections"])
    url = reverse("articles:tag_feed_rss", args=[story.tags.get().slug])
    channel = ET.fromstring(client.get(url).content).find("channel")
    assert channel.findtext("title").startswith("Elections · ")


def test_the_news_sitemap_title_carries_the_headline_without_its_markup(client, make_article):
    make_article(headline="<img src=x onerror=alert(1)>Fresh & views", published_at=timezone.now())
    urlset = ET.fromstring(client.get("/news-sitemap.xml").content)
    assert urlset.findtext(f".//{NEWS}title") == "Fresh & views"


HOSTILE_BODY = (
    "<p>Police say nothing.<script>alert(1)</script></p>"
    '<p><img src=x onerror=alert(1)><a href="javascript:alert(1)" onclick="alert(2)">link</a>'
    '<a href=" JaVa&#x09;Script:alert(1)">again</a><svg onload=alert(1)></svg></p>'
    '<iframe src="javascript:alert(1)"></iframe><p style="x" onmouseover="alert(1)">Words</p>'
)


@pytest.mark.usefixtures("media")
def test_the_full_text_runs_nothing_in_rss_or_atom_pictures_included(client, make_article):
    image = make_image(
        alt_text='"><script>alert(1)</script>',
        caption="<img src=x onerror=alert(1)>",
        credit="<svg onload=alert(1)>Ann Agency",
    )
    reference = picture_reference(image.file.name, '<a href="javascript:alert(1)">quay</a>')
    make_article(headline="Police report", body=HOSTILE_BODY + reference)
    rss = ET.fromstring(client.get("/feed/").content)
    encoded = rss.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
    atom = ET.fromstring(client.get("/feed/atom/").content)
    content = atom.find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "html"
    for full_text in (encoded, content.text):
        assert live_markup(full_text) == []
        assert "Police say nothing." in full_text
        assert "<figure><img src=" in full_text  # the picture is there, its texts inert
        assert "&lt;script&gt;" in full_text and "&lt;svg onload" in full_text
