"""Key-based invalidation: a change retires the pages that show it, and only those.

The app's page cache and the edge hear the same purges (articles/public_changes.py); the edge
here is a recording backend in settings.EDGE_CACHES, so what it is told is asserted exactly.
tests/test_edge_varnish.py runs the same against a real Varnish.
"""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from taggit.models import Tag

from articles import public_changes
from articles.models import Article, Section

from .photos_helpers import make_image


class RecordingEdge:
    """An edge backend that keeps what it is told instead of sending it."""

    purges = []

    def __init__(self, timeout):
        pass

    def purge(self, keys, paths):
        self.purges.append(set(keys))


@pytest.fixture
def public_cache(settings):
    # Keys of earlier tests' saves, which never commit, wait for a commit in this thread.
    public_changes._pending.keys = None
    settings.PUBLIC_CACHE_SECONDS = 300
    settings.EDGE_CACHES = [{"BACKEND": f"{__name__}.RecordingEdge"}]
    settings.EDGE_CACHE_SECONDS = 600
    RecordingEdge.purges.clear()
    cache.clear()
    yield RecordingEdge.purges
    cache.clear()


def cached(client, url):
    client.get(url)
    response = client.get(url)
    assert response.get("X-Cache") == "hit", url
    return response


def s_maxage(response):
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def edge_lifetime(response):
    return int(response["Surrogate-Control"].removeprefix("max-age="))


def keys_of(response):
    return set(response["Surrogate-Key"].split())


@pytest.fixture
def world(make_article, make_author):
    """Story A and story B side by side: same section, no tag or author in common."""
    reporter = make_author("Rania Ahmed")
    a = make_article(headline="Story A", tags=["Syria"], authors=[reporter])
    b = make_article(headline="Story B", tags=["Harbour"])
    return a, b


def test_public_pages_name_what_they_show(client, public_cache, world, make_article):
    a, b = world
    page = keys_of(client.get(a.get_absolute_url()))
    tag, author = a.tags.get(), a.authors.get()
    assert {f"story-{a.pk}", f"tag-name-{tag.pk}", f"author-name-{author.pk}"} <= page
    assert {"nav", "site"} <= page
    assert f"story-{b.pk}" not in page  # not related: no tag in common
    front = keys_of(client.get("/"))
    assert {"front", f"story-{a.pk}", f"story-{b.pk}"} <= front
    section = keys_of(client.get(f"/sections/{a.section.slug}/"))
    assert {f"section-{a.section_id}", f"story-{a.pk}"} <= section
    assert keys_of(client.get("/tags/syria/")) >= {f"tag-{tag.pk}", f"story-{a.pk}"}
    assert keys_of(client.get("/feed/")) >= {"feeds"}
    assert keys_of(client.get("/sitemap.xml")) >= {"sitemaps"}
    assert keys_of(client.get("/articles/no-such-story/")) == {"missing", "nav", "site"}


def test_public_pages_tell_a_shared_cache_how_long_and_browsers_to_ask_again(
    client, public_cache, world
):
    a, _ = world
    response = client.get(a.get_absolute_url())
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= directives
    assert 599 <= s_maxage(response) <= 600
    hit = client.get(a.get_absolute_url())
    assert hit["X-Cache"] == "hit" and "s-maxage" in hit["Cache-Control"]
    assert hit["Surrogate-Key"] == response["Surrogate-Key"]


def test_staff_and_search_are_never_offered_to_a_shared_cache(
    client, admin_client, public_cache, world
):
    a, _ = world
    staff = admin_client.get(a.get_absolute_url())
    assert "s-maxage" not in staff["Cache-Control"] and "private" in staff["Cache-Control"]
    assert "Surrogate-Key" not in staff
    search = client.get("/search/", {"q": "Story"})
    assert "X-Cache" not in search


def test_without_an_edge_no_shared_cache_is_told_to_keep_anything(client, settings, world):
    # A proxy that never hears the purges must not keep a withdrawn story.
    settings.EDGE_CACHES = []
    a, _ = world
    response = client.get(a.get_absolute_url())
    assert "s-maxage" not in response["Cache-Control"] and "Surrogate-Key" not in response


def test_editing_a_story_leaves_the_page_of_another_cached(
    client, public_cache, world, django_capture_on_commit_callbacks
):
    a, b = world
    for url in (a.get_absolute_url(), b.get_absolute_url(), "/"):
        cached(client, url)
    public_changes._pending.keys = None  # the fixture's saves, which never commit here
    with django_capture_on_commit_callbacks(execute=True):
        a.headline = "Story A, corrected"
        a.save()
    assert client.get(b.get_absolute_url())["X-Cache"] == "hit"
    assert "Story A, corrected" in client.get("/").content.decode()
    assert "Story A, corrected" in client.get(a.get_absolute_url()).content.decode()
    # The edge is told the same: A and its lists, not B, not the navigation.
    purged = set().union(*public_cache)
    assert f"story-{a.pk}" in purged and "front" in purged
    assert f"story-{b.pk}" not in purged and not {"nav", "site"} & purged


def test_a_page_listing_a_story_as_related_is_retired_with_it(client, public_cache, world):
    a, b = world
    b.tags.add("Syria")  # now B's page offers A to read next
    b_page = b.get_absolute_url()
    assert f"story-{a.pk}" in keys_of(cached(client, b_page))
    a.status = Article.Status.WITHDRAWN
    a.save()
    response = client.get(b_page)
    assert response["X-Cache"] == "miss" and "Story A" not in response.content.decode()


def _edit_story(a, b):
    a.headline = "Changed"
    a.save()


def _rename_tag(a, b):
    tag = a.tags.get()
    tag.name = "Changed"
    tag.save()


def _rename_author(a, b):
    author = a.authors.get()
    author.name = "Changed"
    author.save()


def _rename_section(a, b):
    section = Section.objects.create(name="Business", slug="business")
    Article.objects.filter(pk=b.pk).update(section=section)  # B on a page of its own
    a.section.name = "Changed"
    a.section.save()


def _correct(a, b):
    a.corrections.create(text="Changed: we misnamed the minister.")


def _caption_the_lead_picture(a, b):
    a.lead_image.caption = "Changed"
    a.lead_image.save()


CHANGES = {
    "story": (_edit_story, lambda a: [a.get_absolute_url(), "/", "/tags/syria/"]),
    "tag": (_rename_tag, lambda a: [a.get_absolute_url(), "/tags/syria/"]),
    "author": (_rename_author, lambda a: [a.get_absolute_url(), "/authors/rania-ahmed/"]),
    "section": (_rename_section, lambda a: [a.get_absolute_url(), "/"]),
    "correction": (_correct, lambda a: [a.get_absolute_url()]),
    "picture": (_caption_the_lead_picture, lambda a: [a.get_absolute_url()]),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_retires_the_pages_that_show_it(client, public_cache, world, change, media):
    a, b = world
    a.lead_image = make_image(caption="A harbour", credit="Staff", alt_text="Boats")
    a.save()
    make, pages = CHANGES[change]
    urls = pages(a)
    for url in urls:
        cached(client, url)
    cached(client, b.get_absolute_url())
    make(a, b)
    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "miss" and "Changed" in response.content.decode(), url
    # B shows none of it, but a section's name is in every page's navigation.
    expected = "miss" if change == "section" else "hit"
    assert client.get(b.get_absolute_url())["X-Cache"] == expected


def test_the_clock_retires_the_pages_a_scheduled_story_joins_and_no_others(
    client, public_cache, world, make_article, clock
):
    a, b = world
    now = timezone.now()
    due = make_article(
        headline="Due at nine", tags=["Syria"], published_at=now + timedelta(minutes=2)
    )
    for url in ("/", "/tags/syria/", b.get_absolute_url()):
        cached(client, url)
    # Before its time, nothing a reader gets has changed.
    assert "Due at nine" not in client.get("/").content.decode()
    clock(now + timedelta(minutes=3))
    for url in ("/", "/tags/syria/"):
        response = client.get(url)
        assert response["X-Cache"] == "miss" and "Due at nine" in response.content.decode()
    assert client.get(b.get_absolute_url())["X-Cache"] == "hit"
    assert client.get(due.get_absolute_url()).status_code == 200


def test_an_edge_keeps_a_page_no_longer_than_the_clock_allows(
    client, public_cache, world, make_article
):
    make_article(headline="Due soon", published_at=timezone.now() + timedelta(seconds=90))
    front = client.get("/")
    assert 85 <= edge_lifetime(front) <= 90 and s_maxage(front) == 600
    # A story page the scheduled one does not touch keeps the full lifetime.
    assert edge_lifetime(client.get(world[1].get_absolute_url())) >= 599


def test_scheduling_tells_the_edge_to_drop_the_lists_the_story_will_join(
    public_cache, world, make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        due = make_article(
            headline="Due later", tags=["Syria"], published_at=timezone.now() + timedelta(hours=1)
        )
    purged = set().union(*public_cache)
    assert {f"story-{due.pk}", "front", f"section-{due.section_id}"} <= purged
    assert f"tag-{Tag.objects.get(name='Syria').pk}" in purged


def test_unknown_query_parameters_make_no_new_entries(client, public_cache, world):
    cached(client, "/")
    entries = len(cache._cache)
    for query in ("?utm_source=newsletter", "?x=1", "?x=2&utm_medium=social", "?fbclid=abc"):
        assert client.get("/" + query)["X-Cache"] == "hit", query
    assert len(cache._cache) == entries


def test_the_edge_hears_each_purge_twice_for_the_page_it_was_fetching(
    settings, public_cache, world, django_capture_on_commit_callbacks
):
    # A page the edge fetched while the save committed arrives after the first purge.
    settings.EDGE_REPURGE_SECONDS = 0.05
    a, _ = world
    public_changes._pending.keys = None
    with django_capture_on_commit_callbacks(execute=True):
        a.headline = "Story A, corrected"
        a.save()
    assert len(public_cache) == 1
    deadline = time.monotonic() + 5
    while len(public_cache) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert public_cache[0] == public_cache[1] and f"story-{a.pk}" in public_cache[1]


# Found in review


def test_a_feed_shows_a_renamed_tag(client, public_cache, world):
    a, _ = world
    cached(client, "/feed/")
    cached(client, "/tags/syria/feed/")
    tag = a.tags.get()
    tag.name = "Changed"
    tag.save()
    assert "Changed" in client.get("/feed/").content.decode()  # <category>
    assert "Changed" in client.get("/tags/syria/feed/").content.decode()  # <title>


def test_a_feed_shows_a_renamed_author(client, public_cache, world):
    a, _ = world
    cached(client, "/feed/")
    author = a.authors.get()
    author.name = "Changed"
    author.save()
    assert "Changed" in client.get("/feed/").content.decode()  # <author>/<dc:creator>


def test_a_feed_shows_a_picture_credit_fixed_in_the_library(client, public_cache, world, media):
    a, _ = world
    a.lead_image = make_image(caption="A harbour", credit="Staff", alt_text="Boats")
    a.save()
    cached(client, "/feed/")
    a.lead_image.credit = "Changed"
    a.lead_image.save()
    assert "Changed" in client.get("/feed/").content.decode()  # <media:credit>


def test_changing_a_tags_slug_updates_the_tag_sitemap_and_fills_its_new_address(
    client, public_cache, world
):
    a, _ = world
    cached(client, "/sitemap-tags.xml")
    cached(client, "/tags/renamed/")  # a 404, stored as "missing"
    tag = a.tags.get()
    tag.slug = "renamed"
    tag.save()
    assert client.get("/tags/renamed/").status_code == 200
    assert "/tags/renamed/" in client.get("/sitemap-tags.xml").content.decode()


def test_tagging_a_scheduled_story_alone_retires_the_tag_page_when_it_goes_live(
    client, public_cache, world, make_article, clock
):
    now = timezone.now()
    due = make_article(headline="Due at nine", published_at=now + timedelta(minutes=2))
    cached(client, "/tags/syria/")  # the clock's events are made here, without the tag
    due.tags.add("Syria")  # from code or an API: no save of the story itself
    clock(now + timedelta(minutes=3))
    response = client.get("/tags/syria/")
    assert "Due at nine" in response.content.decode(), response["X-Cache"]


def test_a_repeated_page_parameter_does_not_store_page_one_as_page_two(
    client, public_cache, make_article
):
    for n in range(50):
        make_article(headline=f"River story {n:02d}")
    page_two = client.get("/?page=2").content.decode()
    cache.clear()
    client.get("/?page=2&page=1")  # the view reads the last value: page 1
    assert client.get("/?page=2").content.decode() == page_two


def test_spellings_of_one_page_number_make_one_entry(client, public_cache, make_article):
    for n in range(50):
        make_article(headline=f"River story {n:02d}")
    client.get("/?page=2")
    entries = len(cache._cache)
    for spelling in ("+2", " 2", "2 ", "+02", "  2"):
        assert client.get("/", {"page": spelling}).status_code == 200
    assert len(cache._cache) == entries


def test_the_s_maxage_of_a_tag_page_does_not_tell_a_story_is_scheduled_there(
    client, public_cache, make_article
):
    make_article(headline="Old merger story", tags=["Merger"])
    make_article(headline="Old weather story", tags=["Weather"])
    # An embargoed story, due in 90 seconds, tagged Merger.
    make_article(
        headline="Embargoed",
        tags=["Merger"],
        published_at=timezone.now() + timedelta(seconds=90),
    )
    merger, weather = client.get("/tags/merger/"), client.get("/tags/weather/")
    # Readers behind a CDN that forwards Cache-Control see it: the same on both pages. The
    # lifetime the edge keeps, which does differ, is in a header edges never pass on.
    assert merger["Cache-Control"] == weather["Cache-Control"]
    assert edge_lifetime(merger) <= 90 < edge_lifetime(weather)


def test_a_page_served_from_the_app_cache_tells_the_edge_about_a_story_scheduled_since(
    client, public_cache, world, make_article
):
    cached(client, "/")  # stored when nothing was due
    # Scheduling purges "clock" here and the front page at the edge; the edge fetches again.
    make_article(headline="Due soon", published_at=timezone.now() + timedelta(seconds=90))
    response = client.get("/")
    assert response["X-Cache"] == "hit" and 85 <= edge_lifetime(response) <= 90


def test_the_menu_shows_a_new_desk_when_its_first_story_goes_live_by_the_clock(
    client, public_cache, world, make_article, clock
):
    from articles.models import Section

    business = Section.objects.create(name="Business desk", slug="business")
    now = timezone.now()
    cached(client, "/")  # the menu is kept: World only
    make_article(headline="Due at nine", section=business, published_at=now + timedelta(minutes=2))
    clock(now + timedelta(minutes=3))
    response = client.get("/")
    assert "Due at nine" in response.content.decode()  # the page was made again...
    assert "/sections/business/" in response.content.decode().split("</nav>")[0]  # ...the menu?


def test_an_edge_that_purges_by_path_is_told_the_pages_a_picture_or_name_change_shows_on(
    public_cache, world, media
):
    from articles.surrogate_keys import paths_for, touched_by

    a, _ = world
    a.lead_image = make_image(caption="A harbour", credit="Staff", alt_text="Boats")
    a.save()
    tag, author = a.tags.get(), a.authors.get()
    missed = {}
    for row in (a.lead_image, tag, author):  # each is printed on A's page
        paths = paths_for(touched_by(row))
        if not (a.get_absolute_url() in paths or "/*" in paths):
            missed[str(row)] = paths
    assert not missed
