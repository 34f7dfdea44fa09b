import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Section, TaggedArticle
from tests.conftest import SEED_SLUG

RAW_SEED = settings.BASE_DIR / "fixtures" / "raw" / "gulan-media-putin-assad.txt"
FIXTURE = settings.BASE_DIR / "fixtures" / "seed_story.json"
LONDON = ZoneInfo("Europe/London")


def raw_paragraphs():
    lines = RAW_SEED.read_text(encoding="utf-8").splitlines()
    # display date, headline, meta line, headline again, then the body
    return [line for line in lines[6:] if line.strip()]


def test_seed_story_loads_with_its_credit_section_and_dates(seed):
    assert seed.headline == "Putin meets al-Assad in Moscow, criticizes foreign forces in Syria"
    assert seed.byline == "Gulan Media"
    assert seed.section.name == "News"
    assert seed.status == Article.Status.PUBLISHED
    assert timezone.localtime(seed.original_published_at, LONDON).date().isoformat() == (
        "2021-09-14"
    )
    assert timezone.localtime(seed.display_date, LONDON).date().isoformat() == "2024-07-23"
    assert seed.date_shown == seed.display_date


def test_seed_body_holds_all_13_paragraphs_word_for_word(seed):
    paragraphs = raw_paragraphs()
    assert len(paragraphs) == 13
    assert seed.body.count("<p>") == 13
    for paragraph in paragraphs:
        assert f"<p>{paragraph}</p>" in seed.body
    assert '"your (al-Assad\'s) consent,"' in seed.body
    assert "“to liberate lands" in seed.body and "civilians”" in seed.body


def test_seed_story_has_meaningful_tags(seed):
    names = {tag.name for tag in seed.tags.all()}
    assert len(names) >= 4
    assert {"Syria", "Russia", "Vladimir Putin", "Bashar al-Assad"} <= names


def test_seed_fixture_names_everything_by_natural_key_in_dependency_order():
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    models = [row["model"] for row in rows]
    assert all("pk" not in row for row in rows)
    article_at = models.index("articles.article")
    assert models.index("articles.section") < article_at
    assert max(i for i, m in enumerate(models) if m == "taggit.tag") < article_at
    assert min(i for i, m in enumerate(models) if m == "articles.taggedarticle") > article_at


def snapshot():
    return (
        list(Article.objects.values()),
        list(Article.authors.through.objects.values()),
        list(Section.objects.values()),
        list(Tag.objects.values()),
        list(TaggedArticle.objects.values()),
    )


def test_loading_the_seed_twice_changes_nothing(seed):
    before = snapshot()
    call_command("loaddata", "seed_story", verbosity=0)
    assert snapshot() == before
    assert TaggedArticle.objects.count() == 5


def test_load_seed_story_command_keeps_an_editors_changes(seed):
    seed.headline = "Edited by the desk"
    seed.save()
    call_command("load_seed_story", verbosity=0)
    seed.refresh_from_db()
    assert seed.headline == "Edited by the desk"
    assert Article.objects.count() == 1


def test_load_seed_story_command_loads_into_an_empty_database(db):
    call_command("load_seed_story", verbosity=0)
    assert Article.objects.live().filter(slug=SEED_SLUG).exists()
