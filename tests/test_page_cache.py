import socket
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.utils import timezone
from taggit.models import Tag

from articles import public_changes
from articles.models import Article, Author, Section, TaggedArticle
from articles.surrogate_keys import showing
from tests.conftest import public_urls
from tests.photos_helpers import make_image

# A URLconf for responses the public site does not make yet: see `odd_urls`.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Each names what it shows, as public views do: a response that names nothing is never
    # stored (test_a_response_naming_nothing_is_never_stored).
    path("private/", showing("odd")(lambda r: _with_header("Cache-Control", "private"))),
    path("no-cache/", showing("odd")(lambda r: _with_header("Cache-Control", "no-cache"))),
    path("no-store/", showing("odd")(lambda r: _with_header("Cache-Control", "no-store"))),
    path("max-age-0/", showing("odd")(lambda r: _with_header("Cache-Control", "max-age=0"))),
    path("vary-star/", showing("odd")(lambda r: _with_header("Vary", "*"))),
    path("vary-language/", showing("odd")(lambda r: _with_header("Vary", "Accept-Language"))),
    path("vary-cookie/", showing("odd")(lambda r: _with_header("Vary", "Cookie"))),
    path("sets-cookie/", showing("odd")(lambda r: _sets_cookie())),
    path("plain/", showing("odd")(lambda r: HttpResponse(f"plain {time.time_ns()}"))),
    path("unnamed/", lambda r: HttpResponse(f"unnamed {time.time_ns()}")),
    path("", include("articles.urls")),
]


def _with_header(name, value):
    response = HttpResponse(f"fresh {time.time_ns()}")
    response[name] = value
    return response


def _sets_cookie():
    response = HttpResponse(f"fresh {time.time_ns()}")
    response.set_cookie("seen", "1")
    return response


@pytest.fixture
def odd_urls(db, settings):
    settings.ROOT_URLCONF = __name__


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.content.decode(), response.get("X-Cache")


def assert_cached(client, url):
    """The page is stored: a second anonymous request is served from the cache."""
    client.get(url)
    response = client.get(url)
    assert response.get("X-Cache") == "hit", url
    return response


PAGES = ("/", "/sections/world/", "/tags/syria/")


def test_a_repeated_anonymous_request_is_served_from_the_cache_without_queries(
    client, public_cache, make_article, django_assert_num_queries
):
    article = make_article(headline="Cached story", tags=["Syria"])
    first = client.get(article.get_absolute_url())
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(article.get_absolute_url())
    assert second["X-Cache"] == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_publishing_a_draft_shows_on_every_page_at_once(client, public_cache, make_article):
    make_article(headline="Already live", tags=["Syria"])
    draft = make_article(headline="Fresh scoop", tags=["Syria"], status=Article.Status.DRAFT)
    for url in PAGES:
        assert "Fresh scoop" not in assert_cached(client, url).content.decode()
    assert assert_cached(client, draft.get_absolute_url()).status_code == 404

    draft.status = Article.Status.PUBLISHED
    draft.save()

    for url in PAGES:
        assert "Fresh scoop" in client.get(url).content.decode(), url
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_an_edit_shows_on_the_article_and_every_list_at_once(client, public_cache, make_article):
    article = make_article(headline="First headline", tags=["Syria"])
    for url in (*PAGES, article.get_absolute_url()):
        assert_cached(client, url)
    article.headline = "Corrected headline"
    article.save()
    for url in (*PAGES, article.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Corrected headline" in html and "First headline" not in html, url


def test_unpublishing_hides_the_story_everywhere_at_once(client, public_cache, make_article):
    make_article(headline="Stays", tags=["Syria"])
    article = make_article(headline="Pulled story", tags=["Syria"])
    for url in (*PAGES, article.get_absolute_url()):
        assert_cached(client, url)
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    for url in PAGES:
        assert "Pulled story" not in client.get(url).content.decode(), url


def test_withdrawing_answers_410_at_once(client, public_cache, make_article):
    article = make_article(headline="Retracted claim", tags=["Syria"])
    assert_cached(client, article.get_absolute_url())
    article.status = Article.Status.WITHDRAWN
    article.save()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    assert "Retracted claim" not in response.content.decode()


def test_deleting_a_story_removes_it_at_once(client, public_cache, make_article):
    article = make_article(headline="Deleted story")
    assert_cached(client, "/")
    article.delete()
    assert "Deleted story" not in client.get("/").content.decode()


def test_tagging_and_untagging_show_on_the_tag_page_at_once(client, public_cache, make_article):
    make_article(headline="Other story", tags=["Syria"])
    article = make_article(headline="Newly tagged")
    assert "Newly tagged" not in assert_cached(client, "/tags/syria/").content.decode()
    article.tags.add("Syria")
    assert "Newly tagged" in assert_cached(client, "/tags/syria/").content.decode()
    article.tags.remove("Syria")
    assert "Newly tagged" not in client.get("/tags/syria/").content.decode()


def test_renaming_a_section_author_or_tag_shows_at_once(
    client, public_cache, make_article, make_author
):
    author = make_author("Jane Reporter")
    article = make_article(tags=["Syria"], authors=[author])
    url = article.get_absolute_url()
    assert_cached(client, url)
    section = article.section
    section.name = "Global affairs"
    section.save()
    assert "Global affairs" in assert_cached(client, url).content.decode()
    author.name = "Jane Q. Reporter"
    author.save()
    assert "Jane Q. Reporter" in assert_cached(client, url).content.decode()
    tag = Tag.objects.get(name="Syria")
    tag.name = "Syrian Arab Republic"
    tag.save()
    assert "Syrian Arab Republic" in client.get(url).content.decode()


@pytest.mark.usefixtures("media")
def test_a_caption_fixed_in_the_picture_library_shows_at_once(client, public_cache, make_article):
    picture = make_image(caption="Flodded high street")
    article = make_article(lead_image=picture)
    url = article.get_absolute_url()
    assert "Flodded" in assert_cached(client, url).content.decode()
    picture.caption = "Flooded high street"
    picture.save()
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert "Flooded high street" in response.content.decode()


@pytest.mark.usefixtures("media")
def test_a_picture_only_a_draft_uses_moves_nothing(public_cache, make_article):
    picture = make_image()
    make_article(lead_image=picture, status=Article.Status.DRAFT)
    before = public_changes.public_stamp()
    picture.caption = "Changed on the desk"
    picture.save()
    assert public_changes.public_stamp() == before


def _content_models():
    names = ["Article", "TaggedArticle", "Section", "Author", "Correction"]
    found = [
        apps.get_model("articles", n) for n in names if n.lower() in apps.all_models["articles"]
    ]
    return [*found, Tag]


@pytest.mark.parametrize("model", _content_models(), ids=lambda m: m.__name__)
def test_saving_or_deleting_any_public_row_of_a_live_story_moves_the_stamp(
    public_cache, make_article, make_author, model
):
    article = make_article(tags=["Syria"], authors=[make_author("Jane Reporter")])
    instance = {
        Article: article,
        TaggedArticle: TaggedArticle.objects.first(),
        Section: article.section,
        Author: Author.objects.first(),
        Tag: Tag.objects.first(),
    }.get(model)
    if instance is None:  # Correction, added by the editorial workflow
        instance = model.objects.create(article=article, text="We misspelt a name.")
    before = public_changes.public_stamp()
    instance.save()
    after_save = public_changes.public_stamp()
    if model is Section:
        article.delete()  # a section in use cannot be deleted
    instance.delete()
    assert before < after_save < public_changes.public_stamp()


def test_loading_a_fixture_moves_the_stamp(public_cache, db):
    from django.core.management import call_command

    before = public_changes.public_stamp()
    call_command("loaddata", "seed_story", verbosity=0)
    assert public_changes.public_stamp() > before


def test_a_scheduled_story_and_an_expiry_show_when_their_time_comes(
    client, public_cache, make_article, clock
):
    soon = timezone.now() + timedelta(minutes=5)
    make_article(headline="Scheduled story", published_at=soon)
    make_article(headline="Expiring story", expires_at=soon)
    html = assert_cached(client, "/").content.decode()
    assert "Scheduled story" not in html and "Expiring story" in html
    clock(soon + timedelta(seconds=1))
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    html = response.content.decode()
    assert "Scheduled story" in html and "Expiring story" not in html


def test_the_next_clock_change_is_the_earliest_go_live_expiry_or_correction_due(make_article):
    now = timezone.now()
    make_article(published_at=now + timedelta(hours=3))
    make_article(expires_at=now + timedelta(hours=2))
    make_article(published_at=now + timedelta(hours=1), status=Article.Status.DRAFT)
    live = make_article(expires_at=now - timedelta(hours=1))
    assert Article.objects.next_clock_change() == now + timedelta(hours=2)
    live.corrections.create(text="Due soon.", published_at=now + timedelta(minutes=30))
    assert Article.objects.next_clock_change() == now + timedelta(minutes=30)


def test_entries_never_outlive_the_configured_bound(
    client, public_cache, settings, make_article, clock
):
    settings.PUBLIC_CACHE_SECONDS = 60
    article = make_article()
    # QuerySet.update() sends no signal: only the time bound retires this page.
    assert_cached(client, "/")
    Article.objects.filter(pk=article.pk).update(headline="Changed behind the cache's back")
    clock(timezone.now() + timedelta(seconds=61))
    assert "Changed behind the cache" in client.get("/").content.decode()


def test_staff_never_read_the_public_cache(client, admin_client, public_cache, make_article):
    article = make_article(headline="Old headline")
    assert_cached(client, article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(headline="New headline")
    # Anonymous readers still get the stored page (no signal saw that update) ...
    assert "Old headline" in client.get(article.get_absolute_url()).content.decode()
    # ... staff never do.
    response = admin_client.get(article.get_absolute_url())
    assert "New headline" in response.content.decode()
    assert "X-Cache" not in response


def test_staff_never_fill_the_public_cache(client, admin_client, public_cache, make_article):
    article = make_article()
    admin_client.get(article.get_absolute_url())
    admin_client.get("/")
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "miss"


def test_any_request_with_a_session_or_csrf_cookie_bypasses_the_cache(
    client, public_cache, make_article
):
    make_article()
    assert_cached(client, "/")
    for cookie in ("sessionid", "csrftoken"):
        client.cookies.clear()
        client.cookies[cookie] = "whatever"
        assert "X-Cache" not in client.get("/"), cookie


def test_the_admin_and_healthz_are_never_cached(client, public_cache, make_article):
    make_article()
    for url in (reverse("admin:login"), "/healthz"):
        client.get(url)
        client.cookies.clear()
        assert client.get(url).get("X-Cache") is None, url


@pytest.mark.parametrize(
    "action, expect_gone",
    [("unpublish", True), ("withdraw", True), ("delete_selected", True), ("publish_now", False)],
)
def test_every_admin_action_reaches_readers_at_once(
    client, admin_client, public_cache, make_article, action, expect_gone
):
    article = make_article(
        headline="Acted upon",
        status=Article.Status.DRAFT if action == "publish_now" else Article.Status.PUBLISHED,
    )
    make_article(headline="Bystander")
    assert_cached(client, "/")
    data = {"action": action, "_selected_action": [article.pk]}
    if action == "delete_selected":
        data["post"] = "yes"
    admin_client.post(reverse("admin:articles_article_changelist"), data)
    html = client.get("/").content.decode()
    assert ("Acted upon" not in html) is expect_gone


@pytest.mark.parametrize(
    "url", ["/private/", "/no-cache/", "/no-store/", "/max-age-0/", "/vary-star/", "/sets-cookie/"]
)
def test_private_uncacheable_or_cookie_setting_responses_are_never_stored(
    client, public_cache, odd_urls, url
):
    first = client.get(url)
    client.cookies.clear()
    second = client.get(url)
    assert "X-Cache" not in first and "X-Cache" not in second
    assert first.content != second.content


def test_each_full_path_including_the_query_string_has_its_own_entry(
    client, public_cache, odd_urls
):
    plain = assert_cached(client, "/plain/").content
    with_query = client.get("/plain/?page=2")
    assert with_query["X-Cache"] == "miss"
    assert with_query.content != plain
    assert client.get("/plain/?page=3")["X-Cache"] == "miss"
    assert client.get("/plain/?page=2").content == with_query.content


def test_pages_of_a_list_are_never_mixed_up(client, public_cache, make_article):
    for _ in range(26):  # the lead and 4 top stories, then two pages of the river
        make_article()
    first = assert_cached(client, "/")
    second = assert_cached(client, "/?page=2")
    assert first.content != second.content
    assert 'rel="prev"' in second.content.decode() and 'rel="prev"' not in first.content.decode()


def test_head_and_get_are_stored_apart(client, public_cache, odd_urls):
    client.head("/plain/")
    assert client.get("/plain/")["X-Cache"] == "miss"


def test_a_cached_page_still_answers_a_conditional_get_with_304(client, public_cache, seed):
    first = assert_cached(client, seed.get_absolute_url())
    if not first.has_header("ETag"):
        pytest.skip("the article page sends no ETag")
    response = client.get(seed.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PUBLIC_CACHE_SECONDS = 300


def test_a_cache_outage_serves_pages_uncached_and_saves_still_work(
    client, redis_down, make_article
):
    article = make_article(headline="Served anyway")  # its save tries to invalidate
    article.headline = "Edited during the outage"
    article.save()
    for url in ("/", article.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "Edited during the outage" in response.content.decode()


def _redis_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_pages_round_trip_through_a_real_redis(client, settings, make_article):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"newsroom-test-{time.time_ns()}",
        }
    }
    settings.PUBLIC_CACHE_SECONDS = 300
    article = make_article(headline="Through Redis")
    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    article.headline = "Edited through Redis"
    article.save()
    assert "Edited through Redis" in client.get(article.get_absolute_url()).content.decode()
    cache.clear()


def test_a_host_not_allowed_is_refused_not_cached(client, public_cache, make_article):
    make_article()
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "X-Cache" not in response


# What an anonymous reader can learn: nothing about work on stories they cannot see.


def _last_modified(client, url):
    client.cookies.clear()
    return client.get(url)["Last-Modified"]


@pytest.mark.parametrize("hidden", ["draft", "review", "scheduled", "expired"])
def test_saving_a_story_readers_cannot_see_leaves_every_public_response_as_it_was(
    client, public_cache, make_article, hidden, clock
):
    from tests.conftest import HIDDEN_STATES

    make_article(headline="Live story", tags=["Syria"])
    secret = make_article(headline="Embargoed", tags=["Syria"], **HIDDEN_STATES[hidden])
    for url in PAGES:
        assert_cached(client, url)
    stamps = {url: _last_modified(client, url) for url in PAGES}
    clock(timezone.now() + timedelta(seconds=2))  # a moved stamp would show a new second
    secret.headline = "Embargoed, rewritten"
    secret.save()
    secret.tags.add("Exclusive")
    secret.corrections.create(text="Fixed a name.")
    for url in PAGES:
        response = client.get(url)
        assert response["X-Cache"] == "hit", url
        assert response["Last-Modified"] == stamps[url], url


def test_renaming_names_used_only_by_hidden_stories_moves_no_last_modified(
    client, public_cache, make_article, make_author, clock
):
    make_article(headline="Live story")
    hidden_section = Section.objects.create(name="Investigations", slug="investigations")
    author = make_author("Secret Source")
    make_article(
        status=Article.Status.DRAFT, section=hidden_section, tags=["Leak"], authors=[author]
    )
    before = _last_modified(client, "/")
    clock(timezone.now() + timedelta(seconds=2))
    for named in (hidden_section, author, Tag.objects.get(name="Leak")):
        named.name += " (renamed)"
        named.save()
    assert client.get("/")["X-Cache"] == "hit"
    assert _last_modified(client, "/") == before


def test_rescheduling_a_live_story_retires_its_pages_although_it_is_hidden_now(
    client, public_cache, make_article
):
    article = make_article(headline="Moved to tomorrow")
    assert_cached(client, "/")
    article.published_at = timezone.now() + timedelta(days=1)
    article.save()
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert "Moved to tomorrow" not in response.content.decode()


@pytest.mark.parametrize(
    "hidden_url, unknown_url",
    [
        ("/authors/secret-source/", "/authors/nobody-by-this-name/"),
        ("/articles/old-embargoed-slug/", "/articles/never-existed/"),
        ("/articles/embargoed-now/", "/articles/never-existed/"),
    ],
    ids=["hidden-author", "hidden-story-old-slug", "hidden-story"],
)
def test_a_hidden_name_answers_404_by_the_same_path_as_an_unknown_one(
    client, make_article, make_author, hidden_url, unknown_url, count_queries
):
    author = make_author("Secret Source")
    secret = make_article(slug="old-embargoed-slug", status=Article.Status.DRAFT, authors=[author])
    secret.slug = "embargoed-now"
    secret.save()
    client.get(unknown_url)  # what every page repeats (the navigation) is made once
    responses = {}
    counts = {
        url: count_queries(lambda url=url: responses.setdefault(url, client.get(url)))
        for url in (hidden_url, unknown_url)
    }
    assert [r.status_code for r in responses.values()] == [404, 404]
    assert counts[hidden_url] == counts[unknown_url]
    assert responses[hidden_url].content == responses[unknown_url].content


# What the cache stores.


def test_query_parameters_no_view_reads_share_the_pages_entry(client, public_cache, make_article):
    article = make_article()
    url = article.get_absolute_url()
    assert_cached(client, url)
    for junk in ("?utm_source=newsletter", "?fbclid=123&x=y", "?page2=1"):
        assert client.get(url + junk)["X-Cache"] == "hit", junk


def test_an_error_page_for_a_junk_query_string_is_never_stored(
    client, public_cache, make_article, django_assert_num_queries
):
    make_article()
    for junk in ("?page=999", "?page=abc", "?page=-1"):
        first, second = client.get("/" + junk), client.get("/" + junk)
        assert first.status_code == second.status_code == 404
        assert "X-Cache" not in second, junk


def test_a_page_over_the_size_limit_is_served_but_not_stored(
    client, public_cache, make_article, settings
):
    article = make_article(body="<p>" + "word " * 5000 + "</p>")
    settings.PUBLIC_CACHE_MAX_BYTES = 20_000
    client.get(article.get_absolute_url())
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "X-Cache" not in response


def test_a_response_that_varies_on_a_header_the_key_lacks_is_never_stored(
    client, public_cache, odd_urls
):
    assert "X-Cache" not in assert_not_stored(client, "/vary-language/")
    # Vary: Cookie is kept: only requests without cookies are served from the cache.
    assert_cached(client, "/vary-cookie/")


def assert_not_stored(client, url):
    client.get(url)
    response = client.get(url)
    assert response.get("X-Cache") is None, url
    return response


def test_no_public_page_varies_on_anything_but_cookie(client, public_cache, newsroom):
    live, author = newsroom
    for url in [*public_urls(live.section, author), live.get_absolute_url()]:
        vary = client.get(url).get("Vary", "")
        assert {v.strip().lower() for v in vary.split(",") if v.strip()} <= {"cookie"}, url


def test_a_story_scheduled_sooner_still_goes_live_on_time(
    client, public_cache, make_article, clock
):
    make_article(headline="Live story")
    now = timezone.now()
    make_article(headline="Due in an hour", published_at=now + timedelta(hours=1))
    later = make_article(headline="Brought forward", published_at=now + timedelta(hours=3))
    assert_cached(client, "/")  # good until the first story is due, an hour from now
    before = client.get("/")["Last-Modified"]
    later.published_at = now + timedelta(minutes=10)
    later.save()
    # Nothing tells a reader before the time comes ...
    response = client.get("/")
    assert (response["X-Cache"], response["Last-Modified"]) == ("hit", before)
    # ... and then the story is there.
    clock(now + timedelta(minutes=11))
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert "Brought forward" in response.content.decode()


def test_a_correction_due_later_shows_at_its_time_and_not_before(
    client, public_cache, make_article, clock
):
    article = make_article(headline="Live story")
    url = article.get_absolute_url()
    assert_cached(client, url)
    now = timezone.now()
    article.corrections.create(
        text="We misnamed the minister.", published_at=now + timedelta(minutes=5)
    )
    assert client.get(url)["X-Cache"] == "hit"
    clock(now + timedelta(minutes=6))
    assert "We misnamed the minister." in client.get(url).content.decode()


def test_a_correction_due_on_a_draft_changes_nothing_readers_can_time(
    client, public_cache, make_article, draft, clock
):
    make_article(headline="Live story")
    assert_cached(client, "/")
    now = timezone.now()
    draft.corrections.create(text="Draft note.", published_at=now + timedelta(minutes=2))
    clock(now + timedelta(minutes=3))  # within PUBLIC_CACHE_SECONDS (300 s)
    assert client.get("/")["X-Cache"] == "hit"


def test_a_story_scheduled_later_than_the_next_change_leaves_cached_pages_alone(
    client, public_cache, make_article
):
    make_article(headline="Live story")
    now = timezone.now()
    make_article(headline="Due in an hour", published_at=now + timedelta(hours=1))
    other = make_article(headline="Due tomorrow", published_at=now + timedelta(days=1))
    assert_cached(client, "/")
    other.published_at = now + timedelta(days=2)
    other.save()
    assert client.get("/")["X-Cache"] == "hit"


def test_one_page_number_written_many_ways_is_one_entry(client, public_cache, make_article):
    for _ in range(26):  # the lead and 4 top stories, then two pages of the river
        make_article()
    assert_cached(client, "/")
    for spelling in ("/?page=1", "/?page=01", "/?page=001&utm_source=x"):
        assert client.get(spelling)["X-Cache"] == "hit", spelling
    assert_cached(client, "/?page=2")
    assert client.get("/?page=02")["X-Cache"] == "hit"


def test_search_results_are_served_fresh_not_stored(client, public_cache, make_article):
    make_article(headline="Harbour ferry returns")
    for _ in range(2):
        response = client.get("/search/", {"q": "ferry"})
        assert response.status_code == 200 and "X-Cache" not in response


def test_browsers_are_asked_to_revalidate_every_public_page_and_it_is_still_stored(
    client, public_cache, make_article
):
    article = make_article()
    for url in ("/", article.get_absolute_url(), "/feed/", "/no-such-page/"):
        first, second = client.get(url), client.get(url)
        for response in (first, second):
            assert response["Cache-Control"] == "max-age=0, must-revalidate", url
        if url != "/no-such-page/":
            assert second["X-Cache"] == "hit", url


def test_a_response_naming_nothing_is_never_stored(client, public_cache, odd_urls):
    # Not known what it shows, so not known which change must retire it.
    for _ in range(2):
        response = client.get("/unnamed/")
        assert response.status_code == 200 and "X-Cache" not in response
