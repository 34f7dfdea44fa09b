"""Django's loaddata, refusing bad fixtures with a message that names the object and field.

Every JSON fixture of the call is read and checked first (articles/fixture_checks.py); when
anything is wrong nothing is written. When every fixture of the call was read that way, the
checked rows are written in bulk (articles/bulk_load.py); otherwise (stdin, XML, YAML) they
are loaded by Django's own code, row by row. Either way it is one transaction, as always, and
a fault only the database can see (or one in a fixture that could not be checked beforehand)
still names its object and rolls everything back. `--no-checks` is Django's loaddata,
unchanged.

Each story loaded gets a revision (articles/history.py) in the same transaction unless its
history already holds it as loaded (or `--no-checks` is given): its History starts at the
load instead of saying it came from nowhere, and a story a fixture overwrote shows what the
fixture changed.
"""

import io
import os
import warnings

from django.apps import apps
from django.core import serializers
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.db import DatabaseError, connections, router
from django.utils.functional import cached_property

from articles.bulk_load import BulkLoader, NotInBulk, record_revisions_in_bulk
from articles.fixture_checks import (
    FixtureChecker,
    format_problems,
    instance_label,
    why_unsaveable,
    without_byte_order_mark,
)
from articles.history import record_revisions
from articles.models import Article
from articles.public_changes import mark_public_change


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database: Django's loaddata with checks added "
        "(articles/fixture_checks.py). Every JSON fixture is read and checked before anything "
        "is written, and a fixture with any fault is refused whole, naming the file, object "
        "and field of each fault. Checked JSON rows are written in bulk (articles/bulk_load.py); "
        "rows read from stdin or written as XML or YAML are checked as they are saved, row by "
        "row. A UTF-8 byte-order mark at the start of a file is skipped. "
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
        self.loaded_articles = []
        self.comment = f"Loaded from {', '.join(fixture_labels)}"
        if not self.checks:
            return super().loaddata(fixture_labels)
        files = self.check_fixtures(fixture_labels)
        if files is not None:
            try:
                return self.load_in_bulk(files)
            except NotInBulk:
                pass  # nothing written yet: Django's way, row by row
        super().loaddata(fixture_labels)
        pks = [article.pk for article in self.loaded_articles]
        record_revisions(Article.objects.using(self.using).filter(pk__in=pks), comment=self.comment)

    def check_fixtures(self, fixture_labels):
        """Check every fixture that can be read ahead; refuse the load if any is at fault.

        Returns [(dir, name, rows)] for each fixture file when every fixture was read, else None.
        """
        self.serialization_formats = serializers.get_public_serializer_formats()
        checker = FixtureChecker(
            self.using,
            ignore_unknown_fields=self.ignore,
            skip_model=self.is_excluded,
        )
        found, every_file_read = [], True
        for label in fixture_labels:
            for fixture_file, fixture_dir, fixture_name in self.find_fixtures(label):
                _, ser_fmt, cmp_fmt = self.parse_name(os.path.basename(fixture_file))
                if fixture_file == "-" or ser_fmt != "json":
                    # stdin reads once, and other formats are not parsed here: their rows
                    # are checked as they are saved.
                    every_file_read = False
                    continue
                checker.add_file(fixture_file, self.read_fixture(fixture_file, cmp_fmt))
                found.append((fixture_dir, fixture_name))
        problems = checker.check()
        if problems:
            raise CommandError(format_problems(problems))
        if not every_file_read:
            return None
        return [(*where, rows) for where, (_, rows) in zip(found, checker.files, strict=True)]

    def read_fixture(self, fixture_file, cmp_fmt):
        # Closed before the checker parses it, and passed on with no other reference: the
        # checker lets the bytes go once it has the text (a 55 MiB fixture is not held as
        # bytes, text and parsed rows at once).
        open_method, mode = self.compression_formats[cmp_fmt]
        with open_method(fixture_file, mode) as fixture:
            return fixture.read()

    def load_in_bulk(self, files):
        """Django's loaddata() with the checked rows written in bulk (articles/bulk_load.py).

        Counts, messages, constraint checks and sequence resets as Django's; rows of a model
        this call excludes (--exclude) or the router keeps out are counted, not loaded.
        """
        if not files:
            return  # as Django's: no fixture, no message
        connection = connections[self.using]
        self.fixture_count = self.loaded_object_count = self.fixture_object_count = 0
        self.models = set()
        rows_by_model = {}
        for fixture_dir, fixture_name, rows in files:
            self.fixture_count += 1
            if self.verbosity >= 2:
                where = loaddata.humanize(fixture_dir)
                self.stdout.write(f"Installing json fixture '{fixture_name}' from {where}.")
            in_fixture = 0
            for row in rows:
                try:
                    model = apps.get_model(row["model"])
                except (LookupError, ValueError):
                    continue  # unknown: checked already, so --ignorenonexistent skips it
                in_fixture += 1
                if self.is_excluded(model) or not router.allow_migrate_model(self.using, model):
                    continue
                rows_by_model.setdefault(model, []).append(row)
                self.models.add(model)
                self.loaded_object_count += 1
            self.fixture_object_count += in_fixture
            if in_fixture == 0:
                warnings.warn(
                    f"No fixture data found for '{fixture_name}'. (File format may be invalid.)",
                    RuntimeWarning,
                    stacklevel=2,
                )
        loader = BulkLoader(self.using, ignore_unknown_fields=self.ignore, save_row=self.save_obj)
        self.objs_with_deferred_fields = []
        with connection.constraint_checks_disabled():
            loader.load(rows_by_model)
            for obj in self.objs_with_deferred_fields:
                obj.save_deferred_fields(using=self.using)
        try:
            connection.check_constraints(table_names=[m._meta.db_table for m in self.models])
        except Exception as e:
            e.args = (f"Problem installing fixtures: {e}",)
            raise
        if self.loaded_object_count > 0:
            self.reset_sequences(connection, self.models)
        pks = loader.articles + [article.pk for article in self.loaded_articles]
        record_revisions_in_bulk(pks, using=self.using, comment=self.comment)
        if loader.wrote:
            # Once for the load, where a row-by-row save moves the stamp and purges for each
            # row. Everything, and the clock's list: a story may be scheduled or expire.
            mark_public_change(("site", "clock"))
        if self.verbosity >= 1:
            if self.fixture_object_count == self.loaded_object_count:
                self.stdout.write(
                    f"Installed {self.loaded_object_count} object(s) "
                    f"from {self.fixture_count} fixture(s)"
                )
            else:
                self.stdout.write(
                    f"Installed {self.loaded_object_count} object(s) "
                    f"(of {self.fixture_object_count}) from {self.fixture_count} fixture(s)"
                )

    def is_excluded(self, model):
        return model._meta.app_config in self.excluded_apps or model in self.excluded_models

    def save_obj(self, obj):
        if isinstance(obj.object, Article):
            self.loaded_articles.append(obj.object)  # its pk once saved
            if obj.object.updated_at is None:
                # auto_now fills it on save(), which loading skips: the README promises a
                # default, the same as the bulk path's (articles/bulk_load.py).
                obj.object.updated_at = obj.object.created_at
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
