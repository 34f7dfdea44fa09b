"""Every API endpoint, against every hidden state: nothing unpublished leaks through the API.

The API's twin of tests/test_visibility.py. An anonymous client asks every address of the
API, with every filter, while a hidden story (and a second one in a section of its own)
carries a secret word in its headline, standfirst and body, a tag, an author and a section
of its own. None of them shows; a staff token shows the story, so the test can fail.
"""

from datetime import timedelta

import pytest
from django.urls import resolve
from django.utils import timezone

from api.http import make_cursor
from api.main import api
from api.models import ApiToken
from articles.models import Author, Section
from tests.conftest import HIDDEN_STATES
from tests.photos_helpers import make_image

SECRET = "quokkasecret"
NINJS = "application/ninjs+json"
# Withdrawn before its time: it never ran, so its address says 404, not 410.
STATES = HIDDEN_STATES | {
    "withdrawn before it ran": {
        "status": "withdrawn",
        "published_at": timezone.now() + timedelta(days=1),
    }
}
LONG_AGO, LATER = "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"


def api_paths(
    live_slug,
    *,
    since,
    section="world",
    tag="shared-topic",
    author="jane-reporter",
    q="Harbour",
):
    """Every API address, with every filter and parameter, that answers 200 to anyone.

    `since` is a cursor of the changes feed taken before the stories were made.
    """
    cursor = make_cursor(timezone.now() + timedelta(days=3650), 2**31)
    before_every_name = make_cursor("", 0)
    return [
        "/api/v1/articles/",
        f"/api/v1/articles/?section={section}",
        f"/api/v1/articles/?tag={tag}",
        f"/api/v1/articles/?author={author}",
        "/api/v1/articles/?language=en",
        f"/api/v1/articles/?updated_since={LONG_AGO}",
        f"/api/v1/articles/?published_after={LONG_AGO}",
        f"/api/v1/articles/?published_before={LATER}",
        f"/api/v1/articles/?cursor={cursor}&limit=100",
        f"/api/v1/articles/{live_slug}/",
        f"/api/v1/articles/{live_slug}/?body=text",
        f"/api/v1/articles/{live_slug}.ninjs",
        "/api/v1/sections/",
        "/api/v1/tags/",
        "/api/v1/authors/",
        f"/api/v1/sections/?cursor={before_every_name}&limit=500",
        f"/api/v1/tags/?cursor={before_every_name}&limit=500",
        f"/api/v1/authors/?cursor={before_every_name}&limit=500",
        f"/api/v1/search/?q={q}",
        f"/api/v1/search/?q={q}&cursor={cursor}&limit=100",
        "/api/v1/changes/",
        f"/api/v1/changes/?since={since}&limit=500",
        "/api/v1/changes/latest",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    ]


def api_routes():
    """Every route of the API, as resolve() names them ("api/v1/articles/<slug>/")."""
    patterns, _, _ = api.urls
    # Left out, the two empty patterns that answer 404 to everything: ninja's "api-root"
    # (/api/v1/ itself, there for reverse()) and the catch-all for addresses the API lacks.
    return {f"api/v1/{p.pattern}" for p in patterns if str(p.pattern)}


@pytest.fixture(autouse=True)
def _no_delay_and_no_rate_limit(settings):
    # The changes feed holds back rows of the last seconds; these tests make theirs just now,
    # and ask more often in a second than any client may.
    settings.API_CHANGES_SETTLE_SECONDS = 0
    settings.API_RATE_LIMIT = None
    settings.API_TOKEN_RATE_LIMIT = None


@pytest.fixture
def world(client, make_article, make_author, django_capture_on_commit_callbacks):
    """A live story readers can see, whose section, tag and author every filter names; and
    where the changes feed stood before it (`since`)."""
    since = client.get("/api/v1/changes/latest").json()["cursor"]
    with django_capture_on_commit_callbacks(execute=True):
        live = make_article(
            headline="Harbour reopens",
            standfirst="Boats are back.",
            tags=["Shared topic"],
            authors=[make_author("Jane Reporter")],
            published_at=timezone.now() - timedelta(hours=2),
        )
    live.since = since
    return live


def make_hidden(make_article, state, *, live):
    """Two stories in `state` naming SECRET: one sharing the live story's section, tag and
    author (plus a tag and an author of its own), one alone in a section of its own."""
    hidden_author = Author.objects.create(name="Quentin Hiddenauthor", slug="quentin-hiddenauthor")
    desk = Section.objects.create(name="Embargodesk", slug="embargodesk")
    fields = {"published_at": timezone.now() - timedelta(hours=1)} | STATES[state]
    story = make_article(
        # Its picture leaks nowhere either: not its renditions' folder, not its file's name.
        lead_image=make_image("embargoed-scene.jpg"),
        headline=f"Harbour {SECRET} embargoed",
        slug=f"embargoed-{SECRET}",
        standfirst=f"The {SECRET} standfirst.",
        body=f"<p>The {SECRET} body.</p>",
        section=live.section,
        tags=["Shared topic", "Hiddenonlytag"],
        authors=[*live.authors.all(), hidden_author],
        **fields,
    )
    alone = make_article(
        headline=f"Harbour {SECRET} desk story",
        slug=f"desk-{SECRET}",
        body=f"<p>Also {SECRET}.</p>",
        section=desk,
        **fields,
    )
    return story, alone


# The hidden stories' section, tag and author: no list may name them, no filter find them.
HIDDEN_NAMES = (
    "Embargodesk",
    "embargodesk",
    "Hiddenonlytag",
    "hiddenonlytag",
    "Quentin Hidden",
    "quentin-hidden",
)


def assert_hides(body, stories, url):
    assert SECRET not in body and "embargoed-scene" not in body, url
    for story in stories:
        assert story.slug not in body and str(story.guid) not in body, url
        if story.lead_image:
            assert story.lead_image.rendition_key not in body, url
    for name in HIDDEN_NAMES:
        assert name not in body, (name, url)


def same_as_never_existed(client, url, missing, **headers):
    """The answer for `url` naming a hidden thing is the answer for one that never was."""
    never = url.replace(missing, "never-was-here")
    answer, expected = client.get(url, **headers), client.get(never, **headers)
    assert answer.status_code == expected.status_code == 404, url
    assert answer.content.decode().replace(missing, "X") == expected.content.decode().replace(
        "never-was-here", "X"
    ), url


@pytest.mark.parametrize("state", STATES)
def test_no_api_endpoint_shows_a_hidden_story_to_an_anonymous_client(
    client, world, make_article, django_capture_on_commit_callbacks, media, state
):
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_hidden(make_article, state, live=world)
    for url in api_paths(world.slug, since=world.since) + [f"/api/v1/search/?q={SECRET}"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert_hides(response.content.decode(), hidden, url)
    ninjs = client.get(f"/api/v1/articles/{world.slug}/", HTTP_ACCEPT=NINJS)
    assert ninjs["Content-Type"].startswith(NINJS)
    assert_hides(ninjs.content.decode(), hidden, "Accept: ninjs")

    # A search for the secret finds nothing; the live story is found by its own word.
    assert client.get(f"/api/v1/search/?q={SECRET}").json()["items"] == []
    assert world.slug in client.get("/api/v1/search/?q=Harbour").content.decode()

    # Filters naming the hidden section, tag or author answer as if they never existed.
    for url, missing in (
        ("/api/v1/articles/?section=embargodesk", "embargodesk"),
        ("/api/v1/articles/?tag=hiddenonlytag", "hiddenonlytag"),
        ("/api/v1/articles/?author=quentin-hiddenauthor", "quentin-hiddenauthor"),
    ):
        same_as_never_existed(client, url, missing)


@pytest.mark.parametrize("state", STATES)
def test_a_hidden_story_own_addresses_answer_404_or_410_with_no_text(
    client, world, make_article, media, state
):
    story, alone = make_hidden(make_article, state, live=world)
    for hidden in (story, alone):
        addresses = [
            (f"/api/v1/articles/{hidden.slug}/", {}),
            (f"/api/v1/articles/{hidden.slug}/?body=text", {}),
            (f"/api/v1/articles/{hidden.slug}.ninjs", {}),
            (f"/api/v1/articles/{hidden.slug}/", {"HTTP_ACCEPT": NINJS}),
        ]
        for url, headers in addresses:
            if state == "withdrawn":
                # It ran, then was taken down: 410 with its guid, so partners take it down.
                response = client.get(url, **headers)
                assert response.status_code == 410, url
                body = response.content.decode()
                assert SECRET not in body and "Harbour" not in body, url
                assert "embargoed-scene" not in body and "renditions" not in body, url
                assert response.json()["guid"] == str(hidden.guid)
            else:
                same_as_never_existed(client, url, hidden.slug, **headers)


@pytest.mark.parametrize("state", STATES)
def test_a_staff_token_shows_the_hidden_story_everywhere_the_public_one_would_be(
    client, world, make_article, reporter, media, state
):
    story, alone = make_hidden(make_article, state, live=world)
    token = ApiToken(user=reporter, name="Preview", expires_at=timezone.now() + timedelta(days=1))
    staff = {"HTTP_AUTHORIZATION": f"Bearer {token.new_secret()}"}
    token.save()
    for url, shown in (
        ("/api/v1/articles/", {story, alone}),
        ("/api/v1/articles/?section=world", {story}),
        ("/api/v1/articles/?tag=hiddenonlytag", {story}),
        ("/api/v1/articles/?author=quentin-hiddenauthor", {story}),
        ("/api/v1/articles/?section=embargodesk", {alone}),
        (f"/api/v1/search/?q={SECRET}", {story, alone}),
    ):
        response = client.get(url, **staff)
        assert response.status_code == 200, (url, response.content)
        assert {s["slug"] for s in response.json()["items"]} >= {s.slug for s in shown}, url
    for url in ("/api/v1/sections/", "/api/v1/tags/", "/api/v1/authors/"):
        body = client.get(url, **staff).content.decode()
        assert any(name in body for name in HIDDEN_NAMES), url
    # The changes feed is what partners replay: public changes only, token or not.
    assert_hides(
        client.get("/api/v1/changes/", **staff).content.decode(), (story, alone), "changes"
    )
    detail = client.get(f"/api/v1/articles/{story.slug}/", **staff)
    assert detail.status_code == 200
    assert SECRET in detail.json()["body"] and SECRET in detail.json()["standfirst"]
    assert story.lead_image.rendition_key in detail.content.decode()
    for url, headers in (
        (f"/api/v1/articles/{story.slug}.ninjs", {}),
        (f"/api/v1/articles/{story.slug}/", {"HTTP_ACCEPT": NINJS}),
    ):
        ninjs = client.get(url, **headers, **staff)
        assert ninjs.status_code == 200, url
        assert SECRET in ninjs.content.decode(), url


def make_hidden_translation(make_article, state, *, of):
    """A Sorani version of the live story `of`, in `state`, naming SECRET."""
    fields = {"published_at": timezone.now() - timedelta(hours=1)} | STATES[state]
    return make_article(
        headline=f"پوتین {SECRET} translation",
        slug=f"ckb-{SECRET}",
        standfirst=f"The {SECRET} standfirst.",
        body=f"<p>{SECRET}</p>",
        section=of.section,
        language="ckb",
        translation_of=of,
        **fields,
    )


@pytest.mark.parametrize("state", STATES)
def test_a_hidden_translation_is_never_named_by_the_live_story_it_translates(
    client, world, make_article, reporter, state
):
    hidden = make_hidden_translation(make_article, state, of=world)
    urls = [
        f"/api/v1/articles/{world.slug}/",
        f"/api/v1/articles/{world.slug}/?body=text",
        f"/api/v1/articles/{world.slug}.ninjs",
        "/api/v1/articles/",
        "/api/v1/articles/?language=ckb",
        f"/api/v1/search/?q={SECRET}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert_hides(response.content.decode(), [hidden], url)
    ninjs = client.get(f"/api/v1/articles/{world.slug}/", HTTP_ACCEPT=NINJS)
    assert_hides(ninjs.content.decode(), [hidden], "Accept: ninjs")
    assert client.get(f"/api/v1/articles/{world.slug}/").json()["translations"] == []

    # A staff token is told of it, with its state: so the check above can fail.
    token = ApiToken(user=reporter, name="Preview", expires_at=timezone.now() + timedelta(days=1))
    staff = {"HTTP_AUTHORIZATION": f"Bearer {token.new_secret()}"}
    token.save()
    named = client.get(f"/api/v1/articles/{world.slug}/", **staff).json()["translations"]
    assert [(v["slug"], v["status"]) for v in named] == [(hidden.slug, state.split()[0])]


@pytest.mark.parametrize("state", STATES)
def test_a_live_translation_of_a_hidden_original_does_not_name_it(client, make_article, state):
    fields = {"published_at": timezone.now() - timedelta(hours=1)} | STATES[state]
    hidden = make_article(headline=f"Harbour {SECRET}", slug=f"original-{SECRET}", **fields)
    live = make_article(headline="بەندەر", slug="bandar", language="ckb", translation_of=hidden)
    for url, headers in (
        (f"/api/v1/articles/{live.slug}/", {}),
        (f"/api/v1/articles/{live.slug}.ninjs", {}),
        (f"/api/v1/articles/{live.slug}/", {"HTTP_ACCEPT": NINJS}),
        ("/api/v1/articles/?language=ckb", {}),
    ):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert_hides(response.content.decode(), [hidden], url)
    data = client.get(f"/api/v1/articles/{live.slug}/").json()
    assert data["translation_of"] is None and data["translations"] == []


def test_the_live_story_is_on_every_list_and_in_the_changes_feed(client, world):
    """So the matrix above can fail: each list it reads does show what is live."""
    names = {
        "/api/v1/sections/": "World",
        "/api/v1/tags/": "Shared topic",
        "/api/v1/authors/": "Jane Reporter",
        "/api/v1/changes/latest": "cursor",
        "/api/v1/openapi.json": "/api/v1/articles/",
    }
    for url in api_paths(world.slug, since=world.since):
        response = client.get(url)
        assert response.status_code == 200, url
        expected = names.get(url.split("?")[0], world.slug)
        if url == "/api/v1/docs":
            continue  # the browsable docs: no story to show
        assert expected in response.content.decode(), url


def test_every_api_route_is_walked_by_the_matrix(world):
    """A new endpoint must join api_paths(), or the tests above never check it."""
    walked = {resolve(url.split("?")[0]).route for url in api_paths(world.slug, since=world.since)}
    assert api_routes() - walked == set()


def test_every_query_parameter_of_the_api_is_tried_by_the_matrix(client, world):
    """A new filter must join api_paths() too: each one is a new way to ask for stories."""
    tried = {}
    for url in api_paths(world.slug, since=world.since):
        path, _, query = url.partition("?")
        names = {pair.partition("=")[0] for pair in query.split("&") if pair}
        tried.setdefault(resolve(path).route, set()).update(names)
    document = client.get("/api/v1/openapi.json").json()
    for template, operations in document["paths"].items():
        route = resolve(template.replace("{slug}", "any-slug")).route
        for operation in operations.values():
            parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert parameters - tried.get(route, set()) == set(), template
