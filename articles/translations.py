"""A story's versions in other languages, as readers and search engines are told of them.

Versions form one group around an original (Article.translation_of). Readers are only ever
told of live versions: a draft or scheduled translation is named nowhere, not in links,
hreflang alternates, the sitemap nor the JSON-LD.
"""

from datetime import UTC

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import languages
from .models import Article
from .packed import JSON_FUNCTIONS

# What a link to a version needs, and no more (live_versions() asked of a story alone).
VERSION_FIELDS = ("slug", "language", "translation_of_id")

# What a story page or the sitemap reads of each version, packed into the story's own row.
PACKED_FIELDS = (
    *("id", "slug", "language", "translation_of_id"),
    *("status", "published_at", "expires_at"),  # whether it is live
)


def with_versions(stories):
    """Stories with every version of theirs packed as JSON in their row, as articles/packed.py
    packs tags: a story page learns its translations without a query of its own. Which are
    live is read from the packed rows (Article.publication_state, live()'s twin in Python)."""
    array, obj = JSON_FUNCTIONS[connections[stories.db].vendor]
    fields = ", ".join(f"'{name}', v.{name}" for name in PACKED_FIELDS)
    group = 'COALESCE("articles_article"."translation_of_id", "articles_article"."id")'
    sql = (
        f"(SELECT {array}({obj}({fields})) FROM articles_article v "
        f"WHERE v.id = {group} OR v.translation_of_id = {group})"
    )
    return stories.annotate(packed_versions=RawSQL(sql, (), output_field=models.JSONField()))


def _unpacked(article):
    versions = []
    for data in article.__dict__.pop("packed_versions"):
        for name in ("published_at", "expires_at"):
            if data[name] is not None:
                value = parse_datetime(data[name])
                # PostgreSQL writes an offset; SQLite's JSON, the stored UTC text without one.
                data[name] = timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
        # from_db() takes a partial row in the model's own field order.
        names = [f.attname for f in Article._meta.concrete_fields if f.attname in data]
        versions.append(Article.from_db(article._state.db, names, [data[n] for n in names]))
    return versions


def live_versions(article):
    """The live versions of this story, itself included, in the order of NEWSROOM_LANGUAGES.

    Read from the story's row when it was loaded with_versions(), else one query. A story
    without translations gets a list of one: itself.
    """
    if "packed_versions" in article.__dict__:
        now = timezone.now()
        live = Article.State.LIVE
        versions = [v for v in _unpacked(article) if v.publication_state(now) == live]
        return in_language_order(versions)
    original_id = article.original_id
    versions = (
        Article.objects.live()
        .filter(Q(pk=original_id) | Q(translation_of_id=original_id))
        .only(*VERSION_FIELDS)
    )
    return in_language_order(versions)


def in_language_order(versions):
    order = {code: n for n, code in enumerate(languages.codes())}
    return sorted(versions, key=lambda v: (order.get(v.language, len(order)), v.pk))


def x_default(versions):
    """The version for readers whose language none of them is: the original when it is
    live, else the one in the site's default language, else the first configured one.

    Every version's page must name the same one, so it depends on the group alone.
    """
    if not versions:
        return None
    for version in versions:
        if version.translation_of_id is None:
            return version
    default = languages.default_language()
    return next((v for v in versions if v.language == default), versions[0])


def alternates(versions, absolute):
    """(hreflang, absolute URL) for each live version and x-default; [] for a story alone.

    `absolute` turns a path into an absolute URL (request.build_absolute_uri, or the
    sitemap's protocol and domain).
    """
    if len(versions) < 2:
        return []
    links = [(v.language, absolute(v.get_absolute_url())) for v in versions]
    links.append(("x-default", absolute(x_default(versions).get_absolute_url())))
    return links
