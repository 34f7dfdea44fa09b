"""
Settings read from the environment, with defaults that suit development.

Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see README.md.
"""

import datetime
import importlib.util
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


def env(name, default, cast=str):
    """A setting from the environment: unset or empty means `default`, else `cast` of it.

    cast is str, int, float, bool (1/0, true/false, yes/no, on/off) or list (comma-separated).
    A value that does not read as its type stops the start with the variable named: a
    mistyped SECURE_SSL_REDIRECT=flase must not turn a safety off.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if cast is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    try:
        return BOOLEANS[value.lower()] if cast is bool else cast(value)
    except (KeyError, ValueError):
        kind = {bool: "a boolean (1 or 0)", int: "an integer", float: "a number"}[cast]
        raise ImproperlyConfigured(f"{name}={value!r} is not {kind}.") from None


# Off unless said: a forgotten variable in production must never mean debug pages and the
# development key. `make run` and the tests (newsroom/test_settings.py) turn it on.
DEBUG = env("DEBUG", False, bool)

# Only good enough for a laptop: the app refuses to serve with it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "development-only-never-use-this-key-in-production"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY and os.environ.get("NEWSROOM_COMMAND_LINE"):
    # manage.py (check, migrate, loaddata, ...) signs nothing that outlives the command: with
    # no key set it makes one of its own for this run. Serving (WSGI, ASGI) still refuses.
    SECRET_KEY = secrets.token_urlsafe(50)
if not DEBUG and (
    SECRET_KEY == DEVELOPMENT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    # The same bar as `check --deploy` (security.W009): a short key is guessable.
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY in the environment to a random string of 50+ characters "
        "(or DEBUG=1 on a development machine)."
    )

ALLOWED_HOSTS = env("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], list)
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS", [], list)

INSTALLED_APPS = [
    # Before staticfiles, so `runserver` serves static files the way gunicorn does.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "csp",
    "axes",
    # The body's rich-text editor: its scripts, styles and icon font (articles/richtext.py).
    "django_prose_editor",
    "articles",
    "photos",
    # The front page and section pages editors arrange (pins, ordered by drag and drop).
    "curation",
    "adminsortable2",
    # The content API (django-ninja; "ninja" serves its docs' scripts from our static files).
    "ninja",
    "api",
]

# The body editor's own Tiptap node, a picture from the library (articles/richtext.py): the
# module that defines it, and the HTML it writes, which django-prose-editor's allowlist (and
# so the sanitizer, articles/sanitize.py) adds for it. A callable: 0.28 cannot import a path.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("admin/newsroom/story-picture.js")],
        "extensions": {
            "StoryPicture": html_tags(["figure"], {"figure": ["data-image", "data-caption"]})
        },
    }
]

MIDDLEWARE = [
    # Outermost, so the logged duration covers everything below it.
    "newsroom.request_log.RequestLogMiddleware",
    # Before everything else: a hit skips all of it, and the cache decides who is anonymous
    # from the cookies alone (articles/page_cache.py). Stored pages keep the headers the
    # middleware below gave them (security headers, CSP, ETag).
    "articles.page_cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses logins while a username/address pair is locked out; ModelBackend checks passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling against password guessing (django-axes): five failures for one username
# from one address lock that pair out for 15 minutes. Unlock early with
# `python manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env("AXES_FAILURE_LIMIT", 5, int)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env("AXES_COOLOFF_MINUTES", 15, int))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind a proxy every login comes from the proxy's address, and locking that out would lock
# out every editor: set TRUSTED_PROXY_COUNT to the number of proxies in front of the app.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT", 0, int)
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"

# Content Security Policy (django-csp): nothing inline and nothing from elsewhere may run.
# Public pages need no exception at all; the JSON-LD block is data, which CSP leaves alone.
# The one inline script is the body editor's import map in the admin (articles/richtext.py):
# it carries the request's nonce, and only a page that used the nonce names it in the policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL means the default, as an unset one does.
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an editor saves; IMMEDIATE transactions and a
    # busy timeout make concurrent writers wait their turn instead of failing with
    # "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default cache holds the public page cache and its stamp (articles/page_cache.py,
# articles/public_changes.py), so every worker must see the same one: Redis with REDIS_URL
# (one cache for every application server), otherwise files on this machine, which every
# worker of one machine shares. A save on one worker then reaches them all at once.
REDIS_URL = env("REDIS_URL", "")
# The longest a cached public page lives. Saves readers can see retire pages at once and
# clock changes cap each entry, so this bounds only what no signal sees (QuerySet.update(),
# raw SQL) and a change made while the cache was unreachable.
PUBLIC_CACHE_SECONDS = env("PUBLIC_CACHE_SECONDS", 300, int)
# What the page cache may hold: pages over this size are not stored, and a cache on this
# machine keeps at most this many entries (Redis: set its maxmemory and an LRU policy).
PUBLIC_CACHE_MAX_BYTES = env("PUBLIC_CACHE_MAX_BYTES", 1024 * 1024, int)
PUBLIC_CACHE_MAX_ENTRIES = env("PUBLIC_CACHE_MAX_ENTRIES", 5000, int)
if REDIS_URL:
    # A frozen or partitioned Redis must cost a page tens of milliseconds, then nothing:
    # newsroom/cache.py stops asking it for CACHE_RETRY_SECONDS after three failures.
    redis_timeout = env("REDIS_TIMEOUT", 0.05, float)
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.FailFastRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "RETRY_AFTER": env("CACHE_RETRY_SECONDS", 5.0, float),
            "OPTIONS": {"socket_connect_timeout": redis_timeout, "socket_timeout": redis_timeout},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.KeepingFileCache",
            "LOCATION": env("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            # Survive culling (articles/public_changes.py): the stamp behind Last-Modified, and
            # the purge records every page reads, whose loss would make every page a miss.
            "KEEP_KEYS": ["public:changed-at", "public:purged:site", "public:purged:nav"],
            "OPTIONS": {"MAX_ENTRIES": PUBLIC_CACHE_MAX_ENTRIES},
        }
    }

# ---- Edge caches (newsroom/edge.py, deploy/varnish/, README "Edge cache") -----------------
# Public pages tell shared caches they may keep them EDGE_CACHE_SECONDS (s-maxage) and name
# what they show in surrogate keys; a change purges its keys from every cache listed here,
# each purge waiting EDGE_PURGE_TIMEOUT seconds at most. None by default: no edge.
EDGE_CACHE_SECONDS = env("EDGE_CACHE_SECONDS", 300, int)
EDGE_PURGE_TIMEOUT = env("EDGE_PURGE_TIMEOUT", 2.0, float)
# Each purge is sent again this long after (articles/public_changes.py: a page the edge was
# fetching as the save committed arrives after the first); 0 sends it once.
EDGE_REPURGE_SECONDS = env("EDGE_REPURGE_SECONDS", 1.0, float)


def edge_caches_from_environment():
    def pair(first, second):
        values = env(first, ""), env(second, "")
        if any(values) and not all(values):
            raise ImproperlyConfigured(f"{first} and {second} go together: set both or neither.")
        return values

    caches = []
    # Several Varnish servers: a comma-separated list, each sent every purge.
    varnish_urls = env("VARNISH_PURGE_URL", [], list)
    token = env("EDGE_PURGE_TOKEN", "")
    if varnish_urls and len(token) < 32:
        raise ImproperlyConfigured(
            "VARNISH_PURGE_URL is set: set EDGE_PURGE_TOKEN to a random string of 32+ "
            "characters, the same one varnishd is started with (deploy/varnish/run.py)."
        )
    for url in varnish_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ImproperlyConfigured(f"VARNISH_PURGE_URL={url!r} is not an http://HOST:PORT.")
        caches.append(
            {"BACKEND": "newsroom.edge.VarnishBackend", "OPTIONS": {"url": url, "token": token}}
        )
    service_id, fastly_token = pair("FASTLY_SERVICE_ID", "FASTLY_API_TOKEN")
    if service_id:
        options = {"service_id": service_id, "token": fastly_token}
        caches.append({"BACKEND": "newsroom.edge.FastlyBackend", "OPTIONS": options})
    zone_id, cloudflare_token = pair("CLOUDFLARE_ZONE_ID", "CLOUDFLARE_API_TOKEN")
    if zone_id:
        options = {"zone_id": zone_id, "token": cloudflare_token}
        caches.append({"BACKEND": "newsroom.edge.CloudflareBackend", "OPTIONS": options})
    if distribution_id := env("CLOUDFRONT_DISTRIBUTION_ID", ""):
        # AWS keys as for pictures: from the environment, a profile or an instance role.
        if not importlib.util.find_spec("boto3"):
            raise ImproperlyConfigured(
                "CLOUDFRONT_DISTRIBUTION_ID needs boto3: pip install -e '.[s3]'."
            )
        options = {"distribution_id": distribution_id}
        caches.append({"BACKEND": "newsroom.edge.CloudFrontBackend", "OPTIONS": options})
    return caches


EDGE_CACHES = edge_caches_from_environment()
# ---- end of edge caches ---------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# ---- languages of stories (issue 17; articles/languages.py) ---------------------------------
# The languages stories are written in: (BCP 47 code, its name in that language). The admin
# offers them in this order; the one LANGUAGE_CODE falls under ("en") is the default, at
# the front page `/`; each other language gets a front page and feeds under /<code>/.
NEWSROOM_LANGUAGES = [
    ("en", "English"),
    ("ckb", "کوردی"),
    ("kmr", "Kurmancî"),
    ("ar", "العربية"),
    ("fa", "فارسی"),
    ("tr", "Türkçe"),
]
# ---- end of languages of stories ------------------------------------------------------------
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    # Originals of the picture library, under MEDIA_ROOT: staff only (photos/views.py).
    # Both picture storages move to a bucket with MEDIA_STORAGE_URL (below).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The copies readers get (photos/renditions.py), under MEDIA_ROOT/renditions/: public,
    # served with year-long cache lifetimes, their names changing whenever their pixels do.
    "renditions": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, gzip and brotli copies, served by WhiteNoise with year-long cache
    # headers. With DEBUG on, {% static %} ignores the manifest, so `make run` needs no
    # collectstatic; `make serve` runs it.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Uploaded pictures (photos/). Served to staff only, by the application (photos/views.py):
# an original may belong to an embargoed story, so no web server alias may publish this folder.
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_URL = "media/"

# Several application servers share one picture store when MEDIA_STORAGE_URL names an
# S3-compatible bucket (django-storages): originals private behind short-lived signed
# addresses, renditions public under renditions/. RENDITIONS_URL is a CDN in front of it.
s3_query_names = {"endpoint_url", "region_name", "public_read"}
s3_bucket_name = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# As photos/views.py sends for renditions on the filesystem: their names change with their pixels.
S3_RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"


def s3_picture_storages(url, renditions_url=""):
    """The "default" and "renditions" storages in one bucket, and the origins pages load from.

    url: s3://BUCKET?region_name=REGION for AWS, or s3://BUCKET?endpoint_url=https://HOST
    for any other S3-compatible store (addressed path-style, HOST/BUCKET/...). Keys are never
    in it, so no log or error message can show them: boto3 reads AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY (or a profile, or an instance role) itself.
    """

    def refuse(problem):
        return ImproperlyConfigured(f"MEDIA_STORAGE_URL {problem}")

    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise refuse(
            "must not carry keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead."
        )
    if parts.scheme != "s3":
        raise refuse(f"must start with s3:// (s3://BUCKET?region_name=...), not {url!r}.")
    bucket = parts.netloc
    if not s3_bucket_name.fullmatch(bucket):
        raise refuse(
            f"names the bucket {bucket!r}: a bucket name is 3 to 63 lowercase letters, "
            "digits, dots and hyphens."
        )
    if parts.path not in ("", "/") or parts.fragment:
        raise refuse(f"takes a bucket and a query only, not {parts.path + parts.fragment!r}.")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(pairs)
    if unknown := sorted(set(query) - s3_query_names):
        raise refuse(
            f"has unknown {', '.join(unknown)} (known: {', '.join(sorted(s3_query_names))})."
        )
    if len(query) < len(pairs):
        raise refuse("names a parameter twice.")
    endpoint = query.get("endpoint_url", "")
    region = query.get("region_name", "")
    if region and not re.fullmatch(r"[a-z0-9-]+", region):
        raise refuse(f"has region_name={region!r}, not a region such as eu-west-1.")
    public_read = query.get("public_read", "acl")
    if public_read not in ("acl", "policy"):
        raise refuse(f"has public_read={public_read!r}: acl (the default) or policy.")
    if endpoint:
        endpoint_parts = urlsplit(endpoint)
        if endpoint_parts.scheme not in ("http", "https") or not endpoint_parts.hostname:
            raise refuse(f"has endpoint_url={endpoint!r}, not an http(s)://HOST[:PORT] address.")
        if endpoint_parts.path not in ("", "/") or endpoint_parts.query or "@" in endpoint:
            raise refuse(f"has endpoint_url={endpoint!r}: give the store's root, nothing after.")
        origin = f"{endpoint_parts.scheme}://{endpoint_parts.netloc}"
        origins = [origin]
        public_base = f"{origin}/{bucket}"
    elif region:
        # Virtual-hosted, as AWS asks; botocore signs us-east-1 on its global host.
        public_base = f"https://{bucket}.s3.{region}.amazonaws.com"
        origins = [public_base, f"https://{bucket}.s3.amazonaws.com"]
    else:
        raise refuse("needs region_name=... for AWS (or endpoint_url=... for another store).")
    if renditions_url:
        public = urlsplit(renditions_url)
        if public.scheme not in ("http", "https") or not public.hostname or "@" in public.netloc:
            raise ImproperlyConfigured(
                f"RENDITIONS_URL={renditions_url!r} is not an http(s)://HOST[/PATH] address."
            )
        if public.query or public.fragment:
            raise ImproperlyConfigured(f"RENDITIONS_URL={renditions_url!r} takes no query.")
        public_base = renditions_url.rstrip("/")
        origins.append(f"{public.scheme}://{public.netloc}")
    if not (importlib.util.find_spec("storages") and importlib.util.find_spec("boto3")):
        raise refuse("needs django-storages and boto3: pip install -e '.[s3]'.")

    scheme, _, public_host = public_base.partition("://")
    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "addressing_style": "path" if endpoint else "virtual",
        "signature_version": "s3v4",
    }
    storages = {
        # Originals: private objects, shown to staff through signed addresses that expire.
        # Never overwritten: two uploads of "photo.jpg" in a month get two names.
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "querystring_auth": True,
                "querystring_expire": 600,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "private, no-store"},
            },
        },
        # Renditions: public objects at plain addresses built without any request, so a page
        # of twenty pictures costs the store nothing. With public_read=policy they carry no
        # ACL (for buckets with ACLs off) and the bucket's policy must let anyone read
        # renditions/*.
        "renditions": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "querystring_auth": False,
                "custom_domain": public_host,
                "url_protocol": f"{scheme}:",
                "default_acl": "public-read" if public_read == "acl" else None,
                "object_parameters": {"CacheControl": S3_RENDITION_CACHE_CONTROL},
            },
        },
    }
    return storages, origins


MEDIA_STORAGE_URL = env("MEDIA_STORAGE_URL", "")
RENDITIONS_URL = env("RENDITIONS_URL", "")
if MEDIA_STORAGE_URL:
    picture_storages, picture_origins = s3_picture_storages(MEDIA_STORAGE_URL, RENDITIONS_URL)
    STORAGES |= picture_storages
    # Pages and the admin load pictures straight from the store (or its CDN).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += picture_origins
elif RENDITIONS_URL:
    raise ImproperlyConfigured(
        "RENDITIONS_URL is the public address of an object store: set MEDIA_STORAGE_URL too."
    )

# What an upload may be: larger files and pictures of more pixels are refused with a message.
# The pixel limit is also Pillow's decompression-bomb guard (photos/apps.py); 65 million
# covers a 61-megapixel camera.
PHOTOS_MAX_UPLOAD_BYTES = env("PHOTOS_MAX_UPLOAD_BYTES", 25 * 1024 * 1024, int)
PHOTOS_MAX_PIXELS = env("PHOTOS_MAX_PIXELS", 65_000_000, int)

# "Syria" and "syria" are one tag: editors type tags by hand.
TAGGIT_CASE_INSENSITIVE = True

NEWSROOM_NAME = env("NEWSROOM_NAME", "The Newsroom")

# Feeds carry each story's whole text (RSS content:encoded, Atom content), so reader apps
# show the story without a visit; off, they carry the summary alone.
FEEDS_FULL_TEXT = env("FEEDS_FULL_TEXT", True, bool)

# Production: behind a TLS-terminating proxy that sets X-Forwarded-Proto. The proxy
# must overwrite that header from clients, or anyone could claim to be on HTTPS.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # `make serve` turns the redirect off to serve plain HTTP on 127.0.0.1.
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", True, bool)
    # Load balancers probe over plain HTTP and expect an answer, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env("SECURE_HSTS_INCLUDE_SUBDOMAINS", True, bool)
    SECURE_HSTS_PRELOAD = env("SECURE_HSTS_PRELOAD", True, bool)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One JSON line per request on stdout (newsroom/request_log.py); everything else on
# stdout too, so gunicorn's and the container's log collection see one stream.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "newsroom.request_log.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log replaces django.request's own 4xx lines; errors still go out.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # django-axes narrates every start and failed login at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}


# --- Content API (api/, README "Content API") -----------------------------------------------
# Requests per client address (per token for staff tokens), as "number/period" (s, m, h, d);
# "off" turns the limit off (empty means the default, as for every setting). Over it: 429
# with Retry-After.
def _rate_limit(name, default):
    value = env(name, default)
    return None if value == "off" else value


API_RATE_LIMIT = _rate_limit("API_RATE_LIMIT", "120/min")
API_TOKEN_RATE_LIMIT = _rate_limit("API_TOKEN_RATE_LIMIT", "600/min")
# The changes feed lists a change only this many seconds after it was recorded: a change
# committed a moment after a later one must not be passed by a partner's cursor (api/changes.py).
API_CHANGES_SETTLE_SECONDS = float(env("API_CHANGES_SETTLE_SECONDS", "2"))
# --- end of Content API -------------------------------------------------------------------
