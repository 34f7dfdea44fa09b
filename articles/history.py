"""A story's history as editors read it: what each revision changed, word by word.

Revisions are django-reversion's: a version of the article and, in the same revision, one of
each of its tag links (models.py follows `taggedarticle_set`). A `Snapshot` reads both back as
the JSON reversion stored, and the story as saved now is serialized the same way, so the two
compare field by field at the precision a revision keeps (datetimes to the millisecond).
"""

import json
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser

import reversion
from django.core import serializers
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from reversion.models import Version
from taggit.models import Tag

from .models import Article, Author, Section, TaggedArticle

# Moves on every save: a save that changes nothing else changed nothing.
IGNORED = frozenset({"updated_at"})
# Diffed word by word; every other field is shown as before -> after.
TEXT_FIELDS = ("headline", "standfirst", "body")


@dataclass(frozen=True)
class Snapshot:
    """A story's fields as a revision stores them (JSON values), and its tags' ids."""

    fields: dict
    tag_ids: frozenset

    @classmethod
    def from_json(cls, fields, tag_ids):
        kept = {name: _comparable(value) for name, value in fields.items() if name not in IGNORED}
        return cls(kept, frozenset(tag_ids))


def _comparable(value):
    if isinstance(value, list):
        return sorted(value)  # many-to-many ids, in whatever order the database gave them
    if isinstance(value, str):
        return value.replace("\r\n", "\n")  # a browser sends a textarea's lines as CRLF
    return value


def snapshot_of(article):
    """The story as saved now, as a revision of it would store it."""
    (row,) = json.loads(serializers.serialize("json", [article]))
    tag_ids = TaggedArticle.objects.filter(content_object=article).values_list("tag", flat=True)
    return Snapshot.from_json(row["fields"], tag_ids)


def snapshots_of(versions):
    """{version pk: Snapshot} for versions of articles, in two queries whatever their number."""
    versions = list(versions)
    links = Version.objects.get_for_model(TaggedArticle).filter(
        revision__in={version.revision_id for version in versions}
    )
    tags_by_revision = {}
    for link in links.values("revision_id", "serialized_data"):
        (row,) = json.loads(link["serialized_data"])
        key = (link["revision_id"], str(row["fields"]["content_object"]))
        tags_by_revision.setdefault(key, set()).add(row["fields"]["tag"])
    snapshots = {}
    for version in versions:
        (row,) = json.loads(version.serialized_data)
        tag_ids = tags_by_revision.get((version.revision_id, version.object_id), ())
        snapshots[version.pk] = Snapshot.from_json(row["fields"], tag_ids)
    return snapshots


def changed_since_last_revision(article):
    """Whether the story as saved differs from its latest revision (True if it has none)."""
    latest = Version.objects.get_for_object(article).order_by("-pk").first()
    if latest is None:
        return True
    return snapshots_of([latest])[latest.pk] != snapshot_of(article)


def started_by():
    """The user of each story's first revision (a subquery on article rows): whose story it is.

    Authors are bylines, not users; whoever saved a story first is the one who began it.
    """
    first = (
        Version.objects.get_for_model(Article)
        .filter(object_id=Cast(OuterRef("pk"), CharField()))
        .order_by("pk")
        .values("revision__user")[:1]
    )
    return Subquery(first)


def record_revisions(articles, *, comment):
    """Give each of `articles` whose history does not hold it as saved a revision of its own.

    For stories written without the admin (`loaddata`, the seed): one with no revision gets
    its first, one a fixture has overwritten gets the version it now has. Each story gets its
    own revision, as a save would, so restoring one never restores another.
    """
    for article in articles.order_by("pk"):
        if changed_since_last_revision(article):
            record_revision(article, comment=comment)


def record_revision(article, *, comment):
    """Keep the story as saved now as a revision with no user (a command, not a person)."""
    with reversion.create_revision():
        reversion.set_comment(comment)
        reversion.add_to_revision(article)


# What changed between two snapshots.


@dataclass
class Change:
    """One field that changed. Text fields carry `paragraphs` of (op, words) pieces, where op
    is "same", "del" or "ins" (a paragraph of only ("gap", n) stands for n unchanged ones);
    tags carry `added` and `removed`; anything else `before` and `after`."""

    name: str
    label: str
    before: str = ""
    after: str = ""
    paragraphs: list = field(default_factory=list)
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def kind(self):
        if self.name in TEXT_FIELDS:
            return "text"
        return "tags" if self.name == "tags" else "value"

    @property
    def summary(self):
        """A few words for the list of revisions: "Body: +12 −3 words", "Tags: +Syria"."""
        if self.kind == "text":
            pieces = [piece for paragraph in self.paragraphs for piece in paragraph]
            counts = {
                op: sum(len(text.split()) for kind, text in pieces if kind == op)
                for op in ("ins", "del")
            }
            words = " ".join(
                f"{sign}{counts[op]}" for op, sign in (("ins", "+"), ("del", "−")) if counts[op]
            )
            return f"{self.label}: {words} words" if words else self.label
        if self.kind == "tags":
            marks = [f"+{name}" for name in self.added] + [f"−{name}" for name in self.removed]
            return f"{self.label}: {', '.join(marks)}"
        return f"{self.label}: {self.before} → {self.after}"


class Names:
    """Names for the ids that snapshots hold (sections, authors, tags): one query per kind."""

    def __init__(self, snapshots):
        snapshots = [s for s in snapshots if s is not None]
        sections = {s.fields.get("section") for s in snapshots}
        authors = {pk for s in snapshots for pk in s.fields.get("authors", ())}
        tags = {pk for s in snapshots for pk in s.tag_ids}
        stories = {pk for s in snapshots for pk in s.fields.get("related", ())}
        self.sections = _names(Section, sections)
        self.authors = _names(Author, authors)
        self.tags = _names(Tag, tags)
        self.stories = _names(Article, stories, field="headline")


def _names(model, ids, field="name"):
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", field))


def changes_between(old, new, names):
    """The changes from snapshot `old` to `new`, in the order of the change form's fields."""
    if old is None:
        return []
    changes = []
    for model_field in Article._meta.get_fields():
        name = model_field.name
        if name not in new.fields or name in IGNORED:
            continue
        before, after = old.fields.get(name), new.fields[name]
        if before == after:
            continue
        label = str(model_field.verbose_name).capitalize()
        if name in TEXT_FIELDS:
            paragraphs = text_diff(before or "", after or "", html=name == "body")
            changes.append(Change(name, label, paragraphs=paragraphs))
        else:
            shown = (_shown(name, before, names), _shown(name, after, names))
            changes.append(Change(name, label, before=shown[0], after=shown[1]))
    if old.tag_ids != new.tag_ids:
        changes.append(
            Change(
                "tags",
                "Tags",
                added=_tag_names(new.tag_ids - old.tag_ids, names),
                removed=_tag_names(old.tag_ids - new.tag_ids, names),
            )
        )
    return changes


def _tag_names(ids, names):
    # A tag deleted since the revision was made has no name left to show.
    return sorted(names.tags.get(pk, f"(deleted tag {pk})") for pk in ids)


def _shown(name, value, names):
    """A stored value as an editor reads it."""
    if value in (None, "", []):
        return "(empty)"
    if name == "section":
        return names.sections.get(value, f"(deleted section {value})")
    if name == "authors":
        return ", ".join(names.authors.get(pk, f"(deleted author {pk})") for pk in value)
    if name == "related":
        return ", ".join(names.stories.get(pk, f"(deleted story {pk})") for pk in value)
    choices = dict(Article._meta.get_field(name).flatchoices)
    if choices:
        return str(choices.get(value, value))
    when = parse_datetime(value) if isinstance(value, str) else None
    if when is not None and when.tzinfo is not None:
        return formats.date_format(timezone.localtime(when), "j F Y, H:i T")
    return str(value)


# Word-level diffs.


def text_diff(old, new, *, html=False):
    """Paragraphs of (op, text) pieces turning `old` into `new`, word by word.

    Paragraphs nobody touched collapse into one ("gap", count) piece, so a one-word fix in a
    long story shows that paragraph alone.
    """
    a, b = (blocks_of(old), blocks_of(new)) if html else ([old], [new])
    paragraphs = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            paragraphs.append([("gap", i2 - i1)])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for n in range(max(len(olds), len(news))):
            paragraphs.append(
                word_diff(olds[n] if n < len(olds) else "", news[n] if n < len(news) else "")
            )
    return paragraphs


def word_diff(old, new):
    """[(op, text)] with op "same", "del" or "ins", turning the words of `old` into `new`."""
    a, b = old.split(), new.split()
    pieces = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", " ".join(b[j1:j2])))
    return pieces


# Where one paragraph of a story ends and the next begins.
BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "br", "hr", "ul", "ol"})


class _BlockText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self._words = [], []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        # A body that came as plain text keeps its paragraphs at blank lines.
        parts = data.replace("\r\n", "\n").split("\n\n")
        for n, part in enumerate(parts):
            if n:
                self.flush()
            self._words.append(part)

    def flush(self):
        text = " ".join("".join(self._words).split())
        if text:
            self.blocks.append(text)
        self._words = []


def blocks_of(html_text):
    """The text of each paragraph, heading, list item or quote in a story body."""
    parser = _BlockText()
    parser.feed(html_text)
    parser.close()
    parser.flush()
    return parser.blocks
