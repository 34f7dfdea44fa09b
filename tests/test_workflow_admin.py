"""The editorial workflow as editors meet it in the admin: conflicts, revisions, preview,
corrections, scheduling in London time, and a changelist that stays cheap."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.admin import CappedCountPaginator
from articles.models import Article, Correction
from tests.workflow_helpers import change_url, form_data, logged_in

CHANGELIST = reverse("admin:articles_article_changelist")


def preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


# No lost updates


def test_the_second_of_two_editors_is_refused_and_the_first_editors_text_kept(
    editor, make_staff, draft
):
    first = logged_in(editor)
    second = logged_in(make_staff("Editor", "sam", "Sam Second"))
    first_form = first.get(change_url(draft))
    second_form = second.get(change_url(draft))

    response = first.post(change_url(draft), form_data(first_form, headline="First headline"))
    assert response.status_code == 302

    typed = form_data(second_form, body="<p>Second editor's text.</p>")
    response = second.post(change_url(draft), typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eddie Editor changed this story at" in html
    when = timezone.localtime(Version.objects.get_for_object(draft).first().revision.date_created)
    assert when.strftime("%H:%M:%S") in html
    # What the second editor typed is still in the form ...
    assert "Second editor&#x27;s text." in html
    # ... and nothing the first editor wrote was lost.
    draft.refresh_from_db()
    assert draft.headline == "First headline"
    assert draft.body == "<p>First text.</p>"

    # Saving again, having been told, is a deliberate overwrite; the first version stays in
    # the history.
    again = form_data(response, body="<p>Second editor's text.</p>")
    assert second.post(change_url(draft), again).status_code == 302
    draft.refresh_from_db()
    assert draft.body == "<p>Second editor's text.</p>"
    history = [v.field_dict["headline"] for v in Version.objects.get_for_object(draft)]
    assert "First headline" in history


def test_a_save_outside_the_admin_also_refuses_a_stale_form(eddie, draft):
    stale = eddie.get(change_url(draft))
    draft.headline = "Changed by an import"
    draft.save()
    response = eddie.post(change_url(draft), form_data(stale, headline="Stale edit"))
    assert response.status_code == 200
    assert "Someone outside the admin" in response.content.decode()
    draft.refresh_from_db()
    assert draft.headline == "Changed by an import"


def test_a_post_without_the_edit_token_is_refused(eddie, draft):
    data = form_data(eddie.get(change_url(draft)), headline="Crafted", edit_token="")
    assert eddie.post(change_url(draft), data).status_code == 200
    draft.refresh_from_db()
    assert draft.headline == "Council story"


def test_a_status_change_by_action_refuses_an_editor_holding_an_old_form(eddie, draft):
    stale = eddie.get(change_url(draft))
    eddie.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
    # Saving the old form would quietly take the story back to draft.
    assert eddie.post(change_url(draft), form_data(stale)).status_code == 200
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


# Revisions


def test_every_admin_save_keeps_a_revision_and_the_history_shows_who(eddie, section):
    add = reverse("admin:articles_article_add")
    data = form_data(
        eddie.get(add),
        headline="Versioned",
        slug="versioned",
        body="<p>One.</p>",
        section=str(section.pk),
        tags="Alpha",
    )
    assert eddie.post(add, data).status_code == 302
    article = Article.objects.get(slug="versioned")
    eddie.post(change_url(article), form_data(eddie.get(change_url(article)), body="<p>Two.</p>"))
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2
    assert all(v.revision.user.username == "eddie" for v in versions)
    history = eddie.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "eddie" in history.content.decode() and "Eddie Editor" in history.content.decode()


def test_restoring_a_revision_restores_its_tags(eddie, section):
    add = reverse("admin:articles_article_add")
    data = form_data(
        eddie.get(add),
        headline="Tagged",
        slug="tagged",
        body="<p>Old text.</p>",
        section=str(section.pk),
        tags="Syria, Russia",
    )
    assert eddie.post(add, data).status_code == 302
    article = Article.objects.get(slug="tagged")
    old = Version.objects.get_for_object(article).get()
    edited = form_data(eddie.get(change_url(article)), body="<p>New text.</p>", tags="Turkey")
    assert eddie.post(change_url(article), edited).status_code == 302
    assert [t.name for t in article.tags.all()] == ["Turkey"]

    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    restore = eddie.post(url, form_data(eddie.get(url)))
    assert restore.status_code == 302, restore.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.body == "<p>Old text.</p>"
    assert sorted(t.name for t in article.tags.all()) == ["Russia", "Syria"]
    # The tag no longer used is only unlinked: tags are shared by other stories.
    from taggit.models import Tag

    assert Tag.objects.filter(name="Turkey").exists()


# Preview


def test_staff_preview_a_draft_as_readers_will_see_it(eddie, draft):
    response = eddie.get(preview_url(draft))
    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    assert response.context["preview"] is True
    html = response.content.decode()
    assert '<h1 class="headline">Council story</h1>' in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]


def test_preview_of_a_scheduled_story(eddie, make_article):
    scheduled = make_article(headline="Embargoed", published_at=timezone.now() + timedelta(days=1))
    assert Client().get(scheduled.get_absolute_url()).status_code == 404
    assert eddie.get(preview_url(scheduled)).status_code == 200


def test_preview_is_a_404_for_anyone_but_staff(client, django_user_model, draft):
    assert client.get(preview_url(draft)).status_code == 404
    reader = django_user_model.objects.create_user("reader", password="unused")
    client.force_login(reader)
    assert client.get(preview_url(draft)).status_code == 404


def test_the_change_form_links_to_the_preview(eddie, draft):
    html = eddie.get(change_url(draft)).content.decode()
    assert f'href="{preview_url(draft)}"' in html


def test_the_public_page_is_not_marked_noindex(client, make_article):
    article = make_article(headline="Indexable story")
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and '<h1 class="headline">Indexable story</h1>' in html
    assert 'content="noindex"' not in html and "X-Robots-Tag" not in response


# Corrections and the "Updated" line


def test_corrections_added_inline_show_at_the_foot_of_the_page_in_order(
    eddie, client, make_article
):
    article = make_article(body="<p>Story text.</p>")
    data = form_data(eddie.get(change_url(article)))
    data.update(
        {
            "corrections-TOTAL_FORMS": "2",
            "corrections-0-kind": "clarification",
            "corrections-0-text": "Second note.",
            "corrections-0-published_at_0": "02/03/2026",
            "corrections-0-published_at_1": "10:00:00",
            "corrections-1-kind": "correction",
            "corrections-1-text": "An earlier version misspelt the minister's name.",
            "corrections-1-published_at_0": "01/03/2026",
            "corrections-1-published_at_1": "10:00:00",
        }
    )
    response = eddie.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    html = client.get(article.get_absolute_url()).content.decode()
    foot = html[html.index("Story text.") :]
    assert foot.index("misspelt the minister&#x27;s name") < foot.index("Second note.")
    assert "<strong>Correction</strong>" in foot and "<strong>Clarification</strong>" in foot
    assert 'Updated <time datetime="2026-03-02T10:00:00+00:00">' in html


def test_marking_a_public_update_shows_an_updated_line(eddie, client, make_article):
    article = make_article(published_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    assert '<p class="updated">' not in client.get(article.get_absolute_url()).content.decode()
    when = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    data = form_data(eddie.get(change_url(article)), mark_public_update="on")
    with mock.patch("django.utils.timezone.now", return_value=when):
        assert eddie.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.public_update_at == when
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        '<p class="updated">Updated <time datetime="2026-07-01T09:30:00+01:00">'
        "1 July 2026, 09:30 BST</time></p>"
    ) in html


def test_an_edit_not_marked_as_public_update_shows_no_updated_line(eddie, client, make_article):
    article = make_article()
    data = form_data(eddie.get(change_url(article)), body="<p>Typo fixed.</p>")
    assert eddie.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.public_update_at is None
    assert '<p class="updated">' not in client.get(article.get_absolute_url()).content.decode()


# Scheduling in the newsroom's time zone, across the clock changes


@pytest.mark.parametrize(
    "day, time, stored",
    [
        # Spring forward, Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
        ("29/03/2026", "00:30:00", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("29/03/2026", "02:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Fall back, Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT.
        ("25/10/2026", "00:30:00", datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
        ("25/10/2026", "02:30:00", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
    ],
)
def test_a_time_typed_in_london_is_stored_in_utc(eddie, draft, day, time, stored):
    data = form_data(eddie.get(change_url(draft)), status="published", published_at=(day, time))
    response = eddie.post(change_url(draft), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.published_at == stored
    assert draft.status == Article.Status.PUBLISHED


@pytest.mark.parametrize("day", ["29/03/2026", "25/10/2026"])
def test_a_time_that_does_not_exist_or_happens_twice_in_london_is_refused(eddie, draft, day):
    # 01:30 is skipped in March and happens twice in October: the editor must say which.
    data = form_data(
        eddie.get(change_url(draft)), status="published", published_at=(day, "01:30:00")
    )
    response = eddie.post(change_url(draft), data)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["published_at"]
    assert "happens twice or not at all in Europe/London" in message
    assert "such as 00:30 or 02:30" in message
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "stored",
    [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)],
    ids=["first 01:30 (BST)", "second 01:30 (GMT)"],
)
def test_a_stored_time_in_the_repeated_hour_does_not_block_editing(eddie, make_article, stored):
    # Both are shown as 01:30 on 25 October; saving the form unchanged keeps each moment.
    article = make_article(published_at=stored, original_published_at=stored)
    data = form_data(eddie.get(change_url(article)), body="<p>Typo fixed.</p>")
    response = eddie.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.published_at == stored and article.original_published_at == stored


def test_a_story_scheduled_across_the_spring_clock_change_goes_live_on_time(eddie, client, draft):
    data = form_data(
        eddie.get(change_url(draft)),
        status="published",
        published_at=("29/03/2026", "02:30:00"),
    )
    assert eddie.post(change_url(draft), data).status_code == 302
    url = draft.get_absolute_url()
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 3, 29, 1, 29, tzinfo=UTC)
    ):
        assert client.get(url).status_code == 404
    # 01:30 UTC is 02:30 BST: live exactly then, one hour after midnight GMT plus 90 minutes.
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    ):
        assert client.get(url).status_code == 200


def test_the_change_form_shows_times_in_london(eddie, make_article):
    article = make_article(published_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    form = eddie.get(change_url(article))
    data = form_data(form)
    # 01:30 UTC on the fall-back day is 01:30 GMT, the second 01:30 in London.
    assert (data["published_at_0"], data["published_at_1"]) == ("25/10/2026", "01:30:00")
    article = make_article(published_at=datetime(2026, 7, 1, 11, 0, tzinfo=UTC))
    data = form_data(eddie.get(change_url(article)))
    assert data["published_at_1"] == "12:00:00"


# The changelist at newsroom scale


def test_scheduled_filter_lists_only_stories_waiting_for_their_time(eddie, make_article, draft):
    make_article(headline="Live one")
    make_article(headline="Waiting one", published_at=timezone.now() + timedelta(hours=5))
    html = eddie.get(f"{CHANGELIST}?publication=scheduled").content.decode()
    assert "Waiting one" in html
    assert "Live one" not in html and "Council story" not in html


@pytest.mark.parametrize(
    "query", ["status__exact=review", "authors__id__exact=1", "section__id__exact=1"]
)
def test_changelist_filters_by_status_author_and_section(eddie, make_article, query):
    assert eddie.get(f"{CHANGELIST}?{query}").status_code == 200


def test_the_changelist_never_counts_past_its_cap(eddie, make_article, monkeypatch):
    for _ in range(5):
        make_article()
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    response = eddie.get(CHANGELIST)
    assert response.context["cl"].result_count == 3
    # Without show_full_result_count the unfiltered total is never asked for.
    assert response.context["cl"].full_result_count is None
    assert Correction.objects.count() == 0


def test_the_date_hierarchy_offers_only_years_with_stories_without_a_distinct(eddie, make_article):
    make_article(published_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    make_article(published_at=datetime(2026, 2, 1, 12, 0, tzinfo=UTC))
    with CaptureQueriesContext(connection) as ctx:
        html = eddie.get(CHANGELIST).content.decode()
    for year in ("2024", "2026"):
        assert f'href="?published_at__year={year}">{year}</a>' in html
    assert "published_at__year=2025" not in html
    # Django's own lists them with a DISTINCT over a truncated date of every row.
    assert not any("trunc" in q["sql"].lower() for q in ctx.captured_queries)
    html = eddie.get(f"{CHANGELIST}?published_at__year=2026").content.decode()
    assert "February 2026" in html


def test_a_bulk_action_keeps_one_revision_per_story(eddie, editor, make_article):
    drafts = [
        make_article(status=Article.Status.DRAFT, published_at=None, original_published_at=None)
        for _ in range(2)
    ]
    eddie.post(CHANGELIST, {"action": "publish_now", "_selected_action": [a.pk for a in drafts]})
    revisions = [Version.objects.get_for_object(a).get().revision for a in drafts]
    # Restoring one story must not restore the other with it.
    assert revisions[0] != revisions[1]
    assert [r.version_set.count() for r in revisions] == [1, 1]
    assert all(r.user == editor and r.get_comment() == "Published" for r in revisions)


def test_the_list_says_which_published_stories_are_scheduled_or_expired(eddie, make_article):
    make_article(
        headline="Waiting one",
        published_at=datetime(2999, 7, 1, 8, 0, tzinfo=UTC),
    )
    make_article(headline="Gone one", expires_at=timezone.now() - timedelta(hours=1))
    html = eddie.get(CHANGELIST).content.decode()
    assert "Scheduled for 1 Jul 2999, 09:00 BST" in html
    assert "Expired" in html


def test_a_public_update_cannot_be_marked_on_a_story_readers_cannot_see(eddie, draft):
    data = form_data(eddie.get(change_url(draft)), mark_public_update="on")
    assert eddie.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.public_update_at is None


def test_a_story_cannot_expire_before_it_goes_live(eddie, draft):
    data = form_data(
        eddie.get(change_url(draft)),
        status="published",
        published_at=("01/07/2030", "09:00:00"),
        expires_at=("30/06/2030", "09:00:00"),
    )
    response = eddie.post(change_url(draft), data)
    assert response.status_code == 200
    assert "expires_at" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
