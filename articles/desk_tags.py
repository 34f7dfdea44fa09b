"""Tags at the editor's desk, on the server side: the field that checks what the tag box
sends (articles/widgets.py draws the box) and the existing tags it suggests.

The suggestions are for staff only: a draft's tags are not public. The view lives under
/admin/, which the public page cache never reads or fills, and admin_view marks every
answer never_cache.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import JsonResponse
from django.utils.text import slugify
from taggit.forms import TagField
from taggit.models import Tag

LIMIT = 10
LONGEST = Tag._meta.get_field("name").max_length
# True with the chips and of the plain text box alike (without JavaScript).
TAGS_HELP = (
    "End each tag with a comma; existing tags are suggested as you type. "
    "Such as: Local economy, Harbour"
)


class DeskTagField(TagField):
    """taggit's comma-separated field, refusing a tag longer than the database keeps.

    PostgreSQL refuses such a name at the save, which would be a server error.
    """

    def clean(self, value):
        names = super().clean(value)
        for name in names:
            if len(name) > LONGEST:
                raise ValidationError(
                    "A tag is at most %(longest)d characters; “%(start)s…” has %(length)d. "
                    "Shorten it, or split it at a comma.",
                    code="tag_too_long",
                    params={"longest": LONGEST, "start": name[:30], "length": len(name)},
                )
        return names


def matching_tags(text, *, limit=LIMIT):
    """Names of existing tags containing `text` in any case and script, most used first.

    PostgreSQL compares any script without case (UPPER); SQLite only ASCII. A tag's slug is
    its name lower-cased by Python (Cyrillic, Greek and all), so matching the slug of the
    text too finds "Москва" from "МОС" on both.
    """
    text = text.strip()
    if not text or len(text) > LONGEST:
        return []
    matches = Q(name__icontains=text)
    if slug := slugify(text, allow_unicode=True):
        matches |= Q(slug__contains=slug)
    tags = (
        Tag.objects.filter(matches)
        .annotate(uses=Count("articles_taggedarticle_items"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)
    )
    return list(tags[:limit])


def suggest_tags(request, model_admin):
    """JSON {"tags": [names]} for ?q=; ArticleAdmin.get_urls wraps it in admin_view."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return JsonResponse({"tags": matching_tags(request.GET.get("q", ""))})
