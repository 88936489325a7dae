"""The site's SQLite backend (iwojima_site.sqlite3) runs every statement as Django's own would: the placeholders it
translates once are translated as Django translates them each time."""

import sqlite3

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursorWrapper
from hypothesis import given, settings
from hypothesis import strategies as st

from iwojima_site.sqlite3.base import SQLiteCursorWrapper
from scenes.models import Scene

# Pieces a statement's text is made of where placeholders and percent signs meet: SQL, quotes, LIKE patterns.
PIECES = st.sampled_from(["%s", "%%", "%", "s", "?", "'", '"', " LIKE '%%x%%'", "SELECT ", "%%s", "%%%s", "\n", "é"])


@pytest.fixture(scope="module")
def cursors():
    """(Django's cursor, the site's) on a database of their own."""
    database = sqlite3.connect(":memory:")
    yield database.cursor(factory=DjangoCursorWrapper), database.cursor(factory=SQLiteCursorWrapper)
    database.close()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(query=st.lists(PIECES | st.text(max_size=5), max_size=30).map("".join))
def test_a_statement_is_translated_as_django_translates_it_every_time(cursors, query):
    django, site = cursors
    assert site.convert_query(query) == django.convert_query(query)
    assert site.convert_query(query) == django.convert_query(query)  # again, from what was kept


def test_named_parameters_are_translated_as_django_translates_them(cursors):
    django, site = cursors
    query = "SELECT %(a)s, '%%', %(b)s"
    assert site.convert_query(query, param_names=["a", "b"]) == django.convert_query(query, param_names=["a", "b"])


@pytest.mark.django_db
def test_the_site_reads_its_database_through_it_with_percent_signs_in_values_and_in_the_sql():
    if connection.vendor == "sqlite":
        assert type(connections["default"]).__module__ == "iwojima_site.sqlite3.base"
        with connection.cursor() as cursor:
            assert isinstance(cursor.cursor, SQLiteCursorWrapper)
    scene = Scene.objects.order_by("number").first()
    assert not Scene.objects.filter(title__contains="%").exists()
    assert Scene.objects.filter(title__startswith=scene.title[:3], pk=scene.pk).exists()
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute("SELECT %s || '%%'", ["100"])
            assert cursor.fetchone() == ("100%",)
