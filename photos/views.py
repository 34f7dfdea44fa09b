from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.views.decorators.cache import never_cache
from django.views.static import serve


@never_cache
@staff_member_required
def library_file(request, path):
    """A file of the picture library, for staff only (the admin's thumbnails).

    An original may belong to an embargoed story and still carries its full size; readers
    will get renditions of live stories' pictures instead.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)
