"""Editors arrange the front page and section pages: they get the pins. Reporters do not.

Permissions in the shape of articles 0005's ROLES (app, model, codename), so the browser
tests' `staff` fixture can make them again after a flush. Reversing takes them away from the
group and leaves the group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    ("curation", "pin", "add_pin"),
    ("curation", "pin", "change_pin"),
    ("curation", "pin", "delete_pin"),
    ("curation", "pin", "view_pin"),
]
ROLES = {"Editor": EDITOR}


def permissions(apps, alias):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(alias).filter(
        content_type__app_label="curation", codename__in=[perm for _, _, perm in EDITOR]
    )


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    # As in articles 0005: on a fresh database the permissions do not exist yet.
    app_config = apps.get_app_config("curation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=alias, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.add(*permissions(apps, alias))


def revoke(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.remove(*permissions(apps, alias))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_pins"),
        ("articles", "0005_editorial_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
