"""The story list at 1280 px: a badge per state, one date readers see and the last change,
filters the desk asks for, a date bar with only periods that have stories, and the same
number of queries however many stories there are."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import reversion
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.workflow_helpers import logged_in

CHANGELIST = reverse("admin:articles_article_changelist")


def listed(html):
    """The headlines in the list, in order."""
    return re.findall(r'<th class="field-headline"><a href="[^"]*">([^<]*)</a>', html)


def started_by(user, make_article, **fields):
    """A story first saved by `user`, as the admin records it: a revision naming them."""
    with reversion.create_revision():
        article = make_article(**fields)
        reversion.set_user(user)
    return article


STATES = {
    "draft": ({"status": "draft", "published_at": None}, "Draft"),
    "review": ({"status": "review", "published_at": None}, "In review"),
    "scheduled": ({"published_at": timezone.now() + timedelta(days=2)}, "Scheduled"),
    "live": ({}, "Live"),
    "expired": ({"expires_at": timezone.now() - timedelta(hours=1)}, "Expired"),
    "withdrawn": ({"status": "withdrawn"}, "Withdrawn"),
}


@pytest.mark.parametrize("state", STATES)
def test_each_story_shows_its_state_as_one_badge(admin_client, make_article, state):
    fields, label = STATES[state]
    make_article(headline="The story", **fields)
    html = admin_client.get(CHANGELIST).content.decode()
    badges = re.findall(r'<span class="desk-badge desk-badge--(\w+)"[^>]*>([^<]*)</span>', html)
    assert badges == [(state, label)]


def test_a_scheduled_story_shows_when_it_goes_out(admin_client, make_article):
    make_article(published_at=datetime(2999, 7, 1, 8, 0, tzinfo=UTC))
    html = admin_client.get(CHANGELIST).content.decode()
    assert '<span class="desk-when">for 1 Jul 2999, 09:00 BST</span>' in html


def test_the_list_shows_the_date_readers_see_and_the_last_change(admin_client, seed):
    html = admin_client.get(CHANGELIST).content.decode()
    assert "Date shown" in html and "Last change" in html
    # Syndicated copy: the date readers see, and the day it first ran at its source.
    assert "23 Jul 2024, noon" in html
    assert '<span class="desk-when">first ran 14 Sep 2021, noon</span>' in html
    # One date column, not three: publication and original dates are no columns of their own.
    assert "column-published_at" not in html and "column-original_published_at" not in html


def test_needs_review_lists_only_stories_waiting_for_an_editor(admin_client, make_article):
    make_article(headline="Waiting for an editor", status="review", published_at=None)
    make_article(headline="A draft", status="draft", published_at=None)
    make_article(headline="Live already")
    html = admin_client.get(f"{CHANGELIST}?publication=review").content.decode()
    assert listed(html) == ["Waiting for an editor"]
    assert ">Needs review</a>" in html


def test_scheduled_lists_only_stories_waiting_for_their_time(admin_client, make_article):
    make_article(headline="Goes out tomorrow", published_at=timezone.now() + timedelta(days=1))
    make_article(headline="Live already")
    make_article(headline="A draft", status="draft", published_at=None)
    html = admin_client.get(f"{CHANGELIST}?publication=scheduled").content.decode()
    assert listed(html) == ["Goes out tomorrow"]


def test_my_drafts_lists_the_drafts_i_started(reporter, make_staff, make_article):
    other = make_staff("Reporter", "ola", "Ola Other")
    draft = {"status": "draft", "published_at": None}
    started_by(reporter, make_article, headline="Mine", **draft)
    started_by(other, make_article, headline="Ola’s", **draft)
    started_by(reporter, make_article, headline="Mine, submitted", status="review")
    # Someone else edited my draft later: it is still mine.
    edited = started_by(reporter, make_article, headline="Mine, edited", **draft)
    with reversion.create_revision():
        edited.save()
        reversion.set_user(other)
    make_article(headline="Loaded, nobody's", **draft)

    html = logged_in(reporter).get(f"{CHANGELIST}?publication=mine").content.decode()
    assert sorted(listed(html)) == ["Mine", "Mine, edited"]
    html = logged_in(other).get(f"{CHANGELIST}?publication=mine").content.decode()
    assert listed(html) == ["Ola’s"]


def test_the_date_bar_offers_only_years_and_months_with_stories(editor, make_article):
    eddie = logged_in(editor)
    for when in ((2024, 5, 1), (2024, 9, 3), (2026, 2, 1)):
        make_article(published_at=datetime(*when, 12, tzinfo=UTC))
    with CaptureQueriesContext(connection) as ctx:
        html = eddie.get(CHANGELIST).content.decode()
    years = re.findall(r'href="\?published_at__year=(\d+)">', html)
    assert years == ["2024", "2026"]
    # Django's own date bar runs a DISTINCT over a truncated date of every row.
    assert not any("trunc" in q["sql"].lower() for q in ctx.captured_queries)

    html = eddie.get(f"{CHANGELIST}?published_at__year=2024").content.decode()
    assert re.findall(r"published_at__month=(\d+)", html) == ["5", "9"]


def test_the_date_bar_counts_a_story_in_the_newsroom_s_day(editor, make_article):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London: June has the story, May has none.
    make_article(published_at=datetime(2024, 5, 31, 23, 30, tzinfo=UTC))
    make_article(published_at=datetime(2024, 7, 1, 12, tzinfo=UTC))
    html = logged_in(editor).get(f"{CHANGELIST}?published_at__year=2024").content.decode()
    assert re.findall(r"published_at__month=(\d+)", html) == ["6", "7"]


@pytest.mark.parametrize("query", ["", "?publication=mine", "?publication=review", "?o=4"])
def test_the_list_runs_the_same_queries_however_many_stories(
    editor, make_article, make_author, count_queries, django_assert_num_queries, query
):
    eddie = logged_in(editor)
    author = make_author("Jane Reporter")

    def add_stories(count):
        for n in range(count):
            fields = list(STATES.values())[n % len(STATES)][0]
            started_by(editor, make_article, tags=[f"t{n}", "shared"], authors=[author], **fields)

    add_stories(3)
    few = count_queries(lambda: eddie.get(CHANGELIST + query))
    add_stories(30)
    with django_assert_num_queries(few):
        response = eddie.get(CHANGELIST + query)
    assert response.status_code == 200


def test_a_mistyped_far_future_year_still_gives_a_working_date_bar(editor, make_article):
    make_article(published_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    make_article(published_at=datetime(9999, 6, 1, 12, tzinfo=UTC))
    response = logged_in(editor).get(CHANGELIST)
    assert response.status_code == 200
    years = re.findall(r'href="\?published_at__year=(\d+)">', response.content.decode())
    assert years == ["2024", "9999"]


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999"])
def test_an_odd_author_filter_value_is_not_a_server_error(eddie, make_article, value):
    # Found in review: "²".isdigit() is true, int("²") is an error.
    make_article()
    response = eddie.get("/admin/articles/article/", {"authors__id__exact": value})
    assert response.status_code in (200, 302)
