"""When the public site changed, and what: the one place that hears of changes readers can see.

Every save, delete and link change of a row in PUBLIC_APPS comes through the receivers below,
which ask one question: could a reader see this? A live story, one withdrawn after it ran
(its 410), or a story that was one of those before this save; a section, author or tag named
on a live story; a pin of a live story (curation), or one that showed before this save. If
so, two things happen. Work on drafts, stories in review, scheduled ones, and names used only
by them does neither: no public response, cache entry or header tells the world that someone
is working on a story.

- The *stamp* moves to now: `Last-Modified` of every public page (`site_changed_at()`).
- The surrogate keys the row touches (articles/surrogate_keys.py) are *purged* when the
  transaction commits, once per transaction: in the app's page cache (a purge record per key,
  `purged_at()`: an entry made before it is a miss) and at the edge (newsroom/edge.py).

Both live in the default cache, which every worker sees: Redis with REDIS_URL, otherwise
files on this machine (settings.CACHES). A missing stamp or purge record (evicted, a Redis
restart) restarts at now: it may be too new, never too old.

The clock changes pages with no save: a scheduled story goes live, another expires, a
correction comes due, a pin ends. `clock_events()` lists those due within the cache
lifetimes with the keys each touches, and a page showing one of those keys is cached, in the
app and at the edge, only until that moment (page_cache.py). Saving a row that sets such a
time purges the keys it will touch, so nothing cached before the save outlives it either.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from newsroom import edge
from newsroom.cache import CacheUnavailable, cache_recovered

from .models import Article, Author, Correction, Section
from .states import Status
from .surrogate_keys import links_touched, paths_for, story_change_keys, touched_by

logger = logging.getLogger(__name__)

STAMP_KEY = "public:changed-at"
CLOCK_EVENTS_KEY = "public:clock-events"
KEPT_PREFIX = "public:kept:"
PURGED_PREFIX = "public:purged:"
# Rows of these apps are what public pages are made of.
PUBLIC_APPS = {"articles", "taggit", "photos", "curation"}


def public_stamp():
    """The time of the last change readers could see; starts at now if there is none."""
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        cache.add(STAMP_KEY, timezone.now(), timeout=None)
        stamp = cache.get(STAMP_KEY) or timezone.now()
    return stamp


def site_changed_at():
    """Last-Modified of the public site: the stamp, or the clock's latest change."""
    try:
        stamp = public_stamp()
    except Exception as error:
        log_cache_error(error, "Cache unavailable: Last-Modified falls back to now")
        return timezone.now()
    last, _ = clock_times()
    return max(filter(None, [stamp, last]))


def clock_times():
    """(the clock's latest change, its next one): two queries once per change of either."""

    def ask(now):
        last = Article.objects.last_clock_change()
        upcoming = Article.objects.next_clock_change()
        return (last, upcoming), upcoming

    return kept("clock-times", ["clock"], ask)


def kept(name, keys, compute, seconds=300):
    """What every page repeats (the navigation, the clock's times), made once per change.

    `compute(now)` gives (value, the time it stops being right or None). The value is kept
    in the shared cache until then, until one of `keys` is purged, and `seconds` at most;
    asking costs one cache round trip. Without the cache, it is computed every time.
    """
    return kept_many({name: keys}, lambda now, names: {name: compute(now)}, seconds)[name]


def kept_many(wanted, compute, seconds=300):
    """kept() for several values at once: `wanted` maps each value's name to its keys, and
    `compute(now, names)` gives {name: (value, until)} for the names not kept."""
    now = timezone.now()
    records = {name: KEPT_PREFIX + name for name in wanted}
    every_key = {key for keys in wanted.values() for key in keys}
    values = {}
    try:
        found = cache.get_many([*records.values(), *purge_records(every_key)])
        for name, keys in wanted.items():
            stored = found.get(records[name])
            if stored is not None:
                made_at, until, value = stored
                purged = purged_at(found, keys, now)
                if until > now and (purged is None or purged < made_at):
                    values[name] = value
    except Exception as error:
        log_cache_error(error, "Cache unavailable: computed again")
        return {name: value for name, (value, _) in compute(now, list(wanted)).items()}
    missing = [name for name in wanted if name not in values]
    if not missing:
        return values
    made = compute(now, missing)
    try:
        note_keys({key for name in missing for key in wanted[name]})
        limit = now + timedelta(seconds=seconds)
        cache.set_many(
            {
                records[name]: (now, min(filter(None, [until, limit])), value)
                for name, (value, until) in made.items()
            },
            timeout=seconds,
        )
    except Exception as error:
        log_cache_error(error, "Could not keep it in the cache")
    return values | {name: value for name, (value, _) in made.items()}


def mark_public_change(keys=("site",)):
    """Move the stamp now and purge `keys` when the transaction commits.

    Call it after changing what readers see without a model save (raw SQL, update(),
    bulk_update()), naming what changed; with no keys, everything is purged.
    """
    _move_stamp()
    transaction.on_commit(_move_stamp)
    purge_on_commit(keys)


# Keys waiting for their transaction to commit, per thread. A rolled-back transaction's keys
# are purged with the next one's: a purge too many costs a page render, one too few a stale
# page.
_pending = threading.local()


def purge_on_commit(keys):
    """Purge `keys` now in the app's page cache, and again, at the edge too, on commit.

    Twice, because a reader rendering between the two would otherwise keep the old,
    still-committed page; the edge hears it once, when the new state can be read.
    """
    _purge_app(set(keys))
    pending = getattr(_pending, "keys", None)
    if pending is None:
        pending = _pending.keys = set()
    pending.update(keys)
    transaction.on_commit(_purge_pending)


def _purge_pending():
    keys, _pending.keys = getattr(_pending, "keys", None), None
    if keys:
        purge(keys)


def purge(keys):
    """Purge now, in the app's page cache and at the edge."""
    keys = set(keys)
    _purge_app(keys)
    _purge_edge(keys)


def _purge_edge(keys):
    # Addresses only for an edge that purges by address: they cost queries.
    by_path = any(getattr(cache, "by_path", False) for cache in edge.edge_caches())
    keys, paths = sorted(keys), paths_for(keys) if by_path else ()
    edge.purge(keys, paths)
    if settings.EDGE_CACHES and settings.EDGE_REPURGE_SECONDS:
        # Again a moment later: a page the edge was fetching while the save committed was
        # rendered from the old state and arrives after the purge (during a spike one nearly
        # always is: the edge fetches a hot page once for all its readers).
        again = threading.Timer(settings.EDGE_REPURGE_SECONDS, edge.purge, (keys, paths))
        again.daemon = True
        again.start()


def _purge_app(keys):
    global _purge_lost
    try:
        now = _microseconds(timezone.now())
        cache.set_many({PURGED_PREFIX + key: now for key in keys}, timeout=PURGE_RECORD_SECONDS)
    except Exception as error:
        _purge_lost = True
        log_cache_error(error, "Could not purge the page cache; everything is, once it answers")


# A purge record outlives every entry it could make a miss; once gone, it reads as "purged
# just now" (purged_at()), which is safe. Its value is the time in microseconds: an integer,
# which the Redis cache stores as it is, so a hit does not unpickle one per key.
PURGE_RECORD_SECONDS = 24 * 3600
NEVER = 0  # what note_keys() writes for a key never purged


def _microseconds(moment):
    return int(moment.timestamp() * 1_000_000)


def purged_at(found, keys, now):
    """The latest purge of any of `keys`, from a get_many() that asked for their records.

    A record is written for every key of a page as it is stored (note_keys()), so one that
    is missing was evicted: it is written as now and counts as a purge now.
    """
    records = purge_records(keys)
    # Not an integer: written by an older version of this code, so of no known meaning.
    missing = [record for record in records if not isinstance(found.get(record), int)]
    if missing:
        for record in missing:
            cache.set(record, _microseconds(now), timeout=PURGE_RECORD_SECONDS)
        return now
    latest = max((found[record] for record in records), default=NEVER)
    return datetime.fromtimestamp(latest / 1_000_000, UTC) if latest else None


def purge_records(keys):
    return [PURGED_PREFIX + key for key in keys]


def note_keys(keys):
    """Before storing something showing `keys`: a key with no purge record gets one saying
    "never", so the entry is a hit from the next request on.

    add(), never set(): a purge written meanwhile stays. (A record evicted during the render,
    after a purge in it, is the one case this misses; a record evicted later reads as now.)
    """
    records = purge_records(keys)
    found = cache.get_many(records)
    for record in records:
        if record not in found:
            cache.add(record, NEVER, timeout=PURGE_RECORD_SECONDS)


# A stamp move or purge this process could not make (the cache did not answer): made at the
# next request, so a withdrawal during a Redis outage is not served again from the old pages.
_stamp_move_lost = False
_purge_lost = False


def _move_stamp():
    global _stamp_move_lost
    try:
        cache.set(STAMP_KEY, timezone.now(), timeout=None)
    except Exception as error:
        _stamp_move_lost = True
        log_cache_error(error, "Could not record a public change; it is tried again")
    else:
        _stamp_move_lost = False


def move_a_lost_stamp():
    """Called before each request (page_cache.py): make a stamp move or purge that failed."""
    global _purge_lost
    if _stamp_move_lost:
        _move_stamp()
    if _purge_lost:
        _purge_lost = False
        _purge_app({"site"})  # the edge heard the purge; only this cache missed it


@receiver(cache_recovered, dispatch_uid="public-changes-cache-recovered")
def _cache_answers_again(sender, **kwargs):
    # Another process (an import, a worker now idle) may have lost a move in the outage too.
    _move_stamp()
    _purge_app({"site"})


def clock_events(now, found=None):
    """[(time, keys)]: the clock's changes from a cache lifetime ago to two ahead, in order.

    Read from the cache (`found`, a get_many() that asked for CLOCK_EVENTS_KEY and the
    "clock" purge record, saves the round trip); made again (one query per story due) once
    the window has moved on or a save has set such a time, which purges "clock".
    """
    if found is None:
        found = cache.get_many([CLOCK_EVENTS_KEY, PURGED_PREFIX + "clock"])
    stored = found.get(CLOCK_EVENTS_KEY)
    if stored is not None:
        made_at, until, events = stored
        purged = purged_at(found, ["clock"], now)
        if until > now + horizon() and (purged is None or purged < made_at):
            return events
    start, until = now - horizon(), now + 2 * horizon()
    note_keys(["clock"])
    events = _clock_events_between(start, until)
    timeout = int(3 * horizon().total_seconds()) + 1
    cache.set(CLOCK_EVENTS_KEY, (now, until, events), timeout=timeout)
    return events


def changed_by_the_clock(page_keys, made_at, now, events):
    """Whether a clock change touching one of `page_keys` passed since `made_at`."""
    return any(
        made_at < time <= now and ("site" in keys or keys & page_keys) for time, keys in events
    )


def horizon():
    """The longest a page is cached: in the app, or at the edge when there is one."""
    seconds = max(settings.PUBLIC_CACHE_SECONDS, 300)
    if settings.EDGE_CACHES:
        seconds = max(seconds, settings.EDGE_CACHE_SECONDS)
    return timedelta(seconds=seconds)


def good_until(page_keys, now, events, seconds):
    """When a page showing `page_keys`, made now, stops being right: at the first clock
    change touching one of its keys, and `seconds` from now at the latest."""
    until = now + timedelta(seconds=seconds)
    for time, keys in events:
        if time >= until:
            break
        if time > now and ("site" in keys or keys & page_keys):
            return time
    return until


def _clock_events_between(start, end):
    from curation.models import Pin

    events = []
    published = Article.objects.filter(status=Status.PUBLISHED)
    for field in ("published_at", "expires_at"):
        due = published.filter(**{f"{field}__gt": start, f"{field}__lte": end})
        for story in due:
            keys = story_change_keys(story) | _navigation_at(story)
            events.append((getattr(story, field), frozenset(keys)))
    corrections = Correction.objects.filter(
        article__status=Status.PUBLISHED, published_at__gt=start, published_at__lte=end
    )
    for correction in corrections:
        events.append((correction.published_at, frozenset({f"story-{correction.article_id}"})))
    pins = Pin.objects.filter(
        article__status=Status.PUBLISHED, pinned_until__gt=start, pinned_until__lte=end
    )
    for pin in pins:
        events.append((pin.pinned_until, frozenset(touched_by(pin))))
    return sorted(events, key=lambda event: event[0])


def _navigation_at(story):
    # A story going live in a section with no live story (or the last one leaving) changes
    # the navigation, and so every page.
    others = Article.objects.live().filter(section=story.section_id).exclude(pk=story.pk)
    return set() if others.exists() else {"nav"}


def log_cache_error(error, message):
    # An outage is logged once by the cache backend (newsroom/cache.py), not once a request.
    if not isinstance(error, CacheUnavailable):
        logger.exception(message)


def readers_could_see(instance):
    """Whether a row, as saved or deleted just now, is on (or was on) a public page."""
    if isinstance(instance, Article):
        return instance.has_public_address() or getattr(instance, "_had_public_address", False)
    if isinstance(instance, Section):
        return Article.objects.live().filter(section=instance).exists()
    if isinstance(instance, Author):
        return Article.objects.live().filter(authors=instance).exists()
    if instance._meta.label_lower == "taggit.tag":
        return Article.objects.live().filter(tags=instance).exists()
    if instance._meta.label_lower == "photos.image":
        # A caption or credit fixed in the library is fixed on every page that shows it.
        return _picture_is_shown(instance)
    if _is_pin(instance):
        # A pin shows its story while the story is live. One that showed before this save
        # (another story, another page, an end brought forward) changes the page as much.
        article = _article_of(instance)
        live = article is not None and article.publication_state() == Article.State.LIVE
        return live or getattr(instance, "_was_shown", False)
    if isinstance(instance, Correction) and instance.published_at > timezone.now():
        # Shown when its time comes (the clock changes the page then), unless it was shown
        # already and has just been moved ahead.
        return getattr(instance, "_was_shown", False)
    article = _article_of(instance)
    if article is not None:  # a tag link, correction, old slug or author link
        return article.has_public_address()
    return True  # a kind of row this module does not know yet: assume it shows


def _picture_is_shown(image):
    from .body_pictures import stories_showing

    live = Article.objects.live()
    return live.filter(lead_image=image).exists() or bool(stories_showing([image], live))


def _is_pin(instance):
    # By label: the curation app builds on this one, not the other way round.
    return instance._meta.label_lower == "curation.pin"


def _article_of(instance):
    for field in instance._meta.concrete_fields:
        if field.many_to_one and field.related_model is Article:
            try:
                return getattr(instance, field.name)
            except Article.DoesNotExist:
                return None
    return None


def _clock_due(instance):
    """The earliest time ahead at which this row will change a public page by itself."""
    now = timezone.now()
    due = []
    if isinstance(instance, Article) and instance.status == Status.PUBLISHED:
        due = [instance.published_at, instance.expires_at]
        if instance.pk:
            # Its corrections and pins were saved while it was a draft, perhaps: their times
            # count from now on (a pin's end, a correction due).
            due += list(
                instance.corrections.filter(published_at__gt=now).values_list(
                    "published_at", flat=True
                )
            )
            due += list(
                instance.pins.filter(pinned_until__gt=now).values_list("pinned_until", flat=True)
            )
    elif isinstance(instance, Correction) and instance.article.status == Status.PUBLISHED:
        due = [instance.published_at]
    elif _is_pin(instance) and instance.article.status == Status.PUBLISHED:
        due = [instance.pinned_until]  # its slot goes back to the newest stories
    return min((time for time in due if time and time > now), default=None)


@receiver(pre_save, sender=Article, dispatch_uid="public-changes-before-save")
def _remember_the_story_as_it_was(sender, instance, **kwargs):
    # Rescheduling, unpublishing or withdrawing changes what readers see although the story,
    # as saved, is no longer public: ask the row as it was, and which lists it was on. Runs
    # for fixtures too (raw).
    before = None
    if instance.pk:
        fields = ("status", "published_at", "expires_at", "section_id")
        row = Article.objects.filter(pk=instance.pk).values(*fields).first()
        before = row and Article(**row)
    instance._had_public_address = bool(before and before.has_public_address())
    instance._was_live = bool(before and before.publication_state() == Article.State.LIVE)
    instance._section_before = before.section_id if before else instance.section_id


@receiver(pre_save, sender=Correction, dispatch_uid="public-changes-correction-before-save")
def _remember_whether_it_was_shown(sender, instance, **kwargs):
    instance._was_shown = bool(
        instance.pk
        and Correction.objects.filter(pk=instance.pk, published_at__lte=timezone.now()).exists()
    )


@receiver(pre_save, sender="curation.Pin", dispatch_uid="public-changes-pin-before-save")
@receiver(pre_delete, sender="curation.Pin", dispatch_uid="public-changes-pin-before-delete")
def _remember_whether_the_pin_showed(sender, instance, **kwargs):
    # Before _saved_or_deleted (connected after it), which reads it.
    before = None
    if instance.pk:
        before = (
            sender.objects.filter(pk=instance.pk)
            .values("page_id", shown=Exists(Article.objects.live().filter(pins=OuterRef("pk"))))
            .first()
        )
    instance._was_shown = bool(before and before["shown"])
    instance._page_before = before["page_id"] if before else instance.page_id


@receiver(post_save, dispatch_uid="public-changes-save")
@receiver(pre_delete, dispatch_uid="public-changes-delete")
def _saved_or_deleted(sender, instance, **kwargs):
    # No `if raw: return`: loaddata changes what readers see just as much as the admin does.
    # Before a delete, not after: an author's links to live stories are gone by then.
    if sender._meta.app_label not in PUBLIC_APPS:
        return
    if readers_could_see(instance):
        _move_stamp()
        transaction.on_commit(_move_stamp)
        purge_on_commit(touched_by(instance))
    if _clock_due(instance):
        # It will change pages by itself later. This cache checks its pages against the
        # clock's list on every hit, so the list is made again, and nothing a reader gets
        # changes before the time comes. An edge cannot check: it is told to drop what the
        # row will touch (what it keeps from now on is kept until that time at most).
        _purge_app({"clock"})
        transaction.on_commit(lambda: _purge_app({"clock"}))
        keys = touched_by(instance)
        if isinstance(instance, Article):
            keys |= _navigation_at(instance)
        transaction.on_commit(lambda: _purge_edge(keys))


@receiver(m2m_changed, dispatch_uid="public-changes-links")
def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    # Tag and author links are added with bulk_create, which sends no post_save.
    if sender._meta.app_label not in PUBLIC_APPS or action not in LINK_ACTIONS:
        return
    if isinstance(instance, Article):
        if not readers_could_see(instance):
            if action != "pre_clear" and _clock_due(instance):
                # Scheduled: the lists it will join by this link (see _saved_or_deleted).
                _purge_app({"clock"})
                transaction.on_commit(lambda: _purge_app({"clock"}))
                keys = links_touched(model, pk_set, article=instance)
                transaction.on_commit(lambda: _purge_edge(keys))
            return
        keys = links_touched(model, pk_set, article=instance)
    elif action == "pre_clear":
        return  # cleared from the other side: which stories is no longer known after
    elif pk_set:  # from the other side (author.articles.add(...)): the stories linked
        keys = links_touched(model, pk_set)
        if not keys:
            return
        keys.add(f"{_link_prefix(instance)}-{instance.pk}")
    else:
        keys = {"site"}
    _move_stamp()
    transaction.on_commit(_move_stamp)
    purge_on_commit(keys)


# Before a clear (the links are still there to be read) and after the rest.
LINK_ACTIONS = {"pre_clear", "post_add", "post_remove", "post_clear"}


def _link_prefix(instance):
    return "tag" if instance._meta.label_lower == "taggit.tag" else type(instance).__name__.lower()
