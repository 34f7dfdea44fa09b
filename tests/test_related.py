"""Related stories under a story: editors' picks first, then stories sharing its rarest tags,
newest first among equals; live ones only, never the story itself, at most four, in a fixed
number of queries, kept by fixtures and reaching readers through the page cache at once."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles import public_changes
from articles.history import Names, changes_between, snapshot_of
from articles.models import Article
from articles.related import related_stories
from tests.conftest import HIDDEN_STATES
from tests.test_fixtures_round_trip import wipe_stories
from tests.workflow_helpers import change_url, form_data


def slugs(stories):
    return [story.slug for story in stories]


def shown_on(days_ago):
    """A date readers see, `days_ago` days back: the order of recency, whatever the order made."""
    return timezone.now() - timedelta(days=days_ago)


def test_a_story_sharing_a_rare_tag_outranks_newer_ones_sharing_a_common_tag(make_article):
    story = make_article(tags=["Kirkuk dam", "Politics"])
    common = [make_article(tags=["Politics"], display_date=shown_on(n)) for n in range(6)]
    rare = make_article(slug="rare", tags=["Kirkuk dam"], display_date=shown_on(30))
    assert slugs(related_stories(story)) == [rare.slug, *slugs(common[:3])]


def test_more_shared_tags_of_the_same_rarity_rank_higher(make_article):
    story = make_article(tags=["Ferries", "Harbour"])
    one = make_article(slug="one", tags=["Ferries"], display_date=shown_on(0))
    two = make_article(slug="two", tags=["Ferries", "Harbour"], display_date=shown_on(9))
    assert slugs(related_stories(story)) == [two.slug, one.slug]


def test_the_newest_first_among_stories_sharing_the_same_tags(make_article):
    story = make_article(tags=["Ferries"])
    # Made in the opposite order to their dates: the date readers see decides, not the row.
    older = make_article(slug="older", tags=["Ferries"], display_date=shown_on(5))
    newer = make_article(slug="newer", tags=["Ferries"], display_date=shown_on(1))
    oldest = make_article(slug="oldest", tags=["Ferries"], display_date=shown_on(9))
    assert slugs(related_stories(story)) == [newer.slug, older.slug, oldest.slug]


def test_a_story_sharing_no_tag_is_not_related(make_article):
    story = make_article(tags=["Ferries"])
    make_article(tags=["Elections"])
    make_article()
    assert related_stories(story) == []


def test_a_story_is_never_related_to_itself_even_when_picked(make_article):
    story = make_article(tags=["Ferries"])
    story.related.add(story)
    other = make_article(tags=["Ferries"])
    assert slugs(related_stories(story)) == [other.slug]


def test_hand_picked_stories_come_first_newest_first_then_tags_fill_the_rest(make_article):
    story = make_article(tags=["Ferries"])
    sharing = [make_article(tags=["Ferries"], display_date=shown_on(n)) for n in range(3)]
    # Picked although they share nothing, and older than every story sharing the tag.
    old_pick = make_article(slug="old-pick", display_date=shown_on(40))
    new_pick = make_article(slug="new-pick", display_date=shown_on(20))
    story.related.add(old_pick, new_pick)
    assert slugs(related_stories(story)) == [
        new_pick.slug,
        old_pick.slug,
        sharing[0].slug,
        sharing[1].slug,
    ]


def test_a_picked_story_that_also_shares_tags_is_shown_once(make_article):
    story = make_article(tags=["Ferries"])
    picked = make_article(tags=["Ferries"])
    other = make_article(tags=["Ferries"])
    story.related.add(picked)
    assert slugs(related_stories(story)) == [picked.slug, other.slug]


def test_at_most_four_whether_picked_or_found_by_tags(make_article):
    story = make_article(tags=["Ferries"])
    for _ in range(6):
        make_article(tags=["Ferries"])
    assert len(related_stories(story)) == 4
    picks = [make_article() for _ in range(5)]
    story.related.add(*picks)
    assert set(slugs(related_stories(story))) < {pick.slug for pick in picks}
    assert len(related_stories(story, limit=2)) == 2


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_hidden_story_is_never_related_picked_or_sharing_a_tag(client, make_article, state):
    story = make_article(tags=["Kirkuk dam"])
    hidden = make_article(headline="Secret dam report", tags=["Kirkuk dam"], **HIDDEN_STATES[state])
    also_hidden = make_article(headline="Secret dam memo", **HIDDEN_STATES[state])
    story.related.add(hidden, also_hidden)
    visible = make_article(headline="Dam inspection", tags=["Kirkuk dam"])
    assert related_stories(story) == [visible]
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Dam inspection" in page
    assert "Secret dam" not in page


def test_a_hidden_story_does_not_weigh_on_a_tags_rarity(make_article):
    # Ten drafts on "Ferries" must not make it look common next to "Harbour".
    story = make_article(tags=["Ferries", "Harbour"])
    for _ in range(10):
        make_article(tags=["Ferries"], status=Article.Status.DRAFT)
    for _ in range(3):
        make_article(tags=["Harbour"], display_date=shown_on(0))
    ferries = make_article(slug="ferries", tags=["Ferries"], display_date=shown_on(9))
    assert related_stories(story)[0] == ferries


def test_the_story_page_shows_related_stories_under_a_heading(client, make_article):
    story = make_article(tags=["Ferries"])
    make_article(headline="Ferry timetable changes", tags=["Ferries"])
    page = client.get(story.get_absolute_url()).content.decode()
    section = page[page.index('<section class="related"') :]
    assert 'aria-labelledby="related-heading"' in section
    assert '<h2 class="block-heading" id="related-heading">Related stories</h2>' in section
    assert "Ferry timetable changes" in section


def test_a_story_with_nothing_related_shows_no_empty_section(client, make_article):
    story = make_article(tags=["Ferries"])
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Related stories" not in page


def test_the_staff_preview_shows_related_stories_too(eddie, make_article):
    draft = make_article(tags=["Ferries"], status=Article.Status.DRAFT)
    make_article(headline="Ferry timetable changes", tags=["Ferries"])
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    response = eddie.get(url)
    assert [story.headline for story in response.context["related"]] == ["Ferry timetable changes"]
    assert "Ferry timetable changes" in response.content.decode()


def _story_with(make_article, make_author, *, tags, others):
    author = make_author(f"Writer {tags}-{others}")
    names = [f"topic {tags}-{n}" for n in range(tags)]
    story = make_article(tags=names, authors=[author])
    for n in range(others):
        make_article(tags=[names[n % tags], f"own {tags}-{n}"], authors=[author])
    story.related.add(make_article(tags=["picked"], authors=[author]))
    return story


def test_the_story_page_runs_the_same_queries_whatever_the_number_of_tags_and_stories(
    client, make_article, make_author, count_queries, django_assert_num_queries
):
    small = _story_with(make_article, make_author, tags=1, others=5)
    client.get(small.get_absolute_url())  # the navigation and the clock, once per change
    few = count_queries(lambda: client.get(small.get_absolute_url()))
    large = _story_with(make_article, make_author, tags=8, others=50)
    client.get(large.get_absolute_url())
    with django_assert_num_queries(few):
        response = client.get(large.get_absolute_url())
    assert len(response.context["related"]) == 4
    # The story (tests/test_public.py) and the related stories, their tags and authors
    # packed in the same query (articles/packed.py).
    assert few == 2


def test_hand_picked_links_survive_a_fixture_round_trip(make_article, tmp_path):
    story = make_article(slug="ferry-returns", tags=["Ferries"])
    live = make_article(slug="ferry-timetable")
    draft = make_article(slug="ferry-strike", status=Article.Status.DRAFT)
    story.related.add(live, draft)
    path = tmp_path / "stories.json"
    call_command(
        "dumpdata",
        "articles",
        "taggit",
        output=str(path),
        natural_foreign=True,
        natural_primary=True,
        verbosity=0,
    )
    row = next(
        row for row in json.loads(path.read_text()) if row["fields"].get("slug") == story.slug
    )
    assert sorted(row["fields"]["related"]) == [["ferry-strike"], ["ferry-timetable"]]
    wipe_stories()
    call_command("loaddata", str(path), verbosity=0)
    loaded = Article.objects.get(slug="ferry-returns")
    assert sorted(loaded.related.values_list("slug", flat=True)) == [
        "ferry-strike",
        "ferry-timetable",
    ]
    # Kept as picked; shown only while live.
    assert slugs(related_stories(loaded)) == ["ferry-timetable"]


def _fixture(related):
    return [
        {"model": "articles.section", "fields": {"name": "News", "slug": "news"}},
        {
            "model": "articles.article",
            "fields": {
                "headline": "Ferry returns",
                "slug": "ferry-returns",
                "body": "<p>It is back.</p>",
                "section": ["news"],
                "related": related,
            },
        },
        # After the story that names it: loaddata resolves the reference once it is loaded.
        {
            "model": "articles.article",
            "fields": {
                "headline": "Ferry timetable",
                "slug": "ferry-timetable",
                "body": "<p>Times.</p>",
                "section": ["news"],
            },
        },
    ]


def test_a_fixture_may_name_a_related_story_it_defines_further_down(db, tmp_path):
    path = tmp_path / "stories.json"
    path.write_text(json.dumps(_fixture([["ferry-timetable"]])))
    call_command("loaddata", str(path), verbosity=0)
    story = Article.objects.get(slug="ferry-returns")
    assert list(story.related.values_list("slug", flat=True)) == ["ferry-timetable"]


def test_a_fixture_naming_a_related_story_that_is_nowhere_is_refused_whole(db, tmp_path):
    path = tmp_path / "stories.json"
    path.write_text(json.dumps(_fixture([["no-such-story"]])))
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(path), verbosity=0)
    assert 'field "related": no articles.article with natural key' in str(refused.value)
    assert "['no-such-story']" in str(refused.value)
    assert not Article.objects.exists()


@pytest.fixture
def stamp_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("stamp_cache")
def test_picking_or_unpicking_on_a_live_story_moves_the_stamp(make_article):
    story, other = make_article(), make_article()
    before = public_changes.public_stamp()
    story.related.add(other)
    picked = public_changes.public_stamp()
    story.related.remove(other)
    assert before < picked < public_changes.public_stamp()


@pytest.mark.usefixtures("stamp_cache")
def test_picking_on_a_draft_moves_nothing(make_article):
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    before = public_changes.public_stamp()
    draft.related.add(live)
    draft.related.clear()
    assert public_changes.public_stamp() == before


@pytest.mark.usefixtures("stamp_cache")
def test_an_editor_picking_a_story_on_the_form_shows_it_under_the_cached_page_at_once(
    client, settings, eddie, make_article
):
    settings.PUBLIC_CACHE_SECONDS = 300
    story = make_article(tags=["Ferries"])
    make_article(headline="Ferry timetable changes", tags=["Ferries"])
    pick = make_article(headline="Council budget vote")
    url = story.get_absolute_url()
    client.get(url)
    cached = client.get(url)
    assert cached["X-Cache"] == "hit"
    assert "Council budget vote" not in cached.content.decode()

    form = eddie.get(change_url(story))
    [select] = re.findall(r'<select[^>]*name="related"[^>]*>', form.content.decode())
    assert "admin-autocomplete" in select
    response = eddie.post(change_url(story), form_data(form, related=[str(pick.pk)], _continue="1"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(story.related.all()) == [pick]

    fresh = client.get(url)
    assert fresh["X-Cache"] == "miss"
    page = fresh.content.decode()
    assert page.index("Council budget vote") < page.index("Ferry timetable changes")


def test_the_admin_autocomplete_finds_stories_to_pick(eddie, make_article):
    make_article(headline="Ferry timetable changes")
    response = eddie.get(
        reverse("admin:autocomplete"),
        {
            "term": "ferry",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "related",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Ferry timetable changes"]


def test_the_history_names_picked_stories_by_headline(make_article):
    story = make_article()
    picked = make_article(headline="Ferry timetable changes")
    before = snapshot_of(story)
    story.related.add(picked)
    after = snapshot_of(story)
    [change] = changes_between(before, after, Names([before, after]))
    assert change.summary == "Related stories: (empty) → Ferry timetable changes"


def test_a_story_without_tags_shows_its_picks(make_article, django_assert_num_queries):
    pick = make_article()
    story = make_article()
    untagged = Article.objects.prefetch_related("tags").get(pk=story.pk)
    with django_assert_num_queries(1):
        assert related_stories(untagged) == []
    story.related.add(pick)
    assert related_stories(untagged) == [pick]


def test_a_drafts_preview_with_a_tag_no_live_story_has_ranks_without_failing(
    make_article, editor, client
):
    # ln(1 + 0) for the new tag divided by zero: PostgreSQL refused the whole query.
    rare = make_article(headline="Rare", tags=["Harbour"])
    for n in range(3):
        make_article(headline=f"Common {n}", tags=["Politics"])
    make_article(headline="Also rare", tags=["Politics", "Harbour"])
    draft = make_article(
        headline="Draft", tags=["Harbour", "Politics", "Brand-new tag"], status="draft"
    )
    assert [story.headline for story in related_stories(draft)][:2] == ["Also rare", "Rare"]
    client.force_login(editor)
    preview = reverse("admin:articles_article_preview", args=[draft.pk])
    assert client.get(preview).status_code == 200
    assert rare in related_stories(draft)
