import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author, Section

SEED_SLUG = "putin-meets-al-assad-in-moscow-criticizes-foreign-forces-in-syria"
_numbers = itertools.count(1)


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed_story", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def section(db):
    return Section.objects.create(name="World", slug="world")


@pytest.fixture
def make_article(db, section):
    """A live article unless told otherwise; dates count back a day per article made."""

    def make(tags=(), authors=(), **fields):
        n = next(_numbers)
        when = timezone.now() - timedelta(days=n)
        values = {
            "headline": f"Story number {n}",
            "slug": f"story-{n}",
            "body": f"<p>Body of story {n}.</p>",
            "section": section,
            "status": Article.Status.PUBLISHED,
            "original_published_at": when,
            "published_at": when,
        }
        values.update(fields)
        article = Article.objects.create(**values)
        if tags:
            article.tags.add(*tags)
        if authors:
            article.authors.add(*authors)
        return article

    return make


@pytest.fixture
def make_author(db):
    def make(name):
        return Author.objects.create(name=name, slug=name.lower().replace(" ", "-"))

    return make


@pytest.fixture
def count_queries():
    """How many queries a callable runs: used to prove a count does not grow with the data."""

    def count(func):
        with CaptureQueriesContext(connection) as ctx:
            func()
        return len(ctx.captured_queries)

    return count
