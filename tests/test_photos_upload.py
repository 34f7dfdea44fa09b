"""Uploading a picture: decoded by Pillow or refused saying why; stored without its secrets."""

import io
import struct
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageCms, IptcImagePlugin, PngImagePlugin

from photos.checks import check_upload
from photos.models import Image
from tests.photos_helpers import (
    GPS_LATITUDE,
    IPTC_CAPTION,
    IPTC_COPYRIGHT,
    IPTC_CREDIT,
    OWNER,
    SERIAL,
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


SRGB = ImageCms.createProfile("sRGB")


def colours_through(profile):
    """What a ramp of colours becomes in sRGB when read with this profile (ICC bytes)."""
    ramp = PILImage.linear_gradient("L").resize((32, 32))
    pixels = PILImage.merge(
        "RGB", [ramp, ramp.rotate(90), ramp.transpose(PILImage.FLIP_TOP_BOTTOM)]
    )
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    return ImageCms.profileToProfile(pixels, source, SRGB).tobytes()


def test_anything_hidden_after_the_colour_profile_does_not_reach_the_stored_file():
    profile = ImageCms.ImageCmsProfile(SRGB).tobytes()
    hidden = b"SERIAL-0042 owned by Jane Source"
    data = picture(icc_profile=profile + hidden)
    checked = check_upload(upload(data))
    stored = checked.content.read()
    assert hidden not in stored
    assert colours_through(PILImage.open(io.BytesIO(stored)).info["icc_profile"]) == (
        colours_through(profile)
    )


SOURCE_DEVICE = "Jane Source's iPhone"


def icc_tag_table(profile):
    (count,) = struct.unpack(">I", profile[128:132])
    entries = [struct.unpack(">4sII", profile[132 + 12 * i : 144 + 12 * i]) for i in range(count)]
    return {tag: profile[offset : offset + size] for tag, offset, size in entries}


def icc_profile(header, tags):
    """An ICC profile from a 128-byte header and {signature: data}, each tag 4-byte aligned."""
    offset = 132 + 12 * len(tags)
    table, body = b"", b""
    for tag, data in tags.items():
        data += bytes(-len(data) % 4)
        table += struct.pack(">4sII", tag, offset + len(body), len(data))
        body += data
    size = offset + len(body)
    return struct.pack(">I", size) + header[4:128] + struct.pack(">I", len(tags)) + table + body


def mluc(text):
    utf16 = text.encode("utf-16-be")
    return (
        b"mluc"
        + bytes(4)
        + struct.pack(">II", 1, 12)
        + b"enUS"
        + struct.pack(">II", len(utf16), 28)
        + utf16
    )


def profile_naming_the_source():
    """Not sRGB (its red channel has a 1.8 gamma), made on the source's phone, which it names
    in its description, device maker and model, copyright, target and a vendor's private tag;
    its header names the maker too."""
    srgb = ImageCms.ImageCmsProfile(SRGB).tobytes()
    tags = icc_tag_table(srgb)
    tags[b"rTRC"] = b"curv" + bytes(4) + struct.pack(">IH", 1, round(1.8 * 256))
    tags[b"desc"] = mluc(SOURCE_DEVICE)
    tags[b"cprt"] = mluc(f"© {OWNER}")
    tags[b"dmnd"] = mluc(OWNER)
    tags[b"dmdd"] = mluc(SOURCE_DEVICE)
    tags[b"targ"] = b"text" + bytes(4) + SOURCE_DEVICE.encode() + b"\0"
    tags[b"mmod"] = b"mmod" + bytes(4) + b"JANE" * 4
    header = bytearray(srgb[:128])
    header[48:56] = b"JANEJSRC"  # device manufacturer and model signatures
    header[24:36] = struct.pack(">6H", 2019, 4, 2, 9, 30, 0)  # when it was made
    return icc_profile(bytes(header), tags)


def test_a_colour_profile_naming_the_source_s_phone_is_stored_with_its_colour_and_no_name(
    admin_client,
):
    profile = profile_naming_the_source()
    parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile
    assert (parsed.profile_description, parsed.model) == (SOURCE_DEVICE, SOURCE_DEVICE)
    assert colours_through(profile) != colours_through(ImageCms.ImageCmsProfile(SRGB).tobytes())
    response = post_upload(admin_client, picture(icc_profile=profile))
    assert response.status_code == 302, response.context["adminform"].form.errors

    data = stored_bytes(Image.objects.get())
    kept = PILImage.open(io.BytesIO(data)).info["icc_profile"]
    assert colours_through(kept) == colours_through(profile)
    for name in (SOURCE_DEVICE, OWNER, "JANE", "JSRC"):
        assert name.encode() not in data
        assert name.encode("utf-16-be") not in data
    kept_profile = ImageCms.ImageCmsProfile(io.BytesIO(kept)).profile
    assert kept_profile.profile_description == "Colour profile"
    assert kept_profile.creation_date.year == 2000  # not the day the phone made it
    assert set(icc_tag_table(kept)) <= {
        b"desc",
        b"cprt",
        b"wtpt",
        b"chad",
        b"chrm",
        b"rXYZ",
        b"gXYZ",
        b"bXYZ",
        b"rTRC",
        b"gTRC",
        b"bTRC",
    }


def noisy_png():
    """A PNG of 4 compressed blocks of data: noise does not compress away to a few bytes."""
    out = io.BytesIO()
    PILImage.effect_noise((300, 200), 80).convert("RGB").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param(20, id="end-of-the-image-data-cut"),
        pytest.param(12, id="no-IEND"),
        pytest.param(6, id="IEND-cut"),
        pytest.param(50_000, id="half-the-image-data"),
    ],
)
def test_a_png_cut_short_is_refused_as_damaged_like_a_jpeg(missing):
    whole = noisy_png()
    assert check_upload(upload(whole, "whole.png")).width == 300
    error = refusal(whole[:-missing], "cut.png")
    assert error.code == "damaged"
    assert error.message.startswith("“cut.png” could not be read to the end (")
    assert "the file is damaged or was cut short" in error.message


XMP_SECRETS = ("XMP caption", "Xavier")


def secret_exif():
    exif = PILImage.Exif()
    exif[0x013B] = OWNER  # Artist
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif


def secret_laden(fmt):
    """A 40 x 20 picture with GPS, serial and owner in EXIF, an XMP packet and an sRGB
    profile; a PNG also with its owner and serial in text chunks (tEXt, zTXt, iTXt)."""
    options = {"exif": secret_exif(), "icc_profile": ImageCms.ImageCmsProfile(SRGB).tobytes()}
    if fmt == "PNG":
        chunks = PngImagePlugin.PngInfo()
        chunks.add_text("Author", OWNER)
        chunks.add_text("Comment", f"Camera {SERIAL}", zip=True)
        chunks.add_itxt("Copyright", f"© {OWNER}", lang="en")
        chunks.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = chunks
    else:
        options["xmp"] = XMP
    return picture(fmt, **options)


SECRET_LADEN = [("PNG", "a.png"), ("WEBP", "a.webp"), ("HEIF", "IMG_0001.HEIC")]
# What Pillow reports of a file's format itself (density, progressive scan, animation
# defaults), not metadata anyone wrote into it.
FORMAT_INFO = {
    "dpi",
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "progressive",
    "progression",
    "background",
    "duration",
    "loop",
    "timestamp",
}


@pytest.mark.parametrize(("fmt", "name"), SECRET_LADEN)
def test_the_png_webp_and_heic_test_pictures_really_carry_their_secrets(fmt, name):
    source = PILImage.open(io.BytesIO(secret_laden(fmt)))
    source.load()
    exif = source.getexif()
    assert exif[0x013B] == OWNER
    assert exif.get_ifd(0x8769)[0xA431] == SERIAL
    assert exif.get_ifd(0x8825)[2] == GPS_LATITUDE
    xmp = source.info["xmp"]
    assert all(secret.encode() in xmp for secret in XMP_SECRETS)
    assert source.info["icc_profile"]
    if fmt == "PNG":
        assert source.text["Author"] == OWNER and SERIAL in source.text["Comment"]


def every_stored_file():
    """The original and every rendition, wherever the two storages keep them."""
    folders = {Path(storages[name].location) for name in ("default", "renditions")}
    return sorted({path for folder in folders for path in folder.rglob("*") if path.is_file()})


@pytest.mark.parametrize(
    ("data", "name", "caption"),
    [
        pytest.param(secret_laden("PNG"), "a.png", "XMP caption", id="PNG"),
        pytest.param(secret_laden("WEBP"), "a.webp", "XMP caption", id="WEBP"),
        pytest.param(secret_laden("HEIF"), "IMG_0001.HEIC", "XMP caption", id="HEIC"),
        pytest.param(secret_laden_jpeg(xmp=XMP), "a.jpg", IPTC_CAPTION, id="JPEG"),
    ],
)
def test_no_stored_file_original_or_rendition_keeps_location_serial_owner_xmp_or_text(
    admin_client, django_capture_on_commit_callbacks, data, name, caption
):
    with django_capture_on_commit_callbacks(execute=True):  # renditions are made on commit
        response = post_upload(admin_client, data, name)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Image.objects.get().caption == caption  # read before it was thrown away
    stored_files = every_stored_file()
    assert len(stored_files) > 1  # the original and its renditions
    for path in stored_files:
        data = path.read_bytes()
        stored = PILImage.open(io.BytesIO(data))
        stored.load()
        assert dict(stored.getexif()) == {}, path
        assert set(stored.info) - FORMAT_INFO == {"icc_profile"}, path
        assert getattr(stored, "text", {}) == {}, path  # no PNG text chunk
        assert IptcImagePlugin.getiptcinfo(stored) is None, path
        for secret in (SERIAL, OWNER, IPTC_CAPTION, *XMP_SECRETS):
            assert secret.encode() not in data, (path, secret)
            assert secret.encode("utf-16-be") not in data, (path, secret)
        if stored.format == "PNG":
            assert not {b"eXIf", b"tEXt", b"zTXt", b"iTXt"} & set(png_chunks(data)), path
        assert colours_through(stored.info["icc_profile"]) == colours_through(
            ImageCms.ImageCmsProfile(SRGB).tobytes()
        )


def png_chunks(data):
    position, chunks = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append(kind)
        position += 12 + length
    return chunks
