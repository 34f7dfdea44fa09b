"""The public page cache: whole responses for anonymous readers, in the configured cache.

Correctness comes before hit rate:

- Every entry carries a *generation* number, read with the page in one round trip and
  compared with the current one. Any save or delete of a row in the articles
  app (articles, tag links, sections, authors, corrections, ...) or of a taggit Tag bumps
  it, and so does any successful POST by a logged-in user (admin actions may use
  ``QuerySet.update()``, which sends no signal). One bump retires every cached page at
  once: the article, the front page, sections, tags, feeds, sitemaps.
- The clock changes pages too: a scheduled story goes live, another expires, a correction
  comes due. Each entry lives at most until the next such time (one indexed query per
  generation, cached with it), and never longer than ``PUBLIC_CACHE_SECONDS``.
- Only anonymous readers share it. A request with a session or CSRF cookie, or an
  Authorization header, neither reads nor fills it, so staff, previews and anyone logged
  in always get a fresh page. Responses that set cookies, vary on ``*`` or say
  ``private``/``no-cache``/``no-store`` are never stored.
- A cache outage is not a site outage: errors talking to the cache are logged and the
  page is served uncached.
"""

import hashlib
import logging
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, get_max_age
from django.utils.http import parse_http_date_safe

logger = logging.getLogger(__name__)

GENERATION_KEY = "public-page:generation"
# Rows of these apps are what public pages are made of.
PUBLIC_APPS = {"articles", "taggit"}
# (app label, model, datetime field, extra filter): times at which a page changes by itself.
SCHEDULED_TIMES = [
    ("articles", "Article", "published_at", {"status": "published"}),
    ("articles", "Article", "expires_at", {"status": "published"}),
    ("articles", "Correction", "published_at", {}),
]
CACHEABLE_STATUSES = {200, 301, 404, 410}
PRIVATE_DIRECTIVES = {"private", "no-cache", "no-store"}


def _skip_prefixes():
    return (reverse("admin:index"), "/healthz", *getattr(settings, "PUBLIC_CACHE_SKIP", ()))


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Start from the clock, not from 1: if the counter is evicted or Redis restarts
        # with old pages still stored, a restarted count could meet their keys again.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate():
    """Retire every cached public page. Call after changing content without a model save."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet: nothing cached under one either
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        # The save itself succeeded; pages then go stale for at most PUBLIC_CACHE_SECONDS.
        logger.exception("Could not invalidate the public page cache")


@receiver(post_save, dispatch_uid="public-cache-save")
@receiver(post_delete, dispatch_uid="public-cache-delete")
def _content_saved_or_deleted(sender, **kwargs):
    # No `if raw: return` here, unlike workflow receivers: loaddata changes what readers
    # see just as much as the admin does.
    if sender._meta.app_label in PUBLIC_APPS:
        _invalidate_now_and_on_commit()


@receiver(m2m_changed, dispatch_uid="public-cache-m2m")
def _links_changed(sender, action, **kwargs):
    # Tag and author links are added with bulk_create, which sends no post_save.
    if action.startswith("post_") and sender._meta.app_label in PUBLIC_APPS:
        _invalidate_now_and_on_commit()


def _invalidate_now_and_on_commit():
    # Once now, and again when the transaction commits: a reader rendering between the
    # two would otherwise store the old, still-committed page under the new generation.
    invalidate()
    transaction.on_commit(invalidate)


def next_scheduled_change(now):
    """The next time a page changes with no one saving anything, or None."""
    times = []
    for app_label, model_name, field, filters in SCHEDULED_TIMES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        rows = model._default_manager.filter(**filters, **{f"{field}__gt": now})
        times.append(rows.aggregate(next=Min(field))["next"])
    return min(filter(None, times), default=None)


def _cached_next_change(generation, now):
    # Only a save can move the next scheduled time earlier, and a save bumps the
    # generation: so it is computed once per generation, not once per page.
    key = f"public-page:{generation}:next-change"
    stored = cache.get(key)
    if stored is None or (stored and stored <= now):
        found = next_scheduled_change(now)
        stored = found or ""
        ttl = (found - now).total_seconds() if found else settings.PUBLIC_CACHE_SECONDS
        cache.set(key, stored, timeout=min(ttl, settings.PUBLIC_CACHE_SECONDS))
    return stored or None


def _page_key(request):
    url = f"{request.method} {request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(url.encode()).hexdigest()


def _lookup(key):
    """The current generation and the stored page, in one round trip to the cache.

    The generation is stored inside the entry rather than in its key, so one MGET fetches
    both; an entry from an older generation is simply a miss (and is overwritten).
    """
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        return current_generation(), None
    stored = found.get(key)
    if stored is None or stored[0] != generation:
        return generation, None
    return generation, stored[1:]


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._request_may_share(request):
            response = self.get_response(request)
            self._invalidate_after_staff_write(request, response)
            return response
        # Outside the try: a Host not in ALLOWED_HOSTS must answer 400, not log a cache error.
        key = _page_key(request)
        try:
            generation, stored = _lookup(key)
        except Exception:
            logger.exception("Public page cache unavailable; serving uncached")
            return self.get_response(request)
        if stored is not None:
            return self._from_stored(request, stored)
        # What the page shows is decided as of about now: the entry must expire at the
        # first scheduled change after this moment, even one that passes while rendering.
        started = timezone.now()
        response = self.get_response(request)
        if self._response_may_share(response):
            try:
                self._store(key, generation, started, response)
            except Exception:
                logger.exception("Could not store a page in the public cache")
        return response

    def _request_may_share(self, request):
        return (
            settings.PUBLIC_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and settings.CSRF_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(_skip_prefixes())
        )

    def _response_may_share(self, response):
        if response.status_code not in CACHEABLE_STATUSES or response.streaming:
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        if "*" in cc_delim_re.split(response.get("Vary", "")):
            return False
        directives = {
            part.split("=")[0].strip().lower()
            for part in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        return not (directives & PRIVATE_DIRECTIVES) and get_max_age(response) != 0

    def _store(self, key, generation, started, response):
        timeout = settings.PUBLIC_CACHE_SECONDS
        next_change = _cached_next_change(generation, started)
        if next_change:
            timeout = min(timeout, (next_change - timezone.now()).total_seconds())
        if timeout < 1:
            return
        # Plain data, not the response object: nothing of the request travels with it.
        headers = [(k, v) for k, v in response.items() if k.lower() != "x-cache"]
        entry = (generation, response.status_code, headers, response.content)
        cache.set(key, entry, timeout=timeout)
        response["X-Cache"] = "miss"

    def _from_stored(self, request, stored):
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Cache"] = "hit"
        if status == 200:
            # A reader revalidating its copy still gets a 304 from a cached page.
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            response = get_conditional_response(
                request, etag=response.get("ETag"), last_modified=last_modified, response=response
            )
        return response

    def _invalidate_after_staff_write(self, request, response):
        if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400:
            return
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            invalidate()
