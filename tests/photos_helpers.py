"""Pictures made in the test, with the metadata a source's phone or an agency would leave."""

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageCms

from photos.checks import check_upload
from photos.models import Image

GPS_LATITUDE = (51.0, 30.0, 26.0)
SERIAL = "SN-SOURCE-4471"
OWNER = "Jane Source"
IPTC_CAPTION = "Protesters gather outside the ministry"
IPTC_BYLINE = "Ann Agency"
IPTC_CREDIT = "Ann Agency / Wire Photos"
IPTC_COPYRIGHT = "© 2026 Wire Photos"


def picture(fmt="JPEG", size=(40, 20), mode="RGB", **save_options):
    out = io.BytesIO()
    PILImage.new(mode, size, "teal").save(out, format=fmt, **save_options)
    return out.getvalue()


def iptc_block(datasets):
    """An IPTC IIM record inside a Photoshop 3.0 image resource (0x0404), as agencies send."""
    iim = b"".join(
        b"\x1c" + bytes([record, number]) + struct.pack(">H", len(value)) + value
        for (record, number), value in datasets.items()
    )
    if len(iim) % 2:
        iim += b"\x00"
    return (
        b"Photoshop 3.0\x00"
        + b"8BIM"
        + struct.pack(">H", 0x0404)
        + b"\x00\x00"
        + (struct.pack(">I", len(iim)) + iim)
    )


def with_app13(jpeg, payload):
    """The JPEG with an APP13 segment after its start marker (Pillow cannot write one)."""
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def secret_laden_jpeg(orientation=1, xmp=None, iptc=True):
    """A 40 x 20 JPEG with GPS, a body serial number, an owner, IPTC and an sRGB profile."""
    exif = PILImage.Exif()
    exif[0x013B] = OWNER  # Artist
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options = {"exif": exif, "icc_profile": icc}
    if xmp:
        options["xmp"] = xmp
    jpeg = picture(**options)
    if not iptc:
        return jpeg
    datasets = {
        (2, 120): IPTC_CAPTION.encode(),
        (2, 80): IPTC_BYLINE.encode(),
        (2, 110): IPTC_CREDIT.encode(),
        (2, 116): IPTC_COPYRIGHT.encode(),
    }
    return with_app13(jpeg, iptc_block(datasets))


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_image(name="photo.jpg", **fields):
    """A library picture, stored through the same checks as an upload."""
    checked = check_upload(upload(picture(), name))
    values = {"alt_text": "A teal square", "credit": "Staff photographer", **fields}
    image = Image(file=checked.content, width=checked.width, height=checked.height, **values)
    image.save()
    return image


def cmyk_profile(owner="Jane Source"):
    """A minimal ICC v2 CMYK input profile (CMYK to Lab through an 8-bit table) naming an owner.

    LittleCMS can read and apply it; Pillow cannot make a CMYK profile of its own.
    """

    def s15(value):
        return struct.pack(">i", round(value * 65536))

    table = b""
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    light = 100 * (1 - k) * (1 - 0.3 * c) * (1 - 0.4 * m) * (1 - 0.1 * y)
                    a, b = 60 * m - 35 * c, 70 * y - 45 * c - 20 * m
                    table += bytes(
                        [
                            round(light * 255 / 100),
                            max(0, min(255, round(a + 128))),
                            max(0, min(255, round(b + 128))),
                        ]
                    )
    identity = b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = b"mft1" + bytes(4) + bytes([4, 3, 2, 0]) + identity
    lut += bytes(range(256)) * 4 + table + bytes(range(256)) * 3
    white = b"XYZ " + bytes(4) + s15(0.9642) + s15(1.0) + s15(0.8249)
    text = f"Device CMYK of {owner}\0".encode()
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(4 + 4 + 3 + 67)
    tags = [
        (b"desc", desc),
        (b"wtpt", white),
        (b"cprt", b"text" + bytes(4) + b"none\0"),
        (b"A2B0", lut),
    ]
    table_end = 128 + 4 + 12 * len(tags)
    body, entries = b"", b""
    for signature, data in tags:
        body += bytes(-(table_end + len(body)) % 4)
        entries += struct.pack(">4sII", signature, table_end + len(body), len(data))
        body += data
    body += bytes(-len(body) % 4)
    header = (
        struct.pack(">I", table_end + len(body))
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"scnrCMYKLab "
        + bytes(12)
        + b"acspAPPL"
        + bytes(4)
        + b"APPLiPho"
        + bytes(12)
        + white[8:]
        + b"lcms"
        + bytes(44)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + body
