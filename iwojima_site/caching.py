"""HTTP caching a CDN can use: every public page carries an ETag and a Last-Modified derived from the content
revision (one row every app server shares), a Cache-Control that lets shared caches keep it briefly and then
revalidate, and a revalidation whose If-None-Match holds the page's ETag is answered 304 before any view runs
(If-Modified-Since alone once the view has given a 200).

The revision goes up on every save or delete of a tracked model (each app tracks its own, `track()`) and after
every reload. Responses that are someone's own (the admin, a signed-in user's pages, form errors, 429s, anything
that sets a cookie or says no-store) are marked private and carry no validators. RFC 9110 §8.8 and §13; RFC 9111.
"""

import functools
import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponseNotModified
from django.middleware import common
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from iwojima_site.baked import SQL, ReadAhead
from iwojima_site.snapshots import server_is_silent

# How long a shared cache may serve a page before it asks again (seconds); browsers always ask (max-age=0).
SHARED_MAX_AGE = 30
# Status codes a shared cache may keep: the page itself, or a permanent redirect or a 404 that only changes
# with the content.
CACHEABLE_STATUS = {200, 301, 404}
# Cache-Control of what a shared cache may keep: briefly, then asked again (revalidated, when it has validators).
SHARED_POLICY = {"public": True, "max_age": 0, "s_maxage": SHARED_MAX_AGE, "must_revalidate": True}
# The channel PostgreSQL notifies whenever the revision's row changes (a trigger, migration 0006).
REVISION_CHANNEL = "iwojima_content_revision"
# How long a revision read on a listening connection is used without reading it again (seconds): a bound on how
# stale it can be should the notification never come (a database without the trigger, a pooler that drops LISTEN).
LISTENED_REVISION_MAX_AGE = 1.0


def revision_model():
    from django.apps import apps

    return apps.get_model("iwojima_site", "ContentRevision")


def bump_revision(**_ignored):
    """Count one more change of the content, in the same transaction as the change, so the two commit together.

    The first change in a transaction also records when the revision before it was made; later ones in the same
    transaction keep that, since no one ever sees the revisions between them.
    """
    model = revision_model()
    changed = {"number": F("number") + 1, "changed_at": timezone.now()}
    first_in_transaction = not any(callback[1] == listener.forget for callback in connection.run_on_commit)
    if first_in_transaction:
        changed["previous_changed_at"] = F("changed_at")
    if not model._default_manager.filter(pk=1).update(**changed):
        model._default_manager.get_or_create(pk=1)
    if first_in_transaction:
        transaction.on_commit(listener.forget)  # this thread's next request reads it, whatever the notification does


def track(*models):
    """Bump the revision whenever a record of these models is saved or deleted, or its many-to-many lists change."""
    for model in models:
        uid = f"content-revision-{model._meta.label_lower}"
        post_save.connect(bump_revision, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(bump_revision, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                bump_revision, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}", weak=False
            )


class Revision(NamedTuple):
    """The content's revision: its number, when it was made (None before any content), and whether the revision
    before it was made within the same second, so that Last-Modified, in whole seconds, cannot tell the two apart."""

    number: int
    changed_at: datetime | None
    shares_its_second: bool = False

    @property
    def last_modified(self):
        """Last-Modified as whole seconds since 1970 (RFC 9110 §8.8.2), or None."""
        return int(self.changed_at.timestamp()) if self.changed_at else None

    @property
    def modified_after(self):
        """The whole second an If-Modified-Since must reach for a 304, or None: Last-Modified, or the second after
        it when an earlier revision shares that second (a page of that revision carries the same date)."""
        return None if self.changed_at is None else self.last_modified + self.shares_its_second


def current_revision():
    """The Revision of the content as the database holds it now; Revision(0, None) before any content.

    One plain SQL statement: every request reads it, and the ORM's building of even this query costs more than the
    rest of a 304 (about 0.25 ms of CPU against a bare "hello" request's 0.07 ms).

    Outside a transaction:
    - On PostgreSQL the connection LISTENs for the revision's changes (RevisionListener), and the last read stands
      until one is notified: no statement at all while nothing has changed.
    - The read is also the connection's health check (CONN_HEALTH_CHECKS), when one is due: a persistent connection
      that fails it is closed and the read made once more on a new one. A revalidation then costs one round trip to
      the database, not two (Django's check, then the read).
    """
    listening = connection.vendor == "postgresql" and not connection.in_atomic_block
    if listening and (revision := listener.revision_on(connection)) is not None:
        return revision
    check_due = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if check_due:
        connection.health_check_done = True  # Django's own check is skipped: this read stands for it
    heard = listener.heard
    try:
        revision = read_revision(listening)
    except DatabaseError:
        if not check_due:
            raise
        connection.close()
        revision = read_revision(listening)
    if listening and listener.heard == heard:  # else a change was notified during the read: the next one reads
        listener.remember(revision)
    return revision


def read_revision(listening):
    if listening:
        listener.listen(connection)
    return revision_from(fetch_one(revision_statement().sql))


def revision_statement():
    """The statement that reads the revision's row (SQL; no parameters), written once per kind of database."""
    return _revision_statement(connection.vendor)


@functools.cache
def _revision_statement(vendor):
    table = connection.ops.quote_name(revision_model()._meta.db_table)
    return SQL(f"SELECT number, changed_at, previous_changed_at FROM {table} WHERE id = 1", ())  # noqa: S608


def revision_from(row):
    """The Revision that a row of revision_statement() says; Revision(0, None) for none."""
    if row is None:
        return Revision(0, None)
    number, changed_at, previous = row[0], *map(aware, row[1:])
    shares_its_second = previous is not None and int(previous.timestamp()) == int(changed_at.timestamp())
    return Revision(number, changed_at, shares_its_second)


def aware(value):
    """A datetime column's value: SQLite hands back the stored text, in UTC as Django stores it."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if isinstance(value, str) else value


class RevisionListener(threading.local):
    """This thread's last read of the revision on PostgreSQL, kept while its connection hears of no change.

    The connection LISTENs on REVISION_CHANNEL, which a trigger on the revision's table notifies in the same commit
    as any change of it (migration 0006); PostgreSQL delivers the notification to every listening connection as
    soon as that commit ends. So while the connection's socket holds nothing new (server_is_silent()),
    the last read is still the database's revision, and the connection is as healthy as a `SELECT 1` would find it:
    a server that closed it, or said anything at all, leaves the socket readable. Anything there means a new read.
    """

    connection = None  # the psycopg connection that listens
    revision = None  # the Revision last read on it, or None when the next request must read it
    read_at = 0.0  # when (time.monotonic())
    heard = 0  # how many changes it has been told of

    def revision_on(self, connection):
        """The last read, if it still holds on this Django connection; None when a read is due."""
        raw = connection.connection
        if self.revision is None or raw is not self.connection:
            return None
        if time.monotonic() - self.read_at > LISTENED_REVISION_MAX_AGE or not server_is_silent(raw):
            return None  # a notification, an error or the end of the connection: the read will take it in
        while raw.pgconn.notifies() is not None:  # any that came in with the end of the last statement's answer
            self.forget()
        if self.revision is not None:
            connection.health_check_done = True
        return self.revision

    def listen(self, connection):
        """Make the connection listen, if it does not yet (a statement of its own, committed before the read)."""
        connection.ensure_connection()
        raw = connection.connection
        if raw is not self.connection:
            self.revision = None
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {REVISION_CHANNEL}")
            raw.add_notify_handler(self.forget)  # notifications psycopg reads while it runs other statements
            self.connection = raw

    def remember(self, revision):
        self.revision, self.read_at = revision, time.monotonic()

    def forget(self, _notification=None):
        self.revision = None
        self.heard += 1


listener = RevisionListener()


def fetch_one(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def etag_for(request, number):
    """A strong ETag for the bytes this request gets: the release, the content revision, the path and query.

    Keyed with the secret key, so that only ETags the site gave out can ever match (a made-up one cannot turn a
    page that is never cached, such as the health check, into a 304).
    """
    key = f"{settings.RELEASE}\n{number}\n{request.get_full_path()}"
    digest = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=12, key=etag_key(settings.SECRET_KEY))
    return f'"{digest.hexdigest()}"'


@functools.cache
def etag_key(secret):
    """A 32-byte BLAKE2 key of the site's own, derived from its secret key."""
    return hashlib.blake2b(secret.encode(), digest_size=32, person=b"iwojima-etag").digest()


def admin_prefix():
    """The admin's path (`/admin/` under the script prefix of this request), as addresses keep it: a 304 costs
    about as much as Django's bare "hello" view, and reverse() would be a tenth of it."""
    from iwojima_site.templatetags.addresses import route_url

    return route_url("admin:index")


def is_public(request):
    """Whether the page is the same for everyone: a GET or HEAD outside the admin from someone with no session.

    The session cookie is what tells (anyone signed in has one); reading the cookie, not the session, keeps
    anonymous pages free of `Vary: Cookie`.
    """
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    match = request.resolver_match
    return not (match is not None and "admin" in match.namespaces)


class NotModifiedMiddleware:
    """Answers a GET or HEAD whose If-None-Match holds the page's current ETag with 304, before the rest of the
    site's middleware (sessions, authentication, the CSP, the read snapshot) and the URL resolver run.

    A conditional request is what a shared cache sends for every page once its copy is a few seconds old, so this
    path is the one that scales. It reads the content revision in one statement of its own (a single statement is
    a consistent read), or on PostgreSQL in none while no change has been notified (current_revision()).
    Everything else, If-Modified-Since alone included, goes on to HttpCachingMiddleware.
    Place it after the middleware that give every response its security headers (and Django's HTTPS redirect),
    and before the others (each costs a 304 a few per cent of its time). The 304 carries no
    Content-Security-Policy: it is answered before any view, which may widen its page's policy (the API's
    documentation does), and a cache or browser keeps the stored page's own (RFC 9111 §4.3.4).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if (
            not if_none_match
            or request.method not in ("GET", "HEAD")
            # RFC 9110 §13.2.2: If-Match and If-Unmodified-Since are weighed first (a 412), by HttpCachingMiddleware.
            or "HTTP_IF_MATCH" in request.META
            or "HTTP_IF_UNMODIFIED_SINCE" in request.META
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or request.path.startswith(admin_prefix())
            or request.path.startswith(settings.STATIC_URL)  # WhiteNoise's, with its own ETags and no statement
        ):
            return self.get_response(request)
        try:
            revision = current_revision()
        except (OperationalError, InterfaceError):
            # The database cannot be reached: the read snapshot further in answers the page's 503, as it does
            # for a request without validators (a cache revalidating its copy sends them).
            return self.get_response(request)
        etag = etag_for(request, revision.number)
        # RFC 9110 §13.1.2: a list of entity tags, compared weakly. "*" (does the page exist at all?) is left to
        # HttpCachingMiddleware, which knows.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if etag not in tags:
            return self.get_response(request)
        response = HttpResponseNotModified()
        HttpCachingMiddleware.validate(response, etag, revision.changed_at)
        return response


class HttpCachingMiddleware:
    """Sets a public page's validators and Cache-Control, and answers its conditional requests (304, or 412 for a
    failed If-Match) once its view has given a 200.

    Place it inside the read snapshot (the revision it reads is the one the page is rendered from).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.process_response(request, self.get_response(request))

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_public(request):
            return None
        # The revision is needed only for the response's validators and conditions, both settled once the view has run
        # (a revalidation whose If-None-Match holds was answered before it: NotModifiedMiddleware). Inside the read
        # snapshot it is read with the page's own statements (on PostgreSQL, no trip to the server of its own).
        if connection.in_atomic_block:
            request.pending_revision = ReadAhead((revision_statement(),))
        else:
            request.content_revision = current_revision()
        return None

    def process_response(self, request, response):
        revision = getattr(request, "content_revision", None)
        pending = getattr(request, "pending_revision", None)
        shareable = (
            # A 404 or redirect that no view answered (an address the site lacks) is shared too: it tells no revision.
            (revision is not None or pending is not None or response.status_code != 200)
            and response.status_code in CACHEABLE_STATUS
            and is_public(request)
            and not response.cookies
            and "no-store" not in response.get("Cache-Control", "")
            and "private" not in response.get("Cache-Control", "")
        )
        # A redirect or a 404 is kept as briefly, without validators: conditions settle only a page there is to send
        # (RFC 9110 §13.2.1), and NotModifiedMiddleware, which answers before any view, matches only ETags given out.
        validated = shareable and response.status_code == 200
        if pending is not None and validated:
            rows = pending.result()
            revision = revision_from(rows[0] if rows else None)
        elif pending is not None:
            pending.cancel()
        if not shareable:
            if "Cache-Control" not in response:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        if not validated:
            patch_cache_control(response, **SHARED_POLICY)
            return response
        etag = etag_for(request, revision.number)
        self.validate(response, etag, revision.changed_at)
        # RFC 9110 §13.2.1: a request's conditions count for a page there is to send (a 200), once its view has run;
        # a 404, a redirect or a form error goes out as it is. If-Modified-Since counts whole seconds, and a second
        # that two revisions share proves nothing (§8.8.2.2), so the date asked about must then be a later one.
        # If-None-Match "*" holds for any page that exists (§13.1.2); a failed If-Match is 412.
        answer = get_conditional_response(request, etag=etag, last_modified=revision.modified_after, response=response)
        if answer.status_code == 304:
            self.validate(answer, etag, revision.changed_at)
        elif answer is not response:
            patch_cache_control(answer, private=True, no_cache=True)
        return answer

    @staticmethod
    def validate(response, etag, changed_at):
        """Give a shareable response (or its 304) its validators and the shared-cache policy."""
        response.headers.setdefault("ETag", etag)
        if changed_at:
            response.headers.setdefault("Last-Modified", http_date(int(changed_at.timestamp())))
        patch_cache_control(response, **SHARED_POLICY)


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware, whose redirect to the address with its trailing slash (APPEND_SLASH, a 301 made
    after every other middleware inside it has run) is shared as briefly as the site's other redirects."""

    def process_response(self, request, response):
        answer = super().process_response(request, response)
        if answer is not response and answer.status_code in CACHEABLE_STATUS and is_public(request):
            patch_cache_control(answer, **SHARED_POLICY)
        return answer
