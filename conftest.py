"""Shared test set-up: the real content is loaded once per test session, as the site serves it."""

import pytest
from django.core.management import call_command
from django.db import connection

# The API throttle's database alias (settings.DATABASES["throttle"], a test mirror of default), and its own
# connection in the tests' thread while the alias is lent the default one (django_db_setup).
THROTTLE_DATABASE = "throttle"
own_throttle_connection = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the content loaded; in the tests' thread the throttle's alias then uses the default
    connection, so that a test's transaction holds the throttle's counts too.

    A test (not a transactional one) runs in a transaction that pytest-django opens on each of its aliases before any
    fixture of the test's own runs. On a connection of its own the throttle's would wait for the write lock the
    default's holds on SQLite (the site's transactions are IMMEDIATE) and fail; sharing the connection, its
    counts are rolled back with the test, and CaptureQueriesContext on the default connection sees the throttle's
    statement with the rest of the request. Transactional tests get it back (throttle_has_its_own_connection), and
    other threads (a live server, a test's own) always have their own, as the site's workers do."""
    from django.db import connections

    from scenes.content import FIXTURE_MODELS  # once Django is set up

    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURE_MODELS, verbosity=0)
    own_throttle_connection["main"] = connections[THROTTLE_DATABASE]
    connections[THROTTLE_DATABASE] = connections["default"]
    yield
    connections[THROTTLE_DATABASE] = own_throttle_connection.pop("main")
    connections[THROTTLE_DATABASE].close()  # PostgreSQL drops no test database a session still uses


# The fixtures by which a test without a django_db mark may use the database anyway, and those of them that make it
# a transactional test (as pytest-django's _django_db_helper reads them).
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_itemcollected(item):
    """Every test that may use the database may use the throttle's alias too: pytest-django allows a test only the
    aliases its django_db mark names (only "default" when it names none or has none), and any request to the API
    counts on it.

    The test gets the same mark with the alias added, as its own mark (an item's own mark is its closest)."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    if marker is None and not DATABASE_FIXTURES & fixtures:
        return
    # A test with no mark is transactional by its fixtures alone; the mark it gets says so, as conftest reads marks.
    args, kwargs = (
        (marker.args, marker.kwargs) if marker else ((), {"transaction": bool(TRANSACTIONAL_FIXTURES & fixtures)})
    )
    databases = kwargs.get("databases")
    if databases == "__all__" or (databases and THROTTLE_DATABASE in databases):
        return
    databases = [*(databases or ["default"]), THROTTLE_DATABASE]
    item.add_marker(pytest.mark.django_db(*args, **{**kwargs, "databases": databases}), append=False)


def is_transactional(item, fixturenames):
    """Whether a test runs as a TransactionTestCase (no transaction around it; the database flushed after it), by
    its django_db mark or its fixtures (`fixturenames`, the names it asks for), as pytest-django decides."""
    marker = item.get_closest_marker("django_db")
    marked = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return marked or bool(TRANSACTIONAL_FIXTURES & set(fixturenames))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests that leave the database empty (transactional ones: the browser checks, which flush it) run after
    the tests that read the content loaded above.

    pytest-django orders them so, but pytest then regroups the tests that share a parametrized session fixture,
    and a test with an argument named like a Playwright fixture (`page`) shares its `browser_name`: that can
    pull the browser checks ahead of other tests. So the order is put back last, keeping everything else.

    Tests marked `postgresql` are deselected when the tests run on another database (`make test-postgres` runs
    them)."""
    if connection.vendor != "postgresql":
        deselected = [item for item in items if item.get_closest_marker("postgresql")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    items.sort(key=lambda item: is_transactional(item, item.fixturenames))


@pytest.fixture(autouse=True)
def content_is_loaded(request, django_db_blocker):
    """A safety net for the order above: a test that reads the content finds it even if a transactional test
    (which empties the database) ran before it; the content is then loaded within the test's own transaction."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or marker.kwargs.get("transaction"):
        return
    from scenes.content import FIXTURE_MODELS
    from scenes.models import Scene

    request.getfixturevalue("_django_db_helper")  # inside the test's transaction
    with django_db_blocker.unblock():
        if not Scene.objects.exists():
            call_command("loaddata", *FIXTURE_MODELS, verbosity=0)


@pytest.fixture(autouse=True)
def throttle_has_its_own_connection(request):
    """In a transactional test the throttle's alias has its own connection in the tests' thread too, as on the site
    (no test transaction holds a lock there); see django_db_setup."""
    if not is_transactional(request.node, request.fixturenames) or "main" not in own_throttle_connection:
        yield
        return
    from django.db import connections

    request.getfixturevalue("_django_db_helper")
    connections[THROTTLE_DATABASE] = own_throttle_connection["main"]
    try:
        yield
    finally:
        connections[THROTTLE_DATABASE].close()
        connections[THROTTLE_DATABASE] = connections["default"]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # Production serves hashed files from `collectstatic`; tests serve the sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
