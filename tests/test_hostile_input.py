"""
Whatever editors paste or fixtures carry, no script reaches a reader and nothing escapes
its context: page text, attributes, JSON-LD, feeds and sitemaps.
"""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.sanitize import markup_free_text

HOSTILE_SNIPPETS = [
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>*{display:none}</style>",
    "<svg><animate onbegin=alert(1) attributeName=x></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>-->alert(1)",
    "<p>unclosed <em>tags <b>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "\u2028\u2029</script>",
    "&lt;script&gt;",
]

text = st.one_of(
    st.sampled_from(HOSTILE_SNIPPETS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(HOSTILE_SNIPPETS + ["x", " ", '"', "'", "<", ">", "&"])).map("".join),
).map(lambda s: s.replace("\x00", "").strip()[:90] or "x")  # fits every column


class ScriptFinder(HTMLParser):
    """Collects what a browser would run: script elements and script-bearing attributes."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self.scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = dict(attrs).get("type")
            if self._in_script != "application/ld+json":
                self.problems.append(f"executable <script type={self._in_script!r}>")
        if tag in {"iframe", "object", "embed", "svg", "math", "style", "base", "form"} and (
            tag != "form" or dict(attrs).get("role") != "search"
        ):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name}")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script == "application/ld+json":
            self.scripts.append(data)


def assert_inert(html):
    finder = ScriptFinder()
    finder.feed(html)
    assert finder.problems == []
    for block in finder.scripts:
        json.loads(block)  # valid JSON: nothing broke out of it
    return finder


def make_hostile_article(section, headline, body, credit, tag):
    article, _ = Article.objects.update_or_create(
        slug="hostile",
        defaults=dict(
            headline=headline,
            standfirst=headline,
            body=body,
            byline=credit,
            source_name=credit,
            section=section,
            status="published",
            original_published_at=timezone.now(),
            published_at=timezone.now(),
        ),
    )
    article.tags.set([tag])
    return article


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(headline=text, body=text, credit=text, tag=text)
def test_no_public_renderer_lets_hostile_text_run(client, section, headline, body, credit, tag):
    article = make_hostile_article(section, headline, body, credit, tag)
    page = client.get(article.get_absolute_url()).content.decode()
    finder = assert_inert(page)
    # The JSON-LD carries the headline's words, however hostile, and none of its markup.
    assert json.loads(finder.scripts[0])["headline"] == markup_free_text(headline)
    assert_inert(client.get("/").content.decode())
    assert_inert(client.get("/search/", {"q": headline[:50]}).content.decode())
    for feed_url in ("/feed/", "/feed/atom/"):
        feed = ET.fromstring(client.get(feed_url).content)  # well-formed XML
        titles = [t.text for t in feed.iter() if t.tag.endswith("title")]
        # Feeds carry the headline's words without markup (XML-safe, \r read as a newline).
        expected = re.sub(r"\r\n?", "\n", markup_free_text(headline))
        assert (expected or None) in titles  # an element with no text reads as None
    tag = article.tags.get()
    for url in (reverse("articles:tag", args=[tag.slug]), f"/sections/{section.slug}/"):
        assert_inert(client.get(url).content.decode())
    for url in (
        reverse("articles:tag_feed_rss", args=[tag.slug]),
        f"/sections/{section.slug}/feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-tags.xml",
        "/news-sitemap.xml",
    ):
        ET.fromstring(client.get(url).content)  # well-formed XML, whatever the names hold


def test_a_body_loaded_around_save_is_still_cleaned_on_the_page(client, section):
    article = make_hostile_article(section, "Plain", "<p>ok</p>", "Desk", "Tag")
    Article.objects.filter(pk=article.pk).update(body="".join(HOSTILE_SNIPPETS))
    assert_inert(client.get(article.get_absolute_url()).content.decode())


def test_hostile_headlines_are_escaped_in_the_admin_too(admin_client, section):
    article = make_hostile_article(
        section, '"><script>alert(1)</script>', "<p>x</p>", "<b>credit</b>", "<i>tag</i>"
    )
    for url in (
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
    ):
        html = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_source_url_that_is_not_a_web_address_never_becomes_a_link(client, section):
    article = make_hostile_article(section, "Syndicated", "<p>x</p>", "Wire", "Tag")
    # loaddata and update() skip the form's URL validation.
    Article.objects.filter(pk=article.pk).update(
        source_url="javascript:alert(1)", syndication_indexing="source"
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    # The page itself is served, credit and all: only the address is kept from becoming a link.
    assert response.status_code == 200 and "Syndicated" in html and "Wire" in html
    assert_inert(html)
    assert "javascript:" not in html
