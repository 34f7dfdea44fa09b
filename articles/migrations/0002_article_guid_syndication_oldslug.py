import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def fill_guids(apps, schema_editor):
    # Stories that exist before this migration get a guid from their slug (unique today).
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.filter(guid__isnull=True).only("pk", "slug"):
        article.guid = uuid.uuid5(uuid.NAMESPACE_URL, f"newsroom:article:{article.slug}")
        article.save(update_fields=["guid"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        # A new non-null unique field arrives in steps: add nullable, fill, require.
        migrations.AddField(
            model_name="article",
            name="guid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_guids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="guid",
            field=models.UUIDField(
                blank=True,
                editable=False,
                help_text="Permanent id for feeds; made from the first slug and never changed.",
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="syndication_indexing",
            field=models.CharField(
                choices=[
                    ("self", "Canonical to this page, marked as based on the source"),
                    ("source", "Canonical to the original at the source URL"),
                    ("noindex", "Ask search engines not to index this copy"),
                ],
                default="self",
                help_text="For syndicated copy: how search engines should treat this page.",
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="OldSlug",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(allow_unicode=True, max_length=300, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="old_slugs",
                        to="articles.article",
                    ),
                ),
            ],
            options={"ordering": ["-created_at"]},
        ),
    ]
