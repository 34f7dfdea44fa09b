"""The newsroom's roles get the picture library: reporters and editors upload and describe
pictures; only editors delete them (and never one a story shows: Article.lead_image protects it).
Reversing takes these permissions away from the two groups and leaves the groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = ["add_image", "change_image", "view_image"]
EDITOR = REPORTER + ["delete_image"]
ROLES = {"Reporter": REPORTER, "Editor": EDITOR}


def permissions(apps, alias, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(alias).filter(
        content_type__app_label="photos", codename__in=codenames
    )


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    # As in articles 0005: on a fresh database the permissions do not exist yet.
    app_config = apps.get_app_config("photos")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        for group in Group.objects.using(alias).filter(name=name):
            group.permissions.add(*permissions(apps, alias, codenames))


def revoke(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.remove(*permissions(apps, alias, EDITOR))


class Migration(migrations.Migration):
    dependencies = [
        ("photos", "0001_initial"),
        ("articles", "0005_editorial_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
