"""Production behaviour: HTTP caching a shared cache can use, security headers on every kind of page, a health
check, logs, static files before collectstatic, the 500 page, and bad requests that never end in a 5xx."""

import csv
import io
import itertools
import logging
import os
import select
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.template.loader import get_template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse, set_script_prefix
from django.utils import timezone
from django.utils.http import http_date
from django.utils.log import AdminEmailHandler

from iwojima_site.caching import bump_revision, current_revision
from iwojima_site.middleware import HeadWithoutBodyMiddleware
from iwojima_site.models import ContentRevision
from iwojima_site.pages import page_types, site_pages
from iwojima_site.storage import SiteStaticFilesStorage
from scenes.models import Scene

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'",
    "Permissions-Policy": "camera=()",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# --- Validators and Cache-Control ----------------------------------------------------------------------------


def test_every_public_page_has_validators_and_lets_a_shared_cache_keep_it_briefly(client):
    for name, url in site_pages():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["ETag"].startswith('"') and response["Last-Modified"], name
        control = response["Cache-Control"]
        assert all(part in control for part in ("public", "s-maxage=", "max-age=0", "must-revalidate")), name


def test_a_conditional_request_is_answered_304_without_rendering(client, django_assert_max_num_queries):
    for name, url in site_pages():
        etag = client.get(url)["ETag"]
        with django_assert_max_num_queries(1):  # the content revision, and nothing the page itself would need
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304 and response["ETag"] == etag and not response.content, name


def test_the_304_comes_before_sessions_authentication_and_the_url_resolver(client, django_assert_num_queries):
    url = reverse("scenes:detail", args=[Scene.objects.order_by("number").first().slug])
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_IF_NONE_MATCH=f'"something-else", W/{etag}')
    assert response.status_code == 304 and response.wsgi_request.resolver_match is None
    assert "user" not in vars(response.wsgi_request) and "Vary" not in response
    assert "public" in response["Cache-Control"] and response["Last-Modified"]
    # The headers every response carries, but the CSP: a view may widen its page's, and the stored page keeps it.
    for header, expected in SECURITY_HEADERS.items():
        if header != "Content-Security-Policy":
            assert expected in response.get(header, ""), header


def test_a_static_files_revalidation_is_whitenoises_and_reads_no_database(client, django_assert_num_queries):
    etag = client.get("/static/css/site.css")["ETag"]
    with django_assert_num_queries(0):
        assert client.get("/static/css/site.css", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a request is served
def test_a_revalidation_asks_the_database_at_most_once_and_survives_a_broken_connection(client, monkeypatch):
    """The revision's read is the persistent connection's health check: no other statement on a healthy connection,
    a new connection when the old one is gone. On PostgreSQL the connection listens for changes: its first
    revalidation says LISTEN and reads, the next ones say nothing while nothing changes. (A transactional test: the
    content may have been flushed.)"""
    url = reverse("scenes:list")
    etag = client.get(url)["ETag"]
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("SELECT 1") or True)
    for break_it in (False, True):
        if break_it:
            connection.connection.close()  # the database went away between two requests
        for again in (False, True):
            connection.close_if_unusable_or_obsolete()  # what every request begins with (close_old_connections)
            with CaptureQueriesContext(connection) as statements:
                response = client.get(url, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 304 and response["ETag"] == etag
            said = [statement["sql"].split()[0] for statement in statements]
            if connection.vendor == "postgresql":
                assert said == ([] if again else ["LISTEN", "SELECT"])
            else:
                assert said == ["SELECT"]
            assert checks == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql  # only a database server can end a connection
def test_a_page_after_the_server_ended_the_connection_is_read_on_a_new_one(client, monkeypatch):
    """The read snapshot's health check asks nothing of a connection whose server has said nothing; once the server
    has ended it, Django's own check runs, fails, and the page is read on a new connection."""
    url = reverse("scenes:list")
    checks = []
    usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("SELECT 1") or usable())
    assert client.get(url).status_code == 200
    connection.close_if_unusable_or_obsolete()  # what every request begins with
    assert client.get(url).status_code == 200 and checks == []
    ended = connection.connection.info.backend_pid
    other = ConnectionHandler({"default": {**connection.settings_dict}})["default"]
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    finally:
        other.close()
    assert select.select([connection.connection.pgconn.socket], [], [], 10)[0], "the server said nothing"
    connection.close_if_unusable_or_obsolete()
    assert client.get(url).status_code == 200
    assert checks == ["SELECT 1"] and connection.connection.info.backend_pid != ended


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql  # libpq's connect_timeout
def test_a_database_server_that_takes_the_connection_and_says_nothing_gets_the_503_not_a_hang():
    """A server that accepts the connection and then never answers (stopped, or cut off by the network): the page
    gives up after the settings' connect_timeout and answers 503, rather than hold the worker until gunicorn kills
    it. The 60 s bound only tells a page that gives up from one that never would."""
    answers = []

    def ask():
        try:
            answers.append(Client().get(reverse("scenes:list")))
        finally:
            connections.close_all()  # this thread's own connection

    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", silent.getsockname()[1]
        try:
            asker = threading.Thread(target=ask, daemon=True)
            asker.start()
            asker.join(timeout=60)
        finally:
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = address
    assert not asker.is_alive(), "the page was still waiting for the silent server after 60 s"
    assert answers[0].status_code == 503 and answers[0]["Retry-After"] == "5"


@pytest.mark.postgresql  # prepared statements are the server's
def test_a_page_read_again_runs_statements_the_server_keeps_prepared(client):
    """On PostgreSQL the server binds the parameters, and a statement a connection has run five times stays
    prepared on it: from then on the server plans the page's statements once per connection, not on every request."""
    url = reverse("scenes:list") + "?character=saigo&character=kuribayashi"

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    before = prepared()
    first = client.get(url)
    for _ in range(5):
        assert client.get(url).content == first.content
    new = prepared() - before
    with CaptureQueriesContext(connection) as statements:
        assert client.get(url).content == first.content
    assert len(new) >= len(statements) > 5  # every statement of the page, prepared
    # The values are bound by the server, not written into the statements' text.
    assert any("$1" in text for text in new) and not any("'saigo'" in text for text in new)


@pytest.mark.django_db(transaction=True)
def test_an_edit_on_this_app_server_ends_the_304s_on_the_very_next_request(client):
    bump_revision()  # the revision's row, should the content have been flushed
    url = reverse("scenes:list")
    etag = client.get(url)["ETag"]
    assert [client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(2)] == [304, 304]
    bump_revision()  # what an admin save does, committed at once
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.django_db(transaction=True)
def test_an_edit_on_another_app_server_ends_the_304s_here(client):
    """Another app server commits on a connection of its own. On PostgreSQL this one hears of it by a notification
    (the test waits up to ten seconds for it to reach the socket, and fails without it); the next revalidation is
    then answered in full, with the new ETag."""
    bump_revision()
    url = reverse("scenes:list")
    etag = client.get(url)["ETag"]
    assert [client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(2)] == [304, 304]
    table = connection.ops.quote_name(ContentRevision._meta.db_table)
    other = ConnectionHandler({"default": {**connection.settings_dict}})["default"]
    try:
        with other.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET number = number + 1")  # noqa: S608 (a quoted model table)
    finally:
        other.close()
    if connection.vendor == "postgresql":
        assert select.select([connection.connection.pgconn.socket], [], [], 10)[0], "no notification came"
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.django_db(transaction=True)
def test_while_the_database_cannot_be_reached_pages_and_the_health_check_answer_503(
    client, settings, mailoutbox, caplog
):
    """A database that refuses connections: every page, the health check included, is 503 with Retry-After, never
    stored, whether or not a cache revalidates it (If-None-Match), logged in one line and mailed to no one; once it
    answers again, so do the pages."""
    settings.ADMINS = [("Editor", "editor@example.org")]
    missing = "/no/such/folder/db.sqlite3" if connection.vendor == "sqlite" else "no_such_database"
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = missing
    api = reverse("api:scene-list")
    try:
        answers = {  # in the form each address answers in
            reverse("scenes:list"): "text/html; charset=utf-8",
            reverse("health"): "text/plain",
            api: "application/json",
            f"{api}?format=csv": "text/csv; charset=utf-8",
        }
        for (url, content_type), validators in itertools.product(answers.items(), ({}, {"If-None-Match": '"x", *'})):
            with caplog.at_level(logging.INFO):
                caplog.clear()
                response = client.get(url, headers=validators)
            assert [record.levelname for record in caplog.records] == ["ERROR"], url
            assert response.status_code == 503 and response["Retry-After"] == "5", url
            assert response["Content-Type"] == content_type, url
            assert "no-store" in response["Cache-Control"] and "try again" in response.content.decode().lower(), url
        assert client.get(api).json() == {"detail": "The database cannot be reached just now. Try again in 5 seconds."}
        rows = list(csv.reader(io.StringIO(client.get(f"{api}?format=csv").content.decode())))
        assert rows == [
            ["field", "message"],
            ["detail", "The database cannot be reached just now. Try again in 5 seconds."],
        ]
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
    assert mailoutbox == []
    assert client.get(reverse("health")).status_code == 200


def test_only_an_etag_the_site_gave_out_is_answered_304(client, admin_client):
    from iwojima_site.caching import etag_for

    health = reverse("health")
    request = client.get(health).wsgi_request
    made_up = f'"{etag_for(request, current_revision()[0]).strip(chr(34))[::-1]}"'
    assert client.get(health, HTTP_IF_NONE_MATCH=made_up).status_code == 200
    assert client.get(health, HTTP_IF_NONE_MATCH="*").status_code == 200  # never cached, never 304
    url = reverse("scenes:list")
    etag = client.get(url)["ETag"]
    signed_in = admin_client.get(url, HTTP_IF_NONE_MATCH=etag)  # someone's own page: rendered for them
    assert signed_in.status_code == 200 and "ETag" not in signed_in


def test_if_modified_since_the_last_change_is_answered_304(client):
    ContentRevision.objects.filter(pk=1).update(previous_changed_at=None)  # no earlier change within its second
    url = reverse("scenes:list")
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


@pytest.mark.django_db(transaction=True)  # each edit a transaction of its own, as two saves in the admin are
def test_if_modified_since_alone_never_hides_an_edit_made_within_the_same_second(client, monkeypatch):
    """Last-Modified counts whole seconds (RFC 9110 §8.8.2). After a second edit within the second of the first, a
    client holding the first edit's page and asking with If-Modified-Since alone gets the page again, not 304."""
    bump_revision()  # the revision's row, should the content have been flushed
    url = reverse("scenes:list")
    second = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    for at, expected in ((-0.5, None), (0.1, 304), (0.6, 200)):  # an edit in the second before, then two in one
        monkeypatch.setattr(timezone, "now", lambda at=at: second + timedelta(seconds=at))
        bump_revision()
        page = client.get(url)
        assert page["Last-Modified"] == http_date((second + timedelta(seconds=at)).timestamp())
        if expected:
            first_edit = http_date(second.timestamp())
            assert client.get(url, HTTP_IF_MODIFIED_SINCE=first_edit).status_code == expected, at
    later = http_date(second.timestamp() + 1)  # a date the second edit's page could only carry once it was over
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304


def test_if_modified_since_only_settles_a_page_there_is_to_send(client):
    """RFC 9110 §13.2.1: the conditions count only where the answer would be a 200. The health check, the correction
    form, a form error, a clean-up redirect and a 404 answer as they always do, whatever date is asked about; a page
    that is there gets its 304, and a failed If-Match its 412."""
    far_future = "Tue, 01 Dec 2099 00:00:00 GMT"
    for url, status in (
        (reverse("health"), 200),
        (reverse("suggest"), 200),
        ("/scenes/?character=nobody", 400),
        ("/scenes/?q=", 302),
        ("/scenes/no-such-scene/", 404),
    ):
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=far_future)
        assert response.status_code == status, url
        assert "public" not in response.get("Cache-Control", "") or status == 404, url
    assert client.get(reverse("scenes:list"), HTTP_IF_MODIFIED_SINCE=far_future).status_code == 304
    refused = client.get(reverse("scenes:list"), HTTP_IF_MATCH='"not-this-page"')
    assert refused.status_code == 412 and "private" in refused["Cache-Control"]


def test_a_404_or_a_redirect_is_shared_briefly_without_validators_so_no_condition_can_turn_it_into_a_304(client):
    # RFC 9110 §13.2.1: only an answer that would be a 2xx is settled by a condition. The site's 304s come before any
    # view runs, from ETags it gave out: so a 404 or a redirect gives none out.
    Scene.objects.filter(number=1).update(former_slugs=["an-older-slug"])
    for url, status in (
        ("/scenes/no-such-scene/", 404),
        ("/scenes/?page=99", 404),
        ("/api/scenes/?page=9", 404),
        ("/scenes/an-older-slug/", 301),
        ("/no-such-page/", 404),  # no view at all
        ("/characters/saigo", 301),  # the trailing slash added (APPEND_SLASH)
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert "ETag" not in response and "Last-Modified" not in response, url
        assert "public" in response["Cache-Control"] and "s-maxage=30" in response["Cache-Control"], url


def test_if_match_and_if_unmodified_since_are_weighed_before_if_none_match(client):
    """RFC 9110 §13.2.2: a failed If-Match, or If-Unmodified-Since without If-Match, is a 412 whatever If-None-Match
    says; only then does a matching If-None-Match give the 304."""
    url = reverse("scenes:list")
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MATCH='"zzz"').status_code == 412
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_UNMODIFIED_SINCE=long_ago).status_code == 412
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MATCH=etag).status_code == 304


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_more_parameters_than_django_reads_get_a_400_in_the_address_s_own_form(client, debug):
    """Django reads at most DATA_UPLOAD_MAX_NUMBER_FIELDS parameters; an address with more gets a 400 saying so, in
    the form the address answers in, on every kind of page, with debug on too (where Django's error page read the
    query again and, after seconds, answered 500), and no exception reaches the test client."""
    too_many = "&".join(["a="] * 1100)
    answers = {  # in the form each address answers in
        "/": "text/html; charset=utf-8",
        "/scenes/": "text/html; charset=utf-8",
        "/timeline/": "text/html; charset=utf-8",
        "/admin/scenes/scene/": "text/html; charset=utf-8",
        "/healthz": "text/plain",
        "/api/scenes/": "application/json",
        "/api/people/saigo/": "application/json",
        "/api/scenes/?format=csv&": "text/csv; charset=utf-8",
    }
    with override_settings(DEBUG=debug):
        for page, content_type in answers.items():
            response = client.get(f"{page}{'' if '?' in page else '?'}{too_many}")
            assert response.status_code == 400, page
            assert response["Content-Type"] == content_type, page
            assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"], page
            assert "more than 1,000 parameters" in response.content.decode(), page
            if content_type.startswith("text/html"):  # the site's own page, titled as every page is
                assert "<title>Bad request · Letters from Iwo Jima, scene by scene</title>" in response.content.decode()
    assert client.get(f"/api/scenes/?{too_many}").json() == {
        "detail": "This address has more than 1,000 parameters, more than the site reads. Leave some out."
    }
    rows = list(csv.reader(io.StringIO(client.get(f"/api/scenes/?{too_many}&format=csv").content.decode())))
    assert rows[0] == ["field", "message"] and rows[1][0] == "detail"


def test_a_chart_page_that_is_not_a_whole_number_shows_the_first_and_says_so(client):
    first = client.get(reverse("scenes:timeline")).content.decode()
    for page in ("²", "9" * 5000, "-3", "x"):
        response = client.get(reverse("scenes:timeline"), {"page": page})
        shown = response.content.decode()
        assert response.status_code == 200 and "the chart shows page 1" in shown, page[:10]
        assert shown.count("<svg") == first.count("<svg") and "the chart shows page 1" not in first


def test_if_none_match_star_is_answered_304_for_a_page_that_exists(client):
    """RFC 9110 §13.1.2: "*" matches any current representation."""
    response = client.get(reverse("scenes:list"), HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 304 and response["ETag"] and not response.content
    assert client.get("/scenes/no-such-scene/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_etag_covers_path_and_query(client):
    plain, filtered = client.get(reverse("scenes:list")), client.get(reverse("scenes:list"), {"period": "1945"})
    assert plain["ETag"] != filtered["ETag"]


def test_an_admin_edit_changes_the_etag_and_shows_on_the_next_request(client, admin_client):
    scene = Scene.objects.order_by("number").first()
    before = client.get(scene.get_absolute_url())
    number = current_revision()[0]
    response = admin_client.post(reverse("admin:scenes_scene_changelist"), {})  # a harmless POST first
    assert response.status_code in (200, 302)
    scene.title = "A title changed in the admin"
    scene.save()
    assert current_revision()[0] > number
    after = client.get(scene.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "A title changed in the admin" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_reload_changes_the_etag(client):
    from django.core.management import call_command

    url = reverse("home")
    etag = client.get(url)["ETag"]
    Scene.objects.filter(number=1).update(title="Changed behind the reload's back")
    call_command("reload_content", "--force", verbosity=0)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_someones_own_pages_are_private(client, admin_client):
    for response in (
        admin_client.get(reverse("admin:index")),
        admin_client.get(reverse("scenes:list")),  # signed in: may differ from what others see
        client.get(reverse("scenes:list"), {"character": "nobody-of-that-name"}),  # a form error
        client.get(reverse("suggest")),
        client.get(reverse("health")),
    ):
        assert "public" not in response["Cache-Control"] and "ETag" not in response, response.request["PATH_INFO"]
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# --- Security headers --------------------------------------------------------------------------------------


def test_every_kind_of_page_carries_the_security_headers(client):
    for name, url in page_types():
        response = client.get(url)
        for header, expected in SECURITY_HEADERS.items():
            assert expected in response.get(header, ""), f"{name}: {header}"


@pytest.mark.parametrize("name", ["img/favicon.svg", "css/site.css"])
def test_a_static_file_carries_the_security_headers_too(client, name):
    # WhiteNoise answers before the CSP and frame-denial middleware: an SVG opened on the site's origin is a document.
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    for header, expected in SECURITY_HEADERS.items():
        assert expected in response.get(header, ""), header


def test_the_admin_carries_the_security_headers_when_signed_in(admin_client):
    response = admin_client.get(reverse("admin:scenes_scene_changelist"))
    for header, expected in SECURITY_HEADERS.items():
        assert expected in response.get(header, ""), header


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_a_tls_proxy_plain_http_is_redirected_and_https_gets_hsts(client):
    assert client.get(reverse("home")).status_code == 301
    response = client.get(reverse("home"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200 and "max-age=31536000" in response["Strict-Transport-Security"]


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_tls_proxy_the_health_check_answers_a_load_balancers_plain_http(client):
    # The balancer asks each app server directly, without the proxy's X-Forwarded-Proto: a redirect would fail it.
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_check_deploy_is_clean_with_the_production_variables():
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # the browser tests'
        "DJANGO_DEBUG": "",
        "DJANGO_SECRET_KEY": "a-long-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "iwojima.example.org",
        "DJANGO_HTTPS": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    "path",
    ["/", "/search/", "/healthz", "/source/", "/robots.txt", "/sitemap.xml", "/scenes/", "/scenes/number/3/"],
)
@pytest.mark.parametrize("method", ["post", "put", "delete", "trace"])
def test_a_page_asked_with_a_method_it_does_not_take_says_405_and_which_it_takes(path, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert {"GET", "HEAD"} <= {name.strip() for name in response["Allow"].split(",")}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "PROPFIND", "TRACE"])
def test_a_form_page_asked_with_a_method_it_does_not_take_says_405_not_that_the_form_was_not_sent(method):
    """The correction form takes GET, HEAD and POST (and OPTIONS, which describes them): any other method gets 405
    and its Allow, without its CSRF token (which the CSRF check would refuse first) or with it."""
    for client in (Client(enforce_csrf_checks=True), Client()):
        response = client.generic(method, "/suggest/")
        assert response.status_code == 405, (method, response.status_code)
        assert allowed(response) == {"GET", "HEAD", "POST", "OPTIONS"}


def allowed(response):
    """The methods a response's Allow lists."""
    return {name.strip() for name in response["Allow"].split(",")}


def pages_and_their_methods():
    """(name, path, methods) for every page a visitor or a robot reads: the site's pages, the redirect by scene
    number, the correction form and its thanks, the health check, robots.txt, the sitemap and the API's
    documentation (a page, where the API's own addresses are endpoints that DRF describes)."""
    return [
        *((name, url, {"GET", "HEAD"}) for name, url in site_pages()),
        (
            "scene-by-number",
            reverse("scenes:by_number", args=[Scene.objects.order_by("number").first().number]),
            {"GET", "HEAD"},
        ),
        ("suggest-correction", reverse("suggest"), {"GET", "HEAD", "POST"}),
        ("suggestion-thanks", reverse("suggestion_thanks"), {"GET", "HEAD"}),
        ("health", reverse("health"), {"GET", "HEAD"}),
        ("robots", reverse("robots"), {"GET", "HEAD"}),
        ("sitemap", reverse("sitemap"), {"GET", "HEAD"}),
        ("api-docs", reverse("api:docs"), {"GET", "HEAD"}),
    ]


def test_options_on_every_page_says_which_methods_it_takes_as_its_405_does(client):
    """RFC 9110 §9.3.7: OPTIONS describes what the page takes. Every page answers it alike, function views and
    class-based ones: 200, no body, and the same Allow as its 405 for a method it does not take (PUT, refused before
    the view; TRACE, by the view). It carries the security headers, and neither validators nor a shared-cache policy
    (an answer to OPTIONS is not cacheable): the ETag of a revalidation cannot turn it into a 304."""
    strict = Client(enforce_csrf_checks=True)
    for name, url, methods in pages_and_their_methods():
        answer = strict.options(url)
        assert answer.status_code == 200 and answer.content == b"", name
        for refused in (strict.put(url), strict.generic("TRACE", url)):
            assert refused.status_code == 405, name
            assert answer["Allow"] == refused["Allow"] and allowed(answer) == methods | {"OPTIONS"}, name
        for header, expected in SECURITY_HEADERS.items():
            assert expected in answer.get(header, ""), f"{name}: {header}"
        assert "ETag" not in answer and "public" not in answer["Cache-Control"], name
        etag = client.get(url).get("ETag")
        if etag:
            assert client.options(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, name


@pytest.mark.parametrize("path", ["/admin/login/", "/suggest/"])
def test_a_form_sent_without_its_token_gets_the_sites_own_page_saying_what_to_do(path):
    response = Client(enforce_csrf_checks=True).post(path, {"username": "editor", "text": "A correction."})
    page = response.content.decode()
    assert response.status_code == 403 and "reload the page and send the form again" in page
    assert "<style" not in page and "DEBUG" not in page and response["Content-Security-Policy"]


def test_a_head_request_gets_the_gets_headers_and_no_body_from_the_site_itself(rf):
    # The test client drops a HEAD body itself, as gunicorn does (with a warning in the log for each): the
    # outermost middleware must, whatever answers inside it.
    assert settings.MIDDLEWARE[0] == "iwojima_site.middleware.HeadWithoutBodyMiddleware"
    page = HttpResponse("<p>The page.</p>")
    answer = HeadWithoutBodyMiddleware(lambda request: page)
    assert answer(rf.get("/")).content == b"<p>The page.</p>"
    head = answer(rf.head("/"))
    assert head.content == b"" and head["Content-Length"] == str(len("<p>The page.</p>"))


def test_manage_py_without_a_secret_key_or_debug_says_what_to_set_in_one_line():
    unset = ("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "manage.py: DJANGO_SECRET_KEY is not set. Set it to a long random string, or set DJANGO_DEBUG=1 for local use."
    ]


def manage_py_check(**environment):
    """`manage.py check` run with the test's environment changed by `environment`: its CompletedProcess."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser's
    command = [sys.executable, "manage.py", "check"]
    env.update(environment)
    return subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("count", ["abc", "-1", "1.5", "²"])
def test_a_proxy_count_that_is_not_a_whole_number_stops_the_site_at_start(count):
    result = manage_py_check(DJANGO_TRUSTED_PROXY_COUNT=count)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "DJANGO_TRUSTED_PROXY_COUNT must be a whole number (0 without a proxy)." in result.stderr


@pytest.mark.parametrize("rate", ["abc", "10/fortnight", "0/hour", "-5/minute", "10 per hour"])
def test_an_api_rate_drf_cannot_read_stops_the_site_at_start_not_every_api_request_later(rate):
    result = manage_py_check(DJANGO_API_RATE=rate)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    expected = f"DJANGO_API_RATE must be requests per second, minute, hour or day, e.g. 600/hour (not {rate!r})"
    assert expected in result.stderr


# --- Health, logs, static files, the 500 page ----------------------------------------------------------------


def test_the_health_check_touches_the_database_and_is_never_cached(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content.decode().startswith("ok ")
    assert "no-cache" in response["Cache-Control"] and "ETag" not in response


def broken_view(request):
    raise RuntimeError("something broke")


urlpatterns = [path("broken/", broken_view)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_500_is_logged_with_its_traceback_and_answered_by_a_page_that_needs_nothing(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and "something broke" in str(record.exc_info[1])
    source = Path(get_template("500.html").origin.name).read_text(encoding="utf-8")
    assert "{%" not in source and "{{" not in source, "the 500 page must render even when nothing else can"


def test_errors_go_to_stderr_one_line_per_event_traceback_included():
    handler = settings.LOGGING["handlers"]["stderr"]
    assert handler["class"] == "logging.StreamHandler" and "stream" not in handler  # stderr
    assert "stderr" in settings.LOGGING["loggers"]["django.request"]["handlers"]
    stderr = next(h for h in logging.getLogger("django.request").handlers if isinstance(h, logging.StreamHandler))
    try:
        raise RuntimeError("something broke")
    except RuntimeError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/\n",), sys.exc_info()
        )
    line = stderr.format(record)
    assert "\n" not in line and "ERROR django.request Internal Server Error: /x/" in line
    assert "Traceback (most recent call last):" in line and line.endswith("RuntimeError: something broke")


@override_settings(DEBUG=False, ADMINS=[("Editor", "editor@example.org")])
def test_a_request_for_another_host_is_a_400_logged_as_one_warning_line_and_mailed_to_no_one(client, mailoutbox):
    client.raise_request_exception = False
    logger = logging.getLogger("django.security.DisallowedHost")
    stderr = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        response = client.get(reverse("scenes:list"), HTTP_HOST="evil.example")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 400 and "This address cannot be read" in response.content.decode()
    assert [record.levelname for record in records] == ["WARNING"]
    line = stderr.format(records[0])
    assert "WARNING django.security.DisallowedHost Invalid HTTP_HOST header: 'evil.example'" in line
    assert "Traceback" not in line and "\\n" not in line
    assert mailoutbox == []
    assert not logger.propagate and not any(isinstance(h, AdminEmailHandler) for h in logger.handlers)


def test_before_collectstatic_static_urls_are_the_plain_names(tmp_path):
    storage = SiteStaticFilesStorage(location=tmp_path, base_url="/static/")
    assert storage.url("css/site.css") == "/static/css/site.css"


def test_connections_persist_between_requests_on_both_databases():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"]


# --- Bad requests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HOST": "evil.example"},
        {"HTTP_HOST": "bad host\x00"},
        {"HTTP_IF_NONE_MATCH": '"' + "x" * 100_000 + '"'},
        {"HTTP_IF_NONE_MATCH": "W/garbage, *, ,,"},
        {"HTTP_IF_MODIFIED_SINCE": "not a date"},
        {"HTTP_IF_MODIFIED_SINCE": "Sun, 99 Foo 10000 99:99:99 GMT"},
    ],
    ids=["foreign-host", "nul-host", "huge-if-none-match", "odd-if-none-match", "bad-date", "absurd-date"],
)
def test_bad_headers_never_produce_a_5xx(client, headers):
    client.raise_request_exception = False
    response = client.get(reverse("scenes:list"), **headers)
    assert response.status_code < 500, response.status_code


def test_a_nul_byte_in_the_address_never_produces_a_5xx(client):
    client.raise_request_exception = False
    for url in ("/scenes/?q=%00", "/scenes/%00/", "/search/?q=a%00b", "/characters/?order=%00"):
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("script_name", ["//evil.example", "/\\evil.example", "///evil.example"])
def test_no_redirect_points_off_site_whatever_script_name_a_proxy_passes(client, script_name):
    old = Scene.objects.exclude(former_slugs=[]).first()
    urls = ["/scenes/?period=&part=", f"/scenes/{old.former_slugs[0]}/", "/characters/saigo/?at=07", "/?at=%2B7"]
    for url in urls:
        response = client.get(url, SCRIPT_NAME=script_name)
        set_script_prefix("/")  # a request leaves its prefix behind in this thread
        assert response.status_code in (301, 302), url
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example", "/\\evil.example/", "///evil.example/"])
def test_no_horizon_redirect_points_off_site_whatever_path_a_client_asks_for(client, path):
    # The horizon's redirect is made only for a page the site's URLs name: its path is the page's own, never
    # another host's (a Location of "//evil.example/?at=7" would be one).
    response = client.get("/?at=07", PATH_INFO=path)
    location = response.get("Location", "/")
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location


def test_a_signed_in_editor_is_not_served_a_shared_copy(admin_client):
    assert User.objects.filter(is_superuser=True).exists()
    response = admin_client.get(reverse("home"))
    assert "private" in response["Cache-Control"]


def test_a_static_address_asked_for_again_is_the_same_and_follows_a_new_manifest(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "site.css").write_text("body { color: black; }")
    storage = SiteStaticFilesStorage(location=tmp_path / "collected", base_url="/static/")
    assert storage.url("site.css") == storage.url("site.css") == "/static/site.css"
    with (tmp_path / "source" / "site.css").open("rb") as source:
        storage.save("site.css", source)
    found = {"site.css": (storage, "site.css")}
    list(storage.post_process(found))
    hashed = storage.url("site.css")
    assert hashed != "/static/site.css" and hashed.startswith("/static/site.") and hashed.endswith(".css")
