"""Consistent reads: each GET or HEAD request reads one snapshot of the database, so a page rendered while a
reload commits shows either the content before it or after it, never a mix of the two.

SQLite (in WAL mode) gives a read transaction a snapshot that writers do not disturb, as long as it starts
DEFERRED: the site's IMMEDIATE transactions would take the write lock and queue every reader behind the others.
PostgreSQL gives one with REPEATABLE READ (its default READ COMMITTED takes a new snapshot for every statement),
asked for in the transaction's BEGIN rather than by a statement of its own after it.
"""

import logging
import select
from contextlib import contextmanager

import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.utils.cache import patch_cache_control

from iwojima_site.errors import answer_in_form

logger = logging.getLogger(__name__)

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
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            yield
        return
    # The health check comes first (a new connection would not have the level); psycopg then begins the
    # transaction with BEGIN ISOLATION LEVEL REPEATABLE READ, one round trip instead of two.
    check_health_quietly(connection)
    connection.ensure_connection()
    driver = connection.connection
    level = driver.isolation_level
    driver.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        if not driver.closed and driver.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            driver.isolation_level = level


def server_is_silent(driver):
    """Whether a psycopg connection is open and nothing from its server waits to be read: no notification, no
    error, no end of the connection (a poll() that does not wait; poll, not select, knows no limit on the socket's
    number)."""
    if driver.closed:
        return False
    poller = select.poll()
    poller.register(driver.pgconn.socket, select.POLLIN)
    return not poller.poll(0)


def check_health_quietly(connection):
    """Django's health check of a persistent PostgreSQL connection (CONN_HEALTH_CHECKS), without its `SELECT 1`
    while the server has said nothing since the connection's last statement.

    A server that closed the connection (a restart, a timeout, a terminated backend) says so first, and its socket
    turns readable: then Django's own check runs, and a connection that fails it is replaced.
    """
    if connection.connection is None or not connection.health_check_enabled or connection.health_check_done:
        return
    if server_is_silent(connection.connection):
        connection.health_check_done = True
    connection.close_if_health_check_failed()


RETRY_AFTER = 5  # seconds: how soon a client that met an unreachable database may try again


def database_unavailable(request, error):
    """The 503 for a request the database could not serve (`error`, logged in one line), with Retry-After (RFC 9110
    §15.6.4) and never stored, in the form the address answers in (answer_in_form()): plain text for the health
    check, the API's error body for its data, else templates/503.html."""
    logger.error("503 for %s: the database could not be reached (%s)", request.path, error)
    message = f"The database cannot be reached just now. Try again in {RETRY_AFTER} seconds."
    text = f"database unavailable; try again in {RETRY_AFTER} seconds\n"
    response = answer_in_form(request, 503, message, "503.html", text=text)
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    # Logged once, above, to stderr: Django's request log would add an ERROR of its own and mail it to the ADMINS,
    # once for every request of an outage (a load balancer's health check every few seconds).
    response._has_been_logged = True
    return response


class ConsistentReadMiddleware:
    """Wraps every GET and HEAD request in `read_snapshot()`; writes (POST and the rest) are left as they are.

    A database that cannot be reached to begin or end the snapshot (down, restarting, refusing connections) is
    answered by `database_unavailable()`, the health check included, so a load balancer and a reader both see a
    pause rather than a fault.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        try:
            with read_snapshot():
                return self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            return database_unavailable(request, error)
