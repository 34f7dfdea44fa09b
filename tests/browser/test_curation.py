"""
The front page in a real browser: an editor pins yesterday's story as the lead, reorders the
slots by dragging rows in the admin (django-admin-sortable2's script, under our strict CSP),
and a reader sees exactly that order; withdrawing the lead puts the newest story there.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Section
from curation.models import Pin
from tests.browser.conftest import PASSWORD

# Every refusal the page's Content Security Policy makes, as the browser reports it.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def stories():
    world = Section.objects.create(name="World", slug="world")
    now = timezone.now()

    def story(headline, age):
        slug = headline.lower().replace(" ", "-").replace("'", "")
        return Article.objects.create(
            headline=headline,
            slug=slug,
            body=f"<p>{headline}.</p>",
            section=world,
            status=Article.Status.PUBLISHED,
            original_published_at=now - age,
            published_at=now - age,
        )

    newest = [story(f"Today story {n}", timedelta(minutes=n)) for n in range(1, 6)]
    return newest, story("Yesterdays big story", timedelta(days=1))


def expect_slot_names(page, names):
    """The slot names the stylesheet gives the rows, as a screen reader is given them."""
    cells = page.locator("#result_list tbody td.field-slot")
    expect(cells).to_have_count(len(names))
    for n, name in enumerate(names):
        expect(cells.nth(n)).to_have_accessible_name(name)


def reader_sees(page):
    page.goto("/")
    cards = page.locator("main .card-headline")
    return cards.all_inner_texts()


def test_editor_pins_and_drags_the_front_page_into_order_and_readers_see_it(
    new_page, log_in, screenshot, staff
):
    newest, yesterday = stories()
    staff("Editor", "ed")
    editor = new_page()
    editor.add_init_script(RECORD_CSP_VIOLATIONS)
    log_in(editor, "ed", PASSWORD)
    editor.console_errors.clear()  # the login page asks for a /favicon.ico there is not

    # Pin yesterday's story, then two of today's, through the add form.
    for story in (yesterday, newest[3], newest[4]):
        editor.goto("/admin/curation/pin/add/")
        editor.locator("#id_article + .select2 .select2-selection").click()
        editor.locator(".select2-search__field").fill(story.headline)
        editor.locator(".select2-results__option", has_text=story.headline).first.click()
        editor.get_by_role("button", name="Save", exact=True).click()
        expect(editor.locator(".messagelist")).to_contain_text("was added successfully")

    editor.goto("/admin/curation/pin/")
    rows = [yesterday.headline, newest[3].headline, newest[4].headline]
    expect(editor.locator("#result_list tbody tr th.field-article a")).to_have_text(rows)
    expect_slot_names(editor, ["Lead", "Top story 1", "Top story 2"])
    reader = new_page()
    assert reader_sees(reader)[:3] == rows

    # Drag the last row to the top: it becomes the lead, the others move down a slot.
    handles = editor.locator("#result_list tbody tr .drag.handle")
    with editor.expect_response("**/adminsortable2_update/**") as update:
        handles.nth(2).drag_to(handles.nth(0))
    assert update.value.status == 200
    order = [newest[4].headline, yesterday.headline, newest[3].headline]
    expect(editor.locator("#result_list tbody tr th.field-article a")).to_have_text(order)
    expect_slot_names(editor, ["Lead", "Top story 1", "Top story 2"])
    screenshot(editor, "curation-front-page-pins")
    assert list(Pin.objects.on(None).values_list("article__headline", flat=True)) == order
    assert reader_sees(reader)[:5] == [
        *order,
        newest[0].headline,  # the slots no pin takes: the newest stories
        newest[1].headline,
    ]

    # Nothing the page needed was refused: the sortable script and styles are our own files.
    assert editor.evaluate("window.cspViolations") == []
    assert [e for e in editor.console_errors if "Content Security Policy" in e] == []
    assert editor.console_errors == []

    # Withdrawn, the lead leaves its slot to the newest story at once.
    newest[4].status = Article.Status.WITHDRAWN
    newest[4].save()
    assert reader_sees(reader)[:3] == [newest[0].headline, yesterday.headline, newest[3].headline]
    screenshot(reader, "curation-front-page-after-withdrawal")
