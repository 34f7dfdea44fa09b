"""
What a story page tells other software (description, Open Graph and Twitter tags, JSON-LD)
is the story's words without markup: a preview card or crawler that renders a value as HTML
runs nothing, and nothing breaks out of the JSON-LD block.
"""

import json
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings

from articles.models import Author
from tests.test_feeds_hostile import MARKER, hostile, live_markup


class HeadReader(HTMLParser):
    """The page's <meta> values by name or property, and every <script> element."""

    def __init__(self):
        super().__init__()
        self.meta = []
        self.scripts = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta.append((attrs.get("name") or attrs.get("property"), attrs["content"]))
        if tag == "script":
            self._script = {"type": attrs.get("type"), "text": ""}
            self.scripts.append(self._script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data


def read_head(client, article):
    reader = HeadReader()
    reader.feed(client.get(article.get_absolute_url()).content.decode())
    reader.close()
    return reader


def json_ld(reader):
    # One block, of its own type: a headline that closed it would leave a second script.
    [script] = reader.scripts
    assert script["type"] == "application/ld+json"
    return json.loads(script["text"])


def strings(data):
    """Every string in a JSON value."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def test_a_standfirst_with_an_onerror_image_is_plain_text_in_every_description(
    client, make_article
):
    article = make_article(standfirst="<img src=x onerror=alert(1)>Police say nothing.")
    reader = read_head(client, article)
    descriptions = {name: value for name, value in reader.meta if "description" in name}
    assert descriptions == {
        "description": "Police say nothing.",
        "og:description": "Police say nothing.",
        "twitter:description": "Police say nothing.",
    }
    assert json_ld(reader)["description"] == "Police say nothing."


def test_escaped_markup_in_a_standfirst_is_not_decoded_into_a_live_tag(client, make_article):
    article = make_article(standfirst="&lt;img src=x onerror=alert(1)&gt;Police say nothing.")
    reader = read_head(client, article)
    assert dict(reader.meta)["og:description"] == "Police say nothing."
    assert json_ld(reader)["description"] == "Police say nothing."


def test_titles_sections_and_tags_reach_meta_tags_and_json_ld_without_markup(
    client, make_article, section
):
    section.name = "<b onmouseover=alert(1)>World</b>"
    section.save()
    article = make_article(
        headline='Vote <a href="javascript:alert(1)">counted</a>',
        byline="<i>Desk</i>",
        tags=["<svg onload=alert(1)>Elections"],
    )
    reader = read_head(client, article)
    meta = dict(reader.meta)
    assert meta["og:title"] == meta["twitter:title"] == "Vote counted"
    assert meta["article:section"] == "World"
    assert meta["article:tag"] == "Elections"
    data = json_ld(reader)
    assert (data["headline"], data["articleSection"], data["keywords"]) == (
        "Vote counted",
        "World",
        ["Elections"],
    )
    assert data["author"] == [{"@type": "Organization", "name": "Desk"}]
    assert data["creditText"] == "Desk"


def test_a_headline_that_closes_the_script_stays_inside_the_json_ld(client, make_article):
    article = make_article(headline="</script><script>alert(1)</script>Breakout")
    data = json_ld(read_head(client, article))
    assert data["headline"] == "Breakout"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    headline=hostile(300),
    standfirst=hostile(400),
    author_name=hostile(200),
    tag_name=hostile(100),
    section_name=hostile(100),
)
def test_no_meta_value_or_json_ld_string_runs_anything_when_read_as_html(
    client, make_article, section, headline, standfirst, author_name, tag_name, section_name
):
    section.name = section_name
    section.save()
    author, _ = Author.objects.update_or_create(
        slug="hostile-author", defaults={"name": author_name}
    )
    article = make_article(
        headline=headline,
        standfirst=standfirst,
        byline=author_name,
        source_name=author_name,
        tags=[tag_name],
        authors=[author],
    )
    reader = read_head(client, article)
    for name, value in reader.meta:
        assert live_markup(value) == [], (name, value)
    data = json_ld(reader)
    for value in strings(data):
        assert live_markup(value) == [], value
    meta = dict(reader.meta)
    for name in ("og:title", "og:description", "twitter:description", "article:section"):
        assert meta[name].startswith(MARKER), name
    assert data["keywords"][0].startswith(MARKER)
    assert data["author"][0]["name"].startswith(MARKER)


def test_without_a_standfirst_every_description_is_the_bodys_first_words_as_plain_text(
    client, make_article
):
    article = make_article(
        standfirst="",
        body="<p><img src=x onerror=alert(1)>Police &lt;svg onload=alert(1)&gt;say "
        '<a href="javascript:alert(1)">nothing</a>.</p><p>Second paragraph.</p>',
    )
    reader = read_head(client, article)
    descriptions = {name: value for name, value in reader.meta if "description" in name}
    assert descriptions == {
        "description": "Police say nothing.",
        "og:description": "Police say nothing.",
        "twitter:description": "Police say nothing.",
    }
    assert json_ld(reader)["description"] == "Police say nothing."
