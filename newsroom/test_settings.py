import os

# DEBUG is off unless said (settings.py); the suite runs as a development machine would.
os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402, F403

# Hashing passwords slowly on purpose is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The manifest only exists after collectstatic; tests render {% static %} without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The public page cache is off for the suite (pages are asserted on their context and
# query counts); tests/test_caching.py turns it on and tests it.
PUBLIC_CACHE_SECONDS = 0
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True

# Django's test client logs in without a request, which django-axes refuses; the lockout
# test switches it back on.
AXES_ENABLED = False

# One process, so memory will do; a cache on disk would carry one run's stamp into the next.
# tests/test_workers.py runs real workers on the file cache that settings.py chooses.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A purge's second sending, a second later, would land in the next test's edge.
EDGE_REPURGE_SECONDS = 0

# Content API: no rate limits, but in tests/test_api_http.py, which proves them.
API_RATE_LIMIT = None
API_TOKEN_RATE_LIMIT = None
