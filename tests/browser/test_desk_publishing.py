"""
Publishing by buttons in a real browser: an editor publishes with Publish now and schedules
with Schedule…; a reporter is offered only what a reporter may do. Screenshots of the form at
1280x900 for a new story, a live story and a reporter's draft.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Section
from tests.browser.conftest import PASSWORD

HEADLINE = "Harbour ferry returns after storm repairs"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def city(transactional_db):
    return Section.objects.create(name="City", slug="city")


def a_story(city, **fields):
    values = {
        "headline": HEADLINE,
        "slug": "harbour-ferry-returns",
        "standfirst": "The crossing to the island runs again from Monday.",
        "body": "<p>The ferry is back.</p><p>Repairs took six weeks.</p>",
        "section": city,
        "status": Article.Status.DRAFT,
        **fields,
    }
    return Article.objects.create(**values)


def change_page(story):
    return f"/admin/articles/article/{story.pk}/change/"


def type_body(page, text):
    """Type into the body as a person would: the rich-text editor if there is one."""
    editor = page.locator(".field-body [contenteditable=true]")
    if editor.count():
        editor.click()
        page.keyboard.type(text)
    else:
        page.locator("#id_body").press_sequentially(text)


def snap(screenshot, page, name):
    # From the top, as the form opens: the bar stays in view while it scrolls, and a
    # full-page picture taken scrolled down shows it halfway down the form.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def choose_section(page, name):
    page.locator("#id_section + .select2 .select2-selection").click()
    page.locator('.select2-search__field[aria-controls="select2-id_section-results"]').fill(name)
    page.locator(".select2-results__option", has_text=name).first.click()


def test_an_editor_writes_a_story_and_publishes_it_with_publish_now(
    new_page, log_in, screenshot, staff, city
):
    staff("Editor", "ed", "Eddie Editor")
    page = new_page()
    log_in(page, "ed", PASSWORD)
    expect(page.locator("#site-name")).to_have_text("The Newsroom")
    page.goto("/admin/articles/article/add/")
    expect(page.locator(".desk-banner-state")).to_have_text("New story, not saved yet")

    page.locator("#id_headline").press_sequentially(HEADLINE)
    expect(page.locator("#id_headline_count")).to_have_text(f"{len(HEADLINE)} of 110 characters")
    page.locator("#id_standfirst").press_sequentially("The crossing runs again from Monday.")
    expect(page.locator("#id_standfirst_count")).to_have_text("36 characters")
    type_body(page, "The ferry is back on the water after six weeks of repairs.")
    expect(page.locator("#id_body_count")).to_have_text("12 words · about 1 min to read")
    choose_section(page, "City")
    # The headline box spans the form, as wide as the body's editor.
    headline = page.locator("#id_headline").bounding_box()
    body = page.locator(".field-body .flex-container").bounding_box()
    assert headline["x"] + headline["width"] >= body["x"] + body["width"] - 2
    assert headline["width"] > 640
    snap(screenshot, page, "desk-form-new-story")

    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".desk-banner-state")).to_have_text(re.compile(r"^\s*Live since \d"))
    story = Article.objects.get(slug="harbour-ferry-returns-after-storm-repairs")
    assert story.publication_state() == Article.State.LIVE
    reader = new_page()
    assert reader.goto(story.get_absolute_url()).status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_a_headline_past_110_characters_is_flagged_as_it_is_typed(new_page, log_in, staff, city):
    staff("Editor", "ed", "Eddie Editor")
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto("/admin/articles/article/add/")
    page.locator("#id_headline").press_sequentially("Council " * 14)
    count = page.locator("#id_headline_count")
    expect(count).to_have_text("112 characters: search engines cut headlines after 110")
    expect(count).to_have_class(re.compile("desk-count--warn"))


def test_an_editor_schedules_a_draft_choosing_a_date_and_a_time(
    new_page, log_in, screenshot, staff, city
):
    staff("Editor", "ed", "Eddie Editor")
    story = a_story(city)
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto(change_page(story))

    page.get_by_role("button", name="Schedule…").click()
    dialog = page.get_by_role("dialog", name="Schedule this story")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Europe/London")
    # Nothing chosen yet: the dialog asks for both, and stays open.
    dialog.get_by_role("button", name="Schedule", exact=True).click()
    expect(dialog).to_contain_text("Choose both the date and the time")
    day = timezone.localdate() + timedelta(days=3)
    dialog.get_by_label("Date").fill(day.isoformat())
    dialog.get_by_label("Time").fill("09:30")
    screenshot(page, "desk-form-schedule-dialog")
    dialog.get_by_role("button", name="Schedule", exact=True).click()

    expect(page.locator(".desk-banner-state")).to_have_text(
        f"Scheduled for {day.day} {day:%B %Y}, 09:30"
    )
    story.refresh_from_db()
    assert story.published_at == datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    assert story.publication_state() == Article.State.SCHEDULED
    # The scheduled story offers to keep, move or bring forward its time, or unpublish.
    labels = page.locator(".desk-actions button").all_inner_texts()
    assert labels == ["Save, keep scheduled", "Reschedule…", "Publish now", "Unpublish"]


def test_schedule_with_a_time_past_is_refused_and_the_story_stays_a_draft(
    new_page, log_in, staff, city
):
    staff("Editor", "ed", "Eddie Editor")
    story = a_story(city)
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto(change_page(story))
    page.get_by_role("button", name="Schedule…").click()
    dialog = page.get_by_role("dialog", name="Schedule this story")
    dialog.get_by_label("Date").fill("2020-01-02")
    dialog.get_by_label("Time").fill("09:00")
    dialog.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".desk-banner-refusal")).to_contain_text(
        "To schedule the story, give a publication time ahead"
    )
    # What was chosen is in the form, to correct rather than choose again.
    expect(page.locator("#id_published_at_0")).to_have_value("02/01/2020")
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_a_reporter_sees_no_publish_now_only_save_draft_and_submit_for_review(
    new_page, log_in, screenshot, staff, city
):
    staff("Reporter", "rita", "Rita Reporter")
    page = new_page()
    log_in(page, "rita", PASSWORD)
    page.goto("/admin/articles/article/add/")
    page.locator("#id_headline").press_sequentially(HEADLINE)
    type_body(page, "The ferry is back.")
    choose_section(page, "City")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".desk-banner-state")).to_have_text(
        re.compile(r"^\s*Draft, last saved by Rita Reporter at ")
    )
    buttons = page.locator(".desk-actions button")
    expect(buttons).to_have_text(["Save draft", "Submit for review"])
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Schedule"))).to_have_count(0)
    snap(screenshot, page, "desk-form-reporter-draft")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".desk-banner-state")).to_have_text(
        re.compile(r"^\s*In review, last saved by")
    )
    assert Article.objects.get().status == Article.Status.REVIEW


def test_a_live_story_offers_update_unpublish_and_withdraw(
    new_page, log_in, screenshot, staff, city
):
    staff("Editor", "ed", "Eddie Editor")
    ran = datetime(2024, 7, 23, 12, tzinfo=LONDON)
    story = a_story(
        city,
        status=Article.Status.PUBLISHED,
        published_at=ran,
        original_published_at=ran,
    )
    story.tags.add("Ferries", "Island life")
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto(change_page(story))
    expect(page.locator(".desk-banner-state")).to_have_text("Live since 23 July 2024, 12:00")
    expect(page.locator(".desk-actions button")).to_have_text(
        ["Update live story", "Unpublish", "Withdraw"]
    )
    expect(page.get_by_text("Mark as public update")).to_be_visible()
    snap(screenshot, page, "desk-form-live-story")
