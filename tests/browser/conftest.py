"""
Real-browser tests: Playwright for Python driving Debian's Chromium against the live
server pytest-django starts. `make test-browser` runs them; `make test` leaves them out.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between browser steps are ordinary blocking calls, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:
    import playwright  # noqa: F401
except ImportError:
    # `make test` installs no browser tooling; `make test-browser` does.
    collect_ignore_glob = ["test_*.py"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "a-long-test-password-1"
# Data migrations whose ROLES, (app, model, codename) per group, the `staff` fixture makes again.
ROLE_MIGRATIONS = (
    "articles.migrations.0005_editorial_roles",
    "curation.migrations.0002_editors_pin_stories",
)
RESULTS = Path(os.environ.get("BROWSER_RESULTS", settings.BASE_DIR / "results" / "browser"))


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Never a downloaded browser: Debian's Chromium, at a fixed path.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in separate browser contexts (separate cookies), like separate people."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    RESULTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = RESULTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 10_000  # a rendered page, not a blank one
        return path

    return take


@pytest.fixture
def log_in():
    def log_in(page, username, password):
        page.goto("/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")

    return log_in


@pytest.fixture
def staff(transactional_db):
    """`staff(role, username, full_name="")`: a staff user in a newsroom role, password PASSWORD.

    Live-server tests flush the database between tests, the roles (a data migration) with
    it: they are made again here.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    for module in ROLE_MIGRATIONS:
        for name, perms in importlib.import_module(module).ROLES.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(
                *[
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                    for app, _model, codename in perms
                ]
            )

    def make(role, username, full_name=""):
        first, _, last = full_name.partition(" ")
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, is_staff=True, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make
