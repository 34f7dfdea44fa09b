"""The public page cache: whole responses for anonymous readers, in the default cache.

Correctness comes before hit rate:

- Every entry keeps the public *stamp* it was made under (articles/public_changes.py), read
  with the page in one round trip. A change readers could see moves the stamp, and every
  entry made before it is a miss: the article, the front page, sections, tags, feeds,
  sitemaps. Work on stories readers cannot see moves nothing, so `X-Cache` says nothing
  about it either.
- The clock changes pages too: a scheduled story goes live, another expires, a correction
  comes due. An entry made before the latest such change is a miss, and none lives past the
  next one (public_changes.clock_changes(): one indexed query each time one passes), nor
  longer than ``PUBLIC_CACHE_SECONDS``. None of this moves the stamp.
- Only anonymous readers share it. A request with a session or CSRF cookie, or an
  Authorization header, neither reads nor fills it, so staff, previews and anyone logged
  in always get a fresh page. Responses that set cookies, vary on anything but ``Cookie``
  (cookie-less requests are the only ones served from here) or say
  ``private``/``no-cache``/``no-store`` are never stored. No public view sends such a
  ``Vary`` today (tests/test_page_cache.py walks them).
- The key is the method, scheme, host, path and the page number, written one way
  (``?page=01`` is ``?page=1`` is no page at all): ``?utm_source=...`` shares the page's
  entry instead of making a new one, an error page is stored only for a bare path, search
  (a new page for every word typed) is not stored, nor a page over PUBLIC_CACHE_MAX_BYTES.
  With no Redis the cache is files on this machine, capped at PUBLIC_CACHE_MAX_ENTRIES
  (settings.py), whose culling spares the stamps.
- A cache outage is not a site outage: the page is served uncached (newsroom/cache.py stops
  asking a Redis that does not answer, and logs the outage once).
"""

import hashlib
import math
from datetime import timedelta

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

from .public_changes import (
    CLOCK_KEYS,
    STAMP_KEY,
    clock_changes,
    log_cache_error,
    move_a_lost_stamp,
    public_stamp,
)

CACHEABLE_STATUSES = {200, 301, 404, 410}
PRIVATE_DIRECTIVES = {"private", "no-cache", "no-store"}
# The only query parameter cached public views read (pagination); others change nothing.
QUERY_PARAMETERS = ("page",)


def _skip_prefixes():
    # Search: each reader's words make their own page, a random word a new entry each time;
    # it is one indexed query, so it is served fresh instead.
    return (
        reverse("admin:index"),
        reverse("articles:search"),
        "/healthz",
        # Pictures: files, already served with their own long cache lifetime.
        f"/{settings.MEDIA_URL.lstrip('/')}",
        *getattr(settings, "PUBLIC_CACHE_SKIP", ()),
    )


def _page_key(request):
    read = [
        (name, _normal(name, value))
        for name in QUERY_PARAMETERS
        for value in request.GET.getlist(name)
    ]
    read = [(name, value) for name, value in read if value is not None]
    url = f"{request.method} {request.scheme}://{request.get_host()}{request.path}"
    if read:
        url += "?" + urlencode(read)
    return "public-page:" + hashlib.sha256(url.encode()).hexdigest()


def _normal(name, value):
    # ?page=01, ?page=001 and ?page=1 are the first page: one entry, not one per spelling.
    if name == "page" and value.isdigit():
        return None if int(value) == 1 else str(int(value))
    return value


def _lookup(key, now):
    """(stamp, next clock change, stored page or None), in one round trip to the cache.

    The stamp is stored inside the entry rather than in its key, so one MGET fetches the
    stamps and the page; an entry made under an older stamp, before the latest clock change
    that has passed, or kept past the time it was good until, is a miss (and is overwritten).
    """
    found = cache.get_many([*CLOCK_KEYS, key])
    stamp = found.get(STAMP_KEY) or public_stamp()
    upcoming, passed = clock_changes(found, now)
    stored = found.get(key)
    if stored is None:
        return stamp, upcoming, None
    made_under, made_at, good_until, *page = stored
    if made_under != stamp or made_at < passed or good_until <= now:
        return stamp, upcoming, None
    return stamp, upcoming, page


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
        if not self._request_may_share(request):
            return self.get_response(request)
        # Outside the try: a Host not in ALLOWED_HOSTS must answer 400, not log a cache error.
        key = _page_key(request)
        # What the page shows is decided as of about now: the entry must expire at the
        # first clock change after this moment, even one that passes while rendering.
        started = timezone.now()
        try:
            stamp, upcoming, stored = _lookup(key, started)
        except Exception as error:
            log_cache_error(error, "Public page cache unavailable; serving uncached")
            return self.get_response(request)
        if stored is not None:
            return self._from_stored(request, stored)
        response = self.get_response(request)
        if self._response_may_share(request, response):
            try:
                self._store(key, stamp, started, upcoming, response)
            except Exception as error:
                log_cache_error(error, "Could not store a page in the public cache")
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

    def _response_may_share(self, request, response):
        if response.status_code not in CACHEABLE_STATUSES or response.streaming:
            return False
        if request.META.get("QUERY_STRING") and response.status_code != 200:
            return False  # ?page=junk: one 404 entry per junk value would fill the cache
        if len(response.content) > settings.PUBLIC_CACHE_MAX_BYTES:
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        varies = {v.lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        if varies - {"cookie"}:
            return False  # the key does not hold those headers
        directives = {
            part.split("=")[0].strip().lower()
            for part in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        return not (directives & PRIVATE_DIRECTIVES) and get_max_age(response) != 0

    def _store(self, key, stamp, started, upcoming, response):
        # Good until the next clock change and PUBLIC_CACHE_SECONDS at most, checked on every
        # hit (the cache's own expiry counts whole seconds, on its own clock).
        good_until = started + timedelta(seconds=settings.PUBLIC_CACHE_SECONDS)
        if upcoming:
            good_until = min(good_until, upcoming)
        timeout = (good_until - timezone.now()).total_seconds()
        if timeout <= 0:
            return
        # Plain data, not the response object: nothing of the request travels with it.
        headers = [(k, v) for k, v in response.items() if k.lower() != "x-cache"]
        entry = (stamp, started, good_until, response.status_code, headers, response.content)
        cache.set(key, entry, timeout=math.ceil(timeout))
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
