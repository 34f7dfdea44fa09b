from django.db import migrations, models

import photos.renditions


def give_each_picture_a_key(apps, schema_editor):
    Image = apps.get_model("photos", "Image")
    for image in Image.objects.filter(rendition_key__isnull=True).only("pk"):
        image.rendition_key = photos.renditions.new_key()
        image.save(update_fields=["rendition_key"])


class Migration(migrations.Migration):
    dependencies = [("photos", "0002_picture_desk_roles")]

    # In steps: a callable default on a new column would give every existing row one key.
    operations = [
        migrations.AddField(
            model_name="image",
            name="rendition_key",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_each_picture_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="image",
            name="rendition_key",
            field=models.CharField(
                default=photos.renditions.new_key, editable=False, max_length=32, unique=True
            ),
        ),
    ]
