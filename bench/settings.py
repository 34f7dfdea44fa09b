"""Settings for the benchmarks: the site's own, plus a bare view to compare against.

DEBUG, SECRET_KEY and the database still come from the environment (bench/*.py set them),
so the site is measured as it runs in production.
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The bare view is the floor being measured against: never from the page cache.
PUBLIC_CACHE_SKIP = ("/bench/",)
