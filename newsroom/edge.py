"""Edge caches: the headers that tag a public page, and the purge that retires it.

Shaped like Wagtail's frontend cache (wagtail.contrib.frontend_cache): one small interface,
``purge(keys, paths)``, and a backend per cache, listed in ``settings.EDGE_CACHES`` (built
from the environment in newsroom/settings.py). Pages are tagged with surrogate keys naming
what they show ("a12" an article, "front" the front page, "s3" a section, ...), and a change
purges exactly those keys, never the whole site:

- Varnish with xkey (deploy/varnish/default.vcl): ``PURGE /`` with the keys in ``xkey-purge``
  and the shared secret in ``X-Edge-Token``; the VCL also checks the sender's address.
- Fastly: its surrogate-key purge, reading the same ``Surrogate-Key`` header.
- Cloudflare: cache-tag purge, reading ``Cache-Tag`` (sent only when Cloudflare is configured).
- CloudFront: no tags, so an invalidation of the paths (boto3, the ``s3`` extra).

A purge runs while an editor waits for the save, so each request has a short timeout, and an
edge that is down or refuses is logged, never raised: the save has happened either way, and
the page still leaves the edge at its s-maxage (settings.EDGE_CACHE_SECONDS).
"""

import json
import logging
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Keys travel space-separated (Surrogate-Key, xkey) and comma-separated (Cache-Tag).
KEY = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(items):
    return list(dict.fromkeys(items))


def _send(request, timeout):
    """The response body; an HTTP error status raises, with what the edge said."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        said = error.read(300).decode(errors="replace").strip()
        raise OSError(f"{request.get_method()} {request.full_url}: {error.code} {said}") from None


class VarnishBackend:
    """Varnish with the xkey vmod, configured by deploy/varnish/default.vcl."""

    # A few KB of header per request, well under Varnish's 8 KB http_req_hdr_len.
    BATCH = 200

    def __init__(self, *, url, token, timeout=2.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def __str__(self):
        return f"Varnish at {self.url}"

    def purge(self, keys, paths=()):
        # Every page carries its keys, so paths add nothing here.
        for batch in _chunks(keys, self.BATCH):
            request = urllib.request.Request(
                self.url + "/",
                method="PURGE",
                headers={"xkey-purge": " ".join(batch), "X-Edge-Token": self.token},
            )
            _send(request, self.timeout)


class FastlyBackend:
    """Fastly's purge by surrogate key: https://www.fastly.com/documentation/reference/api/purging/"""

    API = "https://api.fastly.com"
    BATCH = 256  # keys per request, Fastly's limit

    def __init__(self, *, service_id, token, api=API, timeout=2.0):
        self.service_id = service_id
        self.token = token
        self.api = api.rstrip("/")
        self.timeout = timeout

    def __str__(self):
        return f"Fastly service {self.service_id}"

    def purge(self, keys, paths=()):
        for batch in _chunks(keys, self.BATCH):
            request = urllib.request.Request(
                f"{self.api}/service/{self.service_id}/purge",
                method="POST",
                headers={
                    "Fastly-Key": self.token,
                    "Surrogate-Key": " ".join(batch),
                    "Accept": "application/json",
                },
            )
            _send(request, self.timeout)


class CloudflareBackend:
    """Cloudflare's purge by cache tag: https://developers.cloudflare.com/cache/how-to/purge-cache/"""

    API = "https://api.cloudflare.com/client/v4"
    BATCH = 100  # tags per call, Cloudflare's limit on every plan
    # Cloudflare reads a page's tags from this header (and strips it before readers see it).
    tag_header = "Cache-Tag"
    # Read by Cloudflare alone and not passed on, unlike Cache-Control's s-maxage.
    lifetime_header = "Cloudflare-CDN-Cache-Control"

    def __init__(self, *, zone_id, token, api=API, timeout=2.0):
        self.zone_id = zone_id
        self.token = token
        self.api = api.rstrip("/")
        self.timeout = timeout

    def __str__(self):
        return f"Cloudflare zone {self.zone_id}"

    def purge(self, keys, paths=()):
        for batch in _chunks(keys, self.BATCH):
            request = urllib.request.Request(
                f"{self.api}/zones/{self.zone_id}/purge_cache",
                method="POST",
                data=json.dumps({"tags": batch}).encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            answer = json.loads(_send(request, self.timeout) or b"{}")
            # The API can answer 200 and still refuse.
            if not answer.get("success"):
                raise OSError(f"Cloudflare refused the purge: {answer.get('errors')}")


class CloudFrontBackend:
    """An AWS CloudFront invalidation of the changed paths: CloudFront has no tags."""

    # Paths per invalidation; CloudFront allows 3,000 in progress per distribution.
    BATCH = 1000
    # Purges by address: articles/public_changes.py works the paths out for it.
    by_path = True

    def __init__(self, *, distribution_id, endpoint_url=None, region_name=None, timeout=2.0):
        self.distribution_id = distribution_id
        self.endpoint_url = endpoint_url
        self.region_name = region_name
        self.timeout = timeout

    def __str__(self):
        return f"CloudFront distribution {self.distribution_id}"

    def purge(self, keys, paths=()):
        if not paths:
            return
        # boto3 comes with the s3 extra; settings.py refuses CloudFront without it.
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "cloudfront",
            endpoint_url=self.endpoint_url,
            region_name=self.region_name or "us-east-1",
            config=Config(
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                retries={"max_attempts": 1},
            ),
        )
        # CloudFront matches the path as sent, so non-ASCII slugs go percent-encoded.
        for batch in _chunks([iri_to_uri(path) for path in paths], self.BATCH):
            client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(batch), "Items": batch},
                    "CallerReference": uuid.uuid4().hex,
                },
            )


def edge_caches():
    """One backend per entry of settings.EDGE_CACHES, built from its OPTIONS."""
    return [
        import_string(config["BACKEND"])(
            **{"timeout": settings.EDGE_PURGE_TIMEOUT, **config.get("OPTIONS", {})}
        )
        for config in settings.EDGE_CACHES
    ]


def _checked(keys):
    keys = _unique(keys)
    if bad := [key for key in keys if not (isinstance(key, str) and KEY.fullmatch(key))]:
        raise ValueError(f"Not surrogate keys (ASCII letters, digits, _.:-): {bad!r}")
    return keys


def response_headers(keys: Iterable[str], seconds: int) -> dict[str, str]:
    """The headers naming what a public response shows, and how long an edge may keep it.

    ``Surrogate-Key`` always (the VCL copies it into xkey; Fastly reads it) and
    ``Surrogate-Control: max-age`` (the VCL sets the TTL from it; Fastly reads it; neither
    passes it on), plus each configured backend's own headers (Cloudflare's ``Cache-Tag``
    and ``Cloudflare-CDN-Cache-Control``).
    """
    keys = _checked(keys)
    if not keys:
        return {}
    headers = {"Surrogate-Key": " ".join(keys), "Surrogate-Control": f"max-age={seconds}"}
    for config in settings.EDGE_CACHES:
        backend = import_string(config["BACKEND"])
        if name := getattr(backend, "tag_header", None):
            headers[name] = ",".join(keys)
        if name := getattr(backend, "lifetime_header", None):
            headers[name] = f"max-age={seconds}"
    return headers


def purge(keys: Iterable[str], paths: Iterable[str] = ()) -> None:
    """Retire every page showing one of ``keys`` (or at ``paths``) from every edge cache.

    Never raises: a failure is logged with the edge and the keys, and the pages then leave
    that edge at their s-maxage.
    """
    keys, paths = list(keys), list(paths)
    try:
        keys, paths = _checked(keys), _unique(paths)
        caches = edge_caches()
    except Exception:
        logger.exception("Edge purge not sent: keys %r, paths %r", keys, paths)
        return
    if not keys and not paths:
        return
    for cache in caches:
        try:
            cache.purge(keys, paths)
        except Exception:
            logger.exception("Edge purge failed: %s, keys %s", cache, " ".join(keys))
        else:
            logger.info("Edge purge: %s, keys %s", cache, " ".join(keys))
