"""Checks fixture rows before `loaddata` writes any of them, so bad input is named, not half-loaded.

Django's own loader reports a bad row without saying which row or field it was
("field_value was '2021-13-45'"), lets an unknown natural key in a required foreign key reach
the database as NULL ("NOT NULL constraint failed"), accepts naive datetimes with a warning and
saves an article without a headline. These checks read the parsed JSON rows of every fixture
in a load, in two passes (what the rows define, then what they say), and describe each fault
by file, object number, model, key and field. `why_unsaveable()` checks a row again as it is
saved, for fixtures that cannot be read ahead (stdin, XML, YAML).
"""

import codecs
import json
import os
import warnings
from collections import defaultdict
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    SuspiciousFileOperation,
    ValidationError,
)
from django.db import models
from django.utils import timezone

from articles import languages
from articles.sanitize import clean_body, picture_references, uncarriable
from photos.checks import stored_file_problem

# A story's model, whose language and translation link are checked as a whole.
ARTICLE_MODEL = "articles.article"

# The body that names library pictures by natural key, and their model.
PICTURE_BODY = ("articles.article", "body")
PICTURE_MODEL = "photos.image"

# Fields a fixture may leave out although the model requires them, because they are filled as
# the row is saved (articles/signals.py makes a tag's slug from its name).
FILLED_ON_LOAD = {"taggit.tag": {"slug"}}

MAX_REPORTED = 20

_UNKNOWN = object()  # a natural key that cannot be computed from the row alone


class FixtureChecker:
    """Collects the faults of one `loaddata` call; `problems` is empty when it may go ahead."""

    def __init__(self, using, *, ignore_unknown_fields=False, skip_model=lambda model: False):
        self.using = using
        self.ignore_unknown_fields = ignore_unknown_fields
        self.skip_model = skip_model
        self.files = []  # (file name, rows)
        self.problems = []
        self.defined_keys = defaultdict(set)  # model -> natural keys the rows define
        self.defined_at = defaultdict(dict)  # model -> {natural key: (file, object) first}
        self.position = None  # (file, object) of the row being checked
        self.defined_pks = defaultdict(set)  # model -> ids the rows carry
        self.models_without_ids = set()  # models with rows written with --natural-primary
        self.models_with_unknown_keys = set()
        self.found_in_db = defaultdict(set)  # model -> references already looked up
        self.stories = {}  # slug -> the fields of the fixture's story row with that slug

    def add_file(self, name, data):
        """Read one JSON fixture from its bytes (or text, as stdin gives it)."""
        try:
            data = as_text(data)  # the bytes go now: a large fixture is not held three times
            rows = read_json(data)
        except ValueError as exc:
            self.problems.append(f"{os.path.basename(name)} {exc}")
            return
        if not isinstance(rows, list):
            self.problems.append(f"{os.path.basename(name)}: a fixture is a JSON list of objects")
            return
        self.files.append((name, rows))

    def check(self):
        for index, (name, rows) in enumerate(self.files):
            self._collect_definitions(index, name, rows)
        for index, (name, rows) in enumerate(self.files):
            for number, row in enumerate(rows, start=1):
                self.position = (index, number)
                self._check_row(name, number, row)
        return self.problems

    # First pass: what the rows define, so references to them need no database lookup.

    def _collect_definitions(self, index, name, rows):
        unique_seen = {}
        ids_to_check = defaultdict(dict)  # model -> {id: (where, natural key, fields)}
        for number, row in enumerate(rows, start=1):
            model = self._model(row)
            if model is None or self.skip_model(model) or not isinstance(row.get("fields"), dict):
                continue
            fields = row.get("fields", {})
            key = row_natural_key(model, fields)
            where = describe(name, number, model, key, row.get("pk"))
            if model._meta.label_lower == ARTICLE_MODEL and isinstance(fields.get("slug"), str):
                self.stories[fields["slug"]] = fields
            if key is _UNKNOWN:
                self.models_with_unknown_keys.add(model)
            elif key is not None:
                self.defined_keys[model].add(key)
                self.defined_at[model].setdefault(key, (index, number))
            if row.get("pk") is None:
                self.models_without_ids.add(model)
            else:
                self.defined_pks[model].add(str(row["pk"]))
                # A bad id is reported by the second pass.
                if key is not _UNKNOWN and not check_plain_value(model._meta.pk, row["pk"]):
                    pk = model._meta.pk.to_python(row["pk"])
                    ids_to_check[model][pk] = (where, key, fields)
            for field in model._meta.concrete_fields:
                value = fields.get(field.name)
                if not field.unique or field.primary_key or value in (None, ""):
                    continue
                earlier = unique_seen.setdefault((model, field.name, str(value)), number)
                if earlier != number:
                    self.problems.append(
                        f'{where}: field "{field.name}": {value!r} is already used by '
                        f"object {earlier} of the same file; it must be unique"
                    )
        for model, rows_by_id in ids_to_check.items():
            self._refuse_overwriting_other_rows(model, rows_by_id)

    def _refuse_overwriting_other_rows(self, model, rows_by_id):
        # A row that carries an id (dumped without --natural-primary) replaces whatever row has
        # that id here. In a database that already holds other stories that is someone else's row.
        parents = [field.name for field in model._meta.concrete_fields if field.many_to_one]
        manager = model._default_manager.db_manager(self.using).select_related(*parents)
        for pk, existing in manager.in_bulk(list(rows_by_id)).items():
            where, key, fields = rows_by_id[pk]
            if key is None:
                self._refuse_taking_over(model, pk, existing, where, fields, parents)
            elif tuple(existing.natural_key()) != key:
                self.problems.append(
                    f"{where}: its id {pk} belongs to {model._meta.label_lower} "
                    f"{list(existing.natural_key())} in this database, which loading would "
                    f"overwrite; dump with --natural-foreign --natural-primary to load by key"
                )

    def _refuse_taking_over(self, model, pk, existing, where, fields, parents):
        # Rows without a natural key (a correction, an old slug) keep their ids even with
        # --natural-primary. The row here with that id is another one when it belongs to
        # another story: loading would move it to this one, and its text would be lost.
        for name in parents:
            owner = getattr(existing, name)
            if name in fields and not names_row(fields[name], owner):
                label = model._meta.label_lower
                self.problems.append(
                    f"{where}: its id {pk} belongs to the {label} of {instance_label(owner)} "
                    f"in this database, which loading would overwrite; {label} rows have no "
                    f"natural key and keep their ids, so load them only where those ids are free"
                )
                return

    # Second pass: every field of every row.

    def _check_row(self, name, number, row):
        where = f"{os.path.basename(name)}, object {number}"
        if not isinstance(row, dict) or not isinstance(row.get("model"), str):
            self.problems.append(f'{where}: expected an object with a "model" and its "fields"')
            return
        model = self._model(row)
        if model is None:
            if not self.ignore_unknown_fields:
                self.problems.append(f'{where}: unknown model "{row["model"]}"')
            return
        if self.skip_model(model):
            return
        fields = row.get("fields")
        if not isinstance(fields, dict):
            self.problems.append(f'{where}: expected "fields", an object')
            return
        where = describe(name, number, model, row_natural_key(model, fields), row.get("pk"))
        if row.get("pk") is not None:
            problem = check_plain_value(model._meta.pk, row["pk"])
            if problem:
                self.problems.append(f'{where}: "pk": {problem}')
        for field_name, value in fields.items():
            try:
                field = model._meta.get_field(field_name)
            except FieldDoesNotExist:
                if not self.ignore_unknown_fields:
                    label = model._meta.label_lower
                    self.problems.append(f'{where}: {label} has no field "{field_name}"')
                continue
            if not getattr(field, "serialize", True):
                # A story's tags (taggit): dumpdata never writes them on the story's row.
                self.problems.append(
                    f'{where}: field "{field_name}": not loaded from a row; tag a story with '
                    "articles.taggedarticle rows (README, Fixture format)"
                )
                continue
            problem = (
                self._check_value(field, value)
                or missing_file(field, value)
                or self._missing_pictures(field, value)
            )
            if problem:
                self.problems.append(f'{where}: field "{field_name}": {problem}')
        if model._meta.label_lower == ARTICLE_MODEL:
            self.problems += [f"{where}: {p}" for p in self._story_language_problems(fields)]
        if model._meta.label_lower == "photos.image" and isinstance(fields.get("file"), str):
            problem = self._unfit_picture(model, fields)
            if problem:
                self.problems.append(f'{where}: field "file": {problem}')
        filled = FILLED_ON_LOAD.get(model._meta.label_lower, set())
        for field in model._meta.concrete_fields:
            required = not (field.primary_key or field.blank or field.has_default())
            if required and field.name not in fields and field.name not in filled:
                self.problems.append(f'{where}: field "{field.name}" is missing; it is required')

    def _story_language_problems(self, fields):
        """Why a story's language or translation link will not do (issue 17)."""
        language = fields.get("language")
        if language is not None and language not in languages.codes():
            yield language_problem(language)
        original = fields.get("translation_of")
        if not (isinstance(original, list) and len(original) == 1):
            return  # empty, by id, or malformed (said by the reference check)
        (slug,) = original
        if slug == fields.get("slug"):
            yield 'field "translation_of": a story cannot be a translation of itself'
            return
        manager = apps.get_model(ARTICLE_MODEL)._default_manager.db_manager(self.using)
        if slug in self.stories:
            its_original = self.stories[slug].get("translation_of")
            its_language = self.stories[slug].get("language", languages.default_language())
        else:
            found = manager.filter(slug=slug).values_list("translation_of__slug", "language")
            its_original, its_language = next(iter(found), (None, None))
            its_original = [its_original] if its_original else None
        if its_original:
            yield (
                f'field "translation_of": {original} is itself a translation of '
                f"{its_original}; name the original, {its_original}"
            )
            return
        # Two versions in one language would give one hreflang two addresses.
        language = language or languages.default_language()
        if its_language == language:
            yield (
                f'field "translation_of": the original {original} is in {language!r} too; '
                "a translation is in another language"
            )
            return
        in_file = {
            other
            for other, row in self.stories.items()
            if row.get("translation_of") == original
            and row.get("language", languages.default_language()) == language
        }
        this = fields.get("slug")
        stored = manager.filter(translation_of__slug=slug, language=language)
        stored = stored.exclude(slug__in=in_file | {this}).values_list("slug", flat=True)
        others = sorted(in_file - {this}) + list(stored)
        if others:
            yield (
                f'field "translation_of": {original} already has a translation in {language!r} '
                f"({others[0]}); one version per language"
            )

    def _unfit_picture(self, model, fields):
        field = model._meta.get_field("file")
        if missing_file(field, fields["file"]):
            return None  # said already
        return stored_file_problem(
            field.storage, fields["file"], fields.get("width"), fields.get("height")
        )

    def _check_value(self, field, value):
        if field.many_to_many:
            if not isinstance(value, list):
                return "expected a list of natural keys"
            for item in value:
                problem = self._check_reference(field, item)
                if problem:
                    return problem
            return None
        if field.is_relation:
            if value is None:
                return None if field.null else "is empty; it is required"
            return self._check_reference(field, value)
        return check_plain_value(field, value)

    def _check_reference(self, field, value):
        target = field.related_model
        label = target._meta.label_lower
        if isinstance(value, list):
            if not all(is_single_value(part) for part in value):
                return f"{value} is not a natural key of {label}: a list of single values"
            key = tuple(value)
            defined_at = self.defined_at[target].get(key)
            if defined_at is not None and (defined_at < self.position or not must_precede(field)):
                return None
            if key in self.found_in_db[target]:
                return None
            if defined_at is None and target in self.models_with_unknown_keys:
                return None  # rows of this model define keys we cannot compute: let Django judge
            manager = target._default_manager.db_manager(self.using)
            if not hasattr(manager, "get_by_natural_key"):
                return f"{label} has no natural key; name it by id"
            try:
                manager.get_by_natural_key(*key)
            except ObjectDoesNotExist:
                if defined_at is not None:
                    # Django's loader cannot hold back a required reference, and the
                    # per-row path (stdin, XML) refuses it: so does this one, alike.
                    return (
                        f"no {label} with natural key {value} is loaded before it "
                        f"(objects must come after those they name)"
                    )
                return f"no {label} with natural key {value} in the fixture or the database"
            except (TypeError, ValueError) as exc:
                return f"{value} is not a natural key of {label}: {exc}"
            self.found_in_db[target].add(key)
            return None
        if target in self.models_without_ids:
            return (
                f"names {label} by id {value!r}, but the fixture's {label} rows carry no ids "
                f"(dumped with --natural-primary but without --natural-foreign?); "
                f"dump with --natural-foreign"
            )
        if str(value) in self.defined_pks[target] or str(value) in self.found_in_db[target]:
            return None
        try:
            exists = target._default_manager.db_manager(self.using).filter(pk=value).exists()
        except (TypeError, ValueError, ValidationError):
            exists = False
        if not exists:
            return f"no {label} with id {value!r} in the fixture or the database"
        self.found_in_db[target].add(str(value))
        return None

    def _missing_pictures(self, field, value):
        """Why a story's body shows a picture that will not be there, or None.

        The body names library pictures by natural key (articles/sanitize.py), not by a
        foreign key, so Django would load a reference to nothing and the page would show
        nothing in its place. A picture the fixture itself holds will be there, wherever
        its row is (rows saved after the story included).
        """
        if (field.model._meta.label_lower, field.name) != PICTURE_BODY:
            return None
        if not isinstance(value, str):
            return None  # reported by the field's own check
        if "figure" not in value.lower():
            return None  # a picture is a <figure> (articles/sanitize.py): no need to clean
        image = apps.get_model(PICTURE_MODEL)
        known = self.defined_keys[image] | self.found_in_db[image]
        keys = dict.fromkeys(key for key, _ in picture_references(clean_body(value)))
        unknown = [key for key in keys if (key,) not in known]
        if not unknown:
            return None
        manager = image._default_manager.db_manager(self.using)
        found = set(manager.filter(file__in=unknown).values_list("file", flat=True))
        self.found_in_db[image].update((key,) for key in found)
        missing = [key for key in unknown if key not in found]
        if not missing:
            return None
        named = ", ".join(f"{PICTURE_MODEL} {[key]}" for key in missing)
        return (
            f"shows {named}, which is neither in the fixture nor in the database; add the "
            f"picture's row (and its file in the media folder) or take it out of the body"
        )

    def _model(self, row):
        if not isinstance(row, dict) or not isinstance(row.get("model"), str):
            return None
        try:
            return apps.get_model(row["model"])
        except (LookupError, ValueError):
            return None


def read_json(data):
    """The JSON in a fixture's bytes, or ValueError saying why it cannot be read.

    Read as Django's loader reads it, UTF-8 only, but past a byte-order mark (Windows editors
    write one, and the loader here skips it too).
    """
    try:
        return json.loads(without_byte_order_mark(as_text(data)))
    except RecursionError:
        raise ValueError(
            "is nested too deeply to read: arrays or objects inside each other, thousands deep"
        ) from None
    except ValueError as exc:
        raise ValueError(f"is not valid JSON: {exc}") from exc


def as_text(data):
    """A fixture's bytes as text, or ValueError if they are not UTF-8."""
    if not isinstance(data, bytes):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def without_byte_order_mark(data):
    """A fixture's bytes or text without the UTF-8 byte-order mark Django's loader refuses."""
    if isinstance(data, bytes):
        return data.removeprefix(codecs.BOM_UTF8)
    return data.removeprefix("\ufeff")


def must_precede(field):
    """Whether a row naming another by this field must come after it: a required foreign key."""
    return field.many_to_one and not field.null


def is_single_value(value):
    return not isinstance(value, list | dict)


def check_plain_value(field, value):
    """Why a fixture value will not do for this field, or None."""
    if not is_single_value(value) and not isinstance(field, models.JSONField):
        # Django would store str(value), and a list nested hundreds deep overflows the stack.
        kind = "a list" if isinstance(value, list) else "an object"
        return f"expected a single value, not {kind}"
    if isinstance(value, str):
        problem = uncarriable(value)
        if problem:
            return problem
    try:
        with warnings.catch_warnings():
            # A date without a time is parsed as naive midnight with a warning; refused below.
            warnings.simplefilter("ignore", RuntimeWarning)
            cleaned = field.clean(value, None)
    except ValidationError as exc:
        return " ".join(exc.messages)
    except (TypeError, ValueError) as exc:
        return f"{value!r} will not do: {exc}"
    if isinstance(field, models.DateTimeField) and isinstance(cleaned, datetime):
        if timezone.is_naive(cleaned):
            return (
                f"{value!r} has no time zone; write UTC as 2021-09-14T11:00:00Z "
                f"or give the offset, as 2021-09-14T12:00:00+01:00"
            )
    return None


def language_problem(language):
    known = ", ".join(languages.codes())
    return (
        f'field "language": {language!r} is not one of this site\'s languages ({known}); '
        f"add it to NEWSROOM_LANGUAGES or use one of these"
    )


def why_unsaveable(obj):
    """Why a deserialized row may not be saved, or None: the checks above, as rows are saved.

    For fixtures that could not be read ahead (stdin, XML, YAML).
    """
    instance = obj.object
    if instance._meta.label_lower == ARTICLE_MODEL:
        if instance.language not in languages.codes():
            return language_problem(instance.language)
        if instance.translation_of_id is not None and instance.translation_of.translation_of_id:
            return (
                f'field "translation_of": {instance.translation_of.slug!r} is itself a '
                f"translation; name its original, {instance.translation_of.translation_of.slug!r}"
            )
    for field, value in obj.deferred_fields.items():
        if field.many_to_one and not field.null:
            return (
                f'field "{field.name}": no {field.related_model._meta.label_lower} with natural '
                f"key {value} is loaded before it (objects must come after those they name)"
            )
    filled = FILLED_ON_LOAD.get(instance._meta.label_lower, set())
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.is_relation or value is None or (field.name in filled and not value):
            continue
        # As a fixture would write it, so the message reads like the one for a file.
        written = field.value_to_string(instance)
        problem = check_plain_value(field, written) or missing_file(field, written)
        if problem:
            return f'field "{field.name}": {problem}'
    return None


def missing_file(field, value):
    """Why a file field's value names no stored file, or None (a picture's file travels beside
    the fixture: copy the media folder into MEDIA_ROOT first)."""
    if not isinstance(field, models.FileField) or not isinstance(value, str) or not value:
        return None
    try:
        if field.storage.exists(value):
            return None
    except SuspiciousFileOperation:
        return f"{value!r} points outside the media folder"
    return (
        f"the file {value!r} is not in the media folder ({settings.MEDIA_ROOT}); copy the "
        f"fixture's media files there first"
    )


def names_row(reference, instance):
    """Whether a fixture's reference (a natural key or an id) names this row."""
    if instance is None or reference is None:
        return instance is reference
    if isinstance(reference, list):
        return hasattr(instance, "natural_key") and list(instance.natural_key()) == reference
    return str(instance.pk) == str(reference)


def instance_label(instance):
    """A deserialized row by natural key, else by id."""
    try:
        return f"{instance._meta.label_lower} {list(instance.natural_key())}"
    except Exception:
        return f"{instance._meta.label_lower} id {instance.pk}"


def row_natural_key(model, fields):
    """The natural key a row will have once saved, None if the model has none, else _UNKNOWN."""
    if not hasattr(model, "natural_key"):
        return None
    if getattr(model.natural_key, "dependencies", None):
        return _UNKNOWN  # the key names related rows (a tag link's article and tag)
    plain = {
        field.attname: fields[field.name]
        for field in model._meta.concrete_fields
        if not field.is_relation and field.name in fields
    }
    try:
        return tuple(model(**plain).natural_key())
    except Exception:
        # The key needs a related row (a tag link's article and tag), or the row is broken and
        # the second pass says how.
        return _UNKNOWN


def describe(name, number, model, key=None, pk=None):
    what = model._meta.label_lower
    if key not in (None, _UNKNOWN):
        what += f" {list(key)}"
    elif pk is not None:
        what += f" id {pk}"
    return f"{os.path.basename(name)}, object {number} ({what})"


def format_problems(problems):
    shown = problems[:MAX_REPORTED]
    more = len(problems) - len(shown)
    lines = [f"Nothing was loaded: the fixture has {len(problems)} fault(s).", *shown]
    if more:
        lines.append(f"... and {more} more")
    return "\n".join(lines)
