"""The read API: stories, their lists, sections, tags, authors, search and the OpenAPI
document (api/stories.py)."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from api.main import api
from articles.models import Article, Correction, Section
from tests.photos_helpers import make_image

LIST = "/api/v1/articles/"


def detail(article):
    return f"/api/v1/articles/{article.slug}/"


def slugs(response):
    return [item["slug"] for item in response.json()["items"]]


# The list -----------------------------------------------------------------------------------


def test_list_shows_live_stories_newest_first_by_the_date_readers_see(client, make_article):
    now = timezone.now()
    older = make_article(display_date=now - timedelta(days=30), published_at=now)
    # Shown on its original date, though it went live here after the other.
    newer = make_article(original_published_at=now - timedelta(days=1), published_at=now)
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(hours=1))
    response = client.get(LIST)
    assert response.status_code == 200
    assert slugs(response) == [newer.slug, older.slug]
    item = response.json()["items"][0]
    assert item["url"] == f"http://testserver/articles/{newer.slug}/"
    assert item["api_url"] == f"http://testserver/api/v1/articles/{newer.slug}/"
    assert item["guid"] == str(newer.guid)
    assert item["section"]["slug"] == newer.section.slug
    assert response.json()["next"] is None


def test_cursor_pages_are_stable_when_stories_are_published_meanwhile(client, make_article):
    made = [make_article() for _ in range(5)]  # newest first: made[0] is the newest
    first = client.get(LIST, {"limit": 2}).json()
    assert [i["slug"] for i in first["items"]] == [made[0].slug, made[1].slug]
    make_article(original_published_at=timezone.now(), published_at=timezone.now())
    second = client.get(first["next"]).json()
    assert [i["slug"] for i in second["items"]] == [made[2].slug, made[3].slug]
    third = client.get(second["next"]).json()
    assert [i["slug"] for i in third["items"]] == [made[4].slug]
    assert third["next"] is None


def test_next_link_keeps_the_filters(client, make_article):
    for _ in range(3):
        make_article(tags=["Floods"])
    make_article()
    first = client.get(LIST, {"tag": "floods", "limit": 2}).json()
    query = parse_qs(urlparse(first["next"]).query)
    assert query["tag"] == ["floods"] and query["limit"] == ["2"]
    assert len(client.get(first["next"]).json()["items"]) == 1


def test_stories_sharing_a_date_are_each_listed_once(client, make_article):
    when = timezone.now() - timedelta(days=2)
    made = {make_article(display_date=when).slug for _ in range(5)}
    seen, url = [], LIST + "?limit=2"
    while url:
        page = client.get(url).json()
        seen += [i["slug"] for i in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)


def test_list_filters_by_section_tag_and_author(client, make_article, make_author):
    sport = Section.objects.create(name="Sport", slug="sport")
    jane = make_author("Jane Reporter")
    in_sport = make_article(section=sport)
    tagged = make_article(tags=["Floods"])
    by_jane = make_article(authors=[jane])
    assert slugs(client.get(LIST, {"section": "sport"})) == [in_sport.slug]
    assert slugs(client.get(LIST, {"tag": "floods"})) == [tagged.slug]
    assert slugs(client.get(LIST, {"author": "jane-reporter"})) == [by_jane.slug]


def test_list_filters_by_the_date_shown_and_by_changes(client, make_article):
    now = timezone.now()
    old = make_article(display_date=now - timedelta(days=40))
    recent = make_article(display_date=now - timedelta(days=2))
    after = (now - timedelta(days=10)).isoformat()
    assert slugs(client.get(LIST, {"published_after": after})) == [recent.slug]
    assert slugs(client.get(LIST, {"published_before": after})) == [old.slug]
    since = timezone.now()
    Article.objects.filter(pk=old.pk).update(updated_at=since + timedelta(seconds=1))
    assert slugs(client.get(LIST, {"updated_since": since.isoformat()})) == [old.slug]


def test_a_section_with_no_live_story_is_not_found(client, make_article):
    Section.objects.create(name="Hidden", slug="hidden")
    make_article(section=Section.objects.get(slug="hidden"), status=Article.Status.DRAFT)
    response = client.get(LIST, {"section": "hidden"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["name"] == "section"


@pytest.mark.parametrize("count", [5, 30])
def test_list_queries_do_not_grow_with_the_stories(
    client, make_article, make_author, django_assert_num_queries, count
):
    author = make_author("Jane Reporter")
    for _ in range(count):
        make_article(tags=["Floods"], authors=[author], lead_image=None)
    client.get(LIST)  # the clock's times are kept after the first ask
    # The page (one row more than asked), and the tag the filter names.
    with django_assert_num_queries(2):
        response = client.get(LIST, {"limit": 100, "tag": "floods"})
    assert len(response.json()["items"]) == count


# One story --------------------------------------------------------------------------------


def test_story_has_both_dates_with_their_meaning_and_its_names(client, make_article, make_author):
    shown = timezone.now() - timedelta(days=3)
    original = timezone.now() - timedelta(days=5)
    article = make_article(
        headline="Ferry resumes",
        standfirst="After <b>two</b> weeks",
        body="<p>First.</p><p>Second &amp; last.</p>",
        byline="Gulan Media",
        source_name="Gulan Media",
        source_url="https://example.org/original",
        display_date=shown,
        original_published_at=original,
        tags=["Floods"],
        authors=[make_author("Jane Reporter")],
    )
    Correction.objects.create(
        article=article, text="A date was wrong.", published_at=timezone.now()
    )
    data = client.get(detail(article)).json()
    assert data["headline"] == "Ferry resumes"
    assert data["status"] == "live"
    assert data["standfirst"] == "After two weeks"
    assert data["body"] == "<p>First.</p><p>Second &amp; last.</p>"
    assert data["body_format"] == "html"
    assert data["byline"] == "Gulan Media"
    assert data["source"] == {"name": "Gulan Media", "url": "https://example.org/original"}
    assert data["original_published_at"].startswith(original.isoformat()[:19])
    assert data["display_date"].startswith(shown.isoformat()[:19])
    assert data["date_shown"] == data["display_date"]
    assert [t["slug"] for t in data["tags"]] == ["floods"]
    assert data["tags"][0]["articles_url"] == "http://testserver/api/v1/articles/?tag=floods"
    assert [a["slug"] for a in data["authors"]] == ["jane-reporter"]
    assert [c["text"] for c in data["corrections"]] == ["A date was wrong."]
    assert data["last_public_change"] == data["corrections"][0]["published_at"]
    assert data["guid"] == str(article.guid)


def test_story_body_as_plain_text_on_request(client, make_article):
    article = make_article(body="<p>First <em>one</em>.</p><ul><li>A</li><li>B</li></ul>")
    data = client.get(detail(article), {"body": "text"}).json()
    assert data["body_format"] == "text"
    assert data["body"] == "First one.\n\nA\n\nB"


def test_story_pictures_come_with_absolute_rendition_urls(client, make_article, media):
    lead = make_image(credit="Jane Doe / Reuters", alt_text="A ferry")
    inside = make_image(credit="Staff", alt_text="A quay")
    article = make_article(
        lead_image=lead,
        body=f'<p>Text.</p><figure data-image="{inside.file.name}"></figure>',
    )
    data = client.get(detail(article)).json()
    assert data["lead_picture"]["credit"] == "Jane Doe / Reuters"
    urls = [r["url"] for r in data["lead_picture"]["renditions"]]
    assert urls and all(u.startswith("http://testserver/media/renditions/") for u in urls)
    assert data["body"] == '<p>Text.</p><figure data-picture="0"></figure>'
    assert data["pictures"][0]["alt_text"] == "A quay"
    assert inside.file.name not in json.dumps(data)  # the original's name stays private


def test_story_costs_at_most_three_queries(
    client, make_article, make_author, django_assert_num_queries, media
):
    inside = make_image(credit="Staff", alt_text="A quay")
    article = make_article(
        tags=["Floods", "Ferries"],
        authors=[make_author("Jane Reporter")],
        lead_image=make_image(credit="Jane", alt_text="A ferry"),
        body=f'<p>Text.</p><figure data-image="{inside.file.name}"></figure>',
    )
    Correction.objects.create(article=article, text="Fixed.", published_at=timezone.now())
    client.get(detail(article))
    # The story with its names and corrections, and the body's pictures (issue: at most 3).
    with django_assert_num_queries(2):
        assert client.get(detail(article)).status_code == 200


def test_unknown_story_is_a_404_problem(client, db):
    response = client.get("/api/v1/articles/no-such-story/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_withdrawn_story_is_410_naming_only_its_guid(client, make_article):
    article = make_article(headline="Secret words", body="<p>Secret body.</p>")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    response = client.get(detail(article))
    assert response.status_code == 410
    assert response.json()["guid"] == str(article.guid)
    assert b"Secret" not in response.content


def test_old_slug_redirects_to_the_new_api_address(client, make_article):
    article = make_article(slug="old-name")
    article.slug = "new-name"
    article.save()
    response = client.get("/api/v1/articles/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "http://testserver/api/v1/articles/new-name/"


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "expired"])
def test_hidden_stories_are_missing_from_every_endpoint(client, make_article, state):
    from tests.conftest import HIDDEN_STATES

    article = make_article(
        headline="Zanzibar secretword", tags=["Hidden topic"], **HIDDEN_STATES[state]
    )
    assert client.get(detail(article)).status_code == 404
    for path in (LIST, "/api/v1/tags/", "/api/v1/search/?q=secretword"):
        response = client.get(path)
        assert response.status_code == 200
        assert b"secretword" not in response.content.lower()
        assert b"hidden-topic" not in response.content


# Sections, tags, authors, search --------------------------------------------------------


def test_names_list_only_those_with_live_stories(client, make_article, make_author):
    jane, joe = make_author("Jane Reporter"), make_author("Joe Hidden")
    make_article(tags=["Floods"], authors=[jane])
    make_article(tags=["Secret"], authors=[joe], status=Article.Status.DRAFT)
    Section.objects.create(name="Empty", slug="empty")
    tags = client.get("/api/v1/tags/").json()["items"]
    assert [t["slug"] for t in tags] == ["floods"]
    assert tags[0]["url"] == "http://testserver/tags/floods/"
    assert [a["slug"] for a in client.get("/api/v1/authors/").json()["items"]] == ["jane-reporter"]
    sections = client.get("/api/v1/sections/").json()["items"]
    assert [s["slug"] for s in sections] == ["world"]
    assert sections[0]["articles_url"] == "http://testserver/api/v1/articles/?section=world"


def test_names_come_a_page_at_a_time_by_name(client, make_article):
    # A newsroom has thousands of tags: the list is paged like the stories, by a cursor.
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    make_article(tags=names)
    make_article(tags=["Hidden draft tag"], status=Article.Status.DRAFT)
    seen, url = [], "/api/v1/tags/?limit=2"
    while url:
        page = client.get(url).json()
        assert len(page["items"]) <= 2
        seen += [tag["name"] for tag in page["items"]]
        url = page["next"]
    assert seen == names
    first = client.get("/api/v1/tags/").json()
    assert [tag["name"] for tag in first["items"]] == names and first["next"] is None
    assert client.get("/api/v1/tags/?limit=501").status_code == 400


def test_search_finds_live_stories_by_their_words(client, make_article):
    found = make_article(headline="Zanzibar ferry resumes")
    make_article(headline="Something else")
    response = client.get("/api/v1/search/", {"q": "zanzibar"})
    assert slugs(response) == [found.slug]


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_search_without_words_is_a_400_naming_q(client, db, query):
    response = client.get("/api/v1/search/", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["name"] for e in response.json()["errors"]] == ["q"]


# OpenAPI and docs ------------------------------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_route(client, db):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    documented = set(document["paths"])
    routes = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.add(prefix + str(pattern.pattern))

    walk(api.urls[0], "/api/v1/")
    # Django's <slug> path converters against OpenAPI's {slug}.
    routes = {r.replace("<slug>", "{slug}") for r in routes}
    routes -= {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}
    assert routes <= documented
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation.get("summary"), path
            if "stories" in operation["tags"]:
                assert {"400", "404", "429"} <= set(operation["responses"]), path


def test_docs_page_uses_only_local_files_allowed_by_the_csp(client, db):
    import re

    from django.contrib.staticfiles import finders

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    # No inline script runs: the one <script> without src is JSON data.
    for attributes, _ in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    # Each is a file the project serves (WhiteNoise finds it where the test client does not).
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
