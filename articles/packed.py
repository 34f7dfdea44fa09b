"""A story's tags, authors and corrections read in the story's own row, as JSON.

`prefetch_related()` costs a query per relation and page; on a story page that was three of
its seven. Here each relation is a correlated subquery aggregating the linked rows into a
JSON array (SQLite's json_group_array, PostgreSQL's jsonb_agg), and the rows are put where a
prefetch would have put them, so `article.tags.all()`, `article.authors.all()` and
`article.corrections.all()` read them without asking again. Each subquery probes the link
table's index on the story's id, so a list of 20 stories stays one query.
"""

from datetime import UTC

from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# json_group_array/json_object on SQLite, jsonb_agg/jsonb_build_object on PostgreSQL: the
# SQL is written out, not built from expressions, because compiling three correlated
# subqueries from Django expressions took longer than running the query (bench/throughput.py).
JSON_FUNCTIONS = {
    "sqlite": ("json_group_array", "json_object"),
    "postgresql": ("jsonb_agg", "jsonb_build_object"),
}


def _packed(vendor, select, joins, link, order):
    """A subquery: one JSON array of the rows linked to the outer story (`link` = its id),
    in the database's `order` (its collation, as the prefetch it replaces had)."""
    array, obj = JSON_FUNCTIONS[vendor]
    where = f'{link} = "articles_article"."id"'
    if vendor == "postgresql":
        fields = ", ".join(f"'{name}', {column}" for name, column in select.items())
        sql = f"(SELECT {array}({obj}({fields}) ORDER BY {order}) FROM {joins} WHERE {where})"
    else:
        # SQLite aggregates in the order of the rows it is given.
        columns = ", ".join(f"{column} AS {name}" for name, column in select.items())
        fields = ", ".join(f"'{name}', x.{name}" for name in select)
        rows = f"SELECT {columns} FROM {joins} WHERE {where} ORDER BY {order}"
        sql = f"(SELECT {array}({obj}({fields})) FROM ({rows}) x)"
    return RawSQL(sql, (), output_field=models.JSONField())


def packed_relations(vendor):
    """Annotations for ArticleQuerySet.for_listing(): tags and authors."""
    from taggit.models import Tag

    from .models import Article, Author, TaggedArticle

    links, tags = TaggedArticle._meta.db_table, Tag._meta.db_table
    authors, author_links = Author._meta.db_table, Article.authors.through._meta.db_table
    names = {"id": "t.id", "name": "t.name", "slug": "t.slug"}
    return {
        "packed_tags": _packed(
            vendor,
            names,
            f"{tags} t JOIN {links} l ON l.tag_id = t.id",
            "l.content_object_id",
            "t.name, t.id",
        ),
        "packed_authors": _packed(
            vendor,
            names,
            f"{authors} t JOIN {author_links} l ON l.author_id = t.id",
            "l.article_id",
            "t.name, t.id",
        ),
    }


def packed_corrections(vendor):
    from .models import Correction

    columns = {name: f"c.{name}" for name in ("id", "kind", "text", "published_at", "created_at")}
    table = f"{Correction._meta.db_table} c"
    order = "c.published_at, c.id"
    return {"packed_corrections": _packed(vendor, columns, table, "c.article_id", order)}


class PackedIterable(ModelIterable):
    """Stories whose packed relations are unpacked into their prefetch caches."""

    def __iter__(self):
        for article in super().__iter__():
            unpack(article)
            yield article


def unpack(article):
    from taggit.models import Tag

    from .models import Author, Correction

    for name, model in (("tags", Tag), ("authors", Author), ("corrections", Correction)):
        packed = article.__dict__.pop(f"packed_{name}", False)
        if packed is False:
            continue  # not asked for
        rows = [_row(model, data, article) for data in packed or ()]
        queryset = getattr(article, name).get_queryset()  # built, not run
        queryset._result_cache = rows  # in the database's order (_packed())
        queryset._prefetch_done = True
        article._prefetched_objects_cache = getattr(article, "_prefetched_objects_cache", {})
        article._prefetched_objects_cache[name] = queryset


def _row(model, data, article):
    for name in ("published_at", "created_at"):
        if name in data:
            data[name] = _datetime(data[name])
    belongs = any(field.name == "article" for field in model._meta.concrete_fields)
    if belongs:  # a correction: its story is this one
        data["article_id"] = article.pk
    # from_db() takes a partial row in the model's own field order.
    names = [field.attname for field in model._meta.concrete_fields if field.attname in data]
    obj = model.from_db(article._state.db, names, [data[name] for name in names])
    if belongs:
        obj._state.fields_cache["article"] = article
    return obj


def _datetime(text):
    # json_agg writes ISO 8601 with an offset; SQLite's JSON, the stored UTC text without one.
    value = parse_datetime(text)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
