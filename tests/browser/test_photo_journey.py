"""
Issue 11's whole journey in a real browser. An editor uploads a phone photo with its location
in it, fixes the caption its metadata filled in, writes the alt text, makes it the story's
lead picture, puts a second picture in the body and publishes. The story page, the front page
card, the feed, the Open Graph tags and the JSON-LD all carry the right picture, and no file
the site stored holds the location.
"""

import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from playwright.sync_api import expect

from articles.models import Article, Section
from articles.sanitize import picture_references
from photos.models import Image
from tests.browser.conftest import PASSWORD
from tests.browser.test_desk_richtext import choose_autocomplete
from tests.browser.test_inline_pictures import (  # noqa: F401
    eddie,
    harbour_photo,
    pick_from_library,
)
from tests.photos_helpers import (
    IPTC_CAPTION,
    IPTC_CREDIT,
    SERIAL,
    iptc_block,
    with_app13,
)

FIXED_CAPTION = "Protesters outside the ministry on Monday morning"
ALT = "A crowd with banners in front of a stone building"


def phone_photo():
    """A 1600 x 1067 photo as a phone stores it: GPS, a serial number, an agency's IPTC."""
    picture = PILImage.open(io.BytesIO(harbour_photo(1600, 1067)))
    exif = PILImage.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    exif.get_ifd(0x8769)[0xA431] = SERIAL
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90, exif=exif)
    iptc = iptc_block({(2, 120): IPTC_CAPTION.encode(), (2, 110): IPTC_CREDIT.encode()})
    return with_app13(out.getvalue(), iptc)


@pytest.mark.usefixtures("eddie")
def test_an_editor_publishes_a_story_with_a_phone_photo_and_readers_get_the_right_picture(
    new_page, log_in, screenshot, media, tmp_path
):
    section = Section.objects.create(name="Politics", slug="politics")
    story = Article.objects.create(
        headline="Crowds gather as the ministry vote nears",
        slug="crowds-gather-ministry-vote",
        standfirst="Hundreds waited outside through the night.",
        body="<p>The crowd grew through the evening.</p><p>Police closed the square.</p>",
        section=section,
        status=Article.Status.DRAFT,
    )
    body_picture = Image.objects.create(
        file=ContentFile(harbour_photo(900, 600), name="quay.jpg"),
        width=900,
        height=600,
        alt_text="The square from above",
        caption="The square at midnight",
        credit="Sam Lee",
    )
    page = new_page()
    log_in(page, "eddie", PASSWORD)
    page.console_errors.clear()  # the login page asks for a /favicon.ico there is not

    # 1. Upload the phone photo to the library: its IPTC fills the caption and the credit.
    upload = tmp_path / "IMG_4471.jpg"
    upload.write_bytes(phone_photo())
    page.goto("/admin/photos/image/add/")
    page.locator("#id_file").set_input_files(upload)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Filled from the picture's own metadata")
    expect(page.locator("#id_caption")).to_have_value(IPTC_CAPTION)
    expect(page.locator("#id_credit")).to_have_value(IPTC_CREDIT)
    # 2. The editor fixes the caption and writes the alt text.
    page.locator("#id_caption").fill(FIXED_CAPTION)
    page.locator("#id_alt_text").fill(ALT)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    photo = Image.objects.get(credit=IPTC_CREDIT)
    assert (photo.caption, photo.alt_text) == (FIXED_CAPTION, ALT)

    # 3. The story: the photo as its lead, a second picture in the body, then Publish now.
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    choose_autocomplete(page, "lead_image", FIXED_CAPTION[:20])
    editor = page.get_by_role("textbox", name="Body")
    editor.locator("p").first.click()
    page.keyboard.press("End")
    pick_from_library(page, "The square at midnight")
    expect(editor.locator("figure.story-picture-node")).to_have_count(1)
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".desk-banner-state")).to_have_text(re.compile(r"^\s*Live since \d"))
    story.refresh_from_db()
    assert story.lead_image == photo
    assert picture_references(story.body) == [(body_picture.file.name, "")]
    assert story.publication_state() == Article.State.LIVE
    assert page.console_errors == []

    # 4. What readers get. The story page: the lead figure with the fixed caption, the body's
    # picture, Open Graph and JSON-LD naming the lead's renditions.
    page.goto(story.get_absolute_url())
    lead = page.locator("figure.lead-picture")
    expect(lead.locator("figcaption")).to_contain_text(FIXED_CAPTION)
    expect(lead.locator("figcaption")).to_contain_text(IPTC_CREDIT)
    expect(lead.locator("img")).to_have_attribute("alt", ALT)
    expect(lead.locator("img")).to_have_attribute("fetchpriority", "high")
    expect(page.locator(".story-body figure.story-picture figcaption")).to_contain_text(
        "The square at midnight"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image.endswith(photo.renditions.widest("16:9").url)
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert all(photo.rendition_key in image["url"] for image in data["image"])
    screenshot(page, "photo-journey-story")

    # The front page card, and the feed.
    page.goto("/")
    card = page.locator("article.card", has_text=story.headline)
    expect(card.locator("img")).to_have_attribute("src", re.compile(photo.rendition_key))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.card img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    screenshot(page, "photo-journey-front")
    feed = ElementTree.fromstring(page.request.get("/feed/").body())
    content = feed.find("channel/item/{http://search.yahoo.com/mrss/}content")
    assert photo.rendition_key in content.get("url")
    assert page.console_errors == []

    # 5. No file the site stored, original or rendition, holds the location or the serial.
    stored = [path for path in Path(media).rglob("*") if path.is_file()]
    assert len(stored) > 20  # the original and its renditions, and the body picture's
    for path in stored:
        assert SERIAL.encode() not in path.read_bytes(), path
        with PILImage.open(path) as picture:
            assert not picture.getexif().get_ifd(0x8825), path
