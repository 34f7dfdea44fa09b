"""HTTP for every API answer: what it shows (surrogate keys), when it changed, CORS, rate
limits and cursors.

Views say what they show with `shows(request, keys, last_modified=...)`; the API's
create_response (api/main.py) puts that on the response ninja finally sends, so the page
cache and the edge cache API answers by the same keys as pages and purge them on the same
changes. ETag and 304s come from Django's ConditionalGetMiddleware.
"""

import base64
import binascii
import datetime
import hashlib
import json
from urllib.parse import urlencode

from django.conf import settings
from django.utils.http import http_date
from ninja.errors import Throttled
from ninja.throttling import SimpleRateThrottle

from articles.page_cache import _is_personal
from articles.surrogate_keys import attach
from newsroom.client_ip import client_ip

from .problems import Problem


def personal(request):
    """A request made for one client (a token, a session): never shared or stored."""
    return _is_personal(request)


def shows(request, keys, *, last_modified=None):
    """Name what this request's answer shows and when it last changed (see the module doc)."""
    request.api_keys = {*getattr(request, "api_keys", ()), *keys}
    if last_modified is not None:
        request.api_last_modified = last_modified


def uncached(request):
    """This answer must not be kept by a shared cache: it names no keys, so none stores it."""
    request.api_uncached = True


def finish(request, response):
    """Put on `response` what the view said of it, and the headers every API answer carries."""
    if personal(request):
        # Made for one token holder: no shared cache may keep or serve it.
        response["Cache-Control"] = "private, no-store"
    elif not getattr(request, "api_uncached", False) and getattr(request, "api_keys", None):
        attach(response, request.api_keys)
    last_modified = getattr(request, "api_last_modified", None)
    if last_modified is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if request.method in ("GET", "HEAD", "OPTIONS"):
        # Public data, read with no credentials: any origin's script may read it. Never
        # Allow-Credentials, so a browser never sends a reader's cookies along.
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After, Link"
    return response


def preflight():
    """The answer to a CORS preflight: GET and HEAD from anywhere, with an Authorization header."""
    from django.http import HttpResponse

    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, Authorization, If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


# Cursors ---------------------------------------------------------------------------------


def make_cursor(*values):
    """An opaque cursor holding `values` (datetimes, ints, strings)."""
    encoded = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
    raw = json.dumps(encoded, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(text, *, parameter, types):
    """The values of a cursor made by make_cursor(), read as `types` ("datetime", "int",
    "str"; "datetime?" is a datetime or None); anything else is a 400 problem naming
    `parameter`."""
    refusal = Problem(
        400,
        "Invalid parameter",
        f"'{parameter}' is not a cursor this API gave: use the 'next' link of a previous page.",
        errors=[{"name": parameter, "in": "query", "message": "Not a valid cursor."}],
    )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise refusal from None
    if not isinstance(values, list) or len(values) != len(types):
        raise refusal
    read = []
    for value, kind in zip(values, types, strict=True):
        if kind == "datetime?":
            if value is None:
                read.append(None)
                continue
            kind = "datetime"
        try:
            if kind == "datetime":
                value = datetime.datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
                value = value.astimezone(datetime.UTC)  # OverflowError at the calendar's ends
            elif kind == "int" and (type(value) is not int or not 0 <= value < 2**63):
                raise ValueError
            elif kind == "str" and (not isinstance(value, str) or "\x00" in value):
                raise ValueError  # NUL: no database takes it in a string
            elif kind == "str":
                value.encode()  # half a UTF-16 pair ("\ud800" in JSON): UnicodeEncodeError
        except (TypeError, ValueError, OverflowError):
            raise refusal from None
        read.append(value)
    return tuple(read)


def absolute_url(request, path, **query):
    """`path` as an absolute URL with `query` (None values left out)."""
    pairs = [(k, v) for k, v in query.items() if v is not None]
    url = request.build_absolute_uri(path)
    return f"{url}?{urlencode(pairs)}" if pairs else url


# Rate limits -----------------------------------------------------------------------------


class ClientThrottle(SimpleRateThrottle):
    """settings.API_RATE_LIMIT per client address (newsroom.client_ip, which trusts only
    TRUSTED_PROXY_COUNT proxies); token holders are counted by TokenThrottle instead."""

    scope = "api-client"
    setting = "API_RATE_LIMIT"

    def __init__(self):
        super().__init__(rate="1/s")  # replaced by the setting on every request

    def allow_request(self, request):
        # Read at each request, so settings (and tests) can change it without a restart.
        self.rate = getattr(settings, self.setting, None)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        return super().allow_request(request)

    def get_cache_key(self, request):
        # A refused token is no token: the request counts against its address (see
        # count_refused()), or a made-up token on each request would dodge the limit.
        if _bearer(request) and not getattr(request, "api_token_refused", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def count_refused(request):
    """Count a request whose token was refused against its client address, and raise
    Throttled once that address is over its limit.

    ninja checks authentication before its throttles, so a refused token never reaches them:
    this is called from the authentication itself (api/auth.py)."""
    request.api_token_refused = True
    throttle = ClientThrottle()
    if not throttle.allow_request(request):
        raise Throttled(wait=throttle.wait())


class TokenThrottle(ClientThrottle):
    """settings.API_TOKEN_RATE_LIMIT per token (higher: a preview app of a whole desk).
    Keyed by a digest: the secret itself is never a cache key."""

    scope = "api-token"
    setting = "API_TOKEN_RATE_LIMIT"

    def get_cache_key(self, request):
        token = _bearer(request)
        if not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


def _bearer(request):
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
