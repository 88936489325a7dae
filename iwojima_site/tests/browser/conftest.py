"""Browser fixtures: headless Chromium driven by Playwright against pytest-django's live server.

The browser is, in order: $CHROMIUM_PATH, Debian's /usr/bin/chromium, or the one `playwright install chromium`
downloaded (`make test` sets one of them up first, see .ci/ensure-browser).
"""

import os
from pathlib import Path

import django.apps
import pytest
from django.core.management import call_command

from iwojima_site.tests.browser.tools import CHROMIUM_FLAGS, SUMMARY, chromium_path
from scenes.content import FIXTURE_MODELS
from scenes.editors import create_editors_group

# Playwright's sync API runs an event loop in the test thread, so Django would refuse every ORM call made there
# (and in the live server) with SynchronousOnlyOperation. Nothing here is really asynchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    return {**browser_type_launch_args, **({"executable_path": path} if path else {}), "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def chrome_path(browser_type):
    """The Chromium binary for tools that start their own (Lighthouse)."""
    return chromium_path() or browser_type.executable_path


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    # page.goto("/scenes/") and friends resolve against the live server.
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def content(transactional_db):
    """The real content, for live-server tests: each of them starts from (and ends with) an emptied database."""
    call_command("loaddata", *FIXTURE_MODELS, verbosity=0)
    # The flush after the previous test also removed the Editors group that a migration creates.
    create_editors_group(django.apps.apps)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser check: `-m "not browser"` leaves them all out."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if SUMMARY:
        terminalreporter.section("browser checks")
        for line in SUMMARY:
            terminalreporter.write_line(line)
