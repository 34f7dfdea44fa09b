"""
The story list and a story's history in a real browser at 1280x900: headlines readable, the
state as one badge, the desk's filters, and what each revision changed, word by word.
"""

from datetime import timedelta

import pytest
import reversion
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Section
from tests.browser.conftest import PASSWORD

LONG = (
    "Council approves the new central library budget after a late-night vote that split "
    "the ruling group"
)


@pytest.fixture
def editor(staff):
    return staff("Editor", "eddie", "Eddie Editor")


def story(by, section, n, **fields):
    """A story first saved by `by`, with the revision the admin would have kept."""
    when = timezone.now() - timedelta(days=n)
    values = {
        "headline": f"Story {n}: ferry timetable changes for the winter",
        "slug": f"story-{n}",
        "body": f"<p>Body of story {n}.</p>",
        "section": section,
        "status": Article.Status.PUBLISHED,
        "published_at": when,
        "original_published_at": when,
    }
    values.update(fields)
    tags = values.pop("tags", ["Transport", "Winter"])
    with reversion.create_revision():
        article = Article.objects.create(**values)
        article.tags.add(*tags)
        reversion.set_user(by)
    return article


def test_the_story_list_reads_at_1280_with_a_badge_per_state_and_the_desk_filters(
    new_page, log_in, screenshot, editor
):
    call_command("loaddata", "seed_story", verbosity=0)
    city = Section.objects.create(name="City", slug="city")
    story(editor, city, 1, headline=LONG, tags=["Local economy", "Libraries", "Council"])
    story(editor, city, 2, status="review", published_at=None)
    story(editor, city, 3, status="draft", published_at=None, headline="My own draft")
    story(editor, city, 4, published_at=timezone.now() + timedelta(days=1))
    story(editor, city, 5, expires_at=timezone.now() - timedelta(hours=2))
    story(editor, city, 6, status="withdrawn")

    page = new_page()
    log_in(page, "eddie", PASSWORD)
    page.goto("/admin/articles/article/")
    results = page.locator("#result_list")
    for label in ("Live", "In review", "Draft", "Scheduled", "Expired", "Withdrawn"):
        expect(results.locator(".desk-badge", has_text=label).first).to_be_visible()

    screenshot(page, "desk-changelist")

    # Nothing pushed off screen: the table fits, and a long headline wraps onto lines of
    # several words instead of one or two.
    fits = page.evaluate(
        "() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; }"
    )
    assert fits
    headline = results.locator("th.field-headline", has_text="Council approves")
    box = headline.bounding_box()
    assert box["width"] >= 280, box
    expect(results.locator("td.field-taxonomy", has_text="Local economy")).to_be_visible()

    # The date bar offers the years that have stories, and none between them.
    with_stories = Article.objects.exclude(published_at=None).values_list("published_at", flat=True)
    expected = sorted({str(timezone.localtime(when).year) for when in with_stories})
    assert page.locator("nav.toplinks a").all_inner_texts() == expected

    page.get_by_role("link", name="Needs review").click()
    expect(results.locator("th.field-headline")).to_have_count(1)
    expect(results).to_contain_text("Story 2")
    page.get_by_role("link", name="My drafts").click()
    expect(results.locator("th.field-headline")).to_have_text(["My own draft"])
    page.get_by_role("link", name="Scheduled").click()
    expect(results.locator("th.field-headline")).to_have_count(1)
    expect(results).to_contain_text("Story 4")
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_an_editor_reads_what_each_revision_changed_word_by_word(
    new_page, log_in, screenshot, editor
):
    city = Section.objects.create(name="City", slug="city")
    article = story(
        editor,
        city,
        1,
        headline="Council approves library budget",
        status="draft",
        published_at=None,
        body=(
            "<p>The council approved the library budget on Monday.</p>"
            "<p>Councillors voted late into the night.</p>"
            "<p>The vote was 31 to 20.</p>"
        ),
        tags=["Libraries"],
    )
    with reversion.create_revision():
        article.headline = "Council approves new central library budget"
        article.body = (
            "<p>The council approved the library budget on Tuesday.</p>"
            "<p>Councillors voted late into the night.</p>"
            "<p>The vote was 31 to 22, with two abstentions.</p>"
        )
        article.status = Article.Status.PUBLISHED
        article.published_at = article.original_published_at = timezone.now()
        article.save()
        article.tags.set(["Libraries", "Local economy"])
        reversion.set_user(editor)
        reversion.set_comment("Edited and published")

    page = new_page()
    log_in(page, "eddie", PASSWORD)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_role("link", name="History").click()

    latest = page.locator(".desk-revision").first
    expect(latest).to_contain_text("Eddie Editor")
    expect(latest).to_contain_text("Edited and published")
    diff = latest.locator(".desk-diff")
    expect(diff.locator("ins", has_text="Tuesday.")).to_be_visible()
    expect(diff.locator("del", has_text="Monday.")).to_be_visible()
    expect(diff.locator("ins", has_text="new central")).to_be_visible()
    expect(diff.locator("ins.desk-tag", has_text="Local economy")).to_be_visible()
    expect(diff).to_contain_text("1 paragraph unchanged")
    expect(diff).to_contain_text("Draft")
    expect(diff).to_contain_text("Published")
    screenshot(page, "desk-history-diff")

    # The older version can be restored from here, and its summary can be folded away.
    older = page.locator(".desk-revision").nth(1)
    expect(older).to_contain_text("The story as it was first recorded")
    latest.locator("summary").click()
    expect(diff.locator("ins", has_text="Tuesday.")).to_be_hidden()
    older.get_by_role("link", name="Restore this version…").click()
    expect(page.locator("#id_headline")).to_have_value("Council approves library budget")
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
