"""The story form as a news desk: its shape, publishing by buttons, the state banner and the
admin's branding.

Each button posts `status` (a status, or "now" / "schedule"); ArticleAdminForm takes that one
step through articles/publishing.py while it validates.
"""

import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles import publishing
from articles.models import Article
from tests.workflow_helpers import change_url, form_data

ADD = reverse("admin:articles_article_add")
LONDON = ZoneInfo("Europe/London")
Status, State = Article.Status, Article.State


def in_london(*args):
    return datetime(*args, tzinfo=LONDON)


def story_in(state, make_article):
    now = timezone.now()
    never_ran = {"published_at": None, "original_published_at": None}
    return make_article(
        **{
            "draft": {"status": Status.DRAFT, **never_ran},
            "review": {"status": Status.REVIEW, **never_ran},
            "scheduled": {"published_at": now + timedelta(days=2)},
            "live": {},
            "expired": {"expires_at": now - timedelta(minutes=5)},
            "withdrawn": {"status": Status.WITHDRAWN},
        }[state]
    )


def buttons(response):
    """(label, value) of each publishing button on the rendered form, in page order."""
    html = response.content.decode()
    start = html.index('class="desk-actions"')
    actions = html[start : html.index("</div>", start)]
    found = re.findall(
        r'<button type="submit" name="status" value="([^"]+)"[^>]*>([^<]+)<', actions
    )
    return [(label, value) for value, label in found]


def press(client, story, label, **changes):
    """Post the form as a browser would, pressing the button called `label`."""
    url = change_url(story) if story else ADD
    response = client.get(url)
    value = dict(buttons(response))[label]
    # The form's hidden "_continue" goes with every button.
    return client.post(url, form_data(response, **changes, status=value, _continue="1"))


def form_errors(response):
    return response.context["adminform"].form.errors


# Which buttons, for whom


@pytest.mark.parametrize(
    "state, labels",
    [
        ("draft", ["Save draft", "Submit for review", "Schedule…", "Publish now"]),
        ("review", ["Save, keep in review", "Back to draft", "Schedule…", "Publish now"]),
        ("scheduled", ["Save, keep scheduled", "Reschedule…", "Publish now", "Unpublish"]),
        ("live", ["Update live story", "Unpublish", "Withdraw"]),
        ("expired", ["Save, keep expired", "Unpublish", "Withdraw"]),
        ("withdrawn", ["Save, keep withdrawn", "Unpublish"]),
    ],
)
def test_an_editor_is_offered_the_buttons_that_fit_the_storys_state(
    eddie, make_article, state, labels
):
    story = story_in(state, make_article)
    response = eddie.get(change_url(story))
    assert [label for label, _ in buttons(response)] == labels
    # The status dropdown is gone: the buttons are the only way to change it.
    assert '<select name="status"' not in response.content.decode()


def test_a_new_story_offers_save_draft_first_and_publish_now_as_the_main_step(eddie, section):
    offered = buttons(eddie.get(ADD))
    assert [label for label, _ in offered] == [
        "Save draft",
        "Submit for review",
        "Schedule…",
        "Publish now",
    ]
    assert 'class="default">Publish now</button>' in eddie.get(ADD).content.decode()


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "live", "expired", "withdrawn"])
def test_the_first_button_keeps_the_status_so_pressing_enter_never_publishes(
    eddie, make_article, state
):
    # Browsers press a form's first submit button when Enter is pressed in a text box.
    story = story_in(state, make_article)
    [(_, first), *_] = buttons(eddie.get(change_url(story)))
    assert first == story.status


@pytest.mark.parametrize(
    "state, labels",
    [
        ("draft", ["Save draft", "Submit for review"]),
        ("review", ["Save, keep in review", "Back to draft"]),
    ],
)
def test_a_reporter_is_offered_only_saving_as_draft_and_submitting_for_review(
    rita, make_article, state, labels
):
    story = story_in(state, make_article)
    response = rita.get(change_url(story))
    offered = buttons(response)
    assert [label for label, _ in offered] == labels
    assert {value for _, value in offered} == set(publishing.REPORTER_STATUSES)
    html = response.content.decode()
    assert "Publish now" not in html and "Schedule" not in html and "Withdraw" not in html
    # A reporter's step forward is handing the story to an editor.
    assert re.search(r'value="review" class="default">', html)


def test_a_reporter_adding_a_story_is_offered_save_draft_and_submit_for_review(rita, section):
    assert [label for label, _ in buttons(rita.get(ADD))] == ["Save draft", "Submit for review"]


def test_a_reporter_sees_a_live_story_with_its_banner_and_no_buttons(rita, make_article):
    live = make_article(published_at=in_london(2024, 7, 23, 12))
    html = rita.get(change_url(live)).content.decode()
    assert "Live since 23 July 2024, 12:00" in html
    assert 'name="status"' not in html


# Each button takes the step it names, through articles/publishing.py


@pytest.mark.parametrize(
    "state, label, step, ends",
    [
        ("draft", "Save draft", None, State.DRAFT),
        ("draft", "Submit for review", "submit_for_review", State.REVIEW),
        ("draft", "Publish now", "publish", State.LIVE),
        ("review", "Back to draft", None, State.DRAFT),
        ("review", "Publish now", "publish", State.LIVE),
        # Keeping a story where it is takes no step: only the words change.
        ("scheduled", "Save, keep scheduled", None, State.SCHEDULED),
        ("scheduled", "Publish now", "publish", State.LIVE),
        ("scheduled", "Unpublish", "unpublish", State.DRAFT),
        ("live", "Update live story", None, State.LIVE),
        ("expired", "Save, keep expired", None, State.EXPIRED),
        ("live", "Unpublish", "unpublish", State.DRAFT),
        ("live", "Withdraw", "withdraw", State.WITHDRAWN),
        ("expired", "Withdraw", "withdraw", State.WITHDRAWN),
        ("withdrawn", "Unpublish", "unpublish", State.DRAFT),
    ],
)
def test_each_button_takes_the_publishing_step_it_names(
    eddie, make_article, state, label, step, ends
):
    story = story_in(state, make_article)
    steps = ("submit_for_review", "publish", "unpublish", "withdraw")
    spies = {
        name: mock.patch.object(publishing, name, wraps=getattr(publishing, name)) for name in steps
    }
    called = {name: spy.start() for name, spy in spies.items()}
    try:
        response = press(eddie, story, label, headline="Edited on the desk")
    finally:
        mock.patch.stopall()
    assert response.status_code == 302, form_errors(response)
    # Every button keeps the editor on the story (Django's "Save and continue editing").
    assert response["Location"] == change_url(story)
    story.refresh_from_db()
    assert story.publication_state() == ends
    assert story.headline == "Edited on the desk"  # the words are saved with the step
    assert [name for name, spy in called.items() if spy.called] == ([step] if step else [])
    if step:
        # Taken on the form's copy, saved once with everything else the editor typed.
        assert called[step].call_args.kwargs["commit"] is False


def test_publish_now_brings_a_scheduled_story_forward(eddie, make_article):
    story = story_in("scheduled", make_article)
    before = timezone.now()
    assert press(eddie, story, "Publish now").status_code == 302
    story.refresh_from_db()
    assert story.publication_state() == State.LIVE
    assert before <= story.published_at <= timezone.now()


def test_schedule_publishes_at_the_date_and_time_chosen_in_london(eddie, draft):
    response = press(eddie, draft, "Schedule…", published_at=("24/07/2031", "09:00"))
    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert draft.publication_state() == State.SCHEDULED
    assert draft.published_at == in_london(2031, 7, 24, 9)


def test_schedule_without_a_time_ahead_says_what_to_give_and_keeps_the_story(eddie, draft):
    response = press(eddie, draft, "Schedule…", headline="Kept as typed")
    assert response.status_code == 200
    [refusal] = form_errors(response)["status"]
    assert refusal.startswith("To schedule the story, give a publication time ahead")
    html = response.content.decode()
    assert escape(refusal) in html  # shown in the banner, where the editor looks
    assert 'value="Kept as typed"' in html  # nothing typed is lost
    draft.refresh_from_db()
    assert (draft.status, draft.headline) == (Status.DRAFT, "Council story")


def test_publish_now_with_a_new_time_ahead_typed_asks_which_was_meant(eddie, draft):
    response = press(eddie, draft, "Publish now", published_at=("24/07/2031", "09:00"))
    assert response.status_code == 200
    [refusal] = form_errors(response)["status"]
    assert "press Schedule… to publish then" in refusal
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_an_editors_post_of_no_known_step_is_refused_naming_it(eddie, draft):
    data = form_data(eddie.get(change_url(draft)), status="launch")
    response = eddie.post(change_url(draft), data)
    assert form_errors(response)["status"] == [
        "“launch” is not a publishing step: use the buttons at the top of the form."
    ]


def test_a_form_sent_without_a_button_saves_and_keeps_the_status(eddie, make_article):
    # A script's form.submit() sends no button: the words are saved, the status stays.
    live = make_article()
    data = form_data(eddie.get(change_url(live)), headline="Sent by a script", status=None)
    assert eddie.post(change_url(live), data).status_code == 302
    live.refresh_from_db()
    assert (live.headline, live.publication_state()) == ("Sent by a script", State.LIVE)


def test_a_button_pressed_on_a_form_opened_before_anothers_save_changes_nothing(
    eddie, editor, draft
):
    stale = eddie.get(change_url(draft))
    publishing.submit_for_review(draft, by=editor)
    value = dict(buttons(stale))["Publish now"]
    response = eddie.post(change_url(draft), form_data(stale, status=value))
    assert response.status_code == 200
    assert "after you opened it" in str(form_errors(response))
    draft.refresh_from_db()
    assert draft.status == Status.REVIEW


# A reporter's crafted POST of an editor's step is a form error


@pytest.mark.parametrize("value", ["published", "now", "schedule", "withdrawn"])
@pytest.mark.parametrize("state", ["draft", "review"])
def test_a_reporters_crafted_post_of_an_editors_step_is_refused_on_the_form(
    rita, make_article, state, value
):
    story = story_in(state, make_article)
    data = form_data(
        rita.get(change_url(story)),
        status=value,
        published_at=("24/07/2031", "09:00"),
    )
    response = rita.post(change_url(story), data)
    assert response.status_code == 200
    [message] = form_errors(response)["status"]
    assert message == (
        f"“{value}” is for editors: only they can publish, schedule, unpublish or withdraw a story."
    )
    assert escape(message) in response.content.decode()
    story.refresh_from_db()
    assert (story.status, story.published_at) == (state, None)


@pytest.mark.parametrize("value", ["published", "now", "schedule"])
def test_a_reporters_crafted_new_story_cannot_be_published(rita, section, value):
    data = form_data(
        rita.get(ADD),
        headline="Scoop",
        slug="scoop",
        body="<p>Scoop.</p>",
        section=str(section.pk),
        status=value,
    )
    response = rita.post(ADD, data)
    assert response.status_code == 200 and "status" in form_errors(response)
    assert not Article.objects.exists()


# The banner: where the story stands


def banner(client, story):
    html = client.get(change_url(story) if story else ADD).content.decode()
    return re.search(r'<p class="desk-banner-state"[^>]*>([^<]*)</p>', html).group(1)


def test_the_banner_of_a_new_story_says_it_is_not_saved_yet(eddie, section):
    assert banner(eddie, None) == "New story, not saved yet"


def test_the_banner_of_a_live_story_says_since_when(eddie, make_article):
    story = make_article(published_at=in_london(2024, 7, 23, 12))
    assert banner(eddie, story) == "Live since 23 July 2024, 12:00"


def test_the_banner_of_a_scheduled_story_says_when_it_goes_live(eddie, make_article):
    story = make_article(published_at=in_london(2999, 7, 1, 9))
    assert banner(eddie, story) == "Scheduled for 1 July 2999, 09:00"


def test_the_banner_of_an_expired_story_says_when_it_expired(eddie, make_article):
    story = make_article(expires_at=in_london(2024, 8, 1, 18, 30))
    assert banner(eddie, story) == "Expired on 1 August 2024, 18:30"


def test_the_banner_of_a_draft_says_who_saved_it_last_and_when(eddie, rita, clock, section):
    clock(in_london(2025, 3, 3, 10, 15))
    data = form_data(
        rita.get(ADD),
        headline="Ferry timetable",
        slug="ferry-timetable",
        body="<p>New times.</p>",
        section=str(section.pk),
        status="draft",
    )
    assert rita.post(ADD, data).status_code == 302
    story = Article.objects.get(slug="ferry-timetable")
    assert banner(eddie, story) == "Draft, last saved by Rita Reporter at 3 March 2025, 10:15"


def test_the_banner_of_a_story_in_review_says_who_saved_it_last(eddie, rita, clock, draft):
    clock(in_london(2025, 3, 4, 16, 5))
    assert press(rita, draft, "Submit for review").status_code == 302
    assert banner(eddie, draft) == "In review, last saved by Rita Reporter at 4 March 2025, 16:05"


def test_the_banner_of_a_draft_saved_outside_the_admin_names_no_one(eddie, clock, make_article):
    clock(in_london(2025, 3, 3, 10, 15))
    story = story_in("draft", make_article)
    assert banner(eddie, story) == "Draft, last saved at 3 March 2025, 10:15"


def test_the_banner_of_a_withdrawn_story_says_when_it_was_withdrawn_not_last_edited(
    eddie, editor, clock, make_article
):
    story = make_article(published_at=in_london(2025, 1, 10, 8))
    clock(in_london(2025, 2, 1, 9, 30))
    publishing.withdraw(story, by=editor)
    clock(in_london(2025, 2, 3, 14, 0))
    response = press(eddie, story, "Save, keep withdrawn", standfirst="Withdrawn: see note.")
    assert response.status_code == 302, form_errors(response)
    assert banner(eddie, story) == "Withdrawn on 1 February 2025, 09:30"


def test_the_banner_describes_the_story_as_stored_when_a_step_is_refused(eddie, make_article):
    live = make_article(published_at=in_london(2024, 7, 23, 12))
    response = press(eddie, live, "Withdraw", published_at=("24/07/2031", "09:00"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Live since 23 July 2024, 12:00" in html
    assert "cannot be withdrawn" in html


# The form's shape


def fieldset_headings(html):
    return re.findall(r'<h2 id="fieldset-[^"]+" class="fieldset-heading">([^<]+)</h2>', html)


def test_the_form_reads_story_credits_taxonomy_publishing(eddie, section):
    html = eddie.get(ADD).content.decode()
    # Language (issue 17): what the story is written in, and the versions it belongs to.
    expected = ["Story", "Language", "Credits", "Syndication", "Taxonomy", "Publishing"]
    assert fieldset_headings(html) == expected


def test_a_new_story_shows_no_fields_that_do_not_apply_yet(eddie, section):
    html = eddie.get(ADD).content.decode()
    for absent in ("Created at", "Updated at", "Mark as public update", "corrections-TOTAL_FORMS"):
        assert absent not in html


def test_a_live_story_shows_its_times_public_update_and_corrections(eddie, make_article):
    html = eddie.get(change_url(make_article())).content.decode()
    for present in ("Created at", "Updated at", "Mark as public update", "corrections-TOTAL_FORMS"):
        assert present in html


def test_a_draft_that_never_ran_has_no_public_update_or_corrections(eddie, draft):
    html = eddie.get(change_url(draft)).content.decode()
    assert "Created at" in html
    assert "Mark as public update" not in html and "corrections-TOTAL_FORMS" not in html


def syndication_fieldset(html):
    start = html.index(">Syndication</h2>")
    return html[html.rindex("<fieldset", 0, start) : start]


def test_syndication_is_folded_away_until_it_is_filled(eddie, make_article):
    own = make_article()
    assert "<details>" in syndication_fieldset(eddie.get(change_url(own)).content.decode())
    syndicated = make_article(source_name="Gulan Media")
    assert "<details>" not in syndication_fieldset(
        eddie.get(change_url(syndicated)).content.decode()
    )


def test_syndication_typed_into_a_refused_form_stays_open(eddie, draft):
    data = form_data(eddie.get(change_url(draft)), source_url="not a web address at all")
    response = eddie.post(change_url(draft), data)
    assert "source_url" in form_errors(response)
    assert "<details>" not in syndication_fieldset(response.content.decode())


@pytest.mark.parametrize(
    "field, meaning",
    [
        ("published_at", "When the story goes live here"),
        ("original_published_at", "When the story first ran"),
        ("display_date", "The date readers see"),
        ("expires_at", "readers no longer see the story"),
    ],
)
def test_each_date_says_what_it_means_with_an_example_of_the_format(eddie, draft, field, meaning):
    help_text = eddie.get(change_url(draft)).context["adminform"].form.fields[field].help_text
    assert meaning in help_text
    assert re.search(r"Such as 24/07/2025 \d\d:\d\d\.$", help_text)
    assert "\n" not in help_text


def test_a_us_style_date_is_refused_saying_the_format_expected(eddie, draft):
    data = form_data(eddie.get(change_url(draft)), display_date=("07/24/2025", "09:00"))
    response = eddie.post(change_url(draft), data)
    assert form_errors(response)["display_date"] == [
        "Enter the date as day/month/year, such as 24/07/2025."
    ]


def test_the_form_loads_its_script_and_styles_from_static_files(eddie, draft):
    html = eddie.get(change_url(draft)).content.decode()
    assert 'src="/static/admin/newsroom/desk-form.js"' in html
    assert 'href="/static/admin/newsroom/desk.css"' in html
    # A strict CSP: nothing inline.
    assert "<style" not in html and " style=" not in html


# Branded


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", ADD])
def test_the_admin_carries_the_newsrooms_name(admin_client, settings, section, url):
    settings.NEWSROOM_NAME = "Harbour Gazette"
    client = Client() if url == "/admin/login/" else admin_client
    html = client.get(url).content.decode()
    assert "Django administration" not in html and "Django site admin" not in html
    assert re.search(r"<title>[^<]*\| Harbour Gazette</title>", html)
    assert 'id="site-name"><a href="/admin/">Harbour Gazette</a>' in html
