"""Upload checks: a file becomes a library picture only once Pillow has decoded all of it.

Never trusted: the file's name, its extension or the content type the browser sent. The
picture stored is not the file uploaded but a re-encoding of its pixels, turned upright,
with its colour profile and nothing else (photos/metadata.py reads what is kept first).
"""

import io
import os
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .metadata import colour_only_profile, read_credits

# Pillow's format name -> the format stored and its extension. HEIC becomes JPEG: browsers
# cannot show HEIC.
STORED_AS = {
    "JPEG": ("JPEG", "jpg"),
    # Phones (Samsung, iPhone) write JPEGs with an MPF block, which Pillow names MPO.
    "MPO": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
    "HEIF": ("JPEG", "jpg"),
}
# The decoders an upload is offered to (Pillow's JPEG decoder also opens MPO).
DECODERS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPTED = "JPEG, PNG, WebP or HEIC/HEIF"
SAVE_OPTIONS = {"JPEG": {"quality": 90, "optimize": True}, "WEBP": {"quality": 90}, "PNG": {}}


@dataclass
class CheckedPicture:
    """A picture ready to store: the cleaned file, its size and what its metadata said."""

    content: ContentFile
    width: int
    height: int
    credits: dict = field(default_factory=dict)


def check_upload(upload):
    """The cleaned picture for an uploaded file, or ValidationError saying why it is refused."""
    name = os.path.basename(getattr(upload, "name", "") or "picture")
    limit = settings.PHOTOS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; pictures may be at most "
            f"{filesizeformat(limit)}. Export a smaller copy and upload that.",
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Past the limit Pillow only warns, then (at twice it) refuses: refuse at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders ever see an upload: an EPS or PSD renamed .jpg is not
            # handed to Ghostscript or any other plugin before it is refused.
            image = Image.open(upload, formats=DECODERS)
            _refuse_too_many_pixels(name, image.width, image.height)
            credits = read_credits(image)
            image.load()
            if image.format == "PNG":
                _verify_png_to_its_end(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"“{name}” has too many pixels to open safely (over "
            f"{settings.PHOTOS_MAX_PIXELS:,}); make a smaller copy.",
            code="too_many_pixels",
        ) from None
    except UnidentifiedImageError:
        raise ValidationError(
            f"“{name}” is not a picture this site can read: upload a {ACCEPTED} photo. "
            "Drawings (SVG), documents and other files are refused.",
            code="not_a_picture",
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        # Pillow says "image file is truncated", "broken data stream" or (verifying a PNG)
        # "truncated PNG file" for a file cut short.
        raise ValidationError(
            f"“{name}” could not be read to the end ({error}): the file is damaged or "
            "was cut short. Upload it again from the original.",
            code="damaged",
        ) from None
    if image.format not in STORED_AS:
        raise ValidationError(
            f"“{name}” is a {image.format} file; upload a {ACCEPTED} photo.",
            code="unsupported_format",
        )
    stored_format, extension = STORED_AS[image.format]
    cleaned, (width, height) = _clean_bytes(image, stored_format)
    stem = slugify(os.path.splitext(name)[0]) or "picture"
    return CheckedPicture(ContentFile(cleaned, name=f"{stem}.{extension}"), width, height, credits)


def _refuse_too_many_pixels(name, width, height):
    if width * height > settings.PHOTOS_MAX_PIXELS:
        raise ValidationError(
            f"“{name}” is {width} × {height} pixels, more than the "
            f"{settings.PHOTOS_MAX_PIXELS:,} this site opens (a huge picture, or a file made "
            "to exhaust memory); make a smaller copy.",
            code="too_many_pixels",
        )


def _verify_png_to_its_end(upload):
    """Raise OSError or SyntaxError unless every chunk is whole up to IEND.

    Pillow stops reading a PNG once it has the pixels, so a file missing its last bytes (the
    end of the compressed data, or IEND) loads. verify() reads each chunk to IEND and checks
    its CRC; it needs a second open of its own.
    """
    upload.seek(0)
    Image.open(upload, formats=("PNG",)).verify()


def _rewritten_profile(icc_profile):
    """The colour profile, written again with nothing but its colour, or None.

    LittleCMS parses it and writes it again, so nothing appended to it survives; of what it
    wrote, only the colour tags stay (photos/metadata.py), since a profile made on a
    source's own device can name it. One that does not parse, before or after, is dropped
    (the picture is then read as sRGB).
    """
    if not icc_profile:
        return None
    try:
        rewritten = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)).tobytes()
        cleaned = colour_only_profile(rewritten)
        if cleaned is None:
            return None
        ImageCms.ImageCmsProfile(io.BytesIO(cleaned))  # still a profile LittleCMS reads
    except (OSError, ImageCms.PyCMSError):
        return None
    return cleaned


def _clean_bytes(image, stored_format):
    """The pixels, turned upright, re-encoded with the colour profile as the only metadata."""
    icc_profile = _rewritten_profile(image.info.get("icc_profile"))
    transparency = image.info.get("transparency")
    upright = ImageOps.exif_transpose(image)
    if stored_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        # JPEG keeps no transparency: what was see-through becomes white, as on the page,
        # not whatever colour the file kept under it.
        if "A" in upright.mode or transparency is not None:
            rgba = upright.convert("RGBA")
            upright = Image.new("RGB", rgba.size, "white")
            upright.paste(rgba, mask=rgba.getchannel("A"))
        else:
            upright = upright.convert("RGB")
    # Nothing read from the file travels to the new one but what is named here: no EXIF
    # (GPS, serial numbers, owner), no XMP, no IPTC, no PNG text chunks.
    upright.info = {}
    options = dict(SAVE_OPTIONS[stored_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    if transparency is not None and stored_format == "PNG":
        options["transparency"] = transparency
    out = io.BytesIO()
    upright.save(out, format=stored_format, **options)
    return out.getvalue(), upright.size


# What a cleaned picture never holds (photos/checks.py's own output holds none of it).
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "comment", "iptc")


def stored_file_problem(storage, name, width, height):
    """Why a picture file a fixture names is unfit to load, or None.

    `loaddata` stores no file: it names one already in storage, copied there by hand. The
    file is held to what an upload would have made of it: a picture this site decodes, of the
    size the row says (renditions are cut to it), and carrying no metadata (a location or a
    serial number would reach every rendition otherwise).
    """
    try:
        with storage.open(name, "rb") as stored, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(stored, formats=DECODERS)
            size = picture.size
            carried = [key for key in METADATA_KEYS if picture.info.get(key)]
            if picture.getexif():
                carried.append("exif")
            carried += [f"text {key!r}" for key in getattr(picture, "text", {}) or {}]
            picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"the file {name!r} has too many pixels to open safely"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        return f"the file {name!r} is not a {ACCEPTED} picture this site can read ({error})"
    if width is not None and height is not None and size != (int(width), int(height)):
        return (
            f"the file {name!r} is {size[0]} × {size[1]} pixels but the row says {width} × {height}"
        )
    if carried:
        return (
            f"the file {name!r} still carries metadata ({', '.join(sorted(set(carried)))}), "
            "which may hold a location or a serial number; upload it through the admin or "
            "import_story --image, which clean it, and dump the fixture again"
        )
    return None
