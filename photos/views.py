import os

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.views.decorators.cache import never_cache
from django.views.static import serve

from .renditions import FOLDER

# A rendition's name changes whenever its pixels do (photos/renditions.py): browsers and
# shared caches may keep one for a year without asking again.
RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"


@never_cache
@staff_member_required
def library_file(request, path):
    """A file of the picture library, for staff only (the admin's previews).

    An original may belong to an embargoed story and still carries its full size; readers
    get renditions instead.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def rendition_file(request, path):
    """A rendition from the filesystem storage, for anyone who has its address.

    Only live pages name a rendition, and its folder is a random key, so a picture of an
    embargoed story cannot be found by guessing. An object store (S3) serves them itself.
    """
    # Rooted at the renditions' own folder: "../photos/..." must not reach an original.
    root = os.path.join(settings.MEDIA_ROOT, FOLDER)
    response = serve(request, path, document_root=root)
    response["Cache-Control"] = RENDITION_CACHE_CONTROL
    return response
