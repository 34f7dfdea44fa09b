"""HTTP done right for the API (api/http.py, api/main.py): conditional requests, caching,
CORS, rate limits and problem details for every bad request."""

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.http import make_cursor
from api.models import ApiToken
from articles.models import Article
from tests.photos_helpers import make_image

LIST = "/api/v1/articles/"


@pytest.fixture
def story(make_article, make_author, media):
    return make_article(
        tags=["Floods"],
        authors=[make_author("Jane Reporter")],
        lead_image=make_image(credit="Staff", alt_text="A ferry"),
    )


def detail(article):
    return f"/api/v1/articles/{article.slug}/"


def assert_problem(response, status, parameter=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if parameter is not None:
        assert [e["name"] for e in problem["errors"]] == [parameter]
        assert parameter in problem["detail"]
    return problem


# Conditional requests ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, "story", "/api/v1/tags/"])
def test_etag_and_last_modified_answer_304(client, story, path):
    path = detail(story) if path == "story" else path
    first = client.get(path)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304
    since = first["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_an_edit_changes_the_etag(client, story):
    etag = client.get(detail(story))["ETag"]
    story.headline = "A new headline"
    story.save()
    response = client.get(detail(story), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["headline"] == "A new headline"


def test_head_answers_as_get(client, story):
    response = client.head(detail(story))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


# Caching -------------------------------------------------------------------------------------


def test_story_names_the_keys_of_what_it_shows(client, story):
    response = client.get(detail(story))
    tag, author = story.tags.get(), story.authors.get()
    assert {
        f"story-{story.pk}",
        f"tag-name-{tag.pk}",
        f"author-name-{author.pk}",
        f"picture-{story.lead_image_id}",
    } <= response.surrogate_keys
    assert response["Cache-Control"] == "max-age=0, must-revalidate"


def test_a_filtered_list_names_its_list_and_every_story_change(client, story):
    response = client.get(LIST, {"tag": "floods"})
    tag = story.tags.get()
    # "feeds": every change to a public story purges it, so updated_since never goes stale.
    assert {f"tag-{tag.pk}", f"story-{story.pk}", "feeds"} <= response.surrogate_keys


def test_search_is_never_shared(client, story):
    response = client.get("/api/v1/search/", {"q": "story"})
    assert not getattr(response, "surrogate_keys", None)


def test_requests_with_authorization_are_private(client, story):
    # A scheme that is not ours passes as anonymous (api/auth.py), and is still personal.
    response = client.get(detail(story), headers={"Authorization": "Basic c3RhZ2luZzpwdw=="})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not getattr(response, "surrogate_keys", None)
    assert "Access-Control-Allow-Credentials" not in response


def test_page_cache_never_serves_one_query_for_another(client, settings, make_article):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    made = [make_article() for _ in range(3)]
    assert len(client.get(LIST).json()["items"]) == 3
    assert [i["slug"] for i in client.get(LIST, {"limit": 1}).json()["items"]] == [made[0].slug]
    made[0].headline = "Edited"
    made[0].save()
    assert client.get(detail(made[0])).json()["headline"] == "Edited"
    assert client.get(LIST).json()["items"][0]["headline"] == "Edited"


# CORS ---------------------------------------------------------------------------------------


def test_cors_allows_any_origin_to_read_without_credentials(client, story):
    response = client.get(detail(story), headers={"Origin": "https://app.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    problem = client.get("/api/v1/articles/missing/", headers={"Origin": "https://x.example"})
    assert problem["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_allows_get(client, story):
    response = client.options(
        LIST,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


# Rate limits --------------------------------------------------------------------------------


def test_rate_limit_per_client_answers_429_with_retry_after(client, settings, story):
    settings.API_RATE_LIMIT = "2/min"
    for _ in range(2):
        assert client.get(LIST).status_code == 200
    refused = client.get(LIST)
    assert_problem(refused, 429)
    assert int(refused["Retry-After"]) > 0
    # Another client is counted on its own; a forged X-Forwarded-For is not a new client.
    assert client.get(LIST, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(LIST, headers={"X-Forwarded-For": "10.1.1.1"}).status_code == 429


def test_rate_limit_honours_the_trusted_proxy(client, settings, story):
    settings.API_RATE_LIMIT = "1/min"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(LIST, headers={"X-Forwarded-For": "10.1.1.1"}).status_code == 200
    assert client.get(LIST, headers={"X-Forwarded-For": "10.1.1.2"}).status_code == 200
    assert client.get(LIST, headers={"X-Forwarded-For": "10.1.1.1"}).status_code == 429


def test_tokens_are_counted_per_token_at_their_own_rate(client, settings, story, editor):
    settings.API_RATE_LIMIT = "1/min"
    settings.API_TOKEN_RATE_LIMIT = "3/min"
    token = ApiToken(user=editor, name="Preview", expires_at=timezone.now() + timedelta(days=1))
    secret = token.new_secret()
    token.save()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get(LIST).status_code == 200
    assert client.get(LIST).status_code == 429  # the address has used its one
    for _ in range(3):
        assert client.get(LIST, headers=bearer).status_code == 200
    assert_problem(client.get(LIST, headers=bearer), 429)


def test_refused_tokens_count_against_the_client_address(client, settings, story):
    # Otherwise a made-up token on each request would dodge the limit: the token is checked
    # (a query) before ninja's throttles run, and a refusal never reached them.
    settings.API_RATE_LIMIT = "3/min"
    for number in range(3):
        refused = client.get(LIST, headers={"Authorization": f"Bearer nrm_made-up-{number}"})
        assert_problem(refused, 401)
    over = client.get(LIST, headers={"Authorization": "Bearer nrm_made-up-again"})
    assert_problem(over, 429)
    assert int(over["Retry-After"]) > 0
    # The same address, without a token, has used its three too.
    assert_problem(client.get(LIST), 429)


# Bad requests: a problem naming the parameter, never a 500 ----------------------------------


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4IiwxXQ"}, "cursor"),  # ["x",1]: decodes, but holds no date
        ({"cursor": "W251bGwsLTFd"}, "cursor"),  # [null,-1]
        ({"updated_since": "yesterday"}, "updated_since"),
        # Dates UTC cannot hold: year 1 east of Greenwich, year 9999 west of it.
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"),
        ({"published_before": "9999-12-31T23:59:59-14:00"}, "published_before"),
        ({"cursor": "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxXQ"}, "cursor"),
        (
            {"cursor": "WyIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwxMTgwNTkxNjIwNzE3NDExMzAzNDI0XQ"},
            "cursor",
        ),
        ({"published_after": "2024-13-45"}, "published_after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"section": "x" * 500}, "section"),
        ({"tag": "a\x00b"}, "tag"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_bad_list_parameters_are_400_problems_naming_them(client, story, query, parameter):
    if isinstance(query, str):
        response = client.get(f"{LIST}?{query}")
    else:
        response = client.get(LIST, query)
    assert_problem(response, 400, parameter)


@pytest.mark.parametrize("path", ["/api/v1/sections/", "/api/v1/tags/", "/api/v1/authors/"])
@pytest.mark.parametrize(
    "cursor",
    [
        make_cursor("a\x00b", 1),  # no database takes a NUL in a string
        make_cursor("\ud800", 1),  # nor half a UTF-16 pair, which JSON may carry
        make_cursor("World", -1),
        make_cursor(1, 1),
        make_cursor("2024-01-01T00:00:00+00:00", 1, 2),
        "not-a-cursor",
    ],
)
def test_bad_cursors_of_the_name_lists_are_400_problems(client, story, path, cursor):
    assert_problem(client.get(path, {"cursor": cursor}), 400, "cursor")


def test_limit_over_the_cap_says_the_cap(client, story):
    assert "100" in client.get(LIST, {"limit": 101}).json()["detail"]


@pytest.mark.parametrize("name", ["section", "tag", "author"])
def test_unknown_names_are_404_problems_naming_them(client, story, name):
    assert_problem(client.get(LIST, {name: "nowhere"}), 404, name)


@pytest.mark.parametrize(
    "query, parameter",
    [({"q": "x" * 5000}, "q"), ({"q": "flood\x00s"}, "q"), ("q=a&q=b", "q"), ({"q": "?!"}, "q")],
)
def test_bad_searches_are_400_problems(client, story, query, parameter):
    if isinstance(query, str):
        response = client.get(f"/api/v1/search/?{query}")
    else:
        response = client.get("/api/v1/search/", query)
    assert_problem(response, 400, parameter)


def test_bad_body_format_is_a_400(client, story):
    assert_problem(client.get(detail(story), {"body": "pdf"}), 400, "body")


@pytest.mark.parametrize("path", ["/api/v1/articles/a%00b/", "/api/v1/nothing/", "/api/v1/x"])
def test_odd_addresses_are_404_problems(client, db, path):
    assert_problem(client.get(path), 404)


def test_writing_is_a_405_problem(client, story):
    response = client.post(LIST, {})
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_an_unexpected_error_is_a_logged_500_problem(client, story, monkeypatch, caplog):
    def broken(request):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("api.stories.stories_for", broken)
    with caplog.at_level(logging.ERROR, logger="api.main"):
        response = client.get(LIST)
    problem = assert_problem(response, 500)
    assert "fire" not in problem["detail"]
    assert "database on fire" in caplog.text


def test_a_bad_token_is_a_401_problem(client, story):
    response = client.get(LIST, headers={"Authorization": "Bearer nrm_nonsense"})
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


# ninjs by address and by negotiation ---------------------------------------------------------


def test_detail_varies_on_accept(client, story):
    assert "Accept" in client.get(detail(story))["Vary"]


def test_withdrawn_story_as_ninjs_is_410_too(client, make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    assert_problem(client.get(f"/api/v1/articles/{article.slug}.ninjs"), 410)
    response = client.get(detail(article), headers={"Accept": "application/ninjs+json"})
    assert_problem(response, 410)


def test_ninjs_by_address_and_by_accept_header(client, story):
    by_address = client.get(f"/api/v1/articles/{story.slug}.ninjs")
    assert by_address.status_code == 200
    assert by_address["Content-Type"].startswith("application/ninjs+json")
    assert by_address.json()["uri"].endswith(str(story.guid))
    negotiated = client.get(detail(story), headers={"Accept": "application/ninjs+json"})
    assert negotiated["Content-Type"].startswith("application/ninjs+json")
    assert negotiated.json() == by_address.json()
    assert "Accept" in negotiated["Vary"]
    assert f"story-{story.pk}" in negotiated.surrogate_keys


def test_old_slug_of_ninjs_redirects_to_the_new_ninjs(client, make_article):
    article = make_article(slug="old-name")
    article.slug = "new-name"
    article.save()
    response = client.get("/api/v1/articles/old-name.ninjs")
    assert response.status_code == 301
    assert response["Location"] == "http://testserver/api/v1/articles/new-name.ninjs"


# With the page cache on (needs the page_cache.py change: API keys hold the whole query) --


def test_a_cached_story_is_purged_when_it_is_edited(client, public_cache, story):
    client.get(detail(story))
    assert client.get(detail(story))["X-Cache"] == "hit"
    story.headline = "Edited headline"
    story.save()
    response = client.get(detail(story))
    assert response["X-Cache"] == "miss"
    assert response.json()["headline"] == "Edited headline"


def test_a_cached_list_is_purged_by_an_edit_to_any_story(client, public_cache, make_article):
    make_article()
    other = make_article(display_date=timezone.now() - timedelta(days=900))
    query = {"limit": 1, "updated_since": timezone.now().isoformat()}
    assert client.get(LIST, query).json()["items"] == []
    assert client.get(LIST, query)["X-Cache"] == "hit"
    other.headline = "Edited"
    other.save()  # not on the list before: its edit must still bring it in
    assert [i["slug"] for i in client.get(LIST, query).json()["items"]] == [other.slug]


def test_each_query_and_format_is_cached_on_its_own(client, public_cache, story, make_article):
    make_article()
    for _ in range(2):
        assert len(client.get(LIST).json()["items"]) == 2
        assert len(client.get(LIST, {"limit": 1}).json()["items"]) == 1
        assert client.get(detail(story)).json()["headline"] == story.headline
        ninjs = client.get(detail(story), headers={"Accept": "application/ninjs+json"})
        assert ninjs["Content-Type"].startswith("application/ninjs+json")
    assert client.get(LIST, {"limit": 1})["X-Cache"] == "hit"
    negotiated = client.get(detail(story), headers={"Accept": "application/ninjs+json"})
    assert negotiated["X-Cache"] == "hit"
    # Search is never stored.
    client.get("/api/v1/search/", {"q": "story"})
    assert "X-Cache" not in client.get("/api/v1/search/", {"q": "story"})


def test_a_cached_list_shows_a_scheduled_story_at_its_time(
    client, public_cache, make_article, clock
):
    now = clock(timezone.now())
    make_article(published_at=now - timedelta(hours=1))
    due = make_article(published_at=now + timedelta(minutes=5))
    clock(now + timedelta(seconds=1))  # a page made at the moment of a purge is a miss
    for path in (LIST, "/api/v1/sections/", f"/api/v1/articles/{due.slug}/"):
        client.get(path)
        assert client.get(path)["X-Cache"] == "hit", path
    assert due.slug not in client.get(LIST).content.decode()
    clock(now + timedelta(minutes=5, seconds=1))
    assert due.slug in client.get(LIST).content.decode()
    assert client.get(f"/api/v1/articles/{due.slug}/").status_code == 200


def test_a_cached_story_shows_its_correction_when_it_falls_due(client, public_cache, story, clock):
    from articles.models import Correction

    now = clock(timezone.now())
    Correction.objects.create(article=story, text="Fixed.", published_at=now + timedelta(minutes=2))
    clock(now + timedelta(seconds=1))
    assert client.get(detail(story)).json()["corrections"] == []
    assert client.get(detail(story))["X-Cache"] == "hit"
    clock(now + timedelta(minutes=2, seconds=1))
    assert [c["text"] for c in client.get(detail(story)).json()["corrections"]] == ["Fixed."]


def test_cached_answers_follow_renames_captions_and_withdrawals(client, public_cache, story):
    from taggit.models import Tag

    paths = [detail(story), LIST, "/api/v1/tags/", "/api/v1/authors/", "/api/v1/sections/"]
    for path in paths:
        client.get(path)
        assert client.get(path)["X-Cache"] == "hit", path
    tag = Tag.objects.get(slug="floods")
    tag.name = "Flooding"
    tag.save()
    author = story.authors.get()
    author.name = "Jane Q. Reporter"
    author.save()
    story.section.name = "Abroad"
    story.section.save()
    image = story.lead_image
    image.caption = "A ferry at dawn"
    image.save()
    shown = client.get(detail(story)).json()
    assert [t["name"] for t in shown["tags"]] == ["Flooding"]
    assert [a["name"] for a in shown["authors"]] == ["Jane Q. Reporter"]
    assert shown["section"]["name"] == "Abroad"
    assert shown["lead_picture"]["caption"] == "A ferry at dawn"
    assert client.get(LIST).json()["items"][0]["section"]["name"] == "Abroad"
    assert client.get("/api/v1/tags/").json()["items"][0]["name"] == "Flooding"
    assert client.get("/api/v1/authors/").json()["items"][0]["name"] == "Jane Q. Reporter"
    assert client.get("/api/v1/sections/").json()["items"][0]["name"] == "Abroad"
    story.status = Article.Status.WITHDRAWN
    story.save()
    assert client.get(detail(story)).status_code == 410
    assert client.get(LIST).json()["items"] == []
    assert client.get("/api/v1/tags/").json()["items"] == []


# Every parameter of every endpoint against odd values: a problem or an answer, never a 500.
ODD_VALUES = [
    *("", " ", "-1", "0", "99999999999999999999999", "1e309", "nan", "ü", "\u202e", "a" * 5000),
    *("2024-13-01", "2024-01-01T25:00", "2024-01-01", "2024-01-01T10:00", "P1D", "[]", "null"),
    *("0001-01-01T00:00:00", "9999-12-31T23:59:59", "2024-01-01T10:00:00+99:00"),
    *('"', "a*", "NEAR(a b)", "-a", "a AND", "^a", "a OR b", "'", "a:b", "(", "\\", "🙂"),
    make_cursor("2024-01-01T00:00:00+00:00", 1),
    make_cursor("2024-01-01T00:00:00", 1),  # a time without an offset
    make_cursor("2024-01-01T00:00:00+00:00", 2**70),
    make_cursor("2024-01-01T00:00:00+00:00", True),
    make_cursor(None, None),
    make_cursor("x\x00", 1),
    "AAAA",
]
PARAMETERS = {
    "/api/v1/articles/": [
        *("section", "tag", "author", "updated_since", "published_after", "published_before"),
        *("cursor", "limit"),
    ],
    "/api/v1/search/": ["q", "cursor", "limit"],
    "/api/v1/tags/": ["cursor", "limit"],
    "/api/v1/changes/": ["since", "limit"],
    "/api/v1/articles/a-story/": ["body"],
}


@pytest.mark.parametrize("path", PARAMETERS)
def test_no_parameter_value_is_a_server_error(client, settings, make_article, path):
    settings.API_RATE_LIMIT = None
    make_article(slug="a-story", headline="A story")
    for name in PARAMETERS[path]:
        for value in ODD_VALUES:
            query = {"q": "story", name: value} if path.endswith("search/") else {name: value}
            response = client.get(path, query)
            assert response.status_code < 500, (name, value, response.content)
            assert response["Content-Type"].startswith(
                ("application/json", "application/problem+json")
            ), (name, value)
