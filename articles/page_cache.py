"""The public page cache: whole responses for anonymous readers, in the default cache.

Correctness comes before hit rate:

- Every entry keeps the public *stamp* it was made under (articles/public_changes.py), read
  with the page in one round trip. A change readers could see moves the stamp, and every
  entry made before it is a miss: the article, the front page, sections, tags, feeds,
  sitemaps. Work on stories readers cannot see moves nothing, so `X-Cache` says nothing
  about it either.
- The clock changes pages too: a scheduled story goes live, another expires, a correction
  comes due. Each entry lives at most until the next such time (public_changes.py keeps it,
  one indexed query when it changes), and never longer than ``PUBLIC_CACHE_SECONDS``.
- Only anonymous readers share it. A request with a session or CSRF cookie, or an
  Authorization header, neither reads nor fills it, so staff, previews and anyone logged
  in always get a fresh page. Responses that set cookies, vary on anything but ``Cookie``
  (cookie-less requests are the only ones served from here) or say
  ``private``/``no-cache``/``no-store`` are never stored. No public view sends such a
  ``Vary`` today (tests/test_page_cache.py walks them).
- The key is the method, scheme, host, path and the query parameters the public views read
  (``page``, ``q``): ``?utm_source=...`` shares the page's entry instead of making a new one,
  an error page is stored only for a bare path, and a page over PUBLIC_CACHE_MAX_BYTES is
  not stored. With no Redis the cache is files on this machine, capped at
  PUBLIC_CACHE_MAX_ENTRIES (settings.py).
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
from django.utils.cache import cc_delim_re, get_conditional_response, get_max_age
from django.utils.http import parse_http_date_safe, urlencode

from .public_changes import STAMP_KEY, log_cache_error, next_clock_change, public_stamp

CACHEABLE_STATUSES = {200, 301, 404, 410}
PRIVATE_DIRECTIVES = {"private", "no-cache", "no-store"}
# The only query parameters public views read (pagination and search); others change nothing.
QUERY_PARAMETERS = ("page", "q")


def _skip_prefixes():
    return (reverse("admin:index"), "/healthz", *getattr(settings, "PUBLIC_CACHE_SKIP", ()))


def _page_key(request):
    read = [(name, value) for name in QUERY_PARAMETERS for value in request.GET.getlist(name)]
    url = f"{request.method} {request.scheme}://{request.get_host()}{request.path}"
    if read:
        url += "?" + urlencode(read)
    return "public-page:" + hashlib.sha256(url.encode()).hexdigest()


def _lookup(key):
    """The current stamp and the stored page, in one round trip to the cache.

    The stamp is stored inside the entry rather than in its key, so one MGET fetches
    both; an entry made under an older stamp, or kept past the time it was good until, is
    simply a miss (and is overwritten).
    """
    found = cache.get_many([STAMP_KEY, key])
    stamp = found.get(STAMP_KEY)
    if stamp is None:
        return public_stamp(), None
    stored = found.get(key)
    if stored is None or stored[0] != stamp or stored[1] <= timezone.now():
        return stamp, None
    return stamp, stored[2:]


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._request_may_share(request):
            return self.get_response(request)
        # Outside the try: a Host not in ALLOWED_HOSTS must answer 400, not log a cache error.
        key = _page_key(request)
        try:
            stamp, stored = _lookup(key)
        except Exception as error:
            log_cache_error(error, "Public page cache unavailable; serving uncached")
            return self.get_response(request)
        if stored is not None:
            return self._from_stored(request, stored)
        # What the page shows is decided as of about now: the entry must expire at the
        # first clock change after this moment, even one that passes while rendering.
        started = timezone.now()
        response = self.get_response(request)
        if self._response_may_share(request, response):
            try:
                self._store(key, stamp, started, response)
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

    def _store(self, key, stamp, started, response):
        # Good until the first clock change after `started` and PUBLIC_CACHE_SECONDS at most.
        # Checked on every hit (the cache's own expiry counts whole seconds, on its own clock).
        good_until = started + timedelta(seconds=settings.PUBLIC_CACHE_SECONDS)
        next_change = next_clock_change(started)
        if next_change:
            good_until = min(good_until, next_change)
        timeout = (good_until - timezone.now()).total_seconds()
        if timeout <= 0:
            return
        # Plain data, not the response object: nothing of the request travels with it.
        headers = [(k, v) for k, v in response.items() if k.lower() != "x-cache"]
        entry = (stamp, good_until, response.status_code, headers, response.content)
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
