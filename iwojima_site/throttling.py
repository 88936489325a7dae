"""The API's throttle: anonymous requests counted per client address in the shared database, one SQL statement
each, so every worker and app server sees the same count.

Each request runs, on the ThrottleCount model's table,

    INSERT INTO … (key, window_start, hits) VALUES (%s, %s, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits

(SQLite 3.35 and later, PostgreSQL 9.5 and later), which adds the request to its window's row and reads the new
count in one atomic step: two requests at once can never both read the same count.

The statement runs on the `throttle` database alias (settings.DATABASES: the same database as `default`, its own
connection, in autocommit), not on the connection that holds the request's read snapshot (iwojima_site.snapshots).
A write inside that snapshot could be refused by a concurrent writer (SQLite's WAL refuses to upgrade a stale read
transaction; PostgreSQL's REPEATABLE READ refuses to update a row another transaction changed) and the count lost.

**A fixed window, not DRF's sliding one.** Time is cut into windows of the rate's duration, counted from
1970-01-01 UTC (an hour's window starts on the hour), and each window allows the rate's number of requests; a
refused request counts too, which changes nothing, as the window is over the limit already. DRF's own throttle
keeps each client's history of request times and allows a request while fewer than that number fall within the last
duration, so no span of that length ever holds more. Here a client that asks its whole allowance at a window's end
may ask it all again as the next window begins: up to twice the rate in a short span across the edge, and never more
than the rate within any one window. `wait()` (Retry-After) is the time to the window's end, where DRF's is the time
until the oldest remembered request leaves the sliding window.

Rows of old windows are deleted now and then (one request in PRUNE_EVERY, one more statement then), and a database
error (a missing table, a lock that lasted too long) never fails a request: it is logged and the request goes on
uncounted.
"""

import hashlib
import logging
import math
import random

from django.db import DatabaseError, connections
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)

# The database alias the counts are written through (settings.DATABASES["throttle"]).
THROTTLE_DATABASE = "throttle"
# How long a window's row is kept after the window starts (seconds), at least: a day, or the rate's duration
# if that is longer (the current window is never deleted).
KEEP_FOR = 24 * 60 * 60
# On average one request in this many deletes the old windows' rows.
PRUNE_EVERY = 100


def throttle_count_model():
    from django.apps import apps

    return apps.get_model("iwojima_site", "ThrottleCount")


# statements() for each database vendor, made once.
STATEMENTS = {}


def statements(connection):
    """(the counting upsert, the pruning delete) as SQL for `connection` (a Django database connection), with %s
    parameters and the model's table and columns quoted as its backend quotes them; made once per vendor.

    The upsert takes (key, window start) and returns the window's hits, this request included; the delete takes the
    oldest window start to keep.
    """
    if connection.vendor in STATEMENTS:
        return STATEMENTS[connection.vendor]
    quote_name = connection.ops.quote_name
    meta = throttle_count_model()._meta
    table = quote_name(meta.db_table)
    key, window, hits = (quote_name(meta.get_field(name).column) for name in ("key", "window_start", "hits"))
    upsert = (
        f"INSERT INTO {table} ({key}, {window}, {hits}) VALUES (%s, %s, 1) "  # noqa: S608 (quoted model names)
        f"ON CONFLICT ({key}, {window}) DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}"
    )
    prune = f"DELETE FROM {table} WHERE {window} < %s"  # noqa: S608 (quoted model names)
    STATEMENTS[connection.vendor] = upsert, prune
    return upsert, prune


def stored_key(key):
    """The throttle key as stored: DRF's key ("throttle_anon_203.0.113.7"), or a SHA-256 of it when it would not
    fit the column (an address is short; a forged X-Forwarded-For entry need not be)."""
    limit = throttle_count_model()._meta.get_field("key").max_length
    if len(key) <= limit:
        return key
    return "throttle_sha256_" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


class FixedWindowAnonThrottle(AnonRateThrottle):
    """DRF's AnonRateThrottle (its scope "anon", its rate, its key: `get_ident`, the client address behind
    NUM_PROXIES trusted proxies) counted in fixed windows in the database, one statement a request.

    A drop-in for DEFAULT_THROTTLE_CLASSES. `prune_every` is PRUNE_EVERY, per instance or class (tests set it).
    """

    prune_every = PRUNE_EVERY

    def allow_request(self, request, view):
        """Count this request in its window; True while the window holds no more than the rate allows."""
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()  # seconds since 1970 UTC, a float
        self.window_start = int(self.now) // self.duration * self.duration
        try:
            hits = self.count(stored_key(key), self.window_start)
        except DatabaseError:
            # The throttle guards the site's capacity, not its data: a request it cannot count is let through.
            logger.warning("The API throttle could not count a request; it goes through uncounted.", exc_info=True)
            return True
        if self.prune_every and random.randrange(self.prune_every) == 0:  # noqa: S311 (not security: spreading work)
            self.prune()
        return hits <= self.num_requests

    def wait(self):
        """Seconds until this request's window ends (a whole number, at least 1, as Retry-After carries them)."""
        return max(1, math.ceil(self.window_start + self.duration - self.now))

    def count(self, key, window_start):
        """Add one to (key, window_start)'s hits, making the row if it is the window's first request; its hits now.

        One statement on the throttle connection, in autocommit: atomic, and outside any read snapshot.
        """
        connection = connections[THROTTLE_DATABASE]
        upsert, _prune = statements(connection)
        with connection.cursor() as cursor:
            cursor.execute(upsert, [key, window_start])
            return cursor.fetchone()[0]

    def prune(self):
        """Delete the rows of windows that started more than KEEP_FOR seconds (or the rate's duration) ago."""
        connection = connections[THROTTLE_DATABASE]
        _upsert, prune = statements(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(prune, [int(self.now) - max(KEEP_FOR, self.duration)])
        except DatabaseError:
            logger.warning("The API throttle could not delete old windows; a later request will.", exc_info=True)
