"""When the public site last changed: the one place that hears of changes readers can see.

Every save, delete and link change of a row in PUBLIC_APPS comes through the receivers below,
which ask one question: could a reader see this? A live story, one withdrawn after it ran
(its 410), or a story that was one of those before this save; a section, author or tag named
on a live story; a pin of a live story (curation), or one that showed before this save. If
so, the *stamp* moves to now. Work on drafts, stories in review, scheduled ones, and names
used only by them moves nothing: no public response, cache entry or header tells the world
that someone is working on a story.

The stamp is read by two things:

- `Last-Modified` of every public page (`site_changed_at()`, with the times the clock moved a
  story live or out of sight, which no save announces);
- the page cache (articles/page_cache.py): each entry keeps the stamp it was made under and
  is a miss once the stamp has moved.

It lives in the default cache, which every worker sees: Redis with REDIS_URL, otherwise files
on this machine (settings.CACHES). So a withdrawal on one worker reaches all of them at once.
A missing stamp (evicted, a Redis restart) restarts at now: it may be too new, never too old.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from newsroom.cache import CacheUnavailable, cache_recovered

from .models import Article, Author, Correction, Section
from .states import Status

logger = logging.getLogger(__name__)

STAMP_KEY = "public:changed-at"
NEXT_CLOCK_KEY = "public:next-clock-change"  # "" when nothing is due
CLOCK_PASSED_KEY = "public:clock-passed"
CLOCK_KEYS = (STAMP_KEY, NEXT_CLOCK_KEY, CLOCK_PASSED_KEY)
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
    """Last-Modified of the public site: the stamp, or a story going live or expiring."""
    try:
        stamp = public_stamp()
    except Exception as error:
        log_cache_error(error, "Cache unavailable: Last-Modified falls back to now")
        stamp = timezone.now()
    return max(filter(None, [stamp, Article.objects.last_clock_change()]))


def mark_public_change():
    """Move the stamp, now and again when the transaction commits.

    Call it after changing what readers see without a model save (raw SQL, update()).
    Twice, because a reader rendering between the two would otherwise store the old,
    still-committed page under the new stamp.
    """
    _move_stamp()
    transaction.on_commit(_move_stamp)


# A stamp move this process could not make (the cache did not answer): made at the next
# request, so a withdrawal during a Redis outage is not served again from the old pages.
_stamp_move_lost = False


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
    """Called before each request (page_cache.py): make a stamp move that failed."""
    if _stamp_move_lost:
        _move_stamp()


@receiver(cache_recovered, dispatch_uid="public-changes-cache-recovered")
def _cache_answers_again(sender, **kwargs):
    # Another process (an import, a worker now idle) may have lost a move in the outage too.
    _move_stamp()


def clock_changes(found, now):
    """(next, passed): the next clock change and the latest one known to have passed.

    `found` is a get_many() of CLOCK_KEYS. The clock changes pages with no save: a scheduled
    story goes live, another expires, a correction comes due. A cached page made before the
    latest change that has passed is out of date; none is kept past the next one. When the
    next one has passed it becomes `passed` and the one after is found (one indexed query).
    Nothing here moves the stamp, so none of it shows in X-Cache or Last-Modified before
    readers see the change itself.
    """
    upcoming, passed = found.get(NEXT_CLOCK_KEY), found.get(CLOCK_PASSED_KEY)
    changed = {}
    if passed is None:
        # Not known (evicted, a restart): any cached page may predate a change.
        passed = changed[CLOCK_PASSED_KEY] = now
    if upcoming is None or (upcoming and upcoming <= now):
        if upcoming:
            passed = changed[CLOCK_PASSED_KEY] = max(passed, upcoming)
        upcoming = changed[NEXT_CLOCK_KEY] = Article.objects.next_clock_change() or ""
    if changed:
        cache.set_many(changed, timeout=None)
    return upcoming or None, passed


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


def _bring_the_clock_forward(due):
    # A story scheduled sooner than the next change known: cached pages must not outlive it.
    try:
        upcoming = cache.get(NEXT_CLOCK_KEY)
        if upcoming is None or (upcoming and upcoming <= due):
            return  # found from the database at the next lookup, or already as early
        cache.set(NEXT_CLOCK_KEY, due, timeout=None)
    except Exception as error:
        log_cache_error(error, "Could not record the next clock change")


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


@receiver(pre_save, sender=Article, dispatch_uid="public-changes-before-save")
def _remember_whether_it_was_public(sender, instance, **kwargs):
    # Rescheduling, unpublishing or withdrawing changes what readers see although the story,
    # as saved, is no longer public: ask the row as it was. Runs for fixtures too (raw).
    instance._had_public_address = bool(
        instance.pk and Article.objects.filter(pk=instance.pk).with_public_address().exists()
    )


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
    instance._was_shown = bool(
        instance.pk and Article.objects.live().filter(pins__pk=instance.pk).exists()
    )


@receiver(post_save, dispatch_uid="public-changes-save")
@receiver(pre_delete, dispatch_uid="public-changes-delete")
def _saved_or_deleted(sender, instance, **kwargs):
    # No `if raw: return`: loaddata changes what readers see just as much as the admin does.
    # Before a delete, not after: an author's links to live stories are gone by then. The
    # stamp moves again when the delete commits (mark_public_change).
    if sender._meta.app_label not in PUBLIC_APPS:
        return
    if readers_could_see(instance):
        mark_public_change()
    due = _clock_due(instance)
    if due:
        # Again after commit: a page rendered meanwhile may have found the old next change.
        _bring_the_clock_forward(due)
        transaction.on_commit(lambda: _bring_the_clock_forward(due))


@receiver(m2m_changed, dispatch_uid="public-changes-links")
def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    # Tag and author links are added with bulk_create, which sends no post_save.
    if not action.startswith("post_") or sender._meta.app_label not in PUBLIC_APPS:
        return
    if isinstance(instance, Article):
        changed = readers_could_see(instance)
    elif pk_set:  # from the other side (author.articles.add(...)): the stories linked
        changed = model.objects.filter(pk__in=pk_set).with_public_address().exists()
    else:
        changed = True  # cleared from the other side: which stories is no longer known
    if changed:
        mark_public_change()
