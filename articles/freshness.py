"""
When the public site last changed, for the Last-Modified header.

A stamp in the cache moves on every save that readers can see (a live or once-live story, its
tags, corrections, sections, authors, tags); the clock's changes (a story going live or
expiring) come from the database. Work on stories that never ran does not move it, so the
header never tells the world when an embargoed story was edited.

It may be too new, never too old: a missing or lapsed stamp restarts at "now" (clients then
fetch again). Without a shared cache each process keeps its own stamp; it lapses after
PUBLIC_CACHE_SECONDS (at least 10 s), which bounds how long a change made in another process
can go unseen by a client that sends only If-Modified-Since (one sending the ETag never is).
HTTP dates count whole seconds, so a change in the same second as a served Last-Modified is
likewise caught by the ETag alone.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Article

logger = logging.getLogger(__name__)

STAMP_KEY = "public:changed-at"
PUBLIC_APPS = {"articles", "taggit"}


def _lifetime():
    return None if getattr(settings, "REDIS_URL", "") else max(settings.PUBLIC_CACHE_SECONDS, 10)


def public_changed_at():
    """The newest of the last visible save and the last story to go live or expire."""
    try:
        stamp = cache.get(STAMP_KEY)
        if stamp is None:
            cache.add(STAMP_KEY, timezone.now(), timeout=_lifetime())
            stamp = cache.get(STAMP_KEY) or timezone.now()
    except Exception:
        logger.exception("Cache unavailable: Last-Modified falls back to now")
        stamp = timezone.now()
    return max(filter(None, [stamp, Article.objects.last_went_public()]))


def mark_public_change():
    try:
        cache.set(STAMP_KEY, timezone.now(), timeout=_lifetime())
    except Exception:
        logger.exception("Could not record a public change; Last-Modified may lag")


def _readers_can_see(instance, created=False):
    article = instance if isinstance(instance, Article) else None
    for link in ("article", "content_object"):  # Correction, TaggedArticle
        article = article or getattr(instance, link, None)
    if isinstance(article, Article):
        # Live now, or once: a story taken down changes the pages it left.
        return article.published_at is not None and article.published_at <= timezone.now()
    # Sections, authors, tags: a new one is on no live story yet; a renamed or deleted one
    # may be, and public pages show it by name.
    return not created


@receiver(post_save, dispatch_uid="freshness-save")
@receiver(post_delete, dispatch_uid="freshness-delete")
def _saved_or_deleted(sender, instance, created=False, **kwargs):
    # No `if raw: return`: a loaded fixture changes pages as much as an edit does.
    if sender._meta.app_label in PUBLIC_APPS and _readers_can_see(instance, created):
        mark_public_change()


@receiver(m2m_changed, dispatch_uid="freshness-m2m")
def _links_changed(sender, instance, action, **kwargs):
    public = sender._meta.app_label in PUBLIC_APPS
    if public and action.startswith("post_") and _readers_can_see(instance):
        mark_public_change()
