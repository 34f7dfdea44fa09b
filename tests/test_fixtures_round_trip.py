"""dumpdata then loaddata into another database gives back the same stories, field by field."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section, TaggedArticle
from tests.conftest import SEED_SLUG
from tests.test_fixtures import database_state


def to_the_millisecond(value):
    # Django's JSON format writes datetimes to the millisecond; everything coarser must survive.
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def stories():
    """Every field of every article, with relations by natural key and datetimes in UTC."""
    snapshot = {}
    articles = Article.objects.select_related("section").prefetch_related("authors", "tags")
    for article in articles:
        fields = {}
        for field in Article._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                related = getattr(article, field.name)
                fields[field.name] = related and (related.natural_key(), str(related))
            else:
                fields[field.name] = to_the_millisecond(getattr(article, field.attname))
        fields["authors"] = sorted((a.slug, a.name) for a in article.authors.all())
        fields["tags"] = sorted((t.name, t.slug) for t in article.tags.all())
        snapshot[article.slug] = fields
    return snapshot


@pytest.fixture
def newsroom(seed, make_article, make_author):
    """The seed story, the example story and generated stories in every state, with odd dates."""
    call_command("loaddata", "example_story", verbosity=0)
    reporter = make_author("Jane Reporter")
    now = timezone.now()
    make_article(tags=["Syria", "Сирия", "#!"], authors=[reporter], standfirst="Short.")
    make_article(status=Article.Status.DRAFT, published_at=None, original_published_at=None)
    make_article(published_at=now + timedelta(days=2), display_date=now + timedelta(days=2))
    make_article(status=Article.Status.WITHDRAWN, tags=["Russia"])
    make_article(
        expires_at=now + timedelta(days=30),
        source_name="Wire",
        source_url="https://wire.example/story",
        byline="Wire staff",
        tags=["Wire copy", "Local economy"],
    )
    # Times an editor could not have typed: microseconds, and long before the rows were made.
    for n, article in enumerate(Article.objects.order_by("pk")):
        Article.objects.filter(pk=article.pk).update(
            created_at=datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=UTC) + timedelta(days=n),
            updated_at=datetime(2022, 6, 7, 8, 9, 10, 111213, tzinfo=UTC) + timedelta(days=n),
        )
    return stories()


def dump(path, **options):
    call_command("dumpdata", "articles", "taggit", output=str(path), verbosity=0, **options)
    return json.loads(path.read_text(encoding="utf-8"))


def wipe_stories():
    Article.objects.all().delete()
    Section.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    # give_content_types_new_ids() leaves Django's content-type cache naming ids the test's
    # rollback removes; loaddata's revisions would then point at them.
    yield
    ContentType.objects.clear_cache()


def give_content_types_new_ids():
    # Nothing dumped may depend on content-type ids: make them all different from the source's.
    models = [Article, Tag, TaggedArticle, Section, Author]
    old = {model: ContentType.objects.get_for_model(model).pk for model in models}
    ContentType.objects.filter(pk__in=old.values()).delete()
    ContentType.objects.clear_cache()
    ContentType.objects.create(app_label="junk", model="junk")
    for model in models:
        assert ContentType.objects.get_for_model(model).pk != old[model]


def make_junk():
    """Rows the target database already holds, so new rows get ids the source never used."""
    junk_section = Section.objects.create(name="Junk", slug="junk")
    junk = Article.objects.create(
        headline="Junk", slug="junk", body="<p>Junk.</p>", section=junk_section
    )
    junk.tags.add("junk tag", "Syria")
    junk.authors.add(Author.objects.create(name="Junk Writer", slug="junk-writer"))
    return junk


def test_round_trip_by_natural_keys_into_a_database_with_other_ids(newsroom, tmp_path):
    source_ids = dict(Article.objects.values_list("slug", "pk"))
    rows = dump(tmp_path / "newsroom.json", natural_foreign=True, natural_primary=True)
    assert all("pk" not in row for row in rows)
    assert Article.objects.count() == 7

    wipe_stories()
    give_content_types_new_ids()
    junk = make_junk()
    call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)

    loaded = stories()
    junk_story = loaded.pop("junk")
    assert loaded == newsroom
    assert junk_story["tags"] == [("Syria", "syria"), ("junk tag", "junk-tag")]
    assert junk_story["authors"] == [("junk-writer", "Junk Writer")]
    assert Article.objects.get(pk=junk.pk).headline == "Junk"
    target_ids = dict(Article.objects.values_list("slug", "pk"))
    assert all(target_ids[slug] != source_ids[slug] for slug in source_ids)
    # The seed's dates, spelled out: to the second, in UTC, as the fixture wrote them.
    seed = Article.objects.get(slug=SEED_SLUG)
    assert seed.original_published_at.isoformat() == "2021-09-14T11:00:00+00:00"
    assert seed.display_date.isoformat() == "2024-07-23T11:00:00+00:00"


def test_a_second_load_of_the_dump_changes_nothing(newsroom, tmp_path):
    dump(tmp_path / "newsroom.json", natural_foreign=True, natural_primary=True)
    call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    assert stories() == newsroom
    before = database_state()
    call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    assert database_state() == before


def test_the_dump_holds_every_field_of_every_article(newsroom, tmp_path):
    rows = dump(tmp_path / "newsroom.json", natural_foreign=True, natural_primary=True)
    article_rows = [row for row in rows if row["model"] == "articles.article"]
    expected = {f.name for f in Article._meta.concrete_fields if not f.primary_key} | {
        "authors",
        "related",
    }
    assert all(set(row["fields"]) == expected for row in article_rows)
    seed_row = next(row for row in article_rows if row["fields"]["slug"] == SEED_SLUG)
    assert seed_row["fields"]["created_at"] == "2020-01-02T03:04:05.678Z"


def test_round_trip_with_ids_into_an_empty_database(newsroom, tmp_path):
    dump(tmp_path / "newsroom.json", natural_foreign=True)
    wipe_stories()
    give_content_types_new_ids()
    call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    assert stories() == newsroom


def test_a_dump_with_ids_is_refused_where_those_ids_belong_to_other_stories(newsroom, tmp_path):
    dump(tmp_path / "newsroom.json", natural_foreign=True)
    seed_pk = Article.objects.get(slug=SEED_SLUG).pk
    section_pk = Section.objects.get(slug="news").pk
    wipe_stories()
    section = Section.objects.create(pk=section_pk, name="Sport", slug="sport")
    Article.objects.create(
        pk=seed_pk, headline="Cup final", slug="cup-final", body="<p>Goal.</p>", section=section
    )
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    message = str(refused.value)
    assert f"its id {seed_pk} belongs to articles.article ['cup-final']" in message
    assert f"its id {section_pk} belongs to articles.section ['sport']" in message
    assert "--natural-primary" in message
    assert database_state() == before


def test_natural_primary_without_natural_foreign_is_refused(newsroom, tmp_path):
    dump(tmp_path / "newsroom.json", natural_primary=True)
    wipe_stories()
    make_junk()
    before = database_state()
    with pytest.raises(CommandError, match="carry no ids.*dump with --natural-foreign"):
        call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    assert database_state() == before
