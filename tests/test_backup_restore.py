"""A backup (README: dumpdata articles taggit --natural-foreign --natural-primary) restores
every kind of story the newsroom keeps, field by field."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Correction, OldSlug, Section
from tests.conftest import SEED_SLUG
from tests.test_fixtures import database_state
from tests.test_fixtures_round_trip import to_the_millisecond

BODY = (
    "<p>“Curly,” 'single' and \"straight\" quotes — an em dash, ünïcödé, كوردی, 中文 &amp; "
    "an ampersand.</p>\n<blockquote><p>A quote.</p></blockquote>"
)


@pytest.fixture
def newsroom(seed, make_article, make_author):
    """One story in every state and with every extra the app can save, next to the seed."""
    now = timezone.now()
    amina, jane = make_author("Amina Rahman"), make_author("Jane Reporter")
    stories = {
        "draft": make_article(status=Article.Status.DRAFT, published_at=None),
        "review": make_article(status=Article.Status.REVIEW, published_at=None, body=BODY),
        "live": make_article(
            body=BODY,
            headline="“Ferry” returns — ünïcödé",
            standfirst="It's back.",
            tags=["Harbour", "Сирия", "کوردستان", "Café & bar", "#!"],
            authors=[amina, jane],
            display_date=now - timedelta(days=40),
        ),
        "scheduled": make_article(published_at=now + timedelta(days=2), tags=["Harbour"]),
        "expired": make_article(expires_at=now - timedelta(hours=1)),
        "expiring": make_article(expires_at=now + timedelta(days=30)),
        "withdrawn": make_article(status=Article.Status.WITHDRAWN, tags=["Сирия"]),
        "syndicated": make_article(
            byline="Gulan Media",
            source_name="Gulan Media",
            source_url="https://gulan.example/story/1",
            syndication_indexing=Article.SyndicationIndexing.CANONICAL_SOURCE,
            original_published_at=now - timedelta(days=400),
        ),
        "updated": make_article(authors=[amina]),
        "renamed": make_article(headline="Renamed story"),
    }
    Article.objects.filter(pk=stories["updated"].pk).update(public_update_at=now)
    renamed = stories["renamed"]
    renamed.slug = "renamed-story"
    renamed.save()
    assert OldSlug.objects.filter(article=renamed).exists()
    Correction.objects.create(
        article=stories["live"], text="An earlier version misspelt “Hewlêr”.", published_at=now
    )
    Correction.objects.create(
        article=stories["live"],
        kind=Correction.Kind.CLARIFICATION,
        text="The ferry runs twice a day.",
        published_at=now + timedelta(hours=3),  # scheduled: not shown yet
    )
    Correction.objects.create(article=stories["withdrawn"], kind=Correction.Kind.UPDATE, text="x")
    return everything()


def everything():
    """Every story row with its relations by natural key, plus sections, authors and tags."""
    articles = {}
    for article in Article.objects.prefetch_related("authors", "tags", "corrections", "old_slugs"):
        fields = {
            field.name: to_the_millisecond(getattr(article, field.attname))
            for field in Article._meta.concrete_fields
            if not field.is_relation and not field.primary_key
        }
        fields["section"] = article.section.slug
        fields["authors"] = sorted(a.slug for a in article.authors.all())
        fields["tags"] = sorted(t.name for t in article.tags.all())
        fields["corrections"] = [
            (c.kind, c.text, to_the_millisecond(c.published_at), to_the_millisecond(c.created_at))
            for c in article.corrections.all()
        ]
        fields["old_slugs"] = [
            (o.slug, to_the_millisecond(o.created_at)) for o in article.old_slugs.all()
        ]
        articles[article.slug] = fields
    return {
        "articles": articles,
        "sections": sorted(Section.objects.values_list("slug", "name")),
        "authors": sorted(Author.objects.values_list("slug", "name")),
        "tags": sorted(Tag.objects.values_list("name", "slug")),
    }


def back_up(path):
    call_command(
        "dumpdata",
        "articles",
        "taggit",
        natural_foreign=True,
        natural_primary=True,
        output=str(path),
        verbosity=0,
    )


def wipe():
    Article.objects.all().delete()  # takes tag links, corrections and old slugs with it
    Section.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    assert not Correction.objects.exists() and not OldSlug.objects.exists()


def test_a_backup_restores_every_kind_of_story_field_by_field(newsroom, tmp_path):
    backup = tmp_path / "newsroom.json"
    back_up(backup)
    wipe()

    call_command("loaddata", str(backup), verbosity=0)

    restored = everything()
    assert restored == newsroom
    # The comparison covered what it claims to: each kind of story, and the seed as loaded.
    articles = restored["articles"]
    assert len(articles) == 11
    assert {a["status"] for a in articles.values()} == set(Article.Status)
    assert sum(len(a["corrections"]) for a in articles.values()) == 3
    assert articles["renamed-story"]["old_slugs"][0][0].startswith("story-")
    assert articles[SEED_SLUG]["display_date"].isoformat() == "2024-07-23T11:00:00+00:00"
    assert all(a["guid"] for a in articles.values())
    assert ("Сирия", "сирия") in restored["tags"]
    assert json.loads(backup.read_text(encoding="utf-8"))  # a readable file, not an empty one


def test_restoring_a_backup_over_itself_duplicates_nothing(newsroom, tmp_path):
    back_up(tmp_path / "newsroom.json")
    call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    # Times written to the millisecond lose their microseconds: everything() compares so.
    assert everything() == newsroom
    assert (Correction.objects.count(), OldSlug.objects.count()) == (3, 1)


def test_a_backup_whose_correction_and_old_slug_ids_are_other_stories_here_is_refused(
    newsroom, tmp_path, make_article
):
    # Corrections and old slugs have no natural key, so a backup carries their ids; where
    # those ids are taken by other stories' rows, loading would overwrite them.
    back_up(tmp_path / "newsroom.json")
    correction = Correction.objects.order_by("pk").first()
    old_slug = OldSlug.objects.get()
    wipe()
    other = make_article(slug="other-story", section=Section.objects.create(name="A", slug="a"))
    Correction.objects.create(pk=correction.pk, article=other, text="Another story's note.")
    OldSlug.objects.create(pk=old_slug.pk, article=other, slug="other-old-address")
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(tmp_path / "newsroom.json"), verbosity=0)
    message = str(refused.value)
    assert (
        f"(articles.correction id {correction.pk}): its id {correction.pk} belongs to the "
        f"articles.correction of articles.article ['other-story'] in this database"
    ) in message
    assert f"(articles.oldslug id {old_slug.pk}): its id {old_slug.pk} belongs to" in message
    assert database_state() == before
