"""Renditions: made once when a picture is saved, named from its row, served with long lives."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageCms, ImageDraw

from articles.models import Article
from photos.checks import check_upload
from photos.models import Image
from photos.renditions import SHAPES
from tests.photos_helpers import GPS_LATITUDE, SERIAL, cmyk_profile, secret_laden_jpeg, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def scene(size=(2400, 1600), dot=None):
    """A grey picture, with a red dot at `dot` (fractions of width and height) if given."""
    picture = PILImage.new("RGB", size, (128, 128, 128))
    if dot:
        x, y = dot[0] * size[0], dot[1] * size[1]
        ImageDraw.Draw(picture).ellipse((x - 40, y - 40, x + 40, y + 40), fill=(255, 0, 0))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


def store(data, name="scene.jpg", **fields):
    checked = check_upload(upload(data, name))
    values = {"alt_text": "A grey scene", "credit": "Staff photographer", **fields}
    image = Image(file=checked.content, width=checked.width, height=checked.height, **values)
    image.save()
    return image


@pytest.fixture
def saved(django_capture_on_commit_callbacks):
    """Save a picture as the admin does: its renditions are made once the save commits."""

    def save(data, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return store(data, **fields)

    return save


def stored_files(image):
    folder = Path(storages["renditions"].path(f"renditions/{image.rendition_key}"))
    return sorted(folder.iterdir()) if folder.exists() else []


def test_saving_a_picture_makes_every_width_of_every_shape_once(saved):
    image = saved(scene())
    files = stored_files(image)
    assert {f.name for f in files} == {Path(r.name).name for r in image.renditions.all}
    for rendition in image.renditions.all:
        with PILImage.open(storages["renditions"].path(rendition.name)) as stored:
            assert stored.size == (rendition.width, rendition.height), rendition.name
            assert stored.format == {"webp": "WEBP", "jpg": "JPEG"}[rendition.format]
    widths = {shape: [r.width for r in image.renditions.of(shape)] for shape in SHAPES}
    assert widths == {
        "full": [320, 640, 960, 1280, 1600, 2048],
        "16:9": [320, 640, 960, 1200],
        "4:3": [1200],
        "1:1": [1200],
    }
    assert [r.height for r in image.renditions.of("16:9")] == [180, 360, 540, 675]
    # Made once: saving again (a caption fix) writes nothing.
    times = {f: f.stat().st_mtime_ns for f in files}
    image.caption = "Fixed caption"
    assert image.renditions.make() == 0
    assert {f: f.stat().st_mtime_ns for f in stored_files(image)} == times


def test_a_small_picture_is_never_enlarged(saved):
    image = saved(scene(size=(500, 300)))
    assert [r.width for r in image.renditions.of("full")] == [320]
    assert [(r.width, r.height) for r in image.renditions.of("1:1")] == [(300, 300)]
    assert [(r.width, r.height) for r in image.renditions.of("16:9")] == [(320, 180)]
    for rendition in image.renditions.all:
        with PILImage.open(storages["renditions"].path(rendition.name)) as stored:
            assert stored.width <= 500


def test_crops_keep_the_focal_point_in_frame(saved):
    # The subject stands at the far left: a centred square crop would cut it off.
    image = saved(scene(dot=(0.1, 0.5)), focal_x=0.1, focal_y=0.5)
    square = image.renditions.widest("1:1")
    with PILImage.open(storages["renditions"].path(square.name)) as stored:
        red = stored.convert("RGB").getpixel((round(0.1 * 2400 * 1200 / 1600), 600))
    assert red[0] > 200 and red[1] < 80, red


def test_moving_the_focal_point_makes_new_renditions_and_removes_the_old(
    saved, django_capture_on_commit_callbacks
):
    image = saved(scene(dot=(0.8, 0.5)))
    old = {r.name for r in image.renditions.all}
    image.focal_x = 0.8
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    new = {r.name for r in image.renditions.all}
    assert old.isdisjoint(new)
    assert {f.name for f in stored_files(image)} == {Path(n).name for n in new}


def test_no_rendition_keeps_location_serial_or_owner_but_the_colour_profile_stays(saved):
    image = saved(secret_laden_jpeg())
    for rendition in image.renditions.all:
        path = storages["renditions"].path(rendition.name)
        raw = Path(path).read_bytes()
        assert SERIAL.encode() not in raw
        with PILImage.open(path) as stored:
            exif = stored.getexif()
            assert not exif.get_ifd(0x8825), rendition.name  # GPS
            assert not exif, rendition.name
            assert "xmp" not in stored.info and "XML:com.adobe.xmp" not in stored.info
            assert stored.info.get("icc_profile"), rendition.name
    assert str(GPS_LATITUDE[0]) not in str(image.__dict__)


def test_a_save_that_is_rolled_back_makes_no_files(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                image = store(scene())
                raise RuntimeError("the fixture was refused")
        except RuntimeError:
            pass
    assert stored_files(image) == []


def test_deleting_a_picture_removes_its_renditions(saved, django_capture_on_commit_callbacks):
    image = saved(scene())
    assert stored_files(image)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert stored_files(image) == []


def test_make_renditions_command_makes_what_is_missing(saved, settings):
    image = saved(scene(size=(800, 600)))
    for path in stored_files(image):
        path.unlink()
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert out.getvalue().strip() == f"{len(image.renditions.all)} renditions made."
    assert len(stored_files(image)) == len(image.renditions.all)


def test_renditions_are_public_with_a_year_long_life_and_originals_are_not(client, saved):
    image = saved(scene(size=(800, 600)))
    rendition = image.renditions.near("16:9", 640)
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert "X-Cache" not in response  # files are not kept in the page cache as well
    # The original, at its full size and waiting perhaps on an embargoed story: staff only.
    assert client.get(image.file.url).status_code == 302
    assert client.get(rendition.url.replace(image.rendition_key, "0" * 16)).status_code == 404


def test_a_readers_request_never_makes_or_looks_for_a_rendition(client, make_article, monkeypatch):
    image = store(scene())  # no commit callbacks run here: no renditions on disk
    story = make_article(lead_image=image)
    storage = storages["renditions"]

    def refuse(*args, **kwargs):
        raise AssertionError("a reader's request touched the picture storage")

    for method in ("exists", "save", "open", "size", "listdir"):
        monkeypatch.setattr(storage, method, refuse)
    for url in ("/", story.get_absolute_url(), "/feed/", "/feed/atom/", "/news-sitemap.xml"):
        assert client.get(url).status_code == 200, url
    assert stored_files(image) == []


# What the pages carry.


@pytest.fixture
def pictured(make_article, saved):
    image = saved(
        scene(),
        caption="Boats on the flooded high street",
        credit="Ann Agency / Wire Photos",
        copyright_notice="© 2026 Wire Photos",
        alt_text="Two rowing boats between shopfronts",
    )
    return make_article(
        slug="floods",
        headline="Floods close the high street",
        lead_image=image,
        published_at=timezone.now() - timedelta(hours=1),
    )


def test_the_story_page_leads_with_the_picture_its_caption_and_credit(client, pictured):
    image = pictured.lead_image
    page = client.get(pictured.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="story-picture lead-picture">.*?</figure>', page, re.S)
    assert figure, page
    figure = figure.group(0)
    assert 'fetchpriority="high"' in figure and 'loading="lazy"' not in figure
    assert 'alt="Two rowing boats between shopfronts"' in figure
    assert 'width="2048" height="1365"' in figure
    assert '<source type="image/webp" srcset="' in figure
    for rendition in image.renditions.of("full", "webp") + image.renditions.of("full"):
        assert f"{rendition.url} {rendition.width}w" in figure
    assert 'sizes="(min-width: 42rem) 40rem, 100vw"' in figure
    assert "Boats on the flooded high street" in figure
    assert '<span class="picture-credit">Ann Agency / Wire Photos</span>' in figure


def test_a_storys_own_caption_replaces_the_librarys(client, pictured):
    pictured.lead_image_caption = "The same street a week later"
    pictured.save()
    page = client.get(pictured.get_absolute_url()).content.decode()
    assert "The same street a week later" in page
    assert "Boats on the flooded high street" not in page


def test_a_decorative_picture_has_empty_alt_text(client, pictured):
    image = pictured.lead_image
    image.decorative, image.alt_text = True, ""
    image.save()
    page = client.get(pictured.get_absolute_url()).content.decode()
    assert re.search(r'<img [^>]*alt=""[^>]*fetchpriority="high"', page)


def test_cards_show_a_lazy_16_9_thumbnail(client, pictured, make_article):
    make_article(slug="newer-without-picture", published_at=pictured.published_at)
    page = client.get("/sections/world/").content.decode()
    card = re.search(r'<article class="card has-picture">.*?</article>', page, re.S).group(0)
    assert 'loading="lazy"' in card
    assert 'width="1200" height="675"' in card
    assert pictured.lead_image.renditions.near("16:9", 640).url in card
    assert '<article class="card">' in page  # the story without a picture: no empty box


def test_share_cards_and_json_ld_carry_the_picture(client, pictured):
    page = client.get(pictured.get_absolute_url()).content.decode()
    image = pictured.lead_image
    share = f"http://testserver{image.renditions.widest('16:9').url}"
    assert f'<meta property="og:image" content="{share}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="675">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta name="twitter:image" content="{share}">' in page
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    shapes = [(obj["width"], obj["height"]) for obj in data["image"]]
    assert shapes == [(1200, 675), (1200, 900), (1200, 1200)]
    for obj in data["image"]:
        assert obj["@type"] == "ImageObject"
        assert obj["url"].startswith("http://testserver/media/renditions/")
        assert obj["creditText"] == "Ann Agency / Wire Photos"
        assert obj["copyrightNotice"] == "© 2026 Wire Photos"


def test_a_story_without_a_picture_keeps_the_summary_card(client, make_article):
    story = make_article()
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<meta name="twitter:card" content="summary">' in page
    assert "og:image" not in page and '"image"' not in page


def test_feeds_carry_the_picture(client, pictured):
    image = pictured.lead_image
    rss = ElementTree.fromstring(client.get("/feed/").content)
    mrss = "{http://search.yahoo.com/mrss/}"
    content = rss.find(f"channel/item/{mrss}content")
    assert content.get("url") == f"http://testserver{image.renditions.near('full', 1200).url}"
    assert (content.get("width"), content.get("height")) == ("1280", "853")
    assert content.get("medium") == "image"
    assert content.find(f"{mrss}credit").text == "Ann Agency / Wire Photos"
    assert content.find(f"{mrss}description").text == "Two rowing boats between shopfronts"
    atom = ElementTree.fromstring(client.get("/feed/atom/").content)
    links = atom.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link")
    enclosure = [link for link in links if link.get("rel") == "enclosure"]
    assert [link.get("href") for link in enclosure] == [content.get("url")]


def test_the_news_sitemap_names_the_picture(client, pictured):
    xml = ElementTree.fromstring(client.get("/news-sitemap.xml").content)
    loc = xml.find(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}url/"
        "{http://www.google.com/schemas/sitemap-image/1.1}image/"
        "{http://www.google.com/schemas/sitemap-image/1.1}loc"
    )
    assert loc.text == f"http://testserver{pictured.lead_image.renditions.widest('16:9').url}"


def test_pictures_cost_no_query_on_a_list_of_twenty(
    client, make_article, count_queries, django_assert_num_queries
):
    for n in range(20):
        make_article(slug=f"plain-{n}")
    client.get("/")  # what every page repeats (the navigation) is made once per change
    plain = {url: count_queries(lambda url=url: client.get(url)) for url in ("/", "/feed/")}
    image = store(scene(size=(800, 600)))
    Article.objects.update(lead_image=image)
    for url, queries in plain.items():
        with django_assert_num_queries(queries):
            page = client.get(url).content.decode()
        assert page.count(image.rendition_key) >= 20, url


@pytest.mark.parametrize("trick", ["../", "%2e%2e/", "..%2f", "%2e%2e%2f"])
def test_the_rendition_address_never_reaches_an_original(client, saved, trick):
    image = saved(scene(size=(800, 600)))
    original = image.file.name  # photos/YYYY/MM/scene.jpg: guessable, and staff only
    response = client.get(f"/media/renditions/{trick}{original}")
    assert response.status_code in (400, 404)  # refused as suspicious, or not found
    assert response["Content-Type"].startswith("text/html")


def _rendition_pixels(image, x, y):
    pixels = {}
    for rendition in image.renditions.all:
        with PILImage.open(storages["renditions"].path(rendition.name)) as stored:
            pixels[rendition.name] = (
                stored.mode,
                stored.info.get("icc_profile"),
                stored.convert("RGB").getpixel((round(x * stored.width), round(y * stored.height))),
            )
    return pixels


def test_a_cmyk_picture_is_shown_in_its_own_colours_as_srgb(saved):
    profile = cmyk_profile()
    cmyk = PILImage.new("CMYK", (400, 300), (255, 0, 0, 0))  # all cyan
    out = io.BytesIO()
    cmyk.save(out, "JPEG", icc_profile=profile, quality=95)
    image = saved(out.getvalue())
    expected = ImageCms.profileToProfile(
        cmyk,
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    ).getpixel((0, 0))
    for name, (mode, attached, pixel) in _rendition_pixels(image, 0.5, 0.5).items():
        assert mode == "RGB" and attached is None, name  # sRGB: the web's default
        assert all(abs(a - b) <= 4 for a, b in zip(pixel, expected, strict=True)), (name, pixel)


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white(saved):
    grey = PILImage.new("I;16", (400, 300), 30000)  # 46 % grey
    out = io.BytesIO()
    grey.save(out, "PNG")
    image = saved(out.getvalue())
    for name, (_, _, pixel) in _rendition_pixels(image, 0.5, 0.5).items():
        assert 110 <= pixel[0] <= 125, (name, pixel)


def test_a_transparent_phone_photo_stored_as_jpeg_is_white_where_it_was_clear(saved):
    picture = PILImage.new("RGBA", (400, 300), (255, 0, 0, 0))  # red, but fully see-through
    picture.paste((0, 0, 255, 255), (100, 75, 300, 225))
    out = io.BytesIO()
    picture.save(out, "HEIF")
    image = saved(out.getvalue())
    with PILImage.open(image.file.path) as stored:
        assert stored.format == "JPEG"
        corner = stored.convert("RGB").getpixel((5, 5))
    assert min(corner) >= 245, corner
    for name, (_, _, pixel) in _rendition_pixels(image, 0.02, 0.02).items():
        assert min(pixel) >= 245, (name, pixel)
