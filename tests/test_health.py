from unittest import mock

from django.db import OperationalError

from tests.test_settings import PRODUCTION, load_settings


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\ncache: ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_healthz_is_not_redirected_to_https(client, db, settings):
    # A load balancer probes over plain HTTP behind the TLS proxy.
    production = load_settings(PRODUCTION, "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
