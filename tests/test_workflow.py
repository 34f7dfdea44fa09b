"""Publishing steps, dates and the clock: articles/publishing.py and the model beneath it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from reversion.models import Version

from articles import publishing
from articles.models import Article, Correction


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_publishing_sets_the_original_date_the_first_time_only(draft, editor, clock):
    clock(at(2026, 1, 5, 9, 0))
    publishing.publish(draft, by=editor)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == at(2026, 1, 5, 9, 0)
    assert draft.original_published_at == at(2026, 1, 5, 9, 0)

    clock(at(2026, 1, 6, 9, 0))
    publishing.unpublish(draft, by=editor)
    clock(at(2026, 1, 7, 9, 0))
    publishing.publish(draft, by=editor)
    draft.refresh_from_db()
    assert draft.published_at == at(2026, 1, 7, 9, 0)
    assert draft.original_published_at == at(2026, 1, 5, 9, 0)


def test_syndicated_copy_keeps_its_source_date(draft, editor):
    draft.source_name = "Gulan Media"
    draft.original_published_at = at(2021, 9, 14, 11, 0)
    draft.save()
    publishing.publish(draft, by=editor)
    draft.refresh_from_db()
    assert draft.original_published_at == at(2021, 9, 14, 11, 0)
    assert draft.published_at > at(2026, 1, 1)
    # No display date: readers see the source's date.
    assert draft.display_date is None
    assert draft.date_shown == at(2021, 9, 14, 11, 0)


def test_publishing_a_live_story_again_keeps_its_place(make_article, editor):
    article = make_article()
    before = (article.published_at, article.original_published_at)
    publishing.publish(article, by=editor)
    article.refresh_from_db()
    assert (article.published_at, article.original_published_at) == before


def test_reporters_may_submit_but_not_publish_unpublish_or_withdraw(draft, reporter, make_article):
    publishing.submit_for_review(draft, by=reporter)
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    with pytest.raises(PermissionDenied):
        publishing.publish(draft, by=reporter)
    live = make_article()
    with pytest.raises(PermissionDenied):
        publishing.unpublish(live, by=reporter)
    with pytest.raises(PermissionDenied):
        publishing.withdraw(live, by=reporter)
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert live.status == Article.Status.PUBLISHED


def test_steps_refuse_stories_in_the_wrong_state(draft, editor):
    with pytest.raises(publishing.TransitionError):
        publishing.withdraw(draft, by=editor)
    publishing.submit_for_review(draft, by=editor)
    with pytest.raises(publishing.TransitionError):
        publishing.submit_for_review(draft, by=editor)


def test_every_step_keeps_a_revision_naming_who_took_it(draft, editor):
    publishing.publish(draft, by=editor)
    latest = Version.objects.get_for_object(draft).select_related("revision__user").first()
    assert latest.revision.user == editor
    assert latest.revision.get_comment() == "Published"
    assert latest.field_dict["status"] == "published"


def test_a_scheduled_story_appears_by_itself_when_the_clock_passes_its_time(
    client, draft, editor, clock
):
    due = timezone.now() + timedelta(hours=3)
    publishing.publish(draft, by=editor, at=due)
    url = draft.get_absolute_url()

    assert client.get(url).status_code == 404
    assert draft not in Article.objects.live()

    clock(due - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    clock(due)
    assert client.get(url).status_code == 200
    assert list(Article.objects.live()) == [draft]
    clock(due + timedelta(days=1))
    assert b"Council story" in client.get("/").content


def test_an_expired_story_disappears_by_itself(client, make_article, clock):
    article = make_article(expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 200
    clock(article.expires_at)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_announced_update_at_is_the_latest_update_or_correction(make_article):
    article = make_article()
    assert article.announced_update_at is None
    article.public_update_at = at(2026, 3, 1, 10, 0)
    Correction.objects.create(article=article, text="Fixed a name.", published_at=at(2026, 3, 2))
    Correction.objects.create(article=article, text="Earlier.", published_at=at(2026, 2, 1))
    article = Article.objects.prefetch_related("corrections").get(pk=article.pk)
    article.public_update_at = at(2026, 3, 1, 10, 0)
    assert article.announced_update_at == at(2026, 3, 2)
    # A correction dated ahead is not yet public, so it is not the latest public change.
    Correction.objects.create(article=article, text="Later.", published_at=at(2999, 1, 1))
    article = Article.objects.prefetch_related("corrections").get(pk=article.pk)
    assert [c.text for c in article.public_corrections] == ["Earlier.", "Fixed a name."]
    assert article.announced_update_at == at(2026, 3, 2)


def test_a_step_taken_on_a_stale_copy_never_writes_back_old_words(draft, editor):
    stale = Article.objects.get(pk=draft.pk)
    draft.headline = "Headline saved a moment ago"
    draft.save()
    publishing.publish(stale, by=editor)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.headline == "Headline saved a moment ago"


def test_a_scheduled_story_cannot_be_withdrawn_only_unpublished(make_article, editor):
    story = make_article(published_at=timezone.now() + timedelta(hours=3))
    with pytest.raises(publishing.TransitionError, match="unpublish it instead"):
        publishing.withdraw(story, by=editor)


def test_publishing_an_expired_story_is_refused_not_reported_as_done(make_article, editor):
    story = make_article(status="draft", expires_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(publishing.TransitionError, match="expiry time has passed"):
        publishing.publish(story, by=editor)
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_withdrawing_needs_a_publication_time_in_the_past_and_says_so(make_article, editor):
    # The change form hands the step the time as typed: empty, or moved ahead.
    story = make_article()
    story.published_at = None
    with pytest.raises(publishing.TransitionError, match="fill in its publication time"):
        publishing.set_status(story, "withdrawn", by=editor, commit=False)


def test_a_withdrawn_story_cannot_be_given_a_time_ahead_without_being_unpublished(
    make_article, editor
):
    story = make_article(status=Article.Status.WITHDRAWN)
    story.published_at = timezone.now() + timedelta(hours=3)
    with pytest.raises(publishing.TransitionError, match="unpublish it first"):
        publishing.set_status(story, "withdrawn", by=editor, commit=False)
    story.refresh_from_db()
    # Its earlier time, and any other edit, is fine.
    publishing.set_status(story, "withdrawn", by=editor, commit=False)
    publishing.set_status(story, "draft", by=editor)
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
