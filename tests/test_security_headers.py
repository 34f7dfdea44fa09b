import re

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import SEED_SLUG

PUBLIC_PAGES = [
    "/",
    f"/articles/{SEED_SLUG}/",
    "/tags/syria/",
    "/search/?q=assad",
    "/2024/07/23/",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES + ["/admin/login/"])
def test_pages_send_csp_frame_referrer_and_nosniff_headers(client, seed, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_need_no_inline_script_or_style_exception(client, seed, url):
    html = client.get(url).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all('type="application/ld+json"' in attrs or "src=" in attrs for attrs in scripts)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_login_is_throttled_with_a_clear_lockout_message(client, db, settings):
    settings.AXES_ENABLED = True
    get_user_model().objects.create_user("editor", password="right-password-123", is_staff=True)
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            "/admin/login/", {"username": "editor", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
        # The form again with its error, until the last allowed failure locks the pair out.
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)
    locked = client.post(
        "/admin/login/",
        {"username": "editor", "password": "right-password-123"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out with it.
    elsewhere = client.post(
        "/admin/login/",
        {"username": "editor", "password": "right-password-123"},
        REMOTE_ADDR="10.0.0.10",
    )
    assert elsewhere.status_code == 302


def test_behind_a_proxy_lockouts_follow_the_client_not_the_proxy(client, db, settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    get_user_model().objects.create_user("editor", password="right-password-123", is_staff=True)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # An attacker behind the same proxy, forging the left of X-Forwarded-For each time.
        client.post(
            "/admin/login/",
            {"username": "editor", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 203.0.113.66",
            **proxy,
        )
    editor = client.post(
        "/admin/login/",
        {"username": "editor", "password": "right-password-123"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert editor.status_code == 302  # the editor's own address was never locked
    attacker = client.post(
        "/admin/login/",
        {"username": "editor", "password": "right-password-123"},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.66",
        **proxy,
    )
    assert attacker.status_code == 429
