import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.http import parse_http_date

from articles.models import Article
from tests.conftest import HIDDEN_STATES

LONDON = ZoneInfo("Europe/London")
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}


def json_ld(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


# --- date archives -----------------------------------------------------------------


def test_date_archives_list_stories_by_the_date_readers_see_in_london(client, make_article):
    # 23:30 UTC on 22 July is 00:30 on 23 July in London: it belongs to the 23rd.
    late = make_article(display_date=datetime(2024, 7, 22, 23, 30, tzinfo=ZoneInfo("UTC")))
    make_article(display_date=datetime(2024, 7, 22, 12, 0, tzinfo=LONDON))
    for url in ("/2024/", "/2024/7/", "/2024/07/23/"):
        response = client.get(url)
        assert late in response.context["articles"], url
    assert list(client.get("/2024/07/23/").context["articles"]) == [late]


@pytest.mark.parametrize("url", ["/2021/13/", "/2021/13/45/", "/2021/02/30/", "/1999/"])
def test_impossible_or_empty_dates_answer_404(client, seed, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("page", ["99", "abc", "0", "-1", "999999999999999999999"])
def test_bad_page_numbers_answer_404(client, seed, page):
    assert client.get(f"/?page={page}").status_code == 404


# --- feeds ---------------------------------------------------------------------------


def test_rss_feed_items_carry_display_date_credit_standfirst_tags_and_a_permanent_guid(
    client, seed
):
    seed.standfirst = "Assad in Moscow."
    seed.save()
    channel = ET.fromstring(client.get("/feed/").content).find("channel")
    item = channel.find("item")
    assert item.findtext("title") == seed.headline
    assert item.findtext("description") == "Assad in Moscow."
    assert item.findtext("pubDate") == "Tue, 23 Jul 2024 11:00:00 +0000"
    assert "Gulan Media" in ET.tostring(item, encoding="unicode")
    assert {c.text for c in item.findall("category")} >= {"Syria", "Vladimir Putin"}
    guid = item.find("guid")
    assert guid.text == f"urn:uuid:{seed.guid}" and guid.get("isPermaLink") == "false"
    assert item.findtext("link").endswith(seed.get_absolute_url())


def test_atom_feed_parses_and_dates_items_by_display_date(client, seed):
    feed = ET.fromstring(client.get("/feed/atom/").content)
    entry = feed.find("atom:entry", NS)
    assert entry.findtext("atom:title", namespaces=NS) == seed.headline
    assert entry.findtext("atom:published", namespaces=NS) == "2024-07-23T11:00:00+00:00"
    assert entry.findtext("atom:id", namespaces=NS) == f"urn:uuid:{seed.guid}"


def test_guid_does_not_change_when_the_slug_does(client, seed):
    before = ET.fromstring(client.get("/feed/").content).find("channel/item").findtext("guid")
    seed.slug = "putin-and-assad-meet"
    seed.save()
    after = ET.fromstring(client.get("/feed/").content).find("channel/item").findtext("guid")
    assert before == after


@pytest.mark.parametrize(
    "url", ["/feed/", "/feed/atom/", "/sections/news/feed/", "/tags/syria/feed/atom/"]
)
def test_section_and_tag_feeds_parse(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    assert seed.headline in response.content.decode()
    ET.fromstring(response.content)


def test_every_page_announces_its_feeds(client, seed):
    html = client.get("/tags/syria/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html
    assert 'href="/tags/syria/feed/"' in html and 'href="/tags/syria/feed/atom/"' in html
    article_page = client.get(seed.get_absolute_url()).content.decode()
    assert 'href="/feed/"' in article_page and 'href="/feed/atom/"' in article_page


# --- sitemaps and robots -----------------------------------------------------------------


def test_sitemap_index_lists_article_section_and_tag_sitemaps_with_lastmod(client, seed):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert {loc.rsplit("/", 1)[1] for loc in locations} >= {
        "sitemap-articles.xml",
        "sitemap-sections.xml",
        "sitemap-tags.xml",
    }
    articles = ET.fromstring(client.get("/sitemap-articles.xml").content)
    [url] = articles.findall("sm:url", NS)
    assert url.findtext("sm:loc", namespaces=NS).endswith(seed.get_absolute_url())
    assert url.findtext("sm:lastmod", namespaces=NS).startswith("2024-07-23")
    tags = ET.fromstring(client.get("/sitemap-tags.xml").content)
    assert any(loc.text.endswith("/tags/syria/") for loc in tags.iter(f"{{{NS['sm']}}}loc"))
    sections = ET.fromstring(client.get("/sitemap-sections.xml").content)
    assert sections.findtext("sm:url/sm:lastmod", namespaces=NS).startswith("2024-07-23")


def test_news_sitemap_holds_live_stories_from_the_last_two_days(client, make_article, seed):
    fresh = make_article(headline="Fresh news: 1 < 2 & views", published_at=timezone.now())
    urlset = ET.fromstring(client.get("/news-sitemap.xml").content)
    urls = urlset.findall("sm:url", NS)
    assert len(urls) == 1  # the seed went live in 2024
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:title", namespaces=NS) == "Fresh news: 1 < 2 & views"
    assert news.findtext("news:publication/news:name", namespaces=NS)
    assert news.findtext("news:publication_date", namespaces=NS)
    assert urls[0].findtext("sm:loc", namespaces=NS).endswith(fresh.get_absolute_url())


def test_robots_txt_names_the_sitemaps(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Sitemap: http://testserver/news-sitemap.xml" in text


# --- structured data and sharing -------------------------------------------------------


def test_article_page_carries_news_article_json_ld_with_both_dates(client, seed):
    data = json_ld(client.get(seed.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == seed.headline
    assert data["datePublished"] == "2024-07-23T11:00:00+00:00"
    assert data["dateModified"]
    assert data["articleSection"] == "News"
    assert "Syria" in data["keywords"]
    assert data["author"] == [{"@type": "Organization", "name": "Gulan Media"}]
    assert data["publisher"]["@type"] == "Organization"
    assert data["mainEntityOfPage"]["@id"].endswith(seed.get_absolute_url())
    assert data["isBasedOn"]["datePublished"] == "2021-09-14T11:00:00+00:00"


@pytest.mark.parametrize(
    "headline, words",
    [
        ('He said "no"', 'He said "no"'),
        ("</script><script>alert(1)</script>Breakout", "Breakout"),
        ("Путин и Асад — встреча", "Путин и Асад — встреча"),
        ("a & b <!--", "a & b "),
    ],
)
def test_json_ld_stays_valid_json_whatever_the_headline_holds(
    client, make_article, headline, words
):
    article = make_article(headline=headline, standfirst=headline)
    html = client.get(article.get_absolute_url()).content.decode()
    assert json_ld(html)["headline"] == words
    assert "<script>alert(1)" not in html


def test_article_page_has_canonical_open_graph_and_twitter_tags(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    url = f"http://testserver{seed.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{seed.headline}">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="robots" content="noindex">' not in html


def test_syndicated_copy_shows_its_attribution_line(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "Originally published by Gulan Media on 14 September 2021" in text
    seed.source_url = "https://www.gulan.example/putin-assad"
    seed.save()
    html = client.get(seed.get_absolute_url()).content.decode()
    assert '<a href="https://www.gulan.example/putin-assad">Gulan Media</a> on <time' in html
    assert json_ld(html)["isBasedOn"] == "https://www.gulan.example/putin-assad"


def test_editor_chooses_canonical_to_source_or_noindex(client, seed):
    seed.source_url = "https://www.gulan.example/putin-assad"
    seed.syndication_indexing = Article.SyndicationIndexing.CANONICAL_SOURCE
    seed.save()
    html = client.get(seed.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="https://www.gulan.example/putin-assad">' in html
    seed.syndication_indexing = Article.SyndicationIndexing.NOINDEX
    seed.save()
    html = client.get(seed.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex">' in html


# --- stable links ----------------------------------------------------------------------


def test_an_old_slug_redirects_permanently_to_the_new_one(client, seed):
    old_url = seed.get_absolute_url()
    seed.slug = "putin-and-assad-meet"
    seed.save()
    seed.slug = "putin-and-assad-meet-in-moscow"
    seed.save()
    for url in (old_url, "/articles/putin-and-assad-meet/"):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == "/articles/putin-and-assad-meet-in-moscow/"


def test_an_old_slug_of_a_hidden_story_does_not_redirect(client, make_article):
    article = make_article(slug="first-name")
    article.slug = "second-name"
    article.status = "draft"
    article.save()
    assert client.get("/articles/first-name/").status_code == 404


# --- search ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Assad", "Kremlin", "kremlin moscow", "Syrian civil war"])
def test_search_finds_the_seed_story(client, seed, make_article, query):
    make_article(headline="Unrelated council meeting", body="<p>Budgets.</p>")
    response = client.get("/search/", {"q": query})
    assert list(response.context["articles"]) == [seed]


def test_search_ranks_a_headline_match_above_a_passing_mention(client, make_article):
    mention = make_article(headline="Weather report", body="<p>Rain, and Kremlin news.</p>")
    headline = make_article(headline="Kremlin announces talks", body="<p>Talks.</p>")
    assert list(client.get("/search/", {"q": "kremlin"}).context["articles"]) == [
        headline,
        mention,
    ]


def test_search_finds_tags_and_edits_at_once(client, make_article):
    article = make_article(body="<p>Nothing here.</p>")
    article.tags.add("Elections")
    assert list(client.get("/search/", {"q": "elections"}).context["articles"]) == [article]
    article.tags.clear()
    assert list(client.get("/search/", {"q": "elections"}).context["articles"]) == []


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_search_never_returns_hidden_stories(client, make_article, state):
    make_article(headline="Embargoed Kremlin scoop", **HIDDEN_STATES[state])
    response = client.get("/search/", {"q": "Kremlin scoop"})
    assert list(response.context["articles"]) == []
    assert "Embargoed" not in response.content.decode()


@pytest.mark.parametrize(
    "query", ['"unbalanced', "AND OR NOT", "NEAR(", "*", "x" * 5000, "col:value", "''"]
)
def test_search_survives_any_input(client, seed, query):
    assert client.get("/search/", {"q": query}).status_code == 200


def test_search_results_are_paginated(client, make_article):
    for _ in range(21):
        make_article(headline="Kremlin story")
    response = client.get("/search/", {"q": "Kremlin"})
    assert len(response.context["articles"]) == 20
    assert 'rel="next" href="?q=Kremlin&amp;page=2"' in response.content.decode()


def test_every_page_has_a_search_form(client, seed):
    for url in ("/", seed.get_absolute_url(), "/tags/syria/", "/search/?q=x", "/nope/"):
        assert '<form class="search" role="search"' in client.get(url).content.decode(), url


# --- HTTP behaviour ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/tags/syria/", "/sections/news/", "/2024/07/23/"])
def test_pages_answer_a_repeated_conditional_get_with_304(client, seed, url):
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304


def test_article_page_sends_last_modified_and_etag_and_answers_304(client, seed):
    first = client.get(seed.get_absolute_url())
    assert parse_http_date(first["Last-Modified"]) >= seed.updated_at.timestamp()
    again = client.get(seed.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(
        seed.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]}
    )
    assert since.status_code == 304


@pytest.mark.parametrize(
    "change",
    [
        lambda seed: seed.save(),
        lambda seed: seed.tags.add("Diplomacy"),
        lambda seed: seed.tags.get(name="Syria").delete(),
        lambda seed: seed.section.__class__.objects.filter(pk=seed.section_id).get().save(),
    ],
    ids=["edit", "tag added", "tag deleted", "section saved"],
)
def test_any_visible_change_moves_last_modified_at_once(client, seed, change):
    url = seed.get_absolute_url()
    before = {page: client.get(page)["Last-Modified"] for page in (url, "/", "/sections/news/")}
    # A second later: HTTP dates count whole seconds.
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=2)
    ):
        change(seed)
    for page, last_modified in before.items():
        response = client.get(page, headers={"if-modified-since": last_modified})
        assert response.status_code == 200, page


def test_work_on_an_unpublished_story_does_not_move_last_modified(client, seed, make_article):
    draft = make_article(status="draft", published_at=None, original_published_at=None)
    before = client.get("/")["Last-Modified"]
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=2)
    ):
        draft.headline = "Embargoed: minister to resign"
        draft.save()
        draft.tags.add("Resignation")
    assert client.get("/")["Last-Modified"] == before


def test_deleting_a_live_story_moves_last_modified_forward(client, seed, make_article):
    story = make_article()
    before = client.get("/")["Last-Modified"]
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=2)
    ):
        story.delete()
    after = client.get("/")
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(before)


def test_a_scheduled_story_going_live_changes_last_modified(client, seed, make_article):
    soon = timezone.now() + timedelta(minutes=5)
    scheduled = make_article(published_at=soon)
    Article.objects.filter(pk=scheduled.pk).update(updated_at=seed.updated_at)
    before = client.get("/")
    assert (
        client.get("/", headers={"if-modified-since": before["Last-Modified"]}).status_code == 304
    )
    with mock.patch("django.utils.timezone.now", return_value=soon + timedelta(seconds=1)):
        after = client.get("/", headers={"if-modified-since": before["Last-Modified"]})
    assert after.status_code == 200
    assert scheduled in [after.context["lead"], *after.context["top_stories"]]


# --- constant query counts ----------------------------------------------------------------

LIST_URLS = [
    "/",
    "/sections/world/",
    "/tags/shared/",
    "/authors/jane-reporter/",
    "/2024/",
    "/2024/07/",
    "/search/?q=story",
    "/feed/",
    "/tags/shared/feed/atom/",
    "/sitemap-articles.xml",
    "/sitemap-tags.xml",
]


def _add_articles(make_article, author, n):
    for i in range(n):
        make_article(
            display_date=datetime(2024, 7, 1 + i % 28, 12, tzinfo=LONDON),
            tags=["Shared", f"Topic {i}", f"Other {i}"],
            authors=[author],
        )


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_run_the_same_queries_for_10_and_50_articles(
    client, make_article, make_author, count_queries, django_assert_num_queries, url
):
    author = make_author("Jane Reporter")
    _add_articles(make_article, author, 10)  # more than the front page's lead and top stories
    client.get(url)  # what every page repeats (the menu, the clock) is made once per change
    few = count_queries(lambda: client.get(url))
    _add_articles(make_article, author, 40)
    client.get(url)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_rebuild_search_index_mends_a_lost_index(client, seed):
    from django.core.management import call_command
    from django.db import connection

    table = (
        "articles_article_search" if connection.vendor == "postgresql" else "articles_article_fts"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    assert list(client.get("/search/", {"q": "Kremlin"}).context["articles"]) == []
    call_command("rebuild_search_index", verbosity=0)
    assert list(client.get("/search/", {"q": "Kremlin"}).context["articles"]) == [seed]


@pytest.mark.parametrize(
    "query, found",
    [("putin or banana", False), ("putin -banana", False), ('"putin" assad', True)],
)
def test_search_words_are_words_on_every_database(client, seed, query, found):
    # Every word must match; "or", "-" and quotes are not operators on either backend.
    expected = [seed] if found else []
    assert list(client.get("/search/", {"q": query}).context["articles"]) == expected


def test_search_caps_the_number_of_words(client, seed):
    words = " ".join(["Kremlin"] * 12 + ["nonexistentword"])
    assert list(client.get("/search/", {"q": words}).context["articles"]) == [seed]


def test_sitemap_index_dates_each_sitemap_without_reading_every_item(client, make_article):
    from articles.sitemaps import ArticleSitemap, SectionSitemap, TagSitemap

    for i in range(3):
        make_article(tags=[f"t{i}"])
    # Django's default asks lastmod() of every item (100,000 articles); ours aggregates.
    with (
        mock.patch.object(ArticleSitemap, "lastmod", side_effect=AssertionError),
        mock.patch.object(SectionSitemap, "lastmod", side_effect=AssertionError),
        mock.patch.object(TagSitemap, "lastmod", side_effect=AssertionError),
    ):
        index = ET.fromstring(client.get("/sitemap.xml").content)
    newest = max(a.page_changed_at for a in Article.objects.live())
    lastmods = {e.text[:10] for e in index.iter(f"{{{NS['sm']}}}lastmod")}
    assert lastmods == {timezone.localtime(newest).strftime("%Y-%m-%d")}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL needs unaccent for this")
def test_search_folds_accents_on_sqlite(client, make_article):
    story = make_article(headline="Café opens in Zürich")
    assert list(client.get("/search/", {"q": "cafe zurich"}).context["articles"]) == [story]
