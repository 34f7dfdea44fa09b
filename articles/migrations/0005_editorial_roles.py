"""The two newsroom roles, as groups an administrator puts staff into.

Reporters write drafts and submit them for review; editors also publish, schedule, unpublish
and withdraw (articles.publish_article), keep corrections and look after sections, authors and
tags. Nobody but a superuser deletes an article: a story that was public is withdrawn (410).
Running it again only adds what is missing; reversing it deletes the two groups, and with them
who was in which.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = [
    ("articles", "article", "add_article"),
    ("articles", "article", "change_article"),
    ("articles", "article", "view_article"),
    ("articles", "correction", "view_correction"),
    ("articles", "section", "view_section"),
    ("articles", "author", "view_author"),
    ("taggit", "tag", "view_tag"),
]
EDITOR = REPORTER + [
    ("articles", "article", "publish_article"),
    ("articles", "correction", "add_correction"),
    ("articles", "correction", "change_correction"),
    ("articles", "correction", "delete_correction"),
    ("articles", "section", "add_section"),
    ("articles", "section", "change_section"),
    ("articles", "author", "add_author"),
    ("articles", "author", "change_author"),
    ("taggit", "tag", "add_tag"),
    ("taggit", "tag", "change_tag"),
]
ROLES = {"Reporter": REPORTER, "Editor": EDITOR}


def create_roles(apps, schema_editor):
    alias = schema_editor.connection.alias
    # Django makes permissions after the last migration (post_migrate); on a fresh database
    # they do not exist yet, so make them now from these historical models.
    for label in ("articles", "taggit"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=alias, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.using(alias).get(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=codename,
                )
                for app_label, model, codename in perms
            ]
        )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_workflow_permissions_public_update_corrections"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
