"""Shared test set-up: the real content is loaded once per test session, as the site serves it."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from scenes.content import FIXTURE_MODELS  # once Django is set up

    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURE_MODELS, verbosity=0)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # Production serves hashed files from `collectstatic`; tests serve the sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
