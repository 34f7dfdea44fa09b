"""Every public path, against every hidden state: nothing unpublished leaks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import get_resolver
from django.utils import timezone

from tests.conftest import HIDDEN_STATES

SHOWN_ON = datetime(2024, 7, 23, 12, tzinfo=ZoneInfo("Europe/London"))


def public_urls(section, author):
    return [
        "/",
        "/?page=1",
        f"/sections/{section.slug}/",
        "/tags/shared-topic/",
        f"/authors/{author.slug}/",
        "/2024/",
        "/2024/07/",
        "/2024/07/23/",
        "/search/?q=Zanzibar",
        "/search/?q=secretword",
        "/feed/",
        "/feed/atom/",
        f"/sections/{section.slug}/feed/",
        f"/sections/{section.slug}/feed/atom/",
        "/tags/shared-topic/feed/",
        "/tags/shared-topic/feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/news-sitemap.xml",
        "/robots.txt",
    ]


@pytest.fixture
def newsroom(make_article, make_author):
    author = make_author("Jane Reporter")
    live = make_article(
        headline="Zanzibar ferry resumes",
        tags=["Shared topic"],
        authors=[author],
        display_date=SHOWN_ON,
        published_at=timezone.now() - timedelta(hours=1),
    )
    return live, author


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_no_public_page_feed_sitemap_or_search_shows_a_hidden_story(
    client, newsroom, make_article, state
):
    live, author = newsroom
    hidden = make_article(
        headline="Zanzibar secretword embargoed",
        slug="embargoed-zanzibar-secretword",
        tags=["Shared topic", "Hidden-only tag"],
        authors=[author],
        display_date=SHOWN_ON,
        **({"published_at": timezone.now() - timedelta(hours=1)} | HIDDEN_STATES[state]),
    )
    for url in public_urls(live.section, author):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert hidden.headline not in body, url
        assert hidden.slug not in body, url
        assert str(hidden.guid) not in body, url
        assert "hidden-only-tag" not in body, url
    # Its own address and its tag's pages give nothing away either.
    expected = 410 if state == "withdrawn" else 404
    assert client.get(hidden.get_absolute_url()).status_code == expected
    for url in ("/tags/hidden-only-tag/", "/tags/hidden-only-tag/feed/"):
        assert client.get(url).status_code == 404, url


def test_the_live_story_is_on_every_list_page(client, newsroom):
    live, author = newsroom
    for url in public_urls(live.section, author):
        if url.startswith(("/sitemap", "/robots")) or "secretword" in url:
            continue
        assert live.slug in client.get(url).content.decode(), url
    assert live.slug in client.get("/sitemap-articles.xml").content.decode()


def test_every_public_url_pattern_is_covered_here():
    """A new public URL must be added to public_urls above (or to this list)."""
    covered = {
        "",
        "feed/",
        "feed/atom/",
        "search/",
        "articles/<uslug:slug>/",
        "sections/<uslug:slug>/",
        "sections/<uslug:slug>/feed/",
        "sections/<uslug:slug>/feed/atom/",
        "tags/<uslug:slug>/",
        "tags/<uslug:slug>/feed/",
        "tags/<uslug:slug>/feed/atom/",
        "authors/<uslug:slug>/",
        "<int:year>/",
        "<int:year>/<int:month>/",
        "<int:year>/<int:month>/<int:day>/",
        "robots.txt",
        "sitemap.xml",
        "sitemap-<section>.xml",
        "news-sitemap.xml",
        "healthz",
    }
    patterns = set()
    for entry in get_resolver().url_patterns:
        if str(entry.pattern) == "admin/":
            continue
        if hasattr(entry, "url_patterns"):
            patterns |= {str(p.pattern) for p in entry.url_patterns}
        else:
            patterns.add(str(entry.pattern))
    assert patterns - covered == set()
