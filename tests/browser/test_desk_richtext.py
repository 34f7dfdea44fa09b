"""
The story body in a real browser: written in the rich-text editor without typing a tag,
pasted from Word, saved and shown to readers exactly as the editor showed it.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles import publishing
from articles.models import Article, Section
from tests.browser.conftest import PASSWORD

# What Word puts on the clipboard: class and style soup, mso- properties, fonts, spans,
# conditional comments, <o:p>, and lists written as styled paragraphs with typed bullets.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8">
<style>p.MsoNormal {mso-style-parent:""; font-family:"Calibri",sans-serif}</style></head>
<body lang=EN-GB style='tab-interval:36.0pt'><!--StartFragment-->
<p class=MsoNormal style='margin-bottom:0cm;mso-line-height-alt:12.0pt'><span
style='font-size:12.0pt;font-family:"Times New Roman",serif;mso-fareast-font-family:Calibri;
color:#1F3864'>The mayor <b>promised</b> a <i>new</i> <a
href="https://example.org/plan" class=MsoHyperlink style='color:blue'>plan</a>.<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if
!supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span
style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;
</span></span></span><![endif]><span style='font-family:Arial'>Parks<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if
!supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]><span
style='font-family:Arial'>Roads<o:p></o:p></span></p>
<!--[if gte mso 9]><xml><w:WordDocument>hidden</w:WordDocument></xml><![endif]-->
<p class=MsoNormal><font face="Comic Sans MS" color=red>Fonts go,</font> <span class=SpellE
style='mso-bidi-font-weight:bold'>words stay.</span></p>
<!--EndFragment--></body></html>"""

WORD_KEPT = (
    "<p>The mayor <strong>promised</strong> a <em>new</em> "
    '<a href="https://example.org/plan" rel="noopener noreferrer">plan</a>.</p>'
    "<ul><li>Parks</li><li>Roads</li></ul>"
    "<p>Fonts go, words stay.</p>"
)

TOOLBAR = [
    "paragraph",  # the block type: paragraph, Heading 2, Heading 3
    "unordered list",
    "ordered list",
    "blockquote",
    "Picture",  # a library picture (tests/browser/test_inline_pictures.py)
    "bold",
    "italic",
    "insert link",
    "undo",
    "redo",
]

TYPED = (
    "<p>First paragraph with a <strong>bold</strong> word.</p>"
    '<p>Second paragraph about the <a href="https://example.org/council" '
    'rel="noopener noreferrer">council</a>.</p>'
    "<p>Third paragraph.</p>"
    "<ul><li>First item</li><li>Second item</li></ul>"
)


@pytest.fixture
def editor_user(transactional_db):
    return get_user_model().objects.create_superuser("ed", "ed@example.org", PASSWORD)


def paste_html(editor, html):
    """What Ctrl+V does with a rich clipboard: a paste event carrying text/html."""
    editor.evaluate(
        """(editor, html) => {
            const data = new DataTransfer()
            data.setData("text/html", html)
            data.setData("text/plain", "")
            editor.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}))
        }""",
        html,
    )


def choose_autocomplete(page, field, text):
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(f'.select2-search__field[aria-controls="select2-id_{field}-results"]').fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def toolbar_button(page, title):
    return page.locator(f'.prose-menubar__button[title="{title}"]:visible')


def test_a_story_written_in_the_editor_is_saved_and_shown_exactly_as_written(
    new_page, log_in, screenshot, editor_user
):
    Section.objects.create(name="City", slug="city")
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.console_errors.clear()  # the login page asks for a /favicon.ico there is not
    page.goto("/admin/articles/article/add/")
    page.locator("#id_headline").press_sequentially("Mayor promises parks")
    choose_autocomplete(page, "section", "City")

    # The toolbar offers what the sanitizer keeps (tests/test_richtext.py), and nothing else.
    offered = page.locator(".prose-menubar__button:visible").evaluate_all(
        "buttons => buttons.map(button => button.title)"
    )
    assert offered == TOOLBAR
    page.locator(".prose-menubar__selected").click()
    block_types = page.locator(".prose-menubar__dropdown .ProseMirror > *:visible")
    expect(block_types).to_have_text(["Heading 2", "Heading 3", "Paragraph"])
    page.keyboard.press("Escape")

    # Three paragraphs, Enter between them; a word in bold from the toolbar, as it is typed.
    editor = page.get_by_role("textbox", name="Body")
    editor.click()
    page.keyboard.type("First paragraph with a ")
    toolbar_button(page, "bold").click()
    page.keyboard.type("bold")
    toolbar_button(page, "bold").click()
    page.keyboard.type(" word.")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph about the council")

    # A link through the dialog on the word just typed: javascript: is refused, saying why.
    page.keyboard.press("Control+Shift+ArrowLeft")
    toolbar_button(page, "insert link").click()
    dialog = page.locator("dialog.prose-editor-dialog")
    address = dialog.get_by_label("URL")
    address.fill("javascript:alert(document.cookie)")
    address.press("Enter")
    expect(dialog).to_be_visible()
    problem = dialog.locator(".richtext-link-problem")
    expect(problem).to_have_text(re.compile("may not start with “javascript:”"))
    assert address.evaluate("input => input.validationMessage") == problem.inner_text()
    screenshot(page, "desk-richtext-link-refused")
    # An address without its scheme would lead to a page of this site: refused, with a hint.
    address.fill("www.example.org")
    address.press("Enter")
    expect(problem).to_have_text(re.compile("Start a web address with https://"))
    address.fill("https://example.org/council")
    address.press("Enter")
    expect(dialog).to_be_hidden()
    page.keyboard.press("End")
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    page.keyboard.type("Third paragraph.")
    page.keyboard.press("Enter")

    # A two-item bulleted list, left with a second Enter.
    toolbar_button(page, "unordered list").click()
    page.keyboard.type("First item")
    page.keyboard.press("Enter")
    page.keyboard.type("Second item")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    # Word's clipboard: fonts, colours, classes, spans and comments go; the words, their
    # emphasis, the link and the list stay.
    paste_html(editor, WORD_HTML)
    expect(editor.locator("ul")).to_have_count(2)
    screenshot(page, "desk-richtext-editor")

    page.get_by_role("button", name=re.compile(r"^Save(?: draft)?$")).click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    article = Article.objects.get()
    assert article.body == TYPED + WORD_KEPT
    # Opened again, the editor shows the story as saved, not its markup.
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    expect(page.get_by_role("textbox", name="Body").locator("strong").first).to_have_text("bold")
    assert page.console_errors == []  # no CSP refusals, no script errors

    publishing.publish(article, by=editor_user)
    page.goto(article.get_absolute_url())
    story = page.locator(".story-body")
    assert story.inner_html().strip() == TYPED + WORD_KEPT
    expect(story.locator("> p")).to_have_count(5)
    expect(story.get_by_role("link", name="council")).to_have_attribute(
        "href", "https://example.org/council"
    )
    screenshot(page, "desk-richtext-public")


# Google Docs wraps a copy in <b style="font-weight:normal"> and marks emphasis with styles.
GOOGLE_DOCS_HTML = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5e1f">'
    '<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;'
    'font-style:normal;">Plain, </span><span style="font-size:11pt;font-family:Arial;'
    'font-weight:700;">strong</span><span style="font-weight:400;font-style:italic;"> and '
    'slanted</span></p><br><ul style="margin-top:0;margin-bottom:0;"><li dir="ltr" '
    'style="list-style-type:disc;font-size:11pt;"><p dir="ltr" role="presentation">'
    '<span style="font-weight:400;">An item</span></p></li></ul></b>'
)


def test_a_google_docs_paste_keeps_its_emphasis_and_nothing_of_its_styles(
    new_page, log_in, editor_user
):
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.console_errors.clear()
    page.goto("/admin/articles/article/add/")
    editor = page.get_by_role("textbox", name="Body")
    editor.click()
    paste_html(editor, GOOGLE_DOCS_HTML)
    expect(page.locator("#id_body")).to_have_value(
        "<p>Plain, <strong>strong</strong><em> and slanted</em></p><ul><li><p>An item</p></li></ul>"
    )
    # The pasted styles were never parsed as styles, so the CSP had nothing to refuse.
    assert page.console_errors == []


def test_a_script_that_sets_the_body_and_says_so_updates_the_editor(new_page, log_in, editor_user):
    # How a kept draft is given back (static/admin/newsroom/drafts.js): the hidden textarea
    # takes the text, and a "change" event tells the editor to show it.
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto("/admin/articles/article/add/")
    editor = page.get_by_role("textbox", name="Body")
    expect(editor).to_be_visible()
    page.locator("#id_body").evaluate(
        """textarea => {
            textarea.value = "<p>A kept <em>draft</em> text</p>"
            textarea.dispatchEvent(new Event("change"))
        }"""
    )
    expect(editor.locator("em")).to_have_text("draft")
    # Typing goes on from the restored text, and the textarea follows.
    editor.press("End")
    page.keyboard.type(".")
    expect(page.locator("#id_body")).to_have_value("<p>A kept <em>draft</em> text.</p>")
