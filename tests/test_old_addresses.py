"""The old address of a story that ran keeps leading readers to it (a 301), whatever another
story's slug is changed to: only an editor, choosing to, may move that address to another
story. The old address of a story that never ran is free for any story to take."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, OldSlug
from tests.workflow_helpers import change_url, form_data, logged_in

ADD = reverse("admin:articles_article_add")
CHECKBOX = 'type="checkbox" name="take_address"'


@pytest.fixture
def renamed_live_story(make_article):
    story = make_article(headline="Live story two", slug="acl2-live2")
    story.slug = "acl2-live2-renamed"
    story.save()
    return story


def assert_old_address_leads_to(client, slug, story):
    response = client.get(f"/articles/{slug}/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_a_reporter_cannot_take_the_old_address_of_a_live_story(
    client, reporter, renamed_live_story, draft
):
    rita = logged_in(reporter)
    data = form_data(rita.get(change_url(draft)), slug="acl2-live2")
    response = rita.post(change_url(draft), data)

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["slug"]
    assert message.startswith("“acl2-live2” is the old address of “Live story two”, which has run")
    assert "only an editor can move it" in message
    assert CHECKBOX not in response.content.decode()  # nothing a reporter could tick
    draft.refresh_from_db()
    assert draft.slug == "council-story"
    # The refused attempt changed nothing readers see.
    assert_old_address_leads_to(client, "acl2-live2", renamed_live_story)


def test_a_reporter_cannot_take_it_by_sending_the_editors_choice_anyway(
    client, reporter, renamed_live_story, draft
):
    rita = logged_in(reporter)
    data = form_data(rita.get(change_url(draft)), slug="acl2-live2", take_address="on")
    assert rita.post(change_url(draft), data).status_code == 200
    draft.refresh_from_db()
    assert draft.slug == "council-story"
    assert_old_address_leads_to(client, "acl2-live2", renamed_live_story)


def test_an_editor_is_refused_unless_they_choose_to_take_the_address(
    client, editor, renamed_live_story, draft
):
    eddie = logged_in(editor)
    html = eddie.get(change_url(draft)).content.decode()
    assert CHECKBOX not in html  # offered only when the conflict arises

    response = eddie.post(
        change_url(draft), form_data(eddie.get(change_url(draft)), slug="acl2-live2")
    )

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["slug"]
    assert "old address of “Live story two”" in message
    assert "tick “Take this address” below" in message
    html = response.content.decode()
    assert CHECKBOX in html
    assert "Take this address from “Live story two”" in html
    draft.refresh_from_db()
    assert draft.slug == "council-story"
    assert_old_address_leads_to(client, "acl2-live2", renamed_live_story)


def test_an_editor_who_ticks_take_this_address_moves_it_to_their_story(
    client, editor, renamed_live_story, draft
):
    eddie = logged_in(editor)
    refused = eddie.post(
        change_url(draft), form_data(eddie.get(change_url(draft)), slug="acl2-live2")
    )
    response = eddie.post(change_url(draft), form_data(refused, take_address="on"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.slug == "acl2-live2"
    assert list(OldSlug.objects.filter(slug="acl2-live2")) == []
    # The address is the draft's now: no redirect to the other story, and nothing public yet.
    assert client.get("/articles/acl2-live2/").status_code == 404
    assert client.get(renamed_live_story.get_absolute_url()).status_code == 200


def test_a_new_story_cannot_take_the_old_address_unless_an_editor_chooses_to(
    client, editor, reporter, section, renamed_live_story
):
    typed = {
        "headline": "Fresh story",
        "slug": "acl2-live2",
        "body": "<p>New words.</p>",
        "section": str(section.pk),
    }
    rita = logged_in(reporter)
    assert rita.post(ADD, form_data(rita.get(ADD), **typed)).status_code == 200
    eddie = logged_in(editor)
    refused = eddie.post(ADD, form_data(eddie.get(ADD), **typed))
    assert refused.status_code == 200 and CHECKBOX in refused.content.decode()
    assert not Article.objects.filter(headline="Fresh story").exists()
    assert_old_address_leads_to(client, "acl2-live2", renamed_live_story)

    response = eddie.post(ADD, form_data(refused, take_address="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="acl2-live2").headline == "Fresh story"
    assert not OldSlug.objects.filter(slug="acl2-live2").exists()


def test_the_old_address_of_a_withdrawn_story_is_kept_for_it_too(
    client, reporter, make_article, draft
):
    gone = make_article(headline="Withdrawn one", slug="gone-first", status="withdrawn")
    gone.slug = "gone-second"
    gone.save()
    rita = logged_in(reporter)
    response = rita.post(
        change_url(draft), form_data(rita.get(change_url(draft)), slug="gone-first")
    )
    assert response.status_code == 200
    assert "old address of “Withdrawn one”" in response.context["adminform"].form.errors["slug"][0]
    assert client.get("/articles/gone-first/").status_code == 410


def test_the_old_address_of_a_story_that_never_ran_is_free_to_take(reporter, make_article, draft):
    never_ran = make_article(
        headline="Scheduled one", slug="plan-a", published_at=timezone.now() + timedelta(days=1)
    )
    never_ran.slug = "plan-b"
    never_ran.save()
    rita = logged_in(reporter)
    response = rita.post(change_url(draft), form_data(rita.get(change_url(draft)), slug="plan-a"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.slug == "plan-a"
    assert not OldSlug.objects.filter(slug="plan-a").exists()


def test_a_story_may_take_back_its_own_old_address(client, editor, renamed_live_story):
    eddie = logged_in(editor)
    url = change_url(renamed_live_story)
    response = eddie.post(url, form_data(eddie.get(url), slug="acl2-live2"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get("/articles/acl2-live2/").status_code == 200
    renamed_live_story.refresh_from_db()
    assert_old_address_leads_to(client, "acl2-live2-renamed", renamed_live_story)
