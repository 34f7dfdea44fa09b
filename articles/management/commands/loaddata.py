"""Django's loaddata, refusing bad fixtures with a message that names the object and field.

Every JSON fixture of the call is read and checked first (articles/fixture_checks.py); when
anything is wrong nothing is written. The rows are then loaded by Django's own code, in one
transaction as always, and a fault only the database can see (or one in a fixture read from
stdin or in another format, which are not checked beforehand) still names its object and
rolls everything back.
"""

import json
import os

from django.core import serializers
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.db import DatabaseError, models
from django.utils import timezone

from articles.fixture_checks import FixtureChecker, format_problems


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database, after checking every row: a fixture "
        "with a fault is refused whole, with the object and field at fault named."
    )

    def loaddata(self, fixture_labels):
        self.check_fixtures(fixture_labels)
        super().loaddata(fixture_labels)

    def check_fixtures(self, fixture_labels):
        self.serialization_formats = serializers.get_public_serializer_formats()
        checker = FixtureChecker(
            self.using,
            ignore_unknown_fields=self.ignore,
            skip_model=self.is_excluded,
        )
        for label in fixture_labels:
            for fixture_file, _dir, _name in self.find_fixtures(label):
                if fixture_file == "-":
                    continue  # stdin reads once: its rows are checked as they are saved
                _, ser_fmt, cmp_fmt = self.parse_name(os.path.basename(fixture_file))
                if ser_fmt != "json":
                    continue
                open_method, mode = self.compression_formats[cmp_fmt]
                with open_method(fixture_file, mode) as fixture:
                    data = fixture.read()
                try:
                    rows = json.loads(data)
                except ValueError as exc:
                    raise CommandError(
                        f"Nothing was loaded: {os.path.basename(fixture_file)} is not valid "
                        f"JSON: {exc}"
                    ) from exc
                del data
                checker.add_file(fixture_file, rows)
        problems = checker.check()
        if problems:
            raise CommandError(format_problems(problems))

    def is_excluded(self, model):
        return model._meta.app_config in self.excluded_apps or model in self.excluded_models

    def save_obj(self, obj):
        problem = unsaveable(obj)
        if problem:
            raise CommandError(f"Nothing was loaded: {label(obj.object)}: {problem}")
        try:
            return super().save_obj(obj)
        except (DatabaseError, ValueError) as exc:
            # Django names the row by id, which rows loaded by natural key do not have yet.
            raise CommandError(f"Nothing was loaded: {label(obj.object)}: {exc}") from exc


def unsaveable(obj):
    """What the checks above cannot see in a row about to be saved (stdin, other formats)."""
    instance = obj.object
    for field, value in obj.deferred_fields.items():
        if field.many_to_one and not field.null:
            return (
                f'field "{field.name}": no {field.related_model._meta.label_lower} with natural '
                f"key {value} is loaded before it (objects must come after those they name)"
            )
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, models.DateTimeField) and value and timezone.is_naive(value):
            return f'field "{field.name}": {value.isoformat()} has no time zone'
    return None


def label(instance):
    try:
        return f"{instance._meta.label_lower} {list(instance.natural_key())}"
    except Exception:
        return f"{instance._meta.label_lower} id {instance.pk}"
