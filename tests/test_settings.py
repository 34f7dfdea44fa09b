"""Settings come from the environment; each case loads them in a fresh process."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "news.example.org",
}


def run(args, env, **kwargs):
    # Only what the case sets: not this shell's DEBUG or DATABASE_URL.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def load_settings(env, *names):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing_under_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "development-only-never-use-this-key-in-production",
        "django-insecure-" + "x" * 50,
        "too-short",
    ],
    ids=["missing", "development", "django-insecure", "short"],
)
def test_debug_off_refuses_to_serve_without_a_real_secret_key(secret_key):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    # gunicorn loads newsroom.wsgi: the application never starts without a real key.
    result = run(["-c", "import newsroom.wsgi"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    if secret_key is not None:
        # A weak key someone set is refused by management commands too.
        assert run(["manage.py", "check"], env).returncode != 0


def test_production_settings_turn_on_https_hsts_and_secure_cookies():
    values = load_settings(
        PRODUCTION,
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "ALLOWED_HOSTS",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "ALLOWED_HOSTS": ["news.example.org"],
    }


def test_debug_unset_means_off_and_then_serving_needs_a_real_secret_key():
    production = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    assert load_settings(production, "DEBUG")["DEBUG"] is False
    served = run(["-c", "import newsroom.wsgi"], {})
    assert served.returncode != 0
    assert "DEBUG is off: set SECRET_KEY" in served.stderr
    # A command (check, migrate, makemigrations) runs with a key of its own, made for the run.
    command = run(["manage.py", "check"], {})
    assert command.returncode == 0, command.stderr
    assert (
        "development-only"
        not in run(
            [
                "manage.py",
                "shell",
                "-c",
                "from django.conf import settings; print(settings.SECRET_KEY)",
            ],
            {},
        ).stdout
    )


def test_development_defaults_need_only_debug_on():
    values = load_settings({"DEBUG": "1"}, "DEBUG", "SECURE_SSL_REDIRECT", "CACHES")
    assert values["DEBUG"] is True and values["SECURE_SSL_REDIRECT"] is False
    # Files on this machine: every worker of `make serve` sees the same pages and stamp.
    default = values["CACHES"]["default"]
    assert default["BACKEND"] == "newsroom.cache.KeepingFileCache"
    assert default["LOCATION"].endswith("var/cache")


def test_redis_url_selects_the_fail_fast_redis_cache_with_short_timeouts():
    values = load_settings({**PRODUCTION, "REDIS_URL": "redis://cache.internal:6379/2"}, "CACHES")
    default = values["CACHES"]["default"]
    assert default["BACKEND"] == "newsroom.cache.FailFastRedisCache"
    assert default["LOCATION"] == "redis://cache.internal:6379/2"
    assert default["OPTIONS"] == {"socket_connect_timeout": 0.05, "socket_timeout": 0.05}


@pytest.mark.parametrize(
    "environment, expected",
    [
        (
            {"AXES_FAILURE_LIMIT": "7", "SECURE_HSTS_PRELOAD": "no", "REDIS_TIMEOUT": "0.02"},
            [7, False, 0.02],
        ),
        (
            {"AXES_FAILURE_LIMIT": "", "SECURE_HSTS_PRELOAD": "", "REDIS_TIMEOUT": ""},
            [5, True, 0.05],
        ),
    ],
    ids=["set", "empty-means-default"],
)
def test_integers_booleans_and_numbers_are_read_from_the_environment_one_way(environment, expected):
    env = {**PRODUCTION, "REDIS_URL": "redis://cache.internal:6379/2", **environment}
    values = load_settings(env, "AXES_FAILURE_LIMIT", "SECURE_HSTS_PRELOAD", "CACHES")
    timeout = values["CACHES"]["default"]["OPTIONS"]["socket_timeout"]
    assert [values["AXES_FAILURE_LIMIT"], values["SECURE_HSTS_PRELOAD"], timeout] == expected


def test_database_url_selects_postgresql():
    values = load_settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://news@db.internal:5432/news"}, "DATABASES"
    )
    default = values["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["HOST"], default["NAME"], default["USER"]) == ("db.internal", "news", "news")


def test_an_empty_database_url_means_the_default_sqlite_file():
    values = load_settings({"DEBUG": "1", "DATABASE_URL": ""}, "DATABASES")
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="WAL is a SQLite setting")
def test_a_sqlite_file_database_really_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = run(
        ["-c", code], {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite3'}"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
    # WAL is written into the file itself: every later connection, any program, uses it.
    with sqlite3.connect(tmp_path / "wal.sqlite3") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("SECURE_SSL_REDIRECT", "flase", "SECURE_SSL_REDIRECT='flase' is not a boolean"),
        ("PUBLIC_CACHE_SECONDS", "abc", "PUBLIC_CACHE_SECONDS='abc' is not an integer"),
    ],
)
def test_a_value_that_does_not_read_as_its_type_stops_the_start_and_names_the_variable(
    name, value, message
):
    result = run(["manage.py", "check"], {**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_api_rate_limits_have_defaults_and_off_turns_one_off():
    names = ("API_RATE_LIMIT", "API_TOKEN_RATE_LIMIT")
    assert load_settings({"DEBUG": "1"}, *names) == {
        "API_RATE_LIMIT": "120/min",
        "API_TOKEN_RATE_LIMIT": "600/min",
    }
    off = load_settings(
        {"DEBUG": "1", "API_RATE_LIMIT": "off", "API_TOKEN_RATE_LIMIT": "9/s"}, *names
    )
    assert off == {"API_RATE_LIMIT": None, "API_TOKEN_RATE_LIMIT": "9/s"}
