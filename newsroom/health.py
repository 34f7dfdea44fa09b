"""A liveness and readiness probe for load balancers and uptime checks."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from .cache import cache_health

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 "ok" when the database answers a trivial query, else 503; and how the cache is.

    A degraded cache (Redis not answering) leaves the site up at uncached speed, so it is
    reported on its own line ("cache: degraded") without failing the probe.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse(f"ok\ncache: {cache_health(cache)}\n", content_type="text/plain")
