from django.apps import AppConfig
from django.core.signals import setting_changed


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Pictures"

    def ready(self):
        from pillow_heif import register_heif_opener

        from . import signals  # noqa: F401

        # Phone photos arrive as HEIC: let Pillow open them like any other picture.
        register_heif_opener()
        apply_pixel_limit()
        setting_changed.connect(_pixel_limit_changed)


def apply_pixel_limit():
    """Pillow's own decompression-bomb guard says what PHOTOS_MAX_PIXELS says."""
    from django.conf import settings
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.PHOTOS_MAX_PIXELS


def _pixel_limit_changed(*, setting, **kwargs):
    if setting == "PHOTOS_MAX_PIXELS":
        apply_pixel_limit()
