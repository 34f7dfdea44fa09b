"""
The tag box and the kept draft in a real browser: tags with spaces picked from suggestions
with the keyboard, chips removed; a prompt before leaving unsaved work; a copy of the form
offered back after the page closes, never over newer saved work, and gone once saved.
"""

import re

import pytest
from playwright.sync_api import expect
from taggit.models import Tag

from articles.models import Article, Section
from tests.browser.conftest import PASSWORD

DRAFT_KEY = "newsroom:draft:"


@pytest.fixture
def editor(staff):
    return staff("Editor", "ed")


@pytest.fixture
def story(editor):
    section = Section.objects.create(name="City", slug="city")
    return Article.objects.create(
        headline="Council approves library budget",
        slug="council-approves-library-budget",
        standfirst="Councillors voted late.",
        body="<p>The council approved the budget.</p>",
        section=section,
        status=Article.Status.DRAFT,
    )


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def type_at_end(page, selector, text):
    page.locator(selector).press("End")
    page.locator(selector).press_sequentially(text)


def open_story(new_page, log_in, story):
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto(change_url(story))
    return page


SAVE = re.compile(r"^(Save draft|Save and continue editing)$")


def save(page):
    page.get_by_role("button", name=SAVE).click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def type_in_body(page, text):
    editor = page.locator('.prose-editor [contenteditable="true"]')
    if editor.count():
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.type(text)
    else:
        page.locator("#id_body").press_sequentially(text)


def kept_drafts(page):
    return page.evaluate(
        f"() => Object.keys(localStorage).filter((key) => key.startsWith('{DRAFT_KEY}'))"
    )


def wait_for_kept_draft(page, containing):
    page.wait_for_function(
        """([prefix, text]) => Object.keys(localStorage).some(
            (key) => key.startsWith(prefix) && localStorage.getItem(key).includes(text)
        )""",
        arg=[DRAFT_KEY, containing],
    )


def chip_names(page):
    return page.locator(".tag-chip-name").all_inner_texts()


def test_two_tags_with_spaces_come_from_suggestions_by_keyboard_and_a_chip_is_removed(
    new_page, log_in, screenshot, story
):
    older = Article.objects.create(
        headline="Harbour reopens", slug="harbour-reopens", body="<p>x</p>", section=story.section
    )
    older.tags.add("Local economy", "City Hall", "Economic policy")
    page = open_story(new_page, log_in, story)
    tags = page.locator("#id_tags")  # the label's box: where a person types the tags
    suggestions = page.get_by_role("listbox", name="Existing tags")

    tags.press_sequentially("LOCAL e")
    expect(suggestions.get_by_role("option", name="Local economy")).to_be_visible()
    tags.press("ArrowDown")
    tags.press("Enter")
    tags.press_sequentially("hall")
    expect(suggestions.get_by_role("option", name="City Hall")).to_be_visible()
    tags.press("ArrowDown")
    tags.press("Enter")
    tags.press_sequentially("Bus lanes")
    tags.press(",")  # a new tag, with a space, ended by a comma
    tags.press_sequentially("econ")
    expect(suggestions.get_by_role("option", name="Economic policy")).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_count(1)  # chosen tags are not offered again
    page.locator(".tag-chips").scroll_into_view_if_needed()
    screenshot(page, "desk-tags-suggestions")
    tags.press("Escape")
    tags.fill("")
    assert chip_names(page) == ["Local economy", "City Hall", "Bus lanes"]

    page.get_by_role("button", name="Remove tag City Hall").click()
    assert chip_names(page) == ["Local economy", "Bus lanes"]
    save(page)

    assert sorted(tag.name for tag in story.tags.all()) == ["Bus lanes", "Local economy"]
    assert Tag.objects.filter(name__iexact="local economy").count() == 1
    assert chip_names(page) == ["Bus lanes", "Local economy"]
    screenshot(page, "desk-tags-saved")
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_leaving_with_unsaved_changes_asks_first_and_leaving_after_saving_does_not(
    new_page, log_in, story
):
    page = open_story(new_page, log_in, story)
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    type_at_end(page, "#id_headline", " after a long debate")
    with page.expect_event("dialog"):
        page.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    expect(page.locator("#id_headline")).to_have_value(
        "Council approves library budget after a long debate"
    )
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(change_url(story))

    save(page)
    page.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    page.wait_for_url("**/admin/")
    assert dialogs == ["beforeunload"]  # no second prompt
    story.refresh_from_db()
    assert story.headline == "Council approves library budget after a long debate"


def test_a_kept_draft_is_offered_after_the_page_closes_restored_and_cleared_after_saving(
    new_page, log_in, screenshot, story
):
    page = open_story(new_page, log_in, story)
    type_at_end(page, "#id_headline", " after a long debate")
    type_at_end(page, "#id_standfirst", " The vote was 7 to 4.")
    type_in_body(page, "Opponents called it a waste.")
    page.locator("#id_tags").press_sequentially("Libraries")
    page.locator("#id_tags").press("Enter")
    wait_for_kept_draft(page, "Libraries")
    context = page.context
    page.close()  # as a crash would: no save, no prompt

    page = context.new_page()
    page.goto(change_url(story))
    offer = page.get_by_role("region", name="Unsaved changes kept by this browser")
    expect(offer).to_contain_text("kept changes you made at")
    expect(page.locator("#id_headline")).to_have_value("Council approves library budget")
    screenshot(page, "desk-draft-offered")

    offer.get_by_role("button", name="Restore my changes").click()
    expect(page.locator("#id_headline")).to_have_value(
        "Council approves library budget after a long debate"
    )
    expect(page.locator("#id_standfirst")).to_have_value(
        "Councillors voted late. The vote was 7 to 4."
    )
    expect(page.locator("#id_body")).to_have_value(re.compile("Opponents called it a waste."))
    body_editor = page.locator('.prose-editor [contenteditable="true"]')
    if body_editor.count():  # what the editor shows is what will be saved
        expect(body_editor).to_contain_text("Opponents called it a waste.")
    assert chip_names(page) == ["Libraries"]
    save(page)

    story.refresh_from_db()
    assert story.headline == "Council approves library budget after a long debate"
    assert "Opponents called it a waste." in story.body
    assert [tag.name for tag in story.tags.all()] == ["Libraries"]
    assert kept_drafts(page) == []
    page.reload()
    expect(page.locator(".draft-offer")).to_have_count(0)


def test_a_kept_draft_older_than_the_saved_story_is_not_offered_over_it(new_page, log_in, story):
    page = open_story(new_page, log_in, story)
    type_at_end(page, "#id_headline", " (my version)")
    wait_for_kept_draft(page, "(my version)")
    context = page.context
    page.close()

    # A colleague saves the story after the copy was kept.
    story.refresh_from_db()
    story.headline = "Council approves library budget, 7 to 4"
    story.save()

    page = context.new_page()
    page.goto(change_url(story))
    expect(page.locator("#id_headline")).to_have_value("Council approves library budget, 7 to 4")
    expect(page.locator(".draft-offer")).to_have_count(0)
    assert kept_drafts(page) == []


def test_a_draft_typed_after_a_colleagues_save_is_offered_but_cannot_overwrite_it(
    new_page, log_in, story
):
    page = open_story(new_page, log_in, story)
    # A colleague saves while the form is open; then this editor types and the page closes.
    story.headline = "Council approves library budget, 7 to 4"
    story.save()
    type_at_end(page, "#id_standfirst", " Mine.")
    wait_for_kept_draft(page, "Mine.")
    context = page.context
    page.close()

    page = context.new_page()
    page.goto(change_url(story))
    offer = page.get_by_role("region", name="Unsaved changes kept by this browser")
    expect(offer).to_contain_text("The story has been saved since")
    offer.get_by_role("button", name="Restore my changes").click()
    page.get_by_role("button", name=SAVE).click()

    # The form's edit lock speaks: the colleague's headline stays until this editor chooses.
    expect(page.locator("#article_form")).to_contain_text("after you opened it")
    story.refresh_from_db()
    assert story.headline == "Council approves library budget, 7 to 4"
    assert story.standfirst == "Councillors voted late."


def test_a_new_storys_kept_draft_is_offered_on_the_add_form_and_cleared_once_saved(
    new_page, log_in, story
):
    page = open_story(new_page, log_in, story)
    page.goto("/admin/articles/article/add/")
    page.locator("#id_headline").press_sequentially("Ferry returns to the harbour")
    wait_for_kept_draft(page, "Ferry returns to the harbour")
    context = page.context
    page.close()

    page = context.new_page()
    page.goto("/admin/articles/article/add/")
    page.get_by_role("button", name="Restore my changes").click()
    expect(page.locator("#id_slug")).to_have_value("ferry-returns-to-the-harbour")
    page.locator("#id_standfirst").press_sequentially("After two years.")
    type_in_body(page, "The ferry is back.")
    page.locator("#id_section + .select2 .select2-selection").click()
    page.locator('.select2-search__field[aria-controls="select2-id_section-results"]').fill("City")
    page.locator(".select2-results__option", has_text="City").first.click()
    save(page)

    assert Article.objects.filter(headline="Ferry returns to the harbour").exists()
    assert kept_drafts(page) == []
    page.goto("/admin/articles/article/add/")
    expect(page.locator("#id_headline")).to_have_value("")
    expect(page.locator(".draft-offer")).to_have_count(0)


def test_changes_sent_in_a_refused_save_are_kept_and_leaving_still_asks(new_page, log_in, story):
    page = open_story(new_page, log_in, story)
    type_at_end(page, "#id_headline", " after a long debate")
    page.locator("#id_slug").fill("not a slug!")
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_text("Please correct the error below.")).to_be_visible()

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_event("dialog"):
        page.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    assert dialogs == ["beforeunload"]
    wait_for_kept_draft(page, "after a long debate")
    context = page.context
    page.close()

    page = context.new_page()
    page.goto(change_url(story))
    page.get_by_role("button", name="Restore my changes").click()
    expect(page.locator("#id_headline")).to_have_value(
        "Council approves library budget after a long debate"
    )
    expect(page.locator("#id_slug")).to_have_value("not a slug!")


def test_a_kept_draft_is_never_offered_to_another_user_and_logging_out_clears_it(
    new_page, log_in, story, staff
):
    staff("Editor", "colleague")
    page = open_story(new_page, log_in, story)
    type_at_end(page, "#id_headline", " (embargoed angle)")
    wait_for_kept_draft(page, "(embargoed angle)")
    context = page.context
    page.close()  # left without saving

    # Someone else signs in on the same browser: the copy is not theirs.
    page = context.new_page()
    context.clear_cookies()  # the session ends without logging out: the copy stays behind
    log_in(page, "colleague", PASSWORD)
    page.goto(change_url(story))
    expect(page.locator("#id_headline")).to_have_value("Council approves library budget")
    expect(page.locator(".draft-offer")).to_have_count(0)

    # Logging out clears every kept copy in this browser.
    page.locator("#logout-form button, #logout-form input[type=submit]").first.click()
    page.wait_for_url("**/logout/")
    assert kept_drafts(page) == []
