"""Renditions: the smaller copies of a library picture that readers are sent.

Every rendition a picture will ever need is made once, when the picture is saved (after the
transaction commits, so a refused fixture makes none), and stored under `renditions/` in the
"renditions" storage. Its name is worked out from the picture's row alone, so a page that
shows twenty pictures asks neither the database nor the storage anything about them, and no
reader's request ever resizes a picture.

Names carry the picture's `rendition_key`, a random token: a rendition cannot be found from
the original's name, so a picture waiting on an embargoed story is not reachable by guessing
until a live page names it. They also carry the focal point and a digest of the original's
name, so a changed crop or file gets new names and a year-long browser cache stays right.

Pillow does the work directly (README, "Why Pillow for renditions"): the original is decoded
once, at a reduced scale where JPEG allows, and every width is resized from the one above it.
"""

import hashlib
import io
import math
import secrets
from dataclasses import dataclass
from functools import cached_property

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image as PILImage
from PIL import ImageCms

from .checks import _rewritten_profile

FOLDER = "renditions"
WEBP, JPEG = "webp", "jpg"
SAVE_AS = {
    # Method 2 encodes in half the time of the default 4 for files about 3 % larger.
    WEBP: ("WEBP", {"quality": 80, "method": 2}),
    JPEG: ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
# The shapes pages use, as width:height (None keeps the picture's own), the widths made of
# each and in which formats. Story pages show the picture whole; cards crop it to 16:9; the
# wide share card and Google's 16:9, 4:3 and 1:1 images are 1200 px wide.
SHAPES = {
    "full": (None, (320, 640, 960, 1280, 1600, 2048), (WEBP, JPEG)),
    "16:9": ((16, 9), (320, 640, 960, 1200), (WEBP, JPEG)),
    "4:3": ((4, 3), (1200,), (JPEG,)),
    "1:1": ((1, 1), (1200,), (JPEG,)),
}
SRGB = ImageCms.createProfile("sRGB")


def new_key():
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Rendition:
    image: object
    shape: str
    width: int
    height: int
    format: str

    @property
    def name(self):
        image = self.image
        digest = hashlib.sha256(image.file.name.encode()).hexdigest()[:8]
        focus = f"{round(image.focal_x * 100)}-{round(image.focal_y * 100)}"
        shape = self.shape.replace(":", "x")
        return (
            f"{FOLDER}/{image.rendition_key}/{shape}-{self.width}w-{focus}-{digest}.{self.format}"
        )

    @property
    def url(self):
        return storages["renditions"].url(self.name)

    @property
    def content_type(self):
        return "image/webp" if self.format == WEBP else "image/jpeg"


class Renditions:
    """What a picture's renditions are, worked out from its row: no I/O until `make()`."""

    def __init__(self, image):
        self.image = image

    def crop_box(self, shape):
        """The part of the picture a shape shows: as large as fits, centred on the focal point."""
        ratio = SHAPES[shape][0]
        width, height = self.image.width, self.image.height
        if ratio is None:
            return (0, 0, width, height)
        crop_w = min(width, round(height * ratio[0] / ratio[1]))
        crop_h = min(height, round(width * ratio[1] / ratio[0]))
        left = _clamp(round(self.image.focal_x * width - crop_w / 2), 0, width - crop_w)
        top = _clamp(round(self.image.focal_y * height - crop_h / 2), 0, height - crop_h)
        return (left, top, left + crop_w, top + crop_h)

    def widths(self, shape):
        """The widths made of a shape: never wider than the picture gives, at least one."""
        left, top, right, bottom = self.crop_box(shape)
        available = right - left
        widths = [w for w in SHAPES[shape][1] if w <= available]
        return widths or [available]

    def of(self, shape, fmt=JPEG):
        """The renditions of one shape and format, narrowest first."""
        left, top, right, bottom = self.crop_box(shape)
        return [
            Rendition(self.image, shape, w, max(1, round(w * (bottom - top) / (right - left))), fmt)
            for w in self.widths(shape)
        ]

    def widest(self, shape, fmt=JPEG):
        return self.of(shape, fmt)[-1]

    def near(self, shape, width, fmt=JPEG):
        """The narrowest rendition at least `width` wide, else the widest there is."""
        for rendition in self.of(shape, fmt):
            if rendition.width >= width:
                return rendition
        return self.widest(shape, fmt)

    @cached_property
    def all(self):
        return [
            r
            for shape, (_, _, formats) in SHAPES.items()
            for f in formats
            for r in self.of(shape, f)
        ]

    def make(self):
        """Store every rendition not stored yet; remove this picture's outdated ones."""
        storage = storages["renditions"]
        stored = self._stored(storage)
        missing = [r for r in self.all if r.name not in stored]
        if missing:
            with self.image.file.open("rb") as original:
                # The stored original is already upright and stripped (photos/checks.py).
                source = PILImage.open(original)
                profile = source.info.get("icc_profile")
                # A JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the time: ask
                # for the smallest size that still gives every rendition its pixels.
                smallest = self._smallest_source_size()
                source.draft("RGB", smallest)
                source, profile = _displayable(source, profile)
                # Then shrink it once to that size, so each shape's crop starts small.
                if source.width > smallest[0]:
                    source = source.resize(smallest, PILImage.Resampling.LANCZOS)
                scale = (source.width / self.image.width, source.height / self.image.height)
                for shape in SHAPES:
                    wanted = [r for r in missing if r.shape == shape]
                    if wanted:
                        self._make_shape(storage, source, scale, shape, wanted, profile)
        self._remove_outdated(storage, stored)
        return len(missing)

    def _stored(self, storage):
        # One listing, not a lookup per rendition: on an object store each is a request.
        folder = f"{FOLDER}/{self.image.rendition_key}"
        try:
            return {f"{folder}/{name}" for name in storage.listdir(folder)[1]}
        except FileNotFoundError:
            return set()

    def _smallest_source_size(self):
        scale = max(r.width / _box_width(self.crop_box(r.shape)) for r in self.all)
        return (math.ceil(self.image.width * scale), math.ceil(self.image.height * scale))

    def _make_shape(self, storage, source, scale, shape, wanted, profile):
        left, top, right, bottom = self.crop_box(shape)
        # Rounded inside the picture: a box past its edge would add a line of black.
        box = (
            round(left * scale[0]),
            round(top * scale[1]),
            min(round(right * scale[0]), source.width),
            min(round(bottom * scale[1]), source.height),
        )
        picture = source.crop(box)
        # Widest first, each from the one before: a 2048 px picture is cheap to shrink.
        for rendition in sorted(wanted, key=lambda r: -r.width):
            picture = (
                picture.resize((rendition.width, rendition.height), PILImage.Resampling.LANCZOS)
                if picture.size != (rendition.width, rendition.height)
                else picture
            )
            content = ContentFile(_encode(picture, rendition.format, profile))
            # Said, not guessed from the name: an object store serves it with this type.
            content.content_type = rendition.content_type
            storage.save(rendition.name, content)

    def _remove_outdated(self, storage, stored):
        current = {r.name for r in self.all}
        for name in stored - current:
            storage.delete(name)


def _encode(picture, fmt, profile):
    pillow_format, options = SAVE_AS[fmt]
    if fmt == JPEG and picture.mode != "RGB":
        # JPEG has no transparency: a cut-out logo sits on white, as on the page.
        flat = PILImage.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    if profile:
        options = {**options, "icc_profile": profile}
    out = io.BytesIO()
    picture.save(out, format=pillow_format, **options)
    return out.getvalue()


def _displayable(picture, profile):
    """RGB (or RGBA) pixels, and the colour profile to attach to them (or None).

    Browsers get RGB: a CMYK or grey picture goes through its own profile to sRGB, the web's
    default, so no profile is attached; 16-bit grey is scaled down, not clipped to white. An
    RGB profile is kept as checks.py rebuilds it, naming no device.
    """
    if picture.mode.startswith("I"):
        picture = picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    embedded = _parsed(profile)
    space = embedded.profile.xcolor_space.strip() if embedded else ""
    if picture.mode in ("CMYK", "L") and space in ("CMYK", "GRAY"):
        try:
            return ImageCms.profileToProfile(picture, embedded, SRGB, outputMode="RGB"), None
        except ImageCms.PyCMSError:
            pass  # a profile LittleCMS cannot apply: the plain conversion below
    picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    return picture, (_rewritten_profile(profile) if space == "RGB" else None)


def _parsed(profile):
    if not profile:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except (OSError, ImageCms.PyCMSError):
        return None


def _has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def _box_width(box):
    return box[2] - box[0]


def _clamp(value, low, high):
    return max(low, min(value, high))


def remove_all(rendition_key):
    """Remove every rendition of a deleted picture."""
    storage = storages["renditions"]
    folder = f"{FOLDER}/{rendition_key}"
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
