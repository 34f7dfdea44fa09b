"""
The editorial journey in a real browser: a reporter writes and submits, an editor schedules,
the clock passes, a reader finds the story; and previews stay with staff.
"""

import re
from datetime import timedelta
from unittest import mock

from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Section
from tests.browser.conftest import PASSWORD

HEADLINE = "Council approves new library budget"


def choose_autocomplete(page, field, text):
    """Pick a value in the admin's select2 autocomplete, as a person would."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(f'.select2-search__field[aria-controls="select2-id_{field}-results"]').fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def write_story(page):
    page.goto("/admin/articles/article/add/")
    # Typed key by key, so the admin's script fills the slug from the headline.
    page.locator("#id_headline").press_sequentially(HEADLINE)
    expect(page.locator("#id_slug")).to_have_value("council-approves-new-library-budget")
    page.locator("#id_standfirst").press_sequentially("Councillors voted late into the night.")
    # The body is a rich-text editor: paragraphs are typed, Enter between them.
    page.get_by_role("textbox", name="Body").click()
    page.keyboard.type("The council approved the budget.")
    page.keyboard.press("Enter")
    page.keyboard.type("“It is a good day.”")
    page.locator("#id_byline").press_sequentially("City desk")
    choose_autocomplete(page, "section", "City")
    # The tag box: a comma or Enter ends each tag, and each becomes a chip.
    tags = page.locator("#id_tags")
    tags.press_sequentially("Budget,")
    tags.press_sequentially("Libraries")
    tags.press("Enter")
    expect(page.locator(".tag-chip-name")).to_have_text(["Budget", "Libraries"])


def test_reporter_writes_and_submits_editor_schedules_reader_finds_it(
    new_page, log_in, screenshot, staff
):
    Section.objects.create(name="City", slug="city")
    staff("Reporter", "rita")
    staff("Editor", "ed")

    # The reporter writes a story with tags through the real widgets and submits it.
    reporter = new_page()
    log_in(reporter, "rita", PASSWORD)
    write_story(reporter)
    # Only editors may publish: a reporter is not offered it.
    expect(reporter.get_by_role("button", name="Save draft")).to_be_visible()
    expect(reporter.get_by_role("button", name="Publish now")).to_have_count(0)
    expect(reporter.get_by_role("button", name=re.compile("Schedule"))).to_have_count(0)
    screenshot(reporter, "reporter-admin-form")
    reporter.get_by_role("button", name="Save draft").click()
    expect(reporter.locator(".messagelist")).to_contain_text("was added successfully")
    # Every button keeps the reporter on the story; the list's action submits it.
    reporter.goto("/admin/articles/article/")
    reporter.get_by_role("checkbox", name=re.compile(HEADLINE)).check()
    reporter.select_option("select[name=action]", "submit_for_review")
    reporter.locator("button[name=index]").click()  # "Go"
    expect(reporter.locator(".messagelist")).to_contain_text("Submitted for review: 1 story")
    article = Article.objects.get(slug="council-approves-new-library-budget")
    assert article.status == Article.Status.REVIEW
    assert article.body == "<p>The council approved the budget.</p><p>“It is a good day.”</p>"
    assert sorted(tag.name for tag in article.tags.all()) == ["Budget", "Libraries"]

    # The editor schedules it for tomorrow morning, London time.
    editor = new_page()
    log_in(editor, "ed", PASSWORD)
    editor.goto("/admin/articles/article/")
    editor.get_by_role("link", name=HEADLINE).click()
    expect(editor.locator(".desk-banner-state")).to_contain_text("In review")
    tomorrow = timezone.localtime() + timedelta(days=1)
    editor.get_by_role("button", name="Schedule…").click()
    dialog = editor.get_by_role("dialog", name="Schedule this story")
    dialog.get_by_label("Date").fill(tomorrow.date().isoformat())
    dialog.get_by_label("Time").fill("09:00")
    screenshot(editor, "editor-admin-form")
    dialog.get_by_role("button", name="Schedule", exact=True).click()
    expect(editor.locator(".desk-banner-state")).to_have_text(
        f"Scheduled for {tomorrow.day} {tomorrow:%B %Y}, 09:00"
    )
    editor.goto("/admin/articles/article/")
    expect(editor.locator("#result_list")).to_contain_text("Scheduled for")

    # Readers cannot see it yet...
    reader = new_page()
    reader.goto("/")
    expect(reader.get_by_role("link", name=HEADLINE)).to_have_count(0)
    assert reader.goto(article.get_absolute_url()).status == 404

    # ...and find it by themselves once the clock passes nine tomorrow. A browser of its own:
    # the first one reuses the front page it was just given without asking again (public
    # pages send Last-Modified but no Cache-Control), and the clock here jumps a day at once.
    after = tomorrow.replace(hour=9, minute=1, second=0, microsecond=0)
    with mock.patch("django.utils.timezone.now", return_value=after):
        next_day = new_page()
        next_day.goto("/")
        next_day.get_by_role("link", name=HEADLINE).click()
        expect(next_day.get_by_role("heading", level=1)).to_have_text(HEADLINE)
        expect(next_day.locator(".story-body > p")).to_have_text(
            ["The council approved the budget.", "“It is a good day.”"]
        )
        screenshot(next_day, "reader-scheduled-article")
        next_day.locator("a[rel=tag]").get_by_text("Libraries", exact=True).click()
        expect(next_day).to_have_url(re.compile(r"/tags/libraries/$"))
        expect(next_day.get_by_role("link", name=HEADLINE)).to_be_visible()

    # The admin, like the public pages, works under the CSP with no inline exception.
    for page in (reporter, editor, reader, next_day):
        assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_preview_of_a_draft_works_for_staff_and_is_404_when_logged_out(
    new_page, log_in, screenshot, staff
):
    Section.objects.create(name="City", slug="city")
    staff("Reporter", "rita")
    reporter = new_page()
    log_in(reporter, "rita", PASSWORD)
    write_story(reporter)
    reporter.get_by_role("button", name="Save draft").click()
    expect(reporter.locator(".messagelist")).to_contain_text("was added successfully")
    screenshot(reporter, "reporter-draft-form")

    with reporter.context.expect_page() as opened:
        reporter.get_by_role("link", name="Preview").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(preview.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    screenshot(preview, "preview-draft")

    stranger = new_page()
    assert stranger.goto(preview.url).status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert stranger.goto(Article.objects.get().get_absolute_url()).status == 404
