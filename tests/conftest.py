import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author, Section

# Every way a story can be kept from readers; public paths are tested against each.
HIDDEN_STATES = {
    "draft": {"status": "draft"},
    "review": {"status": "review"},
    "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
    "expired": {"expires_at": timezone.now() - timedelta(minutes=5)},
    "withdrawn": {"status": "withdrawn"},
}
SEED_SLUG = "putin-meets-al-assad-in-moscow-criticizes-foreign-forces-in-syria"
SHOWN_ON = datetime(2024, 7, 23, 12, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what is kept per change (the navigation, a tag's
    rarity: articles/public_changes.kept()) names rows by id, and ids come back after a
    test's rollback."""
    from django.core.cache import cache

    from articles import public_changes

    cache.clear()
    public_changes._pending.keys = None  # purges of saves that never committed
    yield


@pytest.fixture
def public_cache(settings):
    """The public page cache on, as in production (the suite runs with it off)."""
    from django.core.cache import cache

    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def public_urls(section, author):
    return [
        "/",
        "/?page=1",
        f"/sections/{section.slug}/",
        "/tags/shared-topic/",
        f"/authors/{author.slug}/",
        "/2024/",
        "/2024/07/",
        "/2024/07/23/",
        "/search/?q=Zanzibar",
        "/search/?q=secretword",
        "/feed/",
        "/feed/atom/",
        f"/sections/{section.slug}/feed/",
        f"/sections/{section.slug}/feed/atom/",
        "/tags/shared-topic/feed/",
        "/tags/shared-topic/feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        # A language's front and feeds (issue 17): Sorani, a configured language.
        "/ckb/",
        "/ckb/feed/",
        "/ckb/feed/atom/",
    ]


@pytest.fixture
def newsroom(make_article, make_author):
    author = make_author("Jane Reporter")
    live = make_article(
        headline="Zanzibar ferry resumes",
        tags=["Shared topic"],
        authors=[author],
        display_date=SHOWN_ON,
        published_at=timezone.now() - timedelta(hours=1),
    )
    return live, author


_numbers = itertools.count(1)


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed_story", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def media(settings, tmp_path):
    """Uploads land in a folder of this test's own, never in the repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


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
def draft(make_article):
    """A reporter's draft: never published, no dates yet."""
    return make_article(
        headline="Council story",
        slug="council-story",
        body="<p>First text.</p>",
        status=Article.Status.DRAFT,
        published_at=None,
        original_published_at=None,
    )


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


@pytest.fixture
def make_staff(db, django_user_model):
    """A staff user in one of the newsroom's roles (groups made by a data migration)."""

    def make(role, username, full_name=""):
        first, _, last = full_name.partition(" ")
        user = django_user_model.objects.create_user(
            username=username, password="unused", is_staff=True, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def reporter(make_staff):
    return make_staff("Reporter", "rita", "Rita Reporter")


@pytest.fixture
def editor(make_staff):
    return make_staff("Editor", "eddie", "Eddie Editor")


@pytest.fixture
def eddie(editor):
    """The editor, logged in."""
    from tests.workflow_helpers import logged_in

    return logged_in(editor)


@pytest.fixture
def rita(reporter):
    """The reporter, logged in."""
    from tests.workflow_helpers import logged_in

    return logged_in(reporter)


@pytest.fixture
def clock(monkeypatch):
    """Move the clock that live(), publishing and the page cache read: `clock(when)`."""

    def move_to(when):
        monkeypatch.setattr("django.utils.timezone.now", lambda: when)
        return when

    return move_to
