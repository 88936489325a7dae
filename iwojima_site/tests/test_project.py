"""The project is healthy as a whole: checks pass, migrations match the models, settings fail clearly."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command


def test_system_checks_pass():
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def start_django(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "iwojima_site.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_needs_a_secret_key_and_says_so():
    result = start_django()
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert start_django(DJANGO_SECRET_KEY="x").stdout.strip() == "False"
    assert start_django(DJANGO_DEBUG="1").stdout.strip() == "True"
