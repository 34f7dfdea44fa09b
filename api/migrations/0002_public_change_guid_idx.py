from django.db import migrations, models


class Migration(migrations.Migration):
    """A story's changes are found by its guid, which a deleted story's rows keep too."""

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="publicchange",
            name="public_change_article_idx",
        ),
        migrations.AddIndex(
            model_name="publicchange",
            index=models.Index(fields=["guid", "at", "id"], name="public_change_guid_idx"),
        ),
    ]
