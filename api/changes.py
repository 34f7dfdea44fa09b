"""The changes feed: what partners replay to keep their copy of our stories in step.

Recording. A story's rows in PublicChange say what readers could see of it, in order:
`published` when it became visible (first time, or again after leaving), `updated` when a
live story changed (a save, a correction added or come due, its tags, authors or related
stories changed), `withdrawn` when it left (withdrawn, unpublished, expired, deleted). Drafts
and stories that never ran have no rows.

- Every save, delete or link change of a story, or of one of its corrections, marks the story
  (receivers below, raw saves of loaddata included; the bulk loader sends `stories_loaded`
  once per load). So does a change to a section, tag, author or picture a live story shows.
  When the transaction commits, record() looks at each marked story once.
- The kind of an immediate change compares the story now with its latest row already due:
  none or withdrawn before and live now is `published`; published or updated before and live
  now is `updated`; published or updated before and not live now is `withdrawn`. Anything
  else (a draft edited, an expired story edited) writes nothing.
- What the clock will do is written ahead: a published story's going live (`published` at
  published_at), its expiry (`withdrawn` at expires_at) and corrections coming due while it
  is live (`updated`). Each time the story is recorded, its rows still ahead are deleted and
  written again from its state, so a rescheduled or unpublished story leaves none behind.
- `at` of an immediate change is taken after the commit, so a row never names a change whose
  data a partner cannot read yet.

Listing. GET changes/ gives the rows whose time has come, in (at, id) order, after a cursor;
rows of the last API_CHANGES_SETTLE_SECONDS are held back so that a row committed a moment
after another, with an earlier `at`, still comes after any cursor a partner holds (see
the README's "Staying in sync" for what this does not cover).
"""

import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field
from taggit.models import Tag

from articles.body_pictures import stories_showing
from articles.bulk_load import stories_loaded
from articles.models import Article, Author, Correction, Section, TaggedArticle
from photos.models import Image

from .http import absolute_url, make_cursor, read_cursor, uncached
from .models import PublicChange
from .problems import bad_parameter
from .schemas import PROBLEM_RESPONSES

router = Router(tags=["changes"])

Kind = PublicChange.Kind
SHOWN = {Kind.PUBLISHED, Kind.UPDATED}  # kinds after which the story is on partners' sites
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
BATCH = 500  # stories recorded per round of queries
CURSOR_MARK = "changes"
# Where a partner starts: before every row.
BEGINNING = (datetime(1970, 1, 1, tzinfo=UTC), 0)


# Recording -------------------------------------------------------------------------------

# Stories marked in this thread's open transaction: {pk: guid of a deleted story, or None}.
# A rolled-back transaction leaves its marks behind; they are recorded with the next commit
# that marks the same story, from its state then, which is the right answer anyway.
_marked = threading.local()


def mark(pks, *, deleted=None):
    """Record these stories (pks) when the transaction commits; `deleted` is the guid of a
    story being deleted, which will not be there to read by then."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    marked = getattr(_marked, "stories", None)
    if marked is None:
        marked = _marked.stories = {}
    for pk in pks:
        if deleted is not None:
            marked[pk] = deleted
        else:
            marked.setdefault(pk, None)  # a cascade's post_delete must not drop a tombstone
    # robust: a failure here is logged, and neither undoes the committed save nor stops the
    # page purges waiting on the same commit (articles/public_changes.py).
    transaction.on_commit(lambda: _record_marked(pks), robust=True)


def _record_marked(pks):
    # Several marks of one story in a transaction (the story, its tags, its corrections) come
    # here together on commit: the first records it, the others find it done.
    marked = getattr(_marked, "stories", None) or {}
    due = {pk: marked.pop(pk) for pk in pks if pk in marked}
    if due:
        record(due)


def record(stories, *, now=None):
    """Write the rows of `stories` ({pk: guid if deleted else None}) as of now."""
    now = now or timezone.now()
    pks = list(stories)
    for start in range(0, len(pks), BATCH):
        batch = {pk: stories[pk] for pk in pks[start : start + BATCH]}
        # A batch's rows still ahead are deleted and written again: never one without the
        # other, or a failure in between would lose a scheduled story's going live.
        with transaction.atomic():
            _record_batch(batch, now)


def _record_batch(stories, now):
    latest_due = PublicChange.objects.filter(guid=OuterRef("guid"), at__lte=now).order_by(
        "-at", "-id"
    )
    found = {
        article.pk: article
        for article in Article.objects.filter(pk__in=list(stories))
        .only("guid", "slug", "status", "published_at", "expires_at")
        .annotate(
            latest_kind=Subquery(latest_due.values("kind")[:1]),
            latest_slug=Subquery(latest_due.values("slug")[:1]),
        )
    }
    # Deleted since they were marked (guid kept at the delete): their latest rows.
    gone = {guid for pk, guid in stories.items() if pk not in found and guid}
    latest_of_gone = {}
    if gone:
        rows = PublicChange.objects.filter(guid__in=list(gone), at__lte=now).order_by("at", "id")
        # The last row of each wins.
        rows = rows.values_list("guid", "kind", "slug")
        latest_of_gone = {guid: (kind, slug) for guid, kind, slug in rows}
    guids = [article.guid for article in found.values()] + list(gone)
    if not guids:
        return
    # Written again below from the story as it is: none stays from a schedule since changed.
    PublicChange.objects.filter(guid__in=guids, at__gt=now).delete()
    corrections_ahead = {}
    scheduled = [a.pk for a in found.values() if a.status == Article.Status.PUBLISHED]
    if scheduled:
        ahead = Correction.objects.filter(article__in=scheduled, published_at__gt=now)
        for article_id, due in ahead.values_list("article_id", "published_at"):
            corrections_ahead.setdefault(article_id, set()).add(due)
    rows = []
    for article in found.values():
        rows += _rows_for(article, article.latest_kind, corrections_ahead.get(article.pk, ()), now)
    for guid, (kind, slug) in latest_of_gone.items():
        if kind in SHOWN:  # under the slug readers last saw, as in _rows_for()
            rows.append(PublicChange(guid=guid, slug=slug, kind=Kind.WITHDRAWN, at=now))
    PublicChange.objects.bulk_create(sorted(rows, key=lambda row: row.at))


def _rows_for(article, latest_kind, corrections_ahead, now):
    """The rows one story needs now: its immediate change, if any, and those ahead."""

    def row(kind, at):
        return PublicChange(article=article, guid=article.guid, slug=article.slug, kind=kind, at=at)

    rows = []
    live = article.publication_state(now) == Article.State.LIVE
    if live:
        rows.append(row(Kind.UPDATED if latest_kind in SHOWN else Kind.PUBLISHED, now))
    elif latest_kind in SHOWN:
        # Under the slug readers last saw: the one it has now may never have been public
        # (renamed in the save that unpublished it).
        tombstone = row(Kind.WITHDRAWN, now)
        tombstone.slug = article.latest_slug
        rows.append(tombstone)
    if article.status != Article.Status.PUBLISHED:
        return rows
    starts, ends = article.published_at, article.expires_at
    if ends is not None and ends <= starts:
        return rows  # it never shows
    if starts > now:
        rows.append(row(Kind.PUBLISHED, starts))
    for due in sorted(corrections_ahead):
        if due > starts and (ends is None or due < ends):
            rows.append(row(Kind.UPDATED, due))
    if ends is not None and ends > now:
        rows.append(row(Kind.WITHDRAWN, ends))
    return rows


# Where the site learns of changes. No `if raw: return`: loaddata changes what readers see as
# much as the admin does (as in articles/public_changes.py). Pins are left out: they change a
# page, not a story.


@receiver(post_save, sender=Article, dispatch_uid="api-changes-story-saved")
def _story_saved(sender, instance, **kwargs):
    mark([instance.pk])


@receiver(pre_delete, sender=Article, dispatch_uid="api-changes-story-deleted")
def _story_deleted(sender, instance, **kwargs):
    mark([instance.pk], deleted=instance.guid)


@receiver(post_save, sender=Correction, dispatch_uid="api-changes-correction-saved")
@receiver(post_delete, sender=Correction, dispatch_uid="api-changes-correction-deleted")
@receiver(post_save, sender=TaggedArticle, dispatch_uid="api-changes-tag-link-saved")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="api-changes-tag-link-deleted")
def _part_changed(sender, instance, **kwargs):
    mark([instance.content_object_id if sender is TaggedArticle else instance.article_id])


@receiver(m2m_changed, dispatch_uid="api-changes-links")
def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    # Tags (taggit adds links with bulk_create, which sends no post_save), authors, related.
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Article):
        mark([instance.pk])
    elif model is Article and pk_set:  # from the other side: author.articles.add(story)
        mark(pk_set)


@receiver(stories_loaded, dispatch_uid="api-changes-loaded")
def _stories_loaded(sender, pks, **kwargs):
    mark(pks)


# Rows a story shows but does not own: its section, tags and authors (their names and slugs
# are in its JSON and ninjs) and its pictures (caption, credit, renditions). Changing one
# changes every live story carrying it, so each gets an `updated` row; the stories are found
# in one query and recorded in batches (record()), not one by one. Only live ones: a
# scheduled story's rows ahead do not name them, and a draft's are nobody's business.


def _named_by(instance):
    """The live stories showing this section, tag, author or picture."""
    live = Article.objects.live()
    if isinstance(instance, Section):
        return set(live.filter(section=instance).values_list("pk", flat=True))
    if isinstance(instance, Author):
        return set(live.filter(authors=instance).values_list("pk", flat=True))
    if isinstance(instance, Tag):
        return set(live.filter(tags=instance).values_list("pk", flat=True))
    shown = stories_showing([instance], live.only("pk", "body"))  # a picture in a body
    in_bodies = {story.pk for stories in shown.values() for story in stories}
    return in_bodies | set(live.filter(lead_image=instance).values_list("pk", flat=True))


def _values(instance):
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


@receiver(pre_save, sender=Section, dispatch_uid="api-changes-section-before")
@receiver(pre_save, sender=Author, dispatch_uid="api-changes-author-before")
@receiver(pre_save, sender=Tag, dispatch_uid="api-changes-tag-before")
@receiver(pre_save, sender=Image, dispatch_uid="api-changes-picture-before")
def _remember_what_it_was(sender, instance, **kwargs):
    # A save that changes nothing (the admin's Save pressed twice) changes no story.
    before = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._api_values_before = _values(before) if before else None


@receiver(post_save, sender=Section, dispatch_uid="api-changes-section-saved")
@receiver(post_save, sender=Author, dispatch_uid="api-changes-author-saved")
@receiver(post_save, sender=Tag, dispatch_uid="api-changes-tag-saved")
@receiver(post_save, sender=Image, dispatch_uid="api-changes-picture-saved")
def _shown_part_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_api_values_before", None)
    if not created and before != _values(instance):
        mark(_named_by(instance))


@receiver(pre_delete, sender=Author, dispatch_uid="api-changes-author-deleted")
def _author_deleted(sender, instance, **kwargs):
    # Its links to stories go with it, by a cascade that sends no m2m_changed. (A tag's links
    # are TaggedArticle rows, heard above; a section or a picture a story shows cannot be
    # deleted.)
    mark(_named_by(instance))


# Listing ---------------------------------------------------------------------------------


class Links(Schema):
    api: str = Field(description="The story in this API's JSON.")
    ninjs: str = Field(description="The story as IPTC ninjs 2.2.")
    html: str = Field(description="The story's page on the site.")


class ChangeOut(Schema):
    cursor: str = Field(description="Pass as `since` to list the changes after this one.")
    kind: Kind = Field(
        description="published: fetch and show the story; updated: fetch it again; "
        "withdrawn: take your copy down (a tombstone: guid and slug, never the text)."
    )
    at: datetime = Field(description="When the change reached readers.")
    guid: str = Field(description="The story's permanent id; never changes.")
    uri: str = Field(description="The story's ninjs `uri`: urn:uuid: and the guid.")
    slug: str = Field(description="The story's slug at the time of the change.")
    links: Links | None = Field(None, description="null for a withdrawn change.")


class ChangesPage(Schema):
    items: list[ChangeOut]
    next: str = Field(
        description="Poll this URL for the changes after these; given even when nothing is "
        "new, so a partner always has the next request to make."
    )
    more: bool = Field(description="Whether `next` has changes waiting already.")


class LatestOut(Schema):
    cursor: str = Field(description="The cursor of the newest change listed so far.")
    next: str = Field(description="The changes after it: where a full pull goes on from.")


@router.get(
    "/changes/",
    response={200: ChangesPage, **PROBLEM_RESPONSES},
    url_name="changes",
    summary="Public changes, oldest first",
)
def changes(
    request: HttpRequest,
    response: HttpResponse,
    since: str | None = Query(
        None,
        description="A cursor from a previous answer (a change's `cursor`, or take `next` "
        "whole). Left out: from the first change.",
        max_length=200,
    ),
    limit: int = Query(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"Changes per answer: {DEFAULT_LIMIT} unless said, at most {MAX_LIMIT} "
        "(a larger number is refused with 400).",
    ),
):
    """Every public change, oldest first: stories published, updated and withdrawn.

    A partner stores the last `cursor` it handled and polls `next`. Scheduled stories appear
    when their time comes; changes show a few seconds after they happen (the settle delay).
    """
    at, pk = BEGINNING
    if since is not None:
        at, pk = _read_cursor(since)
    rows = list(
        _visible(timezone.now())
        .filter(at__gte=at)
        .exclude(at=at, id__lte=pk)
        .order_by("at", "id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        since = _cursor(rows[-1].at, rows[-1].id)
    _not_stored(request, response)
    given = limit if limit != DEFAULT_LIMIT else None
    return {
        "items": [_item(request, row) for row in rows],
        "next": absolute_url(request, reverse("api-v1:changes"), since=since, limit=given),
        "more": more,
    }


@router.get(
    "/changes/latest",
    response={200: LatestOut, **PROBLEM_RESPONSES},
    url_name="changes-latest",
    summary="Where to follow the changes from, now",
)
def latest(request: HttpRequest, response: HttpResponse):
    """The cursor of now: take it before a full pull of articles/, then follow `next`.

    Changes made during the pull are listed after it, so none is missed (some are seen twice,
    which replaying handles).
    """
    row = _visible(timezone.now()).order_by("-at", "-id").values_list("at", "id").first()
    cursor = _cursor(*(row or BEGINNING))
    _not_stored(request, response)
    return {
        "cursor": cursor,
        "next": absolute_url(request, reverse("api-v1:changes"), since=cursor),
    }


def _visible(now):
    # Due rows only (a scheduled story's row waits for its time), and none of the last few
    # seconds: see the module docstring.
    settle = timedelta(seconds=settings.API_CHANGES_SETTLE_SECONDS)
    return PublicChange.objects.filter(at__lte=now - settle)


def _not_stored(request, response):
    # Not in the page cache or at the edge: rows come due with the clock and the settle
    # delay, which purge nothing. A polling partner revalidates: ETag and 304 from
    # ConditionalGetMiddleware.
    uncached(request)
    response["Cache-Control"] = "no-cache"


def _cursor(at, pk):
    # Marked as ours: the articles list's cursors hold a time and an id too, and one passed
    # here by mistake would otherwise skip changes silently.
    return make_cursor(CURSOR_MARK, at, pk)


def _read_cursor(text):
    mark, at, pk = read_cursor(text, parameter="since", types=("str", "datetime", "int"))
    if mark != CURSOR_MARK:
        raise bad_parameter(
            "since", "Not a cursor of the changes feed: use a change's `cursor` or `next`."
        )
    return at, pk


def _item(request, row):
    item = {
        "cursor": _cursor(row.at, row.id),
        "kind": row.kind,
        "at": row.at,
        "guid": str(row.guid),
        "uri": f"urn:uuid:{row.guid}",
        "slug": row.slug,
    }
    if row.kind in SHOWN:
        # The row's slug was public when it was written (the story was live then). Not the
        # story's slug now, which may be a draft's new one.
        item["links"] = _links(request, row.slug)
    return item


def _links(request, slug):
    # ninja names a route after its view (api/stories.py).
    return {
        "api": request.build_absolute_uri(reverse("api-v1:get_article", kwargs={"slug": slug})),
        "ninjs": request.build_absolute_uri(
            reverse("api-v1:get_article_ninjs", kwargs={"slug": slug})
        ),
        "html": request.build_absolute_uri(reverse("articles:detail", kwargs={"slug": slug})),
    }
