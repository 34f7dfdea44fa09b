"""Django's loaddata, refusing bad fixtures with a message that names the object and field.

Every JSON fixture of the call is read and checked first (articles/fixture_checks.py); when
anything is wrong nothing is written. The rows are then loaded by Django's own code, in one
transaction as always, and a fault only the database can see (or one in a fixture read from
stdin or in another format, which are not checked beforehand) still names its object and
rolls everything back. `--no-checks` is Django's loaddata, unchanged.

Each story loaded gets a revision (articles/history.py) in the same transaction unless its
history already holds it as loaded (or `--no-checks` is given): its History starts at the
load instead of saying it came from nowhere, and a story a fixture overwrote shows what the
fixture changed.
"""

import io
import os

from django.core import serializers
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.db import DatabaseError
from django.utils.functional import cached_property

from articles.fixture_checks import (
    FixtureChecker,
    format_problems,
    instance_label,
    why_unsaveable,
    without_byte_order_mark,
)
from articles.history import record_revisions
from articles.models import Article


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database: Django's loaddata with checks added "
        "(articles/fixture_checks.py). Every JSON fixture is read and checked before anything "
        "is written, and a fixture with any fault is refused whole, naming the file, object "
        "and field of each fault; rows read from stdin or written as XML or YAML are checked "
        "as they are saved. A UTF-8 byte-order mark at the start of a file is skipped. "
        "Each story loaded gets a revision unless its history already holds it. "
        "--no-checks runs Django's loaddata unchanged."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-checks",
            action="store_true",
            help="Django's own loaddata: no checks before loading or while saving, "
            "and no byte-order mark skipped. (--skip-checks is another matter: Django's "
            "system checks.)",
        )

    def handle(self, *fixture_labels, no_checks=False, **options):
        self.checks = not no_checks
        super().handle(*fixture_labels, **options)

    @cached_property
    def compression_formats(self):
        formats = loaddata.Command.compression_formats.func(self)
        if not self.checks:
            return formats
        return {name: (read_whole(opener), mode) for name, (opener, mode) in formats.items()}

    def loaddata(self, fixture_labels):
        if self.checks:
            self.check_fixtures(fixture_labels)
        self.loaded_articles = []
        super().loaddata(fixture_labels)
        if self.checks:
            pks = [article.pk for article in self.loaded_articles]
            loaded = Article.objects.using(self.using).filter(pk__in=pks)
            record_revisions(loaded, comment=f"Loaded from {', '.join(fixture_labels)}")

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
                    checker.add_file(fixture_file, fixture.read())
        problems = checker.check()
        if problems:
            raise CommandError(format_problems(problems))

    def is_excluded(self, model):
        return model._meta.app_config in self.excluded_apps or model in self.excluded_models

    def save_obj(self, obj):
        if isinstance(obj.object, Article):
            self.loaded_articles.append(obj.object)  # its pk once saved
        if not self.checks:
            return super().save_obj(obj)
        problem = why_unsaveable(obj)
        if problem:
            raise CommandError(f"Nothing was loaded: {instance_label(obj.object)}: {problem}")
        try:
            return super().save_obj(obj)
        except (DatabaseError, ValueError, OverflowError) as exc:
            # Django names the row by id, which rows loaded by natural key do not have yet.
            raise CommandError(f"Nothing was loaded: {instance_label(obj.object)}: {exc}") from exc


def read_whole(open_method):
    """open_method, giving the file's content without a UTF-8 byte-order mark.

    Django's JSON reader refuses the mark ("Unexpected UTF-8 BOM"), which Windows editors
    write. Its JSON reader reads a file whole anyway; XML and YAML now are too.
    """

    def open_fixture(*args):
        fixture = open_method(*args)
        try:
            data = without_byte_order_mark(fixture.read())
        finally:
            fixture.close()
        return io.StringIO(data) if isinstance(data, str) else io.BytesIO(data)

    return open_fixture
