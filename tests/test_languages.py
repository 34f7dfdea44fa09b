"""Stories in more than one language (issue 17): the language and translation fields, their
fixtures, right-to-left pages, linked versions, per-language fronts and feeds, the admin."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from articles import languages
from articles.models import Article
from tests.conftest import HIDDEN_STATES
from tests.test_fixtures import database_state, load

SORANI_HEADLINE = "پوتین لە مۆسکۆ پێشوازی لە Bashar al-Assad دەکات"


@pytest.fixture
def original(make_article):
    return make_article(headline="Putin meets al-Assad", slug="putin-meets", language="en")


@pytest.fixture
def sorani(make_article, original):
    return make_article(
        headline=SORANI_HEADLINE,
        slug="پوتین-ئەسەد",
        language="ckb",
        translation_of=original,
        body="<p>سەرۆکی ڕووسیا <strong>Vladimir Putin</strong> لە مۆسکۆ.</p><ul><li>یەک</li></ul>",
    )


# The fields.


def test_a_story_is_in_the_site_default_language_unless_told(make_article):
    # LANGUAGE_CODE is "en-gb": stories store the configured code it falls under.
    assert make_article().language == "en"


def test_the_default_language_must_be_configured(settings):
    settings.NEWSROOM_LANGUAGES = [("ckb", "کوردی")]
    with pytest.raises(Exception, match="NEWSROOM_LANGUAGES must include"):
        languages.default_language()


@pytest.mark.parametrize(
    "code, direction",
    [("ckb", "rtl"), ("ar", "rtl"), ("fa", "rtl"), ("dv", "rtl"), ("en", "ltr"), ("kmr", "ltr")]
    + [("ku-Arab", "rtl"), ("ug-Latn", "ltr"), ("en-GB", "ltr")],
)
def test_direction_follows_the_language_and_its_script(code, direction):
    assert languages.direction(code) == direction


def test_a_translation_of_a_translation_points_at_the_original(make_article, original, sorani):
    arabic = make_article(slug="ar-version", language="ar", translation_of=sorani)
    assert arabic.translation_of == original
    assert set(original.versions()) == {original, sorani, arabic}
    assert set(arabic.versions()) == {original, sorani, arabic}


def test_clean_refuses_a_language_the_site_does_not_have(make_article):
    story = make_article(language="xx")
    with pytest.raises(ValidationError) as refusal:
        story.full_clean()
    assert "'xx' is not one of this site's languages" in str(refusal.value)


def test_clean_refuses_a_second_version_in_the_same_language(make_article, original, sorani):
    second = Article(language="ckb", translation_of=original)
    with pytest.raises(ValidationError, match="already has a translation in کوردی"):
        second.clean()
    with pytest.raises(ValidationError, match="The original is already in English"):
        Article(language="en", translation_of=original).clean()


def test_clean_refuses_making_an_original_with_translations_a_translation(
    make_article, original, sorani
):
    other = make_article(language="ar")
    original.translation_of = other
    with pytest.raises(ValidationError, match="has translations of its own"):
        original.clean()


def test_clean_refuses_an_original_taking_the_language_of_its_translation(original, sorani):
    # Two versions in one language would give one hreflang two addresses.
    original.language = "ckb"
    with pytest.raises(ValidationError, match="already has a translation in کوردی") as refusal:
        original.clean()
    assert "language" in refusal.value.message_dict


def test_the_form_refuses_an_original_taking_the_language_of_its_translation_keeping_it(
    admin_client, original, sorani
):
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(original).items() if v is not None}
    data.update(
        language="ckb",
        headline="Typed, not saved",
        tags="",
        authors=[],
        related=[],
        syndication_indexing="self",
    )
    data.pop("translation_of", None)
    response = admin_client.post(f"/admin/articles/article/{original.pk}/change/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This story already has a translation in کوردی" in html
    assert 'value="Typed, not saved"' in html
    original.refresh_from_db()
    assert original.language == "en"


def test_an_original_with_translations_cannot_be_deleted(original, sorani):
    # Its translations find each other through it: deleting it would cut them loose.
    with pytest.raises(ProtectedError):
        original.delete()


# Fixtures.


def story_row(slug, language, translation_of=None, section="world"):
    fields = {
        "headline": f"Headline {slug}",
        "slug": slug,
        "body": "<p>Text.</p>",
        "section": [section],
        "language": language,
        # Dated, so loading the same rows twice finds nothing to change.
        "created_at": "2024-07-23T10:00:00Z",
        "updated_at": "2024-07-23T10:00:00Z",
    }
    if translation_of is not None:
        fields["translation_of"] = [translation_of]
    return {"model": "articles.article", "fields": fields}


def test_a_fixture_carries_language_and_translation_of_by_natural_key(section, tmp_path):
    # The translation comes first: it names an original further down the same file.
    load(tmp_path, [story_row("ckb-story", "ckb", "en-story"), story_row("en-story", "en")])
    translation = Article.objects.get(slug="ckb-story")
    assert translation.language == "ckb"
    assert translation.translation_of.slug == "en-story"
    before = database_state()
    load(tmp_path, [story_row("ckb-story", "ckb", "en-story"), story_row("en-story", "en")])
    assert database_state() == before  # loading twice changes nothing


def refused(tmp_path, rows):
    before = database_state()
    with pytest.raises(CommandError) as refusal:
        load(tmp_path, rows)
    assert database_state() == before
    return str(refusal.value)


def test_a_fixture_with_an_unknown_language_is_refused_naming_it(section, tmp_path):
    message = refused(tmp_path, [story_row("x", "klingon")])
    assert "story.json, object 1 (articles.article ['x'])" in message
    assert "\"language\": 'klingon' is not one of this site's languages (en, ckb" in message


def test_a_fixture_translating_a_missing_story_is_refused_naming_it(section, tmp_path):
    message = refused(tmp_path, [story_row("x", "ckb", "no-such-story")])
    assert "\"translation_of\": no articles.article with natural key ['no-such-story']" in message


def test_a_fixture_translating_a_translation_is_refused_naming_the_original(
    section, tmp_path, original, sorani
):
    message = refused(tmp_path, [story_row("x", "ar", sorani.slug)])
    assert f"is itself a translation of ['{original.slug}']" in message
    in_file = [story_row("a", "en"), story_row("b", "ckb", "a"), story_row("c", "ar", "b")]
    message = refused(tmp_path, in_file)
    assert "object 3 (articles.article ['c'])" in message
    assert "is itself a translation of ['a']" in message


def test_a_fixture_row_translating_itself_is_refused(section, tmp_path):
    message = refused(tmp_path, [story_row("x", "ckb", "x")])
    assert "cannot be a translation of itself" in message


def publishing_now(story):
    story.status = Article.Status.PUBLISHED
    story.published_at = story.original_published_at = timezone.now()
    story.save()


# Right to left.


def story_html(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_sorani_story_is_marked_right_to_left_with_its_language(client, sorani):
    html = story_html(client, sorani)
    assert '<article class="story" lang="ckb" dir="rtl">' in html
    # The page around it (masthead, navigation) is in the site's language, left to right.
    assert '<html lang="en-GB" dir="ltr">' in html
    # The English name inside the Sorani headline stays as written, inside the RTL article.
    assert f'<h1 class="headline">{SORANI_HEADLINE}</h1>' in html
    # Our own English words inside the story say they are English.
    assert '<span lang="en-GB" dir="ltr">Published</span>' in html


def test_an_english_story_needs_no_marks_for_its_labels(client, original):
    html = story_html(client, original)
    assert '<article class="story" lang="en" dir="ltr">' in html
    assert '<span lang="en-GB">' not in html


def test_a_sorani_dateline_names_the_month_in_sorani(client, sorani):
    sorani.display_date = datetime(2024, 7, 23, 11, tzinfo=UTC)
    sorani.save()
    html = story_html(client, sorani)
    # Django's Sorani catalogue calls July گەلاوێژ; digits stay 0-9 (Django does not
    # localise them).
    assert "23 گەلاوێژ 2024, 12:00 BST" in html
    assert "23 July 2024" not in html


def test_credits_and_tags_of_unknown_direction_are_isolated(client, sorani, make_author):
    sorani.byline = "Gulan Media"
    sorani.save()
    sorani.authors.add(make_author("Karwan Ali"))
    sorani.tags.add("Syria")
    html = story_html(client, sorani)
    assert '<bdi class="credit">Gulan Media</bdi>' in html
    assert "<bdi>Karwan Ali</bdi>" in html
    assert 'rel="tag" dir="auto">Syria</a>' in html


def test_a_list_mixing_languages_marks_each_card_in_another_language(client, original, sorani):
    original.tags.add("Syria")
    sorani.tags.add("Syria")
    html = client.get("/tags/syria/").content.decode()
    cards = re.findall(r'<article class="card[^"]*"([^>]*)>', html)
    # The English card is in the page's language; the Sorani one says it is not.
    assert sorted(cards) == ["", ' lang="ckb" dir="rtl"']
    # A section's name has no language of its own: isolated, whatever it is written in.
    assert f'<p class="kicker"><bdi>{original.section.name}</bdi></p>' in html


# Versions linked.


def alternates_in(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_versions_link_each_other_with_hreflang_both_ways(client, original, sorani):
    english = f"http://testserver{original.get_absolute_url()}"
    kurdish = f"http://testserver{sorani.get_absolute_url()}"
    expected = {"en": english, "ckb": kurdish, "x-default": english}
    assert alternates_in(story_html(client, original)) == expected
    assert alternates_in(story_html(client, sorani)) == expected


def test_each_version_links_to_the_others_in_their_own_language(client, original, sorani):
    html = story_html(client, original)
    assert (
        f'<a href="{sorani.get_absolute_url()}" hreflang="ckb" lang="ckb" dir="rtl">کوردی</a>'
        in html
    )
    back = story_html(client, sorani)
    assert (
        f'<a href="{original.get_absolute_url()}" hreflang="en" lang="en" dir="ltr">English</a>'
        in back
    )


def test_a_story_alone_has_no_alternates(client, original):
    html = story_html(client, original)
    assert 'hreflang="' not in html.split("</head>")[0]
    assert 'class="versions"' not in html


def test_x_default_is_the_original_else_the_default_language(
    client, make_article, original, sorani
):
    arabic = make_article(slug="ar-v", language="ar", translation_of=original)
    original.status = Article.Status.DRAFT
    original.save()
    # Without the original, the version in the site's language would be next; there is
    # none, so the first configured one that is live: Sorani, before Arabic.
    assert alternates_in(story_html(client, arabic))["x-default"].endswith(
        sorani.get_absolute_url()
    )


def json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )


def test_json_ld_says_the_language_and_links_the_translations(client, original, sorani):
    of_original = json_ld(story_html(client, original))
    assert of_original["inLanguage"] == "en"
    assert of_original["workTranslation"] == [
        {
            "@type": "NewsArticle",
            "@id": f"http://testserver{sorani.get_absolute_url()}",
            "inLanguage": "ckb",
        }
    ]
    of_translation = json_ld(story_html(client, sorani))
    assert of_translation["inLanguage"] == "ckb"
    assert of_translation["translationOfWork"]["@id"].endswith(original.get_absolute_url())
    assert "workTranslation" not in of_translation


def sitemap_alternates(client):
    xml = client.get("/sitemap-articles.xml").content.decode()
    found = {}
    for url in re.findall(r"<url>(.*?)</url>", xml, re.S):
        loc = re.search(r"<loc>(.*?)</loc>", url).group(1)
        found[loc] = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', url))
    return found


def test_the_sitemap_carries_the_same_alternates_as_the_pages(client, original, sorani):
    english = f"http://testserver{original.get_absolute_url()}"
    kurdish = f"http://testserver{sorani.get_absolute_url()}"
    found = sitemap_alternates(client)
    expected = {"en": english, "ckb": kurdish, "x-default": english}
    assert found[english] == expected
    assert found[kurdish] == expected
    assert alternates_in(story_html(client, sorani)) == expected


@pytest.mark.parametrize("state", sorted(HIDDEN_STATES))
def test_a_hidden_translation_is_named_nowhere(client, original, sorani, state):
    Article.objects.filter(pk=sorani.pk).update(**HIDDEN_STATES[state])
    pages = [
        story_html(client, original),
        client.get("/sitemap-articles.xml").content.decode(),
        client.get("/news-sitemap.xml").content.decode(),
        client.get("/feed/").content.decode(),
        client.get("/ckb/feed/").content.decode(),
        client.get("/ckb/").content.decode(),
    ]
    for page in pages:
        assert sorani.slug not in page
        assert SORANI_HEADLINE not in page
        assert 'hreflang="ckb"' not in page
        assert "workTranslation" not in page


def test_an_original_not_live_is_not_named_by_its_translation(client, original, sorani):
    Article.objects.filter(pk=original.pk).update(status=Article.Status.DRAFT)
    html = story_html(client, sorani)
    assert original.slug not in html
    assert "translationOfWork" not in html
    assert alternates_in(html) == {}


# Per-language fronts and feeds.


def test_a_language_front_lists_that_languages_stories(client, original, sorani):
    response = client.get("/ckb/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SORANI_HEADLINE in html
    assert original.headline not in html
    assert '<div class="river" lang="ckb" dir="rtl">' in html
    # Its cards are in the list's language: no mark of their own.
    assert re.search(r'<article class="card"\s*>', html)


def test_the_main_front_shows_the_default_languages_stories(client, make_article, original, sorani):
    from curation.models import FRONT_PAGE_SLOTS

    # Older than every English story, so the editors' slots (which fall back to the newest
    # stories of any language: curation) are full before it; the river is the default's.
    Article.objects.filter(pk=sorani.pk).update(display_date=datetime(2000, 1, 1, tzinfo=UTC))
    english = [make_article() for _ in range(FRONT_PAGE_SLOTS + 1)]
    html = client.get("/").content.decode()
    river = html.split('id="latest-heading"')[1].split("</section>")[0]
    assert english[-1].headline in river
    assert SORANI_HEADLINE not in river
    # And offers the fronts of the other languages with live stories, in their own words.
    bar = html.split('<nav class="language-bar"')[1].split("</nav>")[0]
    assert '<a href="/ckb/" hreflang="ckb" lang="ckb" dir="rtl">کوردی</a>' in bar
    assert "/ar/" not in bar  # no Arabic story yet


def test_the_language_bar_follows_stories_going_live(client, original, sorani):
    # Kept between requests (article_tags.language_bar): a story going live changes it.
    assert "/ar/" not in client.get("/").content.decode()
    arabic = Article.objects.create(
        headline="خبر", slug="خبر", body="<p>نص.</p>", section=original.section, language="ar"
    )
    assert "/ar/" not in client.get("/").content.decode()
    publishing_now(arabic)
    assert (
        '<a href="/ar/" hreflang="ar" lang="ar" dir="rtl">العربية</a>'
        in client.get("/").content.decode()
    )
    html = client.get("/ar/").content.decode()
    assert '<a href="/" hreflang="en" lang="en" dir="ltr">English</a>' in html


@pytest.mark.parametrize("path", ["/en/", "/xx/", "/en/feed/", "/sections/", "/ckb/nothing/"])
def test_only_configured_languages_other_than_the_default_have_fronts(client, db, path):
    assert client.get(path).status_code == 404


def test_a_language_feed_has_its_stories_and_its_language(client, original, sorani):
    rss = client.get("/ckb/feed/").content.decode()
    assert "<language>ckb</language>" in rss
    assert SORANI_HEADLINE in rss
    assert original.headline not in rss
    atom = client.get("/ckb/feed/atom/").content.decode()
    assert 'xml:lang="ckb"' in atom
    assert SORANI_HEADLINE in atom
    main = client.get("/feed/").content.decode()
    assert "<language>en</language>" in main
    assert SORANI_HEADLINE not in main


# Cached pages: a version going live or leaving changes every version's page at once.


def cached(client, url):
    client.get(url)
    response = client.get(url)
    assert response["X-Cache"] == "hit", url
    return response.content.decode()


def test_a_translation_going_live_or_leaving_changes_the_cached_originals_page(
    client, public_cache, original, make_article
):
    sibling = make_article(slug="ar-v", language="ar", translation_of=original)
    draft = make_article(
        slug="پوتین-ئەسەد", language="ckb", translation_of=original, status="draft"
    )
    for story in (original, sibling):
        assert 'hreflang="ckb"' not in cached(client, story.get_absolute_url())
    publishing_now(draft)
    for story in (original, sibling):
        assert 'hreflang="ckb"' in client.get(story.get_absolute_url()).content.decode()
    for story in (original, sibling):
        cached(client, story.get_absolute_url())
    draft.status = Article.Status.WITHDRAWN
    draft.save()
    for story in (original, sibling):
        assert 'hreflang="ckb"' not in client.get(story.get_absolute_url()).content.decode()


def test_a_scheduled_translation_shows_on_the_cached_original_when_its_time_comes(
    client, public_cache, original, make_article, clock
):
    soon = timezone.now() + timedelta(minutes=5)
    make_article(slug="ckb-v", language="ckb", translation_of=original, published_at=soon)
    assert 'hreflang="ckb"' not in cached(client, original.get_absolute_url())
    clock(soon + timedelta(seconds=1))
    response = client.get(original.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert 'hreflang="ckb"' in response.content.decode()


def test_a_story_page_names_its_versions_in_its_surrogate_keys(client, original, sorani):
    from articles.surrogate_keys import paths_for

    response = client.get(original.get_absolute_url())
    keys = set(response.surrogate_keys)
    assert {f"story-{sorani.pk}", f"versions-{original.pk}"} <= keys
    # An edge that purges by address (CloudFront) purges every version's page.
    paths = paths_for({f"versions-{original.pk}"})
    assert set(paths) == {original.get_absolute_url(), sorani.get_absolute_url()}


# The admin.


def test_the_story_list_shows_and_filters_by_language(admin_client, original, sorani):
    html = admin_client.get("/admin/articles/article/").content.decode()
    assert '<span lang="ckb" dir="rtl">کوردی</span>' in html
    assert '<span lang="en" dir="ltr">English</span>' in html
    filtered = admin_client.get("/admin/articles/article/?language=ckb")
    shown = list(filtered.context["cl"].result_list)
    assert shown == [sorani]
    assert 'href="?language=ckb"' in filtered.content.decode()


def test_the_story_form_lists_its_versions_with_language_and_state(
    admin_client, original, sorani, make_article
):
    make_article(
        slug="ar-draft", headline="مسودة", language="ar", translation_of=original, status="draft"
    )
    html = admin_client.get(f"/admin/articles/article/{original.pk}/change/").content.decode()
    versions = html.split('class="desk-versions"')[1].split("</ul>")[0]
    assert f'href="/admin/articles/article/{sorani.pk}/change/" lang="ckb" dir="rtl"' in versions
    assert "کوردی" in versions and "Live" in versions
    assert "مسودة" in versions and "Draft" in versions


def test_add_a_translation_offers_the_languages_without_a_version(admin_client, original, sorani):
    html = admin_client.get(f"/admin/articles/article/{original.pk}/change/").content.decode()
    offer = html.split('class="desk-translate"')[1].split("</form>")[0]
    assert f'name="translation_of" value="{original.pk}"' in offer
    assert '<option value="ar" lang="ar">العربية</option>' in offer
    assert 'value="ckb"' not in offer and 'value="en"' not in offer  # versions exist
    # From a translation, the offer is for the original's group too.
    html = admin_client.get(f"/admin/articles/article/{sorani.pk}/change/").content.decode()
    assert f'name="translation_of" value="{original.pk}"' in html


def test_add_a_translation_opens_a_form_prefilled_from_the_original(
    admin_client, original, sorani, make_author
):
    original.byline = "Gulan Media"
    original.source_name = "Gulan Media"
    original.display_date = datetime(2024, 7, 23, 11, tzinfo=UTC)
    original.save()
    original.tags.add("Syria", "Vladimir Putin")
    original.authors.add(make_author("Karwan Ali"))
    # Asked from a translation: the new one still translates the original.
    response = admin_client.get(
        f"/admin/articles/article/add/?translation_of={sorani.pk}&language=ar"
    )
    form = response.context["adminform"].form
    assert form.initial["translation_of"] == original.pk
    assert form.initial["language"] == "ar"
    assert form.initial["section"] == original.section_id
    assert form.initial["tags"] == "Syria, Vladimir Putin"
    assert form.initial["byline"] == "Gulan Media"
    assert form.initial["authors"] == [original.authors.get().pk]
    assert form.initial["display_date"] == original.display_date
    assert form.initial["original_published_at"] == original.original_published_at
    html = response.content.decode()
    # Arabic is typed right to left: the headline, the standfirst and the body's editor.
    assert re.search(r'<input[^>]*name="headline"[^>]*lang="ar" dir="rtl"', html)
    assert re.search(r'<textarea[^>]*name="standfirst"[^>]*lang="ar" dir="rtl"', html)
    assert re.search(r'<textarea[^>]*name="body"[^>]*lang="ar" dir="rtl"', html)


def test_a_user_who_may_not_add_stories_cannot_open_a_translation(
    client, django_user_model, original
):
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    response = client.get(f"/admin/articles/article/add/?translation_of={original.pk}&language=ar")
    assert response.status_code == 403


def test_saving_the_prefilled_form_makes_a_linked_translation(admin_client, original):
    response = admin_client.post(
        "/admin/articles/article/add/",
        {
            "headline": "پوتین و ئەسەد",
            "slug": "پوتین-و-ئەسەد",
            "body": "<p>دەق.</p>",
            "section": original.section_id,
            "language": "ckb",
            "translation_of": original.pk,
            "syndication_indexing": "self",
            "status": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Article.objects.get(slug="پوتین-و-ئەسەد")
    assert (made.language, made.translation_of) == ("ckb", original)


def test_the_form_refuses_a_second_version_in_one_language(admin_client, original, sorani):
    response = admin_client.post(
        "/admin/articles/article/add/",
        {
            "headline": "دووەم",
            "slug": "دووەم",
            "body": "<p>دەق.</p>",
            "section": original.section_id,
            "language": "ckb",
            "translation_of": original.pk,
            "syndication_indexing": "self",
            "status": "draft",
        },
    )
    assert response.status_code == 200
    assert "already has a translation in کوردی" in response.content.decode()


def test_the_news_sitemap_names_each_storys_language(client, original, sorani):
    Article.objects.filter(pk__in=[original.pk, sorani.pk]).update(published_at=timezone.now())
    xml = client.get("/news-sitemap.xml").content.decode()
    entries = dict(re.findall(r"<loc>(.*?)</loc>.*?<news:language>(.*?)</news:language>", xml))
    assert entries == {
        f"http://testserver{original.get_absolute_url()}": "en",
        f"http://testserver{sorani.get_absolute_url()}": "ckb",
    }


@pytest.mark.parametrize("prefill", ["section=abc", "authors=1,abc", "lead_image=" + "9" * 30])
def test_the_add_form_ignores_ids_no_row_could_have_in_its_address(admin_client, db, prefill):
    response = admin_client.get(f"/admin/articles/article/add/?{prefill}&language=ar")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.initial) & {"section", "authors", "lead_image"} == set()
    assert form.initial["language"] == "ar"


@pytest.mark.parametrize(
    "wanted", ["abc", "99999999999999999999999", "-1", "١", "0", "1.5", "", "999999"]
)
def test_add_a_translation_of_no_such_story_opens_a_blank_form_not_an_error(
    admin_client, original, wanted
):
    # A hand-edited or stale address: the form opens without a link, never a server error.
    response = admin_client.get(f"/admin/articles/article/add/?translation_of={wanted}&language=ar")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial.get("translation_of") in (None, "")
    assert form.initial["language"] == "ar"


def test_our_via_on_a_right_to_left_card_reads_left_to_right(client, original, sorani):
    # Without it a Sorani card showed "Gulan Media via": our English word laid right to left.
    Article.objects.filter(pk=sorani.pk).update(
        source_name="Gulan Media", source_url="https://gulan.example/x", byline="Gulan Media"
    )
    sorani.tags.add("Syria")
    original.tags.add("Syria")
    for path in ("/tags/syria/", "/ckb/"):
        html = client.get(path).content.decode()
        card = html.split(f"{SORANI_HEADLINE}</a>")[1].split("</article>")[0]
        via = '<span class="via"><span lang="en-GB" dir="ltr">via <bdi>Gulan Media</bdi></span></span>'
        assert via in card


def test_the_attribution_line_of_a_sorani_story_reads_left_to_right(client, sorani):
    Article.objects.filter(pk=sorani.pk).update(
        source_name="Gulan Media", source_url="https://gulan.example/x", byline="Gulan Media"
    )
    html = story_html(client, sorani)
    assert '<p class="attribution" lang="en-GB" dir="ltr">Originally published by' in html


def test_names_and_queries_of_unknown_direction_are_isolated_in_list_headings(client, sorani):
    # A Sorani tag or query inside our English heading ("Results for “…”", "… page 2"):
    # isolated, so its direction does not reorder the words and quotes around it.
    sorani.tags.add("سووریا")
    tag = sorani.tags.get()
    html = client.get(f"/tags/{tag.slug}/").content.decode()
    assert '<h1 class="list-heading"><bdi>سووریا</bdi></h1>' in html
    html = client.get("/search/", {"q": "پوتین"}).content.decode()
    assert "Results for “<bdi>پوتین</bdi>”" in html
    # The box a reader types in follows what is typed: right to left for Sorani.
    assert re.search(r'<input id="search-q"[^>]*dir="auto"', html)


def test_a_fixture_with_two_versions_in_one_language_is_refused_naming_them(section, tmp_path):
    message = refused(tmp_path, [story_row("en-story", "en"), story_row("en-2", "en", "en-story")])
    assert "the original ['en-story'] is in 'en' too" in message
    rows = [
        story_row("en-story", "en"),
        story_row("ckb-1", "ckb", "en-story"),
        story_row("ckb-2", "ckb", "en-story"),
    ]
    message = refused(tmp_path, rows)
    assert "['en-story'] already has a translation in 'ckb' (ckb-2)" in message
    # Against the stories already stored too.
    load(tmp_path, rows[:2])
    message = refused(tmp_path, [rows[2]])
    assert "['en-story'] already has a translation in 'ckb' (ckb-1)" in message


def test_the_sitemap_is_valid_xml_with_its_alternates_in_the_xhtml_namespace(
    client, original, sorani
):
    from xml.etree import ElementTree

    namespaces = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    root = ElementTree.fromstring(client.get("/sitemap-articles.xml").content)
    urls = root.findall("s:url", namespaces)
    assert len(urls) == 2
    for url in urls:
        links = url.findall("x:link", namespaces)
        assert {link.get("hreflang") for link in links} == {"en", "ckb", "x-default"}
        assert {link.get("rel") for link in links} == {"alternate"}


def test_an_edge_that_purges_by_path_drops_the_language_fronts_and_feeds(original, sorani):
    # CloudFront is told addresses: a Sorani story going live changes /ckb/ and its feeds,
    # which the "front" and "feeds" keys name, as it changes / and /feed/.
    from articles.surrogate_keys import paths_for, story_change_keys

    paths = set(paths_for(story_change_keys(sorani)))
    assert {"/ckb/", "/ckb/?*", "/ckb/feed/*"} <= paths
    assert {"/ar/", "/ar/?*", "/ar/feed/*", "/", "/feed/*"} <= paths
