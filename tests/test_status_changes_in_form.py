"""Every publishing button an editor can press on the story form (each posts `status`: a status,
or "now" for Publish now, "schedule" for Schedule…), from every state a story can be in, with
the publication time typed in the past, left empty or typed ahead.

Each save ends in one of two ways, never in a server error: the story is saved in a state
that holds together, or the form comes back with the publishing step's own refusal and the
story is as it was.
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles import publishing
from articles.forms import PUBLISH_NOW, SCHEDULE
from articles.models import Article
from tests.workflow_helpers import change_url, form_data

ADD = reverse("admin:articles_article_add")
Status = Article.Status


def noon_in_london(days_from_today):
    # Noon, so a typed time never falls in the hour the clocks change.
    day = timezone.localdate() + timedelta(days=days_from_today)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def starting_state(name):
    now = timezone.now()
    never_ran = {"published_at": None, "original_published_at": None}
    return {
        "draft": {"status": Status.DRAFT, **never_ran},
        "review": {"status": Status.REVIEW, **never_ran},
        "published-live": {},
        "scheduled": {"published_at": now + timedelta(days=1)},
        "expired": {"expires_at": now - timedelta(minutes=5)},
        "withdrawn": {"status": Status.WITHDRAWN},
    }[name]


STATES = ("draft", "review", "published-live", "scheduled", "expired", "withdrawn")
TYPED = {"past": -1, "empty": None, "future": 3}
# What the buttons post: Save draft, Submit for review, the plain saves of a published or
# withdrawn story (and Unpublish, which posts draft), Withdraw, Publish now, Schedule….
REQUESTS = (*Status.values, PUBLISH_NOW, SCHEDULE)
NOW_WITH_A_TIME_AHEAD = (
    "“Publish now” puts the story live at once, but the publication time typed is ahead: "
    "clear it to publish now, or press Schedule… to publish then."
)
SCHEDULE_WITHOUT_A_TIME_AHEAD = (
    "To schedule the story, give a publication time ahead: Schedule… asks for a date and a "
    "time, such as 24/07/2025 09:00."
)


def typed_time(typed):
    return None if TYPED[typed] is None else noon_in_london(TYPED[typed])


def as_typed(when):
    """The two boxes of the admin's date and time widget."""
    if when is None:
        return ("", "")
    local = timezone.localtime(when)
    return (local.strftime("%d/%m/%Y"), local.strftime("%H:%M:%S"))


def refusal_of_the_step(article, requested, by, when):
    """What the form says to this request with the same inputs, or None if it allows it.

    Publish now and Schedule… first check the time typed, then are the publishing step.
    """
    ahead = when is not None and when > timezone.now()
    at = when
    if requested == PUBLISH_NOW:
        if ahead and when != article.published_at:
            return NOW_WITH_A_TIME_AHEAD
        requested, at = Status.PUBLISHED, None if ahead else when
    elif requested == SCHEDULE:
        if not ahead:
            return SCHEDULE_WITHOUT_A_TIME_AHEAD
        requested = Status.PUBLISHED
    article.published_at = when
    try:
        publishing.set_status(article, requested, by=by, at=at, commit=False)
    except publishing.TransitionError as error:
        return str(error)
    return None


def assert_saved_consistently(story, requested, when, before, after):
    if requested in (PUBLISH_NOW, SCHEDULE):
        assert story.status == Status.PUBLISHED
    else:
        assert story.status == requested
    if requested == SCHEDULE:
        assert story.published_at == when > after
    elif requested in (Status.PUBLISHED, PUBLISH_NOW):
        assert story.original_published_at is not None
        if when is None or (requested == PUBLISH_NOW and when > after):
            # Empty means now; Publish now means now (a scheduled story's time gives way).
            assert before <= story.published_at <= after
        else:
            assert story.published_at == when
    else:
        # Every other step leaves the time as the editor typed it.
        assert story.published_at == when
    if requested == Status.WITHDRAWN:
        # A 410 says the story ran: it has a publication time, and it is past.
        assert story.published_at is not None and story.published_at <= after
    if story.expires_at and story.published_at:
        assert story.expires_at > story.published_at


def assert_refused_on_the_form(response, refusal):
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    if refusal is None:
        # Refused for another reason (an expiry before the typed time), not by the step.
        assert errors and "status" not in errors
    else:
        assert errors["status"] == [refusal]
        assert escape(refusal) in response.content.decode()


@pytest.mark.parametrize("typed", TYPED)
@pytest.mark.parametrize("requested", REQUESTS)
@pytest.mark.parametrize("state", STATES)
def test_a_status_change_on_the_form_saves_a_consistent_story_or_shows_the_steps_refusal(
    eddie, editor, make_article, state, requested, typed
):
    story = make_article(**starting_state(state))
    stored = (story.status, story.published_at)
    when = typed_time(typed)
    data = form_data(eddie.get(change_url(story)), status=requested, published_at=as_typed(when))
    refusal = refusal_of_the_step(Article.objects.get(pk=story.pk), requested, editor, when)

    before = timezone.now()
    response = eddie.post(change_url(story), data)  # an uncaught error fails the test here
    after = timezone.now()

    story.refresh_from_db()
    if response.status_code == 302:
        assert refusal is None
        assert_saved_consistently(story, requested, when, before, after)
    else:
        assert_refused_on_the_form(response, refusal)
        assert (story.status, story.published_at) == stored


@pytest.mark.parametrize("typed", TYPED)
@pytest.mark.parametrize("requested", REQUESTS)
def test_a_new_story_in_any_status_is_saved_consistently_or_shows_the_steps_refusal(
    eddie, editor, section, requested, typed
):
    when = typed_time(typed)
    data = form_data(
        eddie.get(ADD),
        headline="Harbour reopens",
        slug="harbour-reopens",
        body="<p>Boats are back.</p>",
        section=str(section.pk),
        status=requested,
        published_at=as_typed(when),
    )

    before = timezone.now()
    response = eddie.post(ADD, data)
    after = timezone.now()

    new = Article(headline="Harbour reopens", section=section, status=Status.DRAFT)
    refusal = refusal_of_the_step(new, requested, editor, when)
    if response.status_code == 302:
        assert refusal is None
        story = Article.objects.get(slug="harbour-reopens")
        assert_saved_consistently(story, requested, when, before, after)
    else:
        assert_refused_on_the_form(response, refusal)
        assert not Article.objects.exists()


# The cases that went wrong, by name


def test_withdrawing_a_live_story_with_a_time_ahead_is_refused_on_the_form(eddie, make_article):
    story = make_article()
    data = form_data(
        eddie.get(change_url(story)),
        status="withdrawn",
        published_at=as_typed(typed_time("future")),
    )
    response = eddie.post(change_url(story), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "This story's publication time is ahead, so it has not run and cannot be "
        "withdrawn: unpublish it instead, or give the time it went live."
    ]
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED and story.published_at < timezone.now()


def test_an_expired_story_goes_live_again_when_its_expiry_is_cleared_on_the_form(
    eddie, client, make_article
):
    story = make_article(expires_at=timezone.now() - timedelta(minutes=5))
    assert client.get(story.get_absolute_url()).status_code == 404
    data = form_data(eddie.get(change_url(story)), expires_at=("", ""))
    response = eddie.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_withdrawn_story_keeps_a_publication_time_in_the_past(eddie, make_article):
    story = make_article(status=Status.WITHDRAWN)
    ran_at = story.published_at
    data = form_data(eddie.get(change_url(story)), published_at=as_typed(typed_time("future")))
    response = eddie.post(change_url(story), data)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["status"]
    assert "unpublish it" in message
    story.refresh_from_db()
    assert story.published_at == ran_at


def test_an_expired_story_can_have_its_words_corrected_and_stays_expired(eddie, make_article):
    story = make_article(headline="Expired story", expires_at=timezone.now() - timedelta(hours=1))
    data = form_data(eddie.get(change_url(story)), headline="Expired story, typo fixed")
    response = eddie.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.headline == "Expired story, typo fixed"
    assert story.publication_state() == Article.State.EXPIRED
