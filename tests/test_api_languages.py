"""The content API in more than one language (issue 17): each story's language, its linked
versions (live ones only for anonymous clients), the list's language filter, and cached
answers that change when a version goes live or leaves."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from articles.models import Article

SORANI_HEADLINE = "پوتین لە مۆسکۆ پێشوازی لە Bashar al-Assad دەکات"
LIST = "/api/v1/articles/"


def detail(story):
    return f"/api/v1/articles/{story.slug}/"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT = None
    settings.API_TOKEN_RATE_LIMIT = None


@pytest.fixture
def original(make_article):
    return make_article(headline="Putin meets al-Assad", slug="putin-meets", language="en")


@pytest.fixture
def sorani(make_article, original):
    return make_article(
        headline=SORANI_HEADLINE, slug="پوتین-ئەسەد", language="ckb", translation_of=original
    )


@pytest.fixture
def arabic(make_article, original):
    return make_article(
        headline="بوتين يلتقي الأسد", slug="بوتين-الأسد", language="ar", translation_of=original
    )


@pytest.fixture
def staff(reporter):
    token = ApiToken(user=reporter, name="Preview", expires_at=timezone.now() + timedelta(days=1))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.new_secret()}"}
    token.save()
    return headers


def version(story, status="live"):
    """A version as the API names it, its addresses absolute on the test server."""
    return {
        "language": story.language,
        "language_name": {"en": "English", "ckb": "کوردی", "ar": "العربية", "kmr": "Kurmancî"}[
            story.language
        ],
        "slug": story.slug,
        "status": status,
        "url": f"http://testserver{story.get_absolute_url()}",
        "api_url": f"http://testserver{reverse('api-v1:get_article', args=[story.slug])}",
    }


# The story and its versions ----------------------------------------------------------------


def test_an_original_names_its_live_translations_in_their_own_languages(
    client, original, sorani, arabic, make_article
):
    make_article(slug="kmr-draft", language="kmr", translation_of=original, status="draft")
    data = client.get(detail(original)).json()
    assert data["language"] == "en"
    # In the order of NEWSROOM_LANGUAGES (en, ckb, kmr, ar, ...); the draft is not named.
    assert data["translations"] == [version(sorani), version(arabic)]
    assert data["translation_of"] is None


def test_a_translation_names_its_original_and_the_other_versions(client, original, sorani, arabic):
    data = client.get(detail(sorani)).json()
    assert data["language"] == "ckb"
    assert data["headline"] == SORANI_HEADLINE
    assert data["translation_of"] == version(original)
    assert data["translations"] == [version(original), version(arabic)]


def test_a_story_alone_has_no_translations(client, make_article):
    data = client.get(detail(make_article())).json()
    assert data["translations"] == [] and data["translation_of"] is None


def test_a_translation_of_an_original_readers_cannot_see_names_no_original(
    client, original, sorani, arabic
):
    original.status = Article.Status.DRAFT
    original.save()
    data = client.get(detail(sorani)).json()
    assert data["translation_of"] is None
    assert data["translations"] == [version(arabic)]
    assert original.slug not in client.get(detail(sorani)).content.decode()


def test_a_staff_token_sees_every_version_with_its_state(
    client, staff, original, sorani, make_article
):
    scheduled = make_article(
        slug="ar-soon",
        language="ar",
        translation_of=original,
        published_at=timezone.now() + timedelta(days=1),
    )
    original.status = Article.Status.DRAFT
    original.save()
    data = client.get(detail(sorani), **staff).json()
    assert data["translation_of"] == version(original, "draft")
    assert data["translations"] == [version(original, "draft"), version(scheduled, "scheduled")]
    # Anonymous: neither the draft original nor the scheduled translation.
    anonymous = client.get(detail(sorani)).json()
    assert anonymous["translations"] == [] and anonymous["translation_of"] is None


def test_the_story_with_its_versions_still_costs_two_queries(
    client, original, sorani, arabic, make_author, django_assert_num_queries
):
    original.tags.add("Syria")
    original.authors.add(make_author("Jane Reporter"))
    client.get(detail(original))  # the clock's times are kept after the first ask
    # The story with its names, corrections and versions in one row; the token check none.
    with django_assert_num_queries(1):
        response = client.get(detail(original))
    assert len(response.json()["translations"]) == 2


# Lists ---------------------------------------------------------------------------------------


def test_list_items_carry_their_language_and_the_list_filters_by_it(
    client, original, sorani, arabic
):
    items = client.get(LIST).json()["items"]
    assert {item["slug"]: item["language"] for item in items} == {
        original.slug: "en",
        sorani.slug: "ckb",
        arabic.slug: "ar",
    }
    only = client.get(LIST, {"language": "ckb"}).json()["items"]
    assert [item["slug"] for item in only] == [sorani.slug]
    assert client.get(LIST, {"language": "kmr"}).json()["items"] == []


@pytest.mark.parametrize("code", ["xx", "EN", "en-GB", "ckb "])
def test_a_language_the_site_does_not_have_is_a_400_naming_the_parameter(client, db, code):
    response = client.get(LIST, {"language": code})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["name"] == "language"
    assert (
        f"{code!r} is not one of this site's languages (en, ckb, kmr, ar, fa, tr)"
        in (problem["detail"])
    )


@pytest.mark.parametrize("count", [3, 12])
def test_a_filtered_list_of_translated_stories_costs_the_same_queries(
    client, make_article, django_assert_num_queries, count
):
    for _ in range(count):
        english = make_article(language="en")
        make_article(language="ckb", translation_of=english)
    client.get(LIST)
    with django_assert_num_queries(1):
        response = client.get(LIST, {"language": "ckb", "limit": 100})
    assert len(response.json()["items"]) == count


# Cached answers --------------------------------------------------------------------------------


def cached(client, url):
    client.get(url)
    response = client.get(url)
    assert response["X-Cache"] == "hit", url
    return response.json()


def test_a_translation_going_live_or_leaving_changes_the_cached_original_at_once(
    client, public_cache, original, make_article
):
    draft = make_article(slug="ckb-v", language="ckb", translation_of=original, status="draft")
    assert cached(client, detail(original))["translations"] == []

    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert client.get(detail(original)).json()["translations"] == [version(draft)]

    assert cached(client, detail(original))["translations"] == [version(draft)]
    draft.status = Article.Status.WITHDRAWN
    draft.save()
    assert client.get(detail(original)).json()["translations"] == []


def test_a_translation_renamed_changes_the_cached_original_at_once(
    client, public_cache, original, sorani
):
    assert cached(client, detail(original))["translations"] == [version(sorani)]
    sorani.slug = "putin-assad-ckb"
    sorani.save()
    assert client.get(detail(original)).json()["translations"] == [version(sorani)]


def test_a_scheduled_translation_shows_on_the_cached_original_when_its_time_comes(
    client, public_cache, original, make_article, clock
):
    soon = timezone.now() + timedelta(minutes=5)
    later = make_article(slug="ckb-v", language="ckb", translation_of=original, published_at=soon)
    assert cached(client, detail(original))["translations"] == []
    clock(soon + timedelta(seconds=1))
    assert client.get(detail(original)).json()["translations"] == [version(later)]
