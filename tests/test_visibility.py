"""Every public path, against every hidden state: nothing unpublished leaks."""

from datetime import timedelta

import pytest
from django.urls import get_resolver, resolve
from django.utils import timezone

from articles.models import Section
from curation.models import Pin
from tests.conftest import HIDDEN_STATES, SHOWN_ON, public_urls
from tests.photos_helpers import make_image


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_no_public_page_feed_sitemap_or_search_shows_a_hidden_story(
    client, newsroom, make_article, media, state
):
    live, author = newsroom
    # Its picture leaks nowhere either: not its renditions' folder, not its file's name.
    picture = make_image("embargoed-scene.jpg")
    # A translation of the live story: the live story's page, its language links and
    # hreflang alternates must not name it either (issue 17).
    hidden = make_article(
        lead_image=picture,
        headline="Zanzibar secretword embargoed",
        slug="embargoed-zanzibar-secretword",
        tags=["Shared topic", "Hidden-only tag"],
        authors=[author],
        display_date=SHOWN_ON,
        language="ckb",
        translation_of=live,
        **({"published_at": timezone.now() - timedelta(hours=1)} | HIDDEN_STATES[state]),
    )
    desk = Section.objects.create(name="Embargo desk", slug="embargo-desk")
    make_article(section=desk, **({"published_at": timezone.now()} | HIDDEN_STATES[state]))
    for url in [*public_urls(live.section, author), live.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "embargo-desk" not in body and "Embargo desk" not in body, url
        assert hidden.headline not in body, url
        assert hidden.slug not in body, url
        assert str(hidden.guid) not in body, url
        assert "hidden-only-tag" not in body, url
        assert picture.rendition_key not in body, url
        assert "embargoed-scene" not in body, url
        assert 'hreflang="ckb"' not in body, url
    # Its own address and its tag's pages give nothing away either.
    expected = 410 if state == "withdrawn" else 404
    assert client.get(hidden.get_absolute_url()).status_code == expected
    for url in (
        "/tags/hidden-only-tag/",
        "/tags/hidden-only-tag/feed/",
        "/sections/embargo-desk/",
        "/sections/embargo-desk/feed/atom/",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_hidden_story_pinned_as_lead_and_top_story_never_shows(
    client, newsroom, make_article, state
):
    live, author = newsroom
    hidden = make_article(
        headline="Zanzibar secretword embargoed",
        slug="embargoed-zanzibar-secretword",
        tags=["Shared topic"],
        authors=[author],
        display_date=SHOWN_ON,
        **({"published_at": timezone.now() - timedelta(hours=1)} | HIDDEN_STATES[state]),
    )
    Pin.objects.create(article=hidden, page=None, position=1)  # the front page's lead
    Pin.objects.create(article=hidden, page=hidden.section, position=1)
    for url in public_urls(live.section, author):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert hidden.headline not in body and hidden.slug not in body, url
    # Its slot falls back to the newest live story.
    assert client.get("/").context["lead"] == live
    assert client.get(f"/sections/{live.section.slug}/").context["top_stories"] == [live]


def test_a_story_withdrawn_before_its_time_answers_404_not_410(client, make_article):
    # A 410 would announce that a story was due at this address; it never ran.
    story = make_article(status="withdrawn", published_at=timezone.now() + timedelta(days=1))
    old_url = story.get_absolute_url()
    assert client.get(old_url).status_code == 404
    story.slug = "renamed-after-withdrawal"
    story.save()
    assert client.get(old_url).status_code == 404  # nor by its old slug


def test_the_live_story_is_on_every_list_page(client, newsroom):
    live, author = newsroom
    for url in public_urls(live.section, author):
        # /ckb/: the Sorani front lists Sorani stories (tests/test_languages.py).
        if url.startswith(("/sitemap", "/robots", "/ckb/")) or "secretword" in url:
            continue
        assert live.slug in client.get(url).content.decode(), url
    assert live.slug in client.get("/sitemap-articles.xml").content.decode()


def test_every_public_url_pattern_is_walked_above(newsroom):
    """A new public URL must be added to public_urls(), or the tests above never check it."""
    live, author = newsroom
    walked = {resolve(url.split("?")[0]).route for url in public_urls(live.section, author)}
    walked.add(resolve(live.get_absolute_url()).route)  # its own tests: 404, 410, 301
    # media/: the picture library's files, for staff only (tests/test_photos_library.py);
    # renditions are served to whoever has their random folder's name, which only live pages
    # give (tests/test_photos_renditions.py; above, a hidden story's picture is never named).
    # api/v1/: every endpoint of the content API is walked by tests/test_api_visibility.py,
    # which fails on an endpoint it does not walk.
    not_public = {
        "admin/",
        "healthz",
        "media/<path:path>",
        "media/renditions/<path:path>",
        "api/v1/",
    }
    patterns = set()
    for entry in get_resolver().url_patterns:
        if hasattr(entry, "url_patterns"):
            if str(entry.pattern) not in not_public:
                patterns |= {str(entry.pattern) + str(p.pattern) for p in entry.url_patterns}
        else:
            patterns.add(str(entry.pattern))
    assert patterns - not_public - walked == set()
