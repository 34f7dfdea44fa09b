"""Migrations apply to an empty database and unwind again, on SQLite and on PostgreSQL.

Each run uses a database of its own, made here and dropped afterwards, and drives
`manage.py` in a subprocess: the test database pytest-django built is left alone.
"""

import os
import subprocess
import sys
import uuid

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def empty_database_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"no empty-database recipe for {connection.vendor}")
    import psycopg

    url = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(url)
    name = f"newsroom_migrations_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(database_url, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrations_apply_to_an_empty_database_and_reverse(empty_database_url):
    manage(empty_database_url, "migrate", "--noinput")
    assert "[ ]" not in manage(empty_database_url, "showmigrations", "articles")
    manage(empty_database_url, "migrate", "articles", "zero", "--noinput")
    assert "[X]" not in manage(empty_database_url, "showmigrations", "articles")
    # And forward again from zero, as a rollback followed by a redeploy would.
    manage(empty_database_url, "migrate", "--noinput")
    manage(empty_database_url, "check", "--database", "default")
