"""
A picture in the story body, in a real browser: an editor picks one from the library with the
toolbar's Picture button and uploads another without leaving the story; the editor shows both
with their captions and credits, the save stores references, and readers get the figures.
"""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from articles import publishing
from articles.models import Article, Section
from articles.sanitize import picture_references
from photos.checks import check_upload
from photos.models import Image
from tests.browser.conftest import PASSWORD


def harbour_photo(width=1200, height=800):
    """A JPEG that looks like a photograph at thumbnail size: sky, sea, a quay and a boat."""
    photo = PILImage.new("RGB", (width, height))
    draw = ImageDraw.Draw(photo)
    horizon = height * 11 // 20
    for y in range(horizon):
        shade = y * 90 // horizon
        draw.line([(0, y), (width, y)], fill=(120 + shade // 2, 170 + shade // 3, 225))
    for y in range(horizon, height):
        shade = (y - horizon) * 70 // (height - horizon)
        draw.line([(0, y), (width, y)], fill=(30, 90 - shade // 2, 120 - shade))
    draw.ellipse([width * 7 // 10, height // 8, width * 8 // 10, height * 11 // 40], fill="#ffd866")
    draw.polygon(
        [(0, height), (0, horizon + 60), (width // 3, horizon + 140), (width // 3, height)],
        fill="#6b6259",
    )
    hull = [
        (width // 2, horizon + 90),
        (width * 3 // 4, horizon + 90),
        (width * 7 // 10, horizon + 150),
        (width * 11 // 20, horizon + 150),
    ]
    draw.polygon(hull, fill="#c0392b")
    draw.rectangle([width * 3 // 5, horizon + 20, width * 13 // 20, horizon + 90], fill="#f4f1ea")
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=88)
    return out.getvalue()


def pick_from_library(page, caption, before_choosing=None):
    """At the body's cursor: the Picture button, then the library's own list in a popup."""
    page.locator('.prose-menubar__button[title="Picture"]').click()
    dialog = page.locator("dialog.story-picture-dialog")
    expect(dialog).to_be_visible()
    if before_choosing:
        before_choosing(page, "desk-inline-pictures-choice")
    with page.expect_popup() as chooser:
        dialog.get_by_role("button", name="Choose from the library…").click()
    popup = chooser.value
    popup.wait_for_load_state()
    assert "_popup=1" in popup.url
    with popup.expect_event("close"):
        popup.get_by_role("link", name=re.compile(caption)).first.click()


@pytest.fixture
def eddie(staff):
    user = staff("Editor", "eddie", "Eddie Editor")
    # The library's permissions come from photos' own data migration, flushed with the rest.
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="photos"))
    return user


@pytest.fixture
def library_picture(media):
    checked = check_upload(SimpleUploadedFile("harbour.jpg", harbour_photo(), "image/jpeg"))
    return Image.objects.create(
        file=checked.content,
        width=checked.width,
        height=checked.height,
        alt_text="The ferry tied up at the harbour wall",
        caption="The ferry back at its berth on Monday",
        credit="Jane Doe / Harbour Times",
    )


def test_an_editor_inserts_a_library_picture_and_an_upload_and_readers_see_both(
    new_page, log_in, screenshot, eddie, library_picture, tmp_path
):
    section = Section.objects.create(name="City", slug="city")
    story = Article.objects.create(
        headline="Harbour ferry returns after storm repairs",
        slug="harbour-ferry-returns",
        body="<p>The ferry is back.</p><p>Repairs took six weeks.</p>",
        section=section,
        status=Article.Status.DRAFT,
    )
    page = new_page()
    log_in(page, "eddie", PASSWORD)
    page.console_errors.clear()  # the login page asks for a /favicon.ico there is not
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    editor = page.get_by_role("textbox", name="Body")
    editor.locator("p").first.click()
    page.keyboard.press("End")

    # From the library: the Picture button, then the library's own list in a popup.
    pick_from_library(page, "The ferry back at its berth", before_choosing=screenshot)
    dialog = page.locator("dialog.story-picture-dialog")

    block = editor.locator(f'figure.story-picture-node[data-image="{library_picture.file.name}"]')
    expect(block.locator(".story-picture-node__caption")).to_have_text(
        "The ferry back at its berth on Monday"
    )
    expect(block.locator(".story-picture-node__credit")).to_have_text("Jane Doe / Harbour Times")
    expect(block.locator("img")).to_have_attribute("alt", "The ferry tied up at the harbour wall")
    assert block.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    # Uploaded in place: the library's add form in a popup, and the new picture goes in.
    editor.locator("p").last.click()
    page.keyboard.press("End")
    page.locator('.prose-menubar__button[title="Picture"]').click()
    with page.expect_popup() as uploader:
        dialog.get_by_role("button", name="Upload a new picture…").click()
    popup = uploader.value
    popup.wait_for_load_state()
    upload = tmp_path / "quay.jpg"
    upload.write_bytes(harbour_photo(900, 600))
    popup.locator("#id_file").set_input_files(upload)
    popup.locator("#id_alt_text").fill("Workers repairing the quay")
    popup.locator("#id_caption").fill("Repairs on the quay last month")
    popup.locator("#id_credit").fill("Sam Lee")
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    uploaded = Image.objects.get(credit="Sam Lee")
    expect(editor.locator("figure.story-picture-node")).to_have_count(2)
    second = editor.locator(f'figure[data-image="{uploaded.file.name}"]')
    expect(second.locator(".story-picture-node__credit")).to_have_text("Sam Lee")

    # A caption for this story only, through the block's own button.
    second.get_by_role("button", name="Caption…").click()
    caption_dialog = page.locator("dialog.prose-editor-dialog")
    caption_dialog.get_by_label("Caption for this story").fill("The quay, mended")
    caption_dialog.get_by_role("button", name="Save caption").click()
    expect(second.locator(".story-picture-node__caption")).to_have_text("The quay, mended")

    block.click()  # selected, as a block is before it is moved or deleted
    expect(block).to_have_class(re.compile("ProseMirror-selectednode"))
    editor.locator("p").last.click()
    page.evaluate("window.scrollTo(0, 0)")
    path = screenshot(page, "desk-inline-pictures")
    assert page.console_errors == []  # no CSP refusals, no script errors

    page.get_by_role("button", name=re.compile(r"^Save(?: draft)?$")).click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    story.refresh_from_db()
    assert picture_references(story.body) == [
        (library_picture.file.name, ""),
        (uploaded.file.name, "The quay, mended"),
    ]
    assert path.exists()

    publishing.publish(story, by=eddie)
    page.goto(story.get_absolute_url())
    figures = page.locator(".story-body figure.story-picture")
    expect(figures).to_have_count(2)
    expect(figures.first.locator("figcaption")).to_have_text(
        re.compile(r"The ferry back at its berth on Monday\s+Jane Doe / Harbour Times")
    )
    expect(figures.last.locator("figcaption")).to_have_text(
        re.compile(r"The quay, mended\s+Sam Lee")
    )
    image = figures.first.locator("img")
    expect(image).to_have_attribute("loading", "lazy")
    expect(image).to_have_attribute("alt", "The ferry tied up at the harbour wall")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.story-body figure img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    screenshot(page, "inline-pictures-public")
    assert page.console_errors == []
