"""The public page cache: whole responses for anonymous readers, and what the edge is told.

Correctness comes before hit rate:

- Every page names what it shows as surrogate keys (articles/surrogate_keys.py). A change
  readers could see purges the keys it touches (articles/public_changes.py): an entry made
  before the latest purge of any of its keys is a miss. Editing one story leaves every page
  that does not show it cached. One round trip reads the entry and its keys' purge records
  (this process remembers which keys a page had; a page whose keys changed costs a second).
- The clock changes pages too: a scheduled story goes live, another expires, a correction
  comes due. A page showing a key that such a change touches is kept only until then
  (public_changes.clock_events()), and nothing longer than ``PUBLIC_CACHE_SECONDS``.
- Only anonymous readers share it. A request with a session or CSRF cookie, or an
  Authorization header, neither reads nor fills it, so staff, previews and anyone logged
  in always get a fresh page. Responses that name no keys, set cookies, vary on anything but
  ``Cookie`` (cookie-less requests are the only ones served from here) or say
  ``private``/``no-cache``/``no-store`` are never stored.
- The key is the method, scheme, host, path and the page number, written one way
  (``?page=01`` is ``?page=1`` is no page at all): ``?utm_source=...`` shares the page's
  entry instead of making a new one, an error page is stored only for a bare path, search
  (a new page for every word typed) is not stored, nor a page over PUBLIC_CACHE_MAX_BYTES.
  With no Redis the cache is files on this machine, capped at PUBLIC_CACHE_MAX_ENTRIES
  (settings.py).
- The same responses tell a shared cache in front (settings.EDGE_CACHES) what it may keep:
  ``Cache-Control: s-maxage`` (EDGE_CACHE_SECONDS, or until the clock changes the page) and
  ``Surrogate-Key``; everything else says ``private``.
- It runs before the rest of the middleware (settings.MIDDLEWARE), so a hit costs that
  round trip and little else.
- A cache outage is not a site outage: the page is served uncached (newsroom/cache.py stops
  asking a Redis that does not answer, and logs the outage once).
"""

import functools
import hashlib
import math
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    get_max_age,
    patch_cache_control,
)
from django.utils.http import parse_http_date_safe, urlencode

from newsroom import edge

from .public_changes import (
    CLOCK_EVENTS_KEY,
    changed_by_the_clock,
    clock_events,
    good_until,
    log_cache_error,
    move_a_lost_stamp,
    note_keys,
    purge_records,
    purged_at,
)
from .surrogate_keys import EVERY_PAGE

CACHEABLE_STATUSES = {200, 301, 404, 410}
PRIVATE_DIRECTIVES = {"private", "no-cache", "no-store"}
# The only query parameter cached public views read (pagination); others change nothing.
QUERY_PARAMETERS = ("page",)
# Pages whose keys this process knows, so a hit asks for their purge records in the same
# round trip as the page; bounded, least recently used out.
KNOWN_PAGES = 5000
EDGE_FOREVER = 10**9  # seconds: no bound but the clock's (good_until())


def _skip_prefixes():
    key = (settings.ROOT_URLCONF, settings.MEDIA_URL, settings.STATIC_URL)
    key += tuple(getattr(settings, "PUBLIC_CACHE_SKIP", ()))
    return _prefixes(key)


@functools.lru_cache(maxsize=8)  # asked on every request; reverse() is not free
def _prefixes(key):
    # Search: each reader's words make their own page, a random word a new entry each time;
    # it is one indexed query, so it is served fresh instead.
    return (
        reverse("admin:index"),
        reverse("articles:search"),
        "/healthz",
        # Files, already served with their own long cache lifetimes.
        f"/{settings.MEDIA_URL.lstrip('/')}",
        f"/{settings.STATIC_URL.lstrip('/')}",
        *getattr(settings, "PUBLIC_CACHE_SKIP", ()),
    )


# The content API reads every parameter (filters, cursors) and answers ninjs or JSON by the
# Accept header (api/stories.py): its key holds them all. It refuses a parameter given twice.
API_PREFIX = "/api/"
NINJS = "application/ninjs+json"


def _wants_ninjs(request):
    # As api/stories.py reads it, media type by media type: the key must split exactly
    # where the answer does, or one kind of answer would be served for the other.
    accept = request.headers.get("Accept", "")
    return NINJS in (part.split(";")[0].strip().lower() for part in accept.split(","))


def _page_key(request):
    if request.path.startswith(API_PREFIX):
        url = f"{request.method} {request.scheme}://{request.get_host()}{request.path}"
        url += "?" + urlencode(sorted(request.GET.items()))
        url += " ninjs" if _wants_ninjs(request) else ""
        return "public-page:" + hashlib.sha256(url.encode()).hexdigest()
    # The value the view reads (the last), written one way.
    read = [
        (name, _normal(name, request.GET[name])) for name in QUERY_PARAMETERS if name in request.GET
    ]
    read = [(name, value) for name, value in read if value is not None]
    url = f"{request.method} {request.scheme}://{request.get_host()}{request.path}"
    if read:
        url += "?" + urlencode(read)
    return "public-page:" + hashlib.sha256(url.encode()).hexdigest()


def _normal(name, value):
    # ?page=01, ?page= 1, ?page=+1 and ?page=1 are the first page (the paginator reads them
    # with int()): one entry, not one per spelling. What int() refuses is a 404, never stored.
    if name == "page":
        try:
            number = int(value)
        except ValueError:
            return value
        return None if number == 1 else str(number)
    return value


class KnownPages:
    """page key -> the surrogate keys it had when last stored by this process."""

    def __init__(self, size=KNOWN_PAGES):
        self.size = size
        self.keys = OrderedDict()

    def get(self, page):
        keys = self.keys.get(page, ())
        if keys:
            self.keys.move_to_end(page)
        return keys

    def remember(self, page, keys):
        self.keys[page] = keys
        self.keys.move_to_end(page)
        if len(self.keys) > self.size:
            self.keys.popitem(last=False)


_known = KnownPages()


def _lookup(key, now):
    """The stored page, or None: a miss if any of its keys was purged after it was made, or
    the clock has changed one of them since."""
    guessed = _known.get(key)
    found = cache.get_many([key, CLOCK_EVENTS_KEY, *purge_records(["clock", *guessed])])
    stored = found.get(key)
    if stored is None:
        return None
    keys, made_at, until, edge_until, *page = stored
    if until <= now:
        return None
    if not set(keys) <= set(guessed):
        found.update(cache.get_many(purge_records(keys)))
        _known.remember(key, keys)
    purged = purged_at(found, keys, now)
    if purged is not None and purged >= made_at:
        return None
    events = clock_events(now, found)
    if changed_by_the_clock(set(keys), made_at, now, events):
        return None
    if edge_until is not None:
        # A story scheduled since the page was stored shortens what the edge may keep.
        edge_until = min(edge_until, good_until(set(keys), now, events, EDGE_FOREVER))
    return (keys, edge_until, *page)


def ask_browsers_to_revalidate(response):
    """Browsers ask again each time (a 304 costs little); without it they reuse a page for a
    tenth of its age by heuristic, and a story scheduled for 9:00 is missing at 9:01.

    Added on the way out, after the page cache has decided to store the page.
    """
    if response.status_code in CACHEABLE_STATUSES and not response.has_header("Cache-Control"):
        patch_cache_control(response, max_age=0, must_revalidate=True)
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        move_a_lost_stamp()  # staff requests too: the editor who withdrew comes back first
        return ask_browsers_to_revalidate(self._respond(request))

    def _respond(self, request):
        if _is_personal(request):
            response = self.get_response(request)
            if response.status_code in CACHEABLE_STATUSES:
                patch_cache_control(response, private=True)  # made for this visitor alone
            return response
        if not self._request_may_share(request):
            return self.get_response(request)
        use_cache = settings.PUBLIC_CACHE_SECONDS > 0
        # Outside the try: a Host not in ALLOWED_HOSTS must answer 400, not log a cache error.
        key = _page_key(request) if use_cache else None
        # What the page shows is decided as of about now: a purge from this moment on makes
        # the entry a miss, even one made while rendering.
        started = timezone.now()
        if use_cache:
            try:
                stored = _lookup(key, started)
            except Exception as error:
                log_cache_error(error, "Public page cache unavailable; serving uncached")
                return self.get_response(request)
            if stored is not None:
                return self._from_stored(request, *stored)
        response = self.get_response(request)
        if not (use_cache or settings.EDGE_CACHES) or not self._response_may_share(
            request, response
        ):
            return response
        keys = _keys_of(response)
        try:
            events = clock_events(started)
        except Exception as error:
            log_cache_error(error, "Clock changes unknown: the page is not cached")
            return response
        edge_until = None
        if settings.EDGE_CACHES:
            edge_until = good_until(keys, started, events, settings.EDGE_CACHE_SECONDS)
        # The headers as the view made them: a hit adds the edge's own again, for its time.
        headers = [(k, v) for k, v in response.items() if k.lower() != "x-cache"]
        _tell_the_edge(response, keys, edge_until)
        if use_cache:
            until = good_until(keys, started, events, settings.PUBLIC_CACHE_SECONDS)
            entry = (tuple(sorted(keys)), started, until, edge_until)
            try:
                self._store(key, entry, response, headers)
            except Exception as error:
                log_cache_error(error, "Could not store a page in the public cache")
        return response

    def _request_may_share(self, request):
        return request.method in ("GET", "HEAD") and not request.path.startswith(_skip_prefixes())

    def _response_may_share(self, request, response):
        if response.status_code not in CACHEABLE_STATUSES or response.streaming:
            return False
        if not _keys_of(response):
            return False  # not known what it shows, so not known when it changes
        if request.META.get("QUERY_STRING") and response.status_code != 200:
            return False  # ?page=junk: one 404 entry per junk value would fill the cache
        if len(response.content) > settings.PUBLIC_CACHE_MAX_BYTES:
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        varies = {v.lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        held = {"cookie", "accept"} if request.path.startswith(API_PREFIX) else {"cookie"}
        if varies - held:
            return False  # the key does not hold those headers
        directives = {
            part.split("=")[0].strip().lower()
            for part in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        return not (directives & PRIVATE_DIRECTIVES) and get_max_age(response) != 0

    def _store(self, key, entry, response, headers):
        keys, started, until, edge_until = entry
        # Checked on every hit too: the cache's own expiry counts whole seconds.
        timeout = (until - timezone.now()).total_seconds()
        if timeout <= 0:
            return
        note_keys(keys)
        # Plain data, not the response object: nothing of the request travels with it.
        cache.set(
            key, (*entry, response.status_code, headers, response.content), math.ceil(timeout)
        )
        _known.remember(key, keys)
        response["X-Cache"] = "miss"

    def _from_stored(self, request, keys, edge_until, status, headers, content):
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        _tell_the_edge(response, keys, edge_until)
        response["X-Cache"] = "hit"
        if status == 200:
            # A reader revalidating its copy still gets a 304 from a cached page.
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            response = get_conditional_response(
                request, etag=response.get("ETag"), last_modified=last_modified, response=response
            )
        return response


def _tell_the_edge(response, keys, until):
    """What a shared cache that hears the purges (EDGE_CACHES) may keep, and for how long.

    `Cache-Control: s-maxage` is EDGE_CACHE_SECONDS on every page: a cache may pass it on to
    readers, so it must not vary with the clock (a tag page kept for 89 s while the others
    are kept for 600 would tell that a story is due there in 89 s). The true lifetime, up to
    the first clock change touching the page, goes in the headers edges read and never pass
    on: `Surrogate-Control` (Varnish through deploy/varnish/default.vcl, Fastly) and
    Cloudflare's own (newsroom/edge.py). CloudFront reads only s-maxage: there a scheduled
    story may show up to EDGE_CACHE_SECONDS late (README, Edge cache).
    """
    if until is None:
        return
    seconds = math.floor((until - timezone.now()).total_seconds())
    if seconds <= 0:
        return
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        must_revalidate=True,
        s_maxage=settings.EDGE_CACHE_SECONDS,
    )
    for name, value in edge.response_headers(sorted(keys), seconds).items():
        response[name] = value


def _is_personal(request):
    """Staff, previews, anyone logged in or holding a form's token: never shared."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.CSRF_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
    )


def _keys_of(response):
    """What a public response shows: the keys its view named, with those of every page; a
    "not found" that named none may be filled by any story going live."""
    keys = getattr(response, "surrogate_keys", None)
    if not keys and response.status_code == 404:
        keys = {"missing"}
    if not keys:
        return set()
    return {*keys, *EVERY_PAGE}
