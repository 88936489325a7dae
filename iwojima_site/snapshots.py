"""Consistent reads: each GET or HEAD request reads one snapshot of the database, so a page rendered while a
reload commits shows either the content before it or after it, never a mix of the two.

SQLite (in WAL mode) gives a read transaction a snapshot that writers do not disturb, as long as it starts
DEFERRED: the site's IMMEDIATE transactions would take the write lock and queue every reader behind the others.
PostgreSQL gives one with REPEATABLE READ (its default READ COMMITTED takes a new snapshot for every statement).
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

SAFE_METHODS = ("GET", "HEAD")


@contextmanager
def read_snapshot(connection=None):
    """Run the block in one read transaction that sees a single snapshot of the database (`connection`, a
    Django database connection; the default one if None).

    Inside an atomic block already (the test suite's, or a caller's) the block just runs in that transaction.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    using = connection.alias
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()  # connecting sets the mode from the settings, so connect first
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"  # for the BEGIN that entering the block issues, and only that
        try:
            with transaction.atomic(using=using):
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


class ConsistentReadMiddleware:
    """Wraps every GET and HEAD request in `read_snapshot()`; writes (POST and the rest) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with read_snapshot():
            return self.get_response(request)
