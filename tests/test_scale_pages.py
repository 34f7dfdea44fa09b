"""Pages that must cost the same at 1,000 and 100,000 stories (issue #13; README, Benchmarks:
Scale): no COUNT of the live stories on a reader's page, sitemaps paged by id ranges, search
ranking only the newest matches. Speed itself is measured by bench/scale.py, not here."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.sitemaps import ArticleSitemap, TagSitemap
from tests.conftest import HIDDEN_STATES

SM = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _stories(make_article, n, **fields):
    return [
        make_article(tags=["Harbour"], authors=fields.pop("authors", ()), **fields)
        for _ in range(n)
    ]


def _locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{{{SM['sm']}}}loc")]


# --- count-free pagination -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?page=2",
        "/sections/world/",
        "/tags/harbour/",
        "/authors/jane-reporter/",
        "/search/?q=body",
        "/search/?q=body&page=2",
    ],
)
def test_a_reader_s_list_page_never_counts_the_live_stories(client, make_article, make_author, url):
    author = make_author("Jane Reporter")
    for _ in range(45):
        make_article(tags=["Harbour"], authors=[author])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts == []


def test_list_pages_link_newer_and_older_pages_without_a_page_total(client, make_article):
    _stories(make_article, 41)
    first = client.get("/tags/harbour/").content.decode()
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev"' not in first
    assert "Page 1</span>" in first and " of " not in first.split('class="pagination"')[1]
    middle = client.get("/tags/harbour/?page=2").content.decode()
    assert 'rel="prev" href="?page=1"' in middle and 'rel="next" href="?page=3"' in middle
    last = client.get("/tags/harbour/?page=3")
    assert len(last.context["articles"]) == 1
    assert 'rel="next"' not in last.content.decode()
    assert client.get("/tags/harbour/?page=4").status_code == 404


def test_a_full_last_page_offers_no_empty_older_page(client, make_article):
    _stories(make_article, 40)  # exactly two pages: the row fetched past page 2 is not there
    assert 'rel="next"' not in client.get("/tags/harbour/?page=2").content.decode()
    assert client.get("/tags/harbour/?page=3").status_code == 404


def test_a_list_of_one_page_shows_no_pagination(client, make_article):
    _stories(make_article, 20)
    page = client.get("/tags/harbour/")
    assert not page.context["is_paginated"]
    assert 'class="pagination"' not in page.content.decode()


def test_the_pages_together_hold_every_live_story_once_newest_first(client, make_article):
    stories = _stories(make_article, 45)  # each made a day before the last
    make_article(tags=["Harbour"], **HIDDEN_STATES["draft"])
    shown = [
        a for n in (1, 2, 3) for a in client.get(f"/tags/harbour/?page={n}").context["articles"]
    ]
    assert shown == stories


@pytest.mark.parametrize("page", ["last", "0", "-3", "2.5", "x", "99999999999999999999999"])
def test_a_page_that_cannot_be_read_without_a_count_is_not_found(client, make_article, page):
    _stories(make_article, 25)
    assert client.get(f"/tags/harbour/?page={page}").status_code == 404


def test_later_pages_of_a_list_run_no_more_queries_than_the_first(
    client, make_article, count_queries, django_assert_max_num_queries
):
    _stories(make_article, 30)
    client.get("/tags/harbour/")  # the menu and the stamps, kept for a while
    first = count_queries(lambda: client.get("/tags/harbour/"))
    _stories(make_article, 50)
    with django_assert_max_num_queries(first):
        assert client.get("/tags/harbour/?page=4").status_code == 200


# --- sitemaps by id range ---------------------------------------------------------------------


def test_article_sitemap_pages_are_id_ranges_that_hold_every_live_story_once(
    client, make_article, monkeypatch
):
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    stories = _stories(make_article, 7)
    hidden = make_article(**HIDDEN_STATES["scheduled"])
    index = _locations(client, "/sitemap.xml")
    pages = [loc for loc in index if "sitemap-articles.xml" in loc]
    first_id, last_id = min(s.pk for s in stories), max(s.pk for s in stories)
    # One page per three ids, from the range of the first live story to that of the last.
    assert len(pages) == -(-last_id // 3) - (first_id - 1) // 3
    listed = [loc for page in pages for loc in _locations(client, page.split("testserver")[1])]
    assert sorted(listed) == sorted(f"http://testserver{s.get_absolute_url()}" for s in stories)
    assert not any(hidden.slug in loc for loc in listed)
    assert client.get(f"/sitemap-articles.xml?p={len(pages) + 1}").status_code == 404


def test_a_story_keeps_its_sitemap_page_when_newer_ones_arrive(client, make_article, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    first = _stories(make_article, 2)
    before = _locations(client, "/sitemap-articles.xml")
    _stories(make_article, 5)
    after = _locations(client, "/sitemap-articles.xml")
    assert f"http://testserver{first[0].get_absolute_url()}" in before
    assert before == after[: len(before)]


def test_tag_sitemap_pages_list_only_tags_with_a_live_story(client, make_article, monkeypatch):
    monkeypatch.setattr(TagSitemap, "limit", 2)
    for n in range(5):
        make_article(tags=[f"Topic {n}"])
    make_article(tags=["Embargo"], **HIDDEN_STATES["draft"])
    index = _locations(client, "/sitemap.xml")
    pages = [loc.split("testserver")[1] for loc in index if "sitemap-tags.xml" in loc]
    listed = [loc.rsplit("/tags/", 1)[1] for page in pages for loc in _locations(client, page)]
    assert sorted(listed) == [f"topic-{n}/" for n in range(5)]


def test_the_sitemap_index_runs_the_same_queries_for_more_stories_and_tags(
    client, make_article, count_queries, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    monkeypatch.setattr(TagSitemap, "limit", 2)
    for n in range(3):
        make_article(tags=[f"Topic {n}"])
    few = count_queries(lambda: client.get("/sitemap.xml"))
    for n in range(3, 30):
        make_article(tags=[f"Topic {n}"])
    with django_assert_num_queries(few):
        assert client.get("/sitemap.xml").status_code == 200


def test_a_sitemap_page_is_two_queries(client, make_article, django_assert_num_queries):
    # Where its id ranges start, then the page's range.
    _stories(make_article, 5)
    for url in ("/sitemap-articles.xml", "/sitemap-tags.xml", "/sitemap-sections.xml"):
        with django_assert_num_queries(2):
            assert client.get(url).status_code == 200


def test_the_first_sitemap_page_starts_at_the_first_live_story(client, make_article):
    # Ids far from 1 (PostgreSQL's do not restart, old stories get deleted): page 1 is not empty.
    story = make_article(pk=10_001)
    assert _locations(client, "/sitemap-articles.xml") == [
        f"http://testserver{story.get_absolute_url()}"
    ]
    assert client.get("/sitemap-articles.xml?p=2").status_code == 404


# --- search ranks the newest matches -------------------------------------------------------------


def test_search_ranks_the_newest_matches_then_lists_older_ones_newest_first(
    client, make_article, monkeypatch
):
    monkeypatch.setattr(search, "RANKED", 3)
    # Made oldest last, so ids rise as stories get older: the window is the three lowest ids.
    old_but_best = make_article(headline="Lighthouse keeper", body="<p>lighthouse</p>")
    plain = [make_article(body="<p>A lighthouse mentioned once.</p>") for _ in range(4)]
    best = make_article(headline="Lighthouse lighthouse", body="<p>lighthouse lighthouse</p>")
    make_article(body="<p>lighthouse</p>", **HIDDEN_STATES["draft"])
    found = list(search.search_articles("lighthouse"))
    # The three newest matches by id (the draft is one of them, never shown), best first; then
    # every older live match, newest first.
    assert found[0] == best
    assert set(found[:2]) == {best, plain[3]}
    assert found[2:] == [plain[2], plain[1], plain[0], old_but_best]


def test_search_pages_hold_every_live_match_once(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "RANKED", 7)
    matches = [make_article(body="<p>ferry</p>") for _ in range(45)]
    make_article(body="<p>ferry</p>", **HIDDEN_STATES["expired"])
    shown = [
        a
        for n in (1, 2, 3)
        for a in client.get("/search/", {"q": "ferry", "page": n}).context["articles"]
    ]
    assert sorted(a.pk for a in shown) == sorted(a.pk for a in matches)
    assert client.get("/search/", {"q": "ferry", "page": 4}).status_code == 404


def test_search_runs_the_same_queries_for_few_and_many_matches(
    client, make_article, count_queries, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(search, "RANKED", 5)
    for _ in range(3):
        make_article(body="<p>harbour</p>")
    client.get("/search/", {"q": "harbour"})  # the menu and the stamps, kept for a while
    few = count_queries(lambda: client.get("/search/", {"q": "harbour"}))
    for _ in range(30):
        make_article(body="<p>harbour</p>")
    with django_assert_num_queries(few + 1):  # past the ranked window: the older matches
        assert client.get("/search/", {"q": "harbour"}).status_code == 200


# --- the admin story list --------------------------------------------------------------------


def test_the_author_filter_offers_recent_bylines_and_the_chosen_one(
    admin_client, make_article, make_author, monkeypatch
):
    from articles.admin import BylineFilter

    monkeypatch.setattr(BylineFilter, "RECENT", 2)
    retired, busy = make_author("Old Hand"), make_author("Busy Reporter")
    old = make_article(authors=[retired])
    make_article(authors=[busy])
    make_article(authors=[busy])  # the two most recently changed stories are Busy's
    changelist = "/admin/articles/article/"
    sidebar = admin_client.get(changelist).content.decode()
    assert f"?authors__id__exact={busy.pk}" in sidebar
    assert f"?authors__id__exact={retired.pk}" not in sidebar
    chosen = admin_client.get(changelist, {"authors__id__exact": retired.pk})
    assert [a.pk for a in chosen.context["cl"].result_list] == [old.pk]
    assert f"?authors__id__exact={retired.pk}" in chosen.content.decode()
    assert admin_client.get(changelist, {"authors__id__exact": "x"}).url.endswith("?e=1")


@pytest.mark.parametrize("p", ["0", "-1", "x", "1.5", "99999999999999999999999"])
def test_a_sitemap_page_that_is_not_a_page_number_is_not_found(client, make_article, p):
    _stories(make_article, 3)
    assert client.get(f"/sitemap-articles.xml?p={p}").status_code == 404
