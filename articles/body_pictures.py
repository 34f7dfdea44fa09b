"""The library pictures a story's body shows, and the stories that show a picture.

A body names each picture by its natural key, the file's name (`<figure data-image="…">`,
defined in articles/sanitize.py), not by a foreign key: a fixture carries it, and a caption
fixed in the library is fixed on every page. What a foreign key would give for free is here:
the pictures of a body in one query, and the stories whose bodies show a picture (the
library's where-used column and its refusal to delete a picture a story shows).

Finding those stories reads bodies: the database picks the ones holding the file's name (a
LIKE over every body, fine for the library's pages, not for a reader's request) and each is
then cleaned and read, so a name in a story's text or a link is no use.
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from photos.models import Image

from .models import Article
from .sanitize import clean_body, picture_references


def pictures_by_key(keys):
    """{natural key: Image} for the keys that name a picture: one query, none for no keys."""
    keys = set(keys)
    return Image.objects.in_bulk(keys, field_name="file") if keys else {}


def pictures_shown(body):
    """The library pictures a body shows, in order, each once; a deleted one is left out."""
    keys = list(dict.fromkeys(key for key, _ in picture_references(clean_body(body))))
    found = pictures_by_key(keys)
    return [found[key] for key in keys if key in found]


def stories_showing(images, stories=None):
    """{picture's pk: [stories whose body shows it]} for `images`, in one query.

    `stories` narrows the search (say `Article.objects.live()`); every story by default.
    """
    by_key = {image.file.name: image.pk for image in images}
    if not by_key:
        return {}
    stories = Article.objects.all() if stories is None else stories
    candidates = stories.filter(reduce(or_, (Q(body__contains=key) for key in by_key)))
    shown = {}
    for story in candidates.only("pk", "headline", "slug", "body").order_by("headline"):
        keys = {key for key, _ in picture_references(clean_body(story.body))}
        for key in keys & by_key.keys():
            shown.setdefault(by_key[key], []).append(story)
    return shown
