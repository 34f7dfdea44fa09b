"""Stories get a language and a link to the original they translate (issue 17).

Every existing story is in the site's default language: the column's default fills them in
the same statement that adds it, so the field needs no nullable first step. Adding these
columns makes SQLite rebuild articles_article, which the search triggers of 0003 break:
they are dropped before and made again after, as 0011 does. PostgreSQL alters in place.
"""

from importlib import import_module

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

import articles.languages

search_index = import_module("articles.migrations.0003_search_index")

DROP_TRIGGERS = [s for s in search_index.SQLITE_BACKWARD if s.startswith("DROP TRIGGER")]
CREATE_TRIGGERS = [s for s in search_index.SQLITE_FORWARD if s.startswith("CREATE TRIGGER")]


def sqlite_only(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_search_statement_triggers")]

    operations = [
        migrations.RunPython(sqlite_only(DROP_TRIGGERS), sqlite_only(CREATE_TRIGGERS)),
        migrations.AddField(
            model_name="article",
            name="language",
            field=models.CharField(
                default=articles.languages.default_language,
                help_text="The language the story is written in.",
                max_length=35,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_of",
            field=models.ForeignKey(
                blank=True,
                help_text="The original story this one translates.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="translations",
                to="articles.article",
                verbose_name="translation of",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                models.F("language"),
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce(
                        "display_date", "original_published_at"
                    ),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="article_language_date_idx",
            ),
        ),
        migrations.RunPython(sqlite_only(CREATE_TRIGGERS), sqlite_only(DROP_TRIGGERS)),
    ]
