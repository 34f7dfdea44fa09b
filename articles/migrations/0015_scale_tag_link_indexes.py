"""Two PostgreSQL indexes for the tag sitemap (README, Benchmarks: Scale).

Each tag's date is the newest change among its live stories: its links from the index alone
(tag, story), then "is this story live, and when did it change" from the index alone (id
INCLUDE ...). PostgreSQL only: SQLite has no INCLUDE (a plain index on its rowid would copy the
table's own key), and with a (tag, story) index it planned the related-stories query of the
story page as a probe per live story (70 to 180 ms at 100,000), so neither is in the models.
"""

from django.db import migrations

INDEXES = {
    "article_live_by_id_idx": (
        "articles_article (id) INCLUDE (status, published_at, expires_at, updated_at)"
    ),
    "taggedarticle_tag_story_idx": "articles_taggedarticle (tag_id, content_object_id)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_scale_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
