"""Reporters write and submit; only holders of articles.publish_article put stories live.

Every path through the admin is tried: the change form, the add form, list actions, a bulk
edit, revisions, and POSTs a browser would never send.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.workflow_helpers import change_url, form_data

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.mark.django_db
def test_the_migration_creates_reporter_and_editor_roles():
    reporter, editor = perms("Reporter"), perms("Editor")
    assert {"articles.add_article", "articles.change_article", "articles.view_article"} <= reporter
    assert "articles.publish_article" not in reporter
    assert "articles.publish_article" in editor
    assert {"articles.add_correction", "articles.change_correction"} <= editor
    assert reporter < editor
    # Stories that were public are withdrawn (410), never deleted.
    assert "articles.delete_article" not in editor


@pytest.mark.django_db
def test_the_roles_migration_runs_backwards_and_forwards():
    migration = importlib.import_module("articles.migrations.0005_editorial_roles")
    state = MigrationLoader(connection).project_state(("articles", "0005_editorial_roles"))
    schema_editor = SimpleNamespace(connection=connection)
    migration.remove_roles(state.apps, schema_editor)
    assert not Group.objects.filter(name__in=["Reporter", "Editor"]).exists()
    migration.create_roles(state.apps, schema_editor)
    migration.create_roles(state.apps, schema_editor)  # a second run changes nothing
    assert Group.objects.filter(name__in=["Reporter", "Editor"]).count() == 2
    assert "articles.publish_article" in perms("Editor")


def test_reporter_creates_a_draft_and_submits_it_through_the_form(rita, section):
    data = form_data(
        rita.get(ADD),
        headline="Bridge closes",
        slug="bridge-closes",
        body="<p>Closed.</p>",
        section=str(section.pk),
        status="review",
    )
    response = rita.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="bridge-closes").status == Article.Status.REVIEW


def test_reporter_is_offered_only_draft_and_review(rita, draft):
    form = rita.get(change_url(draft)).context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    assert "published_at" not in form.fields and "expires_at" not in form.fields


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_reporters_crafted_post_cannot_publish_or_withdraw(rita, draft, status):
    data = form_data(rita.get(change_url(draft)), status=status)
    response = rita.post(change_url(draft), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_reporters_crafted_add_post_cannot_publish(rita, section):
    data = form_data(
        rita.get(ADD),
        headline="Scoop",
        slug="scoop",
        body="<p>Scoop.</p>",
        section=str(section.pk),
        status="published",
        published_at=("01/01/2026", "12:00:00"),
        original_published_at=("01/01/2026", "12:00:00"),
    )
    response = rita.post(ADD, data)
    assert response.status_code == 200
    assert not Article.objects.filter(slug="scoop").exists()


def test_reporters_cannot_schedule_by_posting_a_publication_time(rita, draft):
    data = form_data(
        rita.get(change_url(draft)),
        published_at=("01/01/2030", "09:00:00"),
        expires_at=("01/01/2031", "09:00:00"),
    )
    assert rita.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is None and draft.expires_at is None


def test_reporters_see_a_live_story_read_only_and_cannot_post_to_it(rita, make_article):
    live = make_article(headline="Live story", body="<p>First.</p><p>Second &amp; last.</p>")
    response = rita.get(change_url(live))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="headline"' not in html
    # The body reads as the page does, not as literal tags.
    assert '<div class="story-body"><p>First.</p><p>Second &amp; last.</p></div>' in html
    assert "&lt;p&gt;" not in html
    crafted = {"headline": "Defaced", "status": "draft", "corrections-TOTAL_FORMS": "0"}
    assert rita.post(change_url(live), crafted).status_code == 403
    live.refresh_from_db()
    assert (live.headline, live.status) == ("Live story", Article.Status.PUBLISHED)


def test_reporters_are_not_offered_publishing_actions(rita, draft):
    actions = dict(rita.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "submit_for_review" in actions
    assert not {"publish_now", "unpublish", "withdraw"} & set(actions)


@pytest.mark.parametrize("action", ["publish_now", "withdraw"])
def test_reporters_crafted_action_post_changes_nothing(rita, draft, make_article, action):
    live = make_article()
    rita.post(CHANGELIST, {"action": action, "_selected_action": [draft.pk, live.pk]})
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED


def test_reporters_crafted_bulk_edit_changes_nothing(rita, draft):
    # There is no list_editable: a forged changelist formset must be ignored.
    rita.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(draft.pk),
            "form-0-status": "published",
            "_save": "Save",
        },
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_reporter_submits_drafts_for_review_with_the_action(rita, draft, make_article):
    live = make_article(headline="Live story")
    response = rita.post(
        CHANGELIST,
        {"action": "submit_for_review", "_selected_action": [draft.pk, live.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert live.status == Article.Status.PUBLISHED
    # Each skipped story is named with the step's reason.
    assert (
        "Not submitted for review: “Live story” (Only a draft can be submitted for review"
        in response.content.decode()
    )


def test_editor_publishes_unpublishes_and_withdraws_with_actions(client, editor, draft):
    client.force_login(editor)

    def act(action):
        client.post(CHANGELIST, {"action": action, "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        return draft.status

    assert act("publish_now") == Article.Status.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert act("unpublish") == Article.Status.DRAFT
    assert act("publish_now") == Article.Status.PUBLISHED
    assert act("withdraw") == Article.Status.WITHDRAWN
    assert client.get(draft.get_absolute_url()).status_code == 410


def test_editor_publishes_through_the_form_and_the_dates_are_filled(client, editor, draft):
    client.force_login(editor)
    data = form_data(client.get(change_url(draft)), status="published")
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at and draft.original_published_at == draft.published_at


def test_reporter_cannot_restore_a_draft_revision_over_a_live_story(rita, editor, draft):
    # A revision of the draft as an editor saved it; then the editor publishes it.
    eddie = Client()
    eddie.force_login(editor)
    eddie.post(change_url(draft), form_data(eddie.get(change_url(draft))))
    eddie.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED

    draft_version = Version.objects.get_for_object(draft).filter(
        serialized_data__contains='"status": "draft"'
    )[0]
    url = reverse("admin:articles_article_revision", args=[draft.pk, draft_version.pk])
    assert rita.get(url).status_code == 403
    assert rita.post(url, {"status": "draft", "corrections-TOTAL_FORMS": "0"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
