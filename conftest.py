"""Shared test set-up: the real content is loaded once per test session, as the site serves it."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from scenes.content import FIXTURE_MODELS  # once Django is set up

    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURE_MODELS, verbosity=0)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that leave the database empty (transactional ones: the browser checks, which flush it) run after
    the tests that read the content loaded above.

    pytest-django orders them so, but pytest then regroups the tests that share a parametrized session fixture,
    and a test with an argument named like a Playwright fixture (`page`) shares its `browser_name`: that can
    pull the browser checks ahead of other tests. So the order is put back last, keeping everything else."""

    def empties_the_database(item):
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        return transactional or "transactional_db" in item.fixturenames or "live_server" in item.fixturenames

    items.sort(key=empties_the_database)


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
def plain_static_files(settings):
    # Production serves hashed files from `collectstatic`; tests serve the sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
