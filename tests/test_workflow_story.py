"""A story's whole life through the admin, as a reporter and an editor live it."""

from datetime import timedelta
from unittest import mock

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests.workflow_helpers import change_url, form_data, logged_in


def test_draft_review_schedule_preview_publish_correct_and_restore(reporter, editor, section):
    rita, eddie, reader = logged_in(reporter), logged_in(editor), Client()
    add = reverse("admin:articles_article_add")

    # The reporter writes a draft and submits it for review; publishing is not hers to do.
    data = form_data(
        rita.get(add),
        headline="Harbour reopens",
        slug="harbour-reopens",
        body="<p>The harbour reopens on Monday.</p>",
        section=str(section.pk),
        tags="Harbour",
        status="review",
    )
    assert rita.post(add, data).status_code == 302
    story = Article.objects.get(slug="harbour-reopens")
    assert story.status == Article.Status.REVIEW
    assert "published" not in dict(
        rita.get(change_url(story)).context["adminform"].form.fields["status"].choices
    )

    # The editor schedules it for tomorrow morning, London time, and previews it.
    due = timezone.localtime() + timedelta(days=1)
    data = form_data(
        eddie.get(change_url(story)),
        status="published",
        published_at=(due.strftime("%d/%m/%Y"), "09:00:00"),
    )
    assert eddie.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED and story.published_at > timezone.now()
    preview = eddie.get(reverse("admin:articles_article_preview", args=[story.pk]))
    assert b"The harbour reopens on Monday." in preview.content
    assert reader.get(story.get_absolute_url()).status_code == 404
    # Once published, it is out of the reporter's hands.
    assert rita.post(change_url(story), {"headline": "x"}).status_code == 403

    # It goes live by itself at its time, with its original date set then.
    with mock.patch("django.utils.timezone.now", return_value=story.published_at):
        assert reader.get(story.get_absolute_url()).status_code == 200
    assert story.original_published_at == story.published_at

    # After publication the editor corrects it and marks the change as a public update.
    data = form_data(
        eddie.get(change_url(story)),
        body="<p>The harbour reopens on Tuesday.</p>",
        tags="Harbour, Shipping",
        mark_public_update="on",
    )
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-text": "The harbour reopens on Tuesday, not Monday.",
            "corrections-0-published_at_0": timezone.localtime().strftime("%d/%m/%Y"),
            "corrections-0-published_at_1": "00:00:00",
        }
    )
    an_hour_later = story.published_at + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=an_hour_later):
        assert eddie.post(change_url(story), data).status_code == 302
        html = reader.get(story.get_absolute_url()).content.decode()
    assert "reopens on Tuesday, not Monday." in html and '<p class="updated">' in html

    # The first version (as the reporter submitted it) is restored, tags included.
    first = Version.objects.get_for_object(story).last()
    assert first.revision.user == reporter
    url = reverse("admin:articles_article_revision", args=[story.pk, first.pk])
    assert eddie.post(url, form_data(eddie.get(url))).status_code == 302
    restored = Article.objects.get(pk=story.pk)
    assert restored.body == "<p>The harbour reopens on Monday.</p>"
    assert [t.name for t in restored.tags.all()] == ["Harbour"]
    # The words come back; the story stays published at its time, with its update and its
    # correction, which readers have seen.
    assert restored.status == Article.Status.PUBLISHED
    assert restored.published_at == story.published_at
    assert restored.original_published_at == story.original_published_at
    assert restored.public_update_at is not None
    assert restored.corrections.count() == 1
