"""Stories get a lead picture (photos.Image) and a caption of their own for it.

Adding these columns makes SQLite rebuild articles_article (copy, drop, rename), and the
search triggers of 0003 that name that table then break the rebuild. They are dropped
before and made again after, with the very statements 0003 uses. PostgreSQL alters the
table in place and needs none of this.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

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

    dependencies = [
        ('articles', '0010_article_body_has_text'),
        ('photos', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(sqlite_only(DROP_TRIGGERS), sqlite_only(CREATE_TRIGGERS)),
        migrations.AddField(
            model_name='article',
            name='lead_image',
            field=models.ForeignKey(blank=True, help_text='Shown at the top of the story. It needs alt text and a credit to go live.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lead_of', to='photos.image', verbose_name='lead picture'),
        ),
        migrations.AddField(
            model_name='article',
            name='lead_image_caption',
            field=models.TextField(blank=True, help_text="Leave empty to print the picture's own caption.", verbose_name='caption for this story'),
        ),
        migrations.RunPython(sqlite_only(CREATE_TRIGGERS), sqlite_only(DROP_TRIGGERS)),
    ]
