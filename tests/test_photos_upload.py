"""Uploading a picture: decoded by Pillow or refused saying why; stored without its secrets."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageCms, IptcImagePlugin

from photos.checks import check_upload
from photos.models import Image
from tests.photos_helpers import (
    IPTC_CAPTION,
    IPTC_COPYRIGHT,
    IPTC_CREDIT,
    OWNER,
    SERIAL,
    media,  # noqa: F401
    picture,
    secret_laden_jpeg,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ADD_URL = reverse("admin:photos_image_add")

XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
<rdf:Description photoshop:Credit="XMP Credit / Agency">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">XMP caption</rdf:li></rdf:Alt></dc:description>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">XMP rights</rdf:li></rdf:Alt></dc:rights>
<dc:creator><rdf:Seq><rdf:li>Xavier Creator</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>"""


def post_upload(client, data, name="photo.jpg", **fields):
    values = {"alt_text": "", "caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"}
    return client.post(ADD_URL, {**values, **fields, "file": upload(data, name)})


def stored_bytes(image):
    with image.file.open("rb") as f:
        return f.read()


def test_the_test_picture_really_carries_gps_serial_owner_and_iptc():
    # The proof below is only worth something if the upload had all this to lose.
    source = PILImage.open(io.BytesIO(secret_laden_jpeg(xmp=XMP)))
    exif = source.getexif()
    assert exif[0x013B] == OWNER
    assert exif.get_ifd(0x8769)[0xA431] == SERIAL
    assert exif.get_ifd(0x8825)
    assert IptcImagePlugin.getiptcinfo(source)[(2, 120)] == IPTC_CAPTION.encode()
    assert b"XMP caption" in source.info["xmp"]


def test_an_upload_is_stored_without_location_serial_owner_xmp_or_iptc_but_keeps_its_colour_profile(
    admin_client,
):
    response = post_upload(admin_client, secret_laden_jpeg(xmp=XMP))
    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    data = stored_bytes(image)
    stored = PILImage.open(io.BytesIO(data))
    stored.load()
    assert dict(stored.getexif()) == {}
    assert not {"exif", "xmp", "photoshop", "XML:com.adobe.xmp"} & set(stored.info)
    assert IptcImagePlugin.getiptcinfo(stored) is None
    for secret in (SERIAL, OWNER, IPTC_CAPTION, "XMP caption", "Xavier"):
        assert secret.encode() not in data
    assert stored.info["icc_profile"]  # the colour profile is what stays


def test_iptc_caption_credit_and_copyright_prefill_the_form_and_the_editor_is_sent_to_check_them(
    admin_client,
):
    response = post_upload(admin_client, secret_laden_jpeg())
    image = Image.objects.get()
    assert (image.caption, image.credit, image.copyright_notice) == (
        IPTC_CAPTION,
        IPTC_CREDIT,
        IPTC_COPYRIGHT,
    )
    assert response["Location"] == reverse("admin:photos_image_change", args=[image.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "Filled from the picture&#x27;s own metadata" in page
    assert IPTC_CAPTION in page


def test_xmp_fills_caption_credit_and_rights_when_there_is_no_iptc():
    checked = check_upload(upload(secret_laden_jpeg(xmp=XMP, iptc=False)))
    assert checked.credits == {
        "caption": "XMP caption",
        "credit": "XMP Credit / Agency",
        "copyright_notice": "XMP rights",
    }


def test_what_the_editor_typed_is_kept_over_the_metadata(admin_client):
    post_upload(admin_client, secret_laden_jpeg(), caption="Our own words", credit="Our credit")
    image = Image.objects.get()
    assert (image.caption, image.credit) == ("Our own words", "Our credit")
    assert image.copyright_notice == IPTC_COPYRIGHT  # left empty, so filled


def test_the_camera_orientation_is_applied_and_the_size_recorded(admin_client):
    post_upload(admin_client, secret_laden_jpeg(orientation=6))  # 40 x 20, turned a quarter
    image = Image.objects.get()
    assert (image.width, image.height) == (20, 40)
    assert PILImage.open(io.BytesIO(stored_bytes(image))).size == (20, 40)
    assert image.uploaded_by.username == "admin"


@pytest.mark.parametrize(
    ("fmt", "name", "stored_format"),
    [("PNG", "a.png", "PNG"), ("WEBP", "a.webp", "WEBP"), ("HEIF", "IMG_0001.HEIC", "JPEG")],
)
def test_png_webp_and_phone_heic_are_accepted_heic_stored_as_jpeg(fmt, name, stored_format):
    checked = check_upload(upload(picture(fmt), name))
    assert PILImage.open(checked.content).format == stored_format
    assert (checked.width, checked.height) == (40, 20)


def refusal(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data, name))
    return caught.value


def test_an_svg_named_like_a_jpeg_is_refused_as_not_a_picture():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    error = refusal(svg, "innocent.jpg")
    assert error.code == "not_a_picture"
    assert "“innocent.jpg” is not a picture" in error.message
    assert "SVG" in error.message


def test_a_truncated_jpeg_is_refused_as_damaged():
    whole = picture(size=(400, 300), quality=95)
    error = refusal(whole[: len(whole) // 2])
    assert error.code == "damaged"
    assert "cut short" in error.message


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "GIF", "EPS"])
def test_a_raster_format_other_than_the_four_is_refused_before_any_decoder_sees_it(fmt):
    data = picture(fmt) if fmt != "EPS" else b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 1 1\n"
    # Only the four formats' decoders may open an upload (EPS would start Ghostscript).
    error = refusal(data, "scan.jpg")
    assert error.code == "not_a_picture"
    assert "JPEG, PNG, WebP or HEIC/HEIF" in error.message


def test_a_phone_jpeg_with_a_multi_picture_block_is_accepted_as_jpeg():
    out = io.BytesIO()
    first = PILImage.new("RGB", (40, 20), "teal")
    first.save(out, "MPO", save_all=True, append_images=[first])
    checked = check_upload(upload(out.getvalue(), "IMG_0001.jpg"))
    assert PILImage.open(checked.content).format == "JPEG"
    assert checked.content.name == "img_0001.jpg"


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(settings):
    settings.PHOTOS_MAX_UPLOAD_BYTES = 500
    error = refusal(picture(size=(200, 200), quality=100))
    assert error.code == "too_large"
    assert "at most 500\xa0bytes" in error.message


@pytest.mark.parametrize("side", [12, 40])  # past the limit; past twice it (Pillow's own error)
def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(settings, side):
    settings.PHOTOS_MAX_PIXELS = 100
    assert PILImage.MAX_IMAGE_PIXELS == 100  # Pillow's guard follows the setting
    error = refusal(picture(size=(side, side)))
    assert error.code == "too_many_pixels"
    assert "100" in error.message


def test_a_refused_upload_shows_the_reason_on_the_form_and_stores_nothing(admin_client, settings):
    media_root = Path(settings.MEDIA_ROOT)
    response = post_upload(admin_client, b"%PDF-1.4 not a picture", "report.jpg")
    assert response.status_code == 200
    assert "“report.jpg” is not a picture" in str(response.context["adminform"].form.errors)
    assert not Image.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_picture_uploaded_from_the_article_forms_popup_is_handed_back_to_it(admin_client):
    response = admin_client.post(
        ADD_URL + "?_to_field=id&_popup=1",
        {
            "_popup": "1",
            "_to_field": "id",
            "alt_text": "A teal square",
            "credit": "Staff",
            "focal_x": "0.5",
            "focal_y": "0.5",
            "file": upload(secret_laden_jpeg()),
        },
    )
    image = Image.objects.get()
    assert response.status_code == 200
    assert "popup_response" in response.templates[0].name
    assert f"&quot;value&quot;: &quot;{image.pk}&quot;" in response.content.decode()


def test_anything_hidden_after_the_colour_profile_does_not_reach_the_stored_file():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    hidden = b"SERIAL-0042 owned by Jane Source"
    data = picture(icc_profile=profile + hidden)
    checked = check_upload(upload(data))
    stored = checked.content.read()
    assert hidden not in stored
    assert PILImage.open(io.BytesIO(stored)).info["icc_profile"] == profile
