from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section, TaggedArticle


def test_date_shown_is_the_display_date_else_the_original_date(make_article):
    original = timezone.now() - timedelta(days=400)
    article = make_article(original_published_at=original, display_date=None)
    assert article.date_shown == original
    article.display_date = original + timedelta(days=300)
    assert article.date_shown == article.display_date


def test_natural_keys_find_sections_authors_articles_and_tag_links(make_article, make_author):
    author = make_author("Jane Reporter")
    article = make_article(tags=["Syria"], authors=[author])
    link = TaggedArticle.objects.get()
    assert Section.objects.get_by_natural_key(*article.section.natural_key()) == article.section
    assert Author.objects.get_by_natural_key(*author.natural_key()) == author
    assert Article.objects.get_by_natural_key(*article.natural_key()) == article
    assert link.natural_key() == (article.slug, "Syria")
    assert TaggedArticle.objects.get_by_natural_key(*link.natural_key()) == link


def test_tags_are_case_insensitive(make_article):
    first = make_article(tags=["Syria"])
    second = make_article(tags=["syria"])
    assert Tag.objects.count() == 1
    assert list(second.tags.all()) == list(first.tags.all())


def test_non_latin_tag_gets_a_unicode_slug(make_article):
    make_article(tags=["Сирия"])
    assert Tag.objects.get().slug == "сирия"


def test_tag_of_symbols_alone_still_gets_a_slug(make_article):
    make_article(tags=["#!", "?!"])
    slugs = list(Tag.objects.values_list("slug", flat=True))
    assert all(slugs) and len(set(slugs)) == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.WITHDRAWN},
        {"published_at": timezone.now() + timedelta(hours=1)},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["draft", "review", "withdrawn", "scheduled", "expired"],
)
def test_live_hides_every_unpublished_state(make_article, fields):
    hidden = make_article(**fields)
    shown = make_article()
    assert list(Article.objects.live()) == [shown]
    assert list(Article.objects.not_live()) == [hidden]


def test_live_shows_a_story_whose_expiry_is_still_ahead(make_article):
    article = make_article(expires_at=timezone.now() + timedelta(days=1))
    assert list(Article.objects.live()) == [article]


def test_a_published_story_must_have_its_dates(section):
    with pytest.raises(IntegrityError):
        Article.objects.create(
            headline="No dates", slug="no-dates", body="x", section=section, status="published"
        )


def test_saving_cleans_the_body(make_article):
    article = make_article(body='<p onclick="steal()">Hi<script>alert(1)</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


def test_scheduled_and_expired_are_the_published_stories_live_leaves_out(make_article):
    live = make_article()
    waiting = make_article(published_at=timezone.now() + timedelta(hours=1))
    gone = make_article(expires_at=timezone.now() - timedelta(hours=1))
    make_article(status="draft", published_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.scheduled()) == [waiting]
    assert list(Article.objects.expired()) == [gone]
    assert list(Article.objects.live()) == [live]
