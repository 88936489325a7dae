"""The read-only API: every list holds what its page shows, CSV says the same as JSON, bad filters answer 400,
queries stay few at any size, anonymous use is throttled per client address, and the schema holds for every
request schemathesis makes of it."""

import csv
import io
import threading
import time
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError, close_old_connections, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import AnonRateThrottle

from characters.models import Character
from iwojima_site.models import ThrottleCount
from iwojima_site.renderers import CSV_LIST_SEPARATOR
from iwojima_site.throttling import KEEP_FOR, THROTTLE_DATABASE, FixedWindowAnonThrottle, stored_key
from scenes.models import Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db

# (the page, its list in the API, a query both read)
LISTS = [
    ("scenes:list", "api:scene-list", ""),
    ("scenes:list", "api:scene-list", "character=saigo&period=1945"),
    ("scenes:list", "api:scene-list", "character=saigo&character=shimizu&presence=any&has_letter=no"),
    ("scenes:list", "api:scene-list", "q=letter&order=title"),
    ("scenes:list", "api:scene-list", "page=2"),
    ("characters:list", "api:person-list", ""),
    ("characters:list", "api:person-list", "side=japanese-army&historical=yes"),
    ("characters:list", "api:person-list", "order=appearance&page=2"),
    ("scenes:letter_list", "api:letter-list", "writer=saigo"),
    ("scenes:letter_list", "api:letter-list", "order=title"),
    ("scenes:flashback_list", "api:flashback-list", ""),
    ("scenes:flashback_list", "api:flashback-list", "rememberer=saigo"),
    ("scenes:place_list", "api:place-list", ""),
    ("cast", "api:cast-list", ""),
]


def slugs_on_page(response):
    """The slugs of the records a page lists, in its order."""
    return [record.slug for record in response.context["object_list"]]


@pytest.mark.parametrize(("page", "api", "query"), LISTS)
def test_every_list_in_the_api_holds_exactly_what_its_page_shows(client, page, api, query):
    page_response = client.get(f"{reverse(page)}?{query}")
    api_response = client.get(f"{reverse(api)}?{query}")
    assert page_response.status_code == api_response.status_code == 200
    body = api_response.json()
    key = "person" if api == "api:cast-list" else "slug"
    assert [record[key] for record in body["results"]] == slugs_on_page(page_response)
    if "paginator" in page_response.context and page_response.context["paginator"]:
        assert body["count"] == page_response.context["paginator"].count


def test_facet_counts_in_the_json_are_the_ones_the_form_shows(client):
    query = "character=saigo&period=1945"
    facets = {f.name: f for f in client.get(f"{reverse('scenes:list')}?{query}").context["facets"]}
    body = client.get(f"{reverse('api:scene-list')}?{query}").json()
    assert {facet["name"] for facet in body["facets"]} == {"character", "location", "period", "part"} | {
        "has_letter",
        "has_flashback",
    }
    for facet in body["facets"]:
        shown = [(str(o.value), o.count, o.selected) for o in facets[facet["name"]].options]
        assert [(o["value"], o["count"], o["selected"]) for o in facet["options"]] == shown


def all_pages(client, url):
    """Every record of a JSON list, following `next`."""
    records = []
    while url:
        body = client.get(url).json()
        records += body["results"]
        url = body["next"]
    return records


def as_csv_cell(value):
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@pytest.mark.parametrize("api", sorted({api for _page, api, _query in LISTS}))
def test_csv_holds_the_same_rows_as_the_json(client, api):
    response = client.get(reverse(api), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    records = all_pages(client, reverse(api))
    assert len(rows) == len(records) > 0
    for row, record in zip(rows, records, strict=True):
        assert row == {field: as_csv_cell(value) for field, value in record.items()}


def test_an_empty_list_as_csv_is_its_header_row(client):
    header = client.get("/api/people/", {"format": "csv"}).content.decode().splitlines()[0]
    response = client.get("/api/people/", {"format": "csv", "q": "zzzzqqqq"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [header]


def test_csv_keeps_the_filters_and_joins_related_slugs(client):
    response = client.get(reverse("api:scene-list"), {"character": "saigo", "period": "1945", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    expected = Scene.objects.filter(period="1945").with_everyone([Character.objects.get(slug="saigo")])
    assert [row["slug"] for row in rows] == list(expected.order_by("number").values_list("slug", flat=True))
    assert all("saigo" in row["seen"].split(CSV_LIST_SEPARATOR) for row in rows)


def test_a_record_is_its_page_as_data(client):
    scene = Scene.objects.get(number=2)
    body = client.get(reverse("api:scene-detail", args=[scene.slug])).json()
    assert body["number"] == 2 and body["title"] == scene.title and body["url"].endswith(scene.get_absolute_url())
    row = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("api:scene-detail", args=[scene.slug]), {"format": "csv"}).content.decode())
        )
    )
    assert len(row) == 1 and row[0]["slug"] == scene.slug
    assert client.get(reverse("api:scene-detail", args=["no-such-scene"])).status_code == 404


@pytest.mark.parametrize(
    "address", ["/api/", "/api/scenes/", "/api/scenes/?format=csv", "/api/people/saigo/?format=csv", "/api/schema/"]
)
def test_only_the_address_chooses_the_format_whatever_the_accept_header_says(client, address):
    # A shared cache keys on the address: a Vary: Accept would make it keep a copy for every Accept a client sends,
    # and an Accept that the address's format does not match was answered 406.
    answers = [client.get(address, HTTP_ACCEPT=accept) for accept in ("", "a/1", "text/csv", "application/json")]
    assert {(answer.status_code, answer["Content-Type"], answer.content) for answer in answers} == {
        (200, answers[0]["Content-Type"], answers[0].content)
    }
    assert all("accept" not in answer.get("Vary", "").lower() for answer in answers)


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"period": "a\x00b"}, {"order": "\x00"}, {"at": "\x00"}])
def test_a_csv_error_quoting_a_nul_byte_holds_none(client, query):
    # Python's csv reader (and many others) refuses a line with a NUL: the quoted value shows U+FFFD.
    response = client.get(reverse("api:scene-list"), {**query, "format": "csv"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["field", "message"] and "\ufffd" in response.content.decode()


@pytest.mark.parametrize("host", ["alias.example", "iwojima.example.org:8443"])
def test_a_list_links_its_pages_on_the_site_whatever_host_it_was_asked_by(client, settings, host):
    # A shared cache and the ETag cover the address, not the Host: a list asked for by another name of the server
    # must hold the same bytes, its next and previous pages on the configured site as its records are.
    settings.ALLOWED_HOSTS = ["alias.example", "iwojima.example.org", "testserver"]
    settings.SITE_URL = "https://iwojima.example.org"
    url = reverse("api:scene-list")
    first = client.get(url, {"character": "saigo"}, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https").json()
    assert first["next"] == f"https://iwojima.example.org{url}?character=saigo&page=2"
    assert first["results"][0]["url"].startswith("https://iwojima.example.org/scenes/")
    second = client.get(url, {"character": "saigo", "page": 2}, HTTP_HOST=host).json()
    assert second["previous"] == f"https://iwojima.example.org{url}?character=saigo"
    root = client.get(reverse("api:api-root"), HTTP_HOST=host).json()
    assert root["scenes"] == f"https://iwojima.example.org{url}" and len(root) == 6
    by_its_own_name = client.get(url, {"character": "saigo"}).content
    assert client.get(url, {"character": "saigo"}, HTTP_HOST=host).content == by_its_own_name


@pytest.mark.parametrize(
    "query",
    [
        {"character": "nobody-of-that-name"},
        {"period": "1066"},
        {"has_letter": "maybe"},
        {"q": "x" * 5000},
        {"q": "Saigo\x00"},
        {"order": "sideways"},
        {"character": [f"someone-{n}" for n in range(101)]},
    ],
)
@pytest.mark.parametrize("format_", ["json", "csv"])
def test_bad_filter_input_answers_400_with_the_form_errors(client, query, format_):
    response = client.get(reverse("api:scene-list"), {**query, "format": format_})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    if format_ == "json":
        errors = response.json()
        assert set(errors) <= set(query) and all(isinstance(messages, list) for messages in errors.values())
    else:
        assert response.content.decode().startswith("field,message")


API_BASENAMES = ["scene", "person", "letter", "flashback", "place", "cast"]


def test_an_unknown_format_or_page_is_404_not_500(client):
    assert client.get(reverse("api:scene-list"), {"format": "xml"}).status_code == 404
    for basename in API_BASENAMES:
        url = reverse(f"api:{basename}-list")
        # Past the end; past the largest OFFSET the databases take (a signed 64-bit integer), and far past it.
        for page in ("999", str(2**63 // 25 + 2), "9" * 30):
            assert client.get(url, {"page": page}).status_code == 404, (url, page)


@pytest.mark.parametrize(
    ("query", "page"), [("page=2&page=", 2), ("page=&page=2", 2), ("page=2&page=1", 1), ("page=02", 2), ("page=", 1)]
)
def test_the_api_reads_page_as_the_pages_do_the_last_value_not_empty(client, query, page):
    """`page=2&page=` is page 2, as the scene list's page reads it (it redirects there); DRF alone read page 1."""
    body = client.get(f"{reverse('api:scene-list')}?{query}").json()
    assert body["results"][0]["number"] == 25 * (page - 1) + 1, query
    assert client.get(f"/scenes/?{query}", follow=True).context["page_obj"].number == page, query


def test_a_record_address_with_a_nul_byte_is_404_not_500(client):
    for basename in API_BASENAMES:
        url = reverse(f"api:{basename}-list")
        assert client.get(f"{url}%00/").status_code == 404, url
        assert client.get(f"{url}a%00b/").status_code == 404, url


def test_api_answers_are_cached_like_the_pages(client):
    response = client.get(reverse("api:scene-list"))
    assert "public" in response["Cache-Control"] and response["ETag"]
    assert client.get(reverse("api:scene-list"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # The Accept header never chooses the format: the address alone does, as a shared cache keys on it.
    assert client.get(reverse("api:scene-list"), HTTP_ACCEPT="text/csv")["Content-Type"] == "application/json"


API_LISTS = [
    "/api/scenes/",
    "/api/scenes/?character=saigo&character=shimizu&period=1945",
    "/api/scenes/?q=letter",
    "/api/scenes/?page=2",
    "/api/people/",
    "/api/people/?side=japanese-army&order=appearance",
    "/api/letters/?writer=saigo",
    "/api/flashbacks/?character=saigo",
    "/api/places/",
    "/api/cast/",
    "/api/scenes/?format=csv&period=1945",
    "/api/people/?format=csv",
]


def throttle_statements(statements):
    """The statements of a request that are the throttle's (its table's)."""
    table = f'"{ThrottleCount._meta.db_table}"'
    return [sql for sql in statements if table in sql]


@pytest.fixture
def no_pruning(monkeypatch):
    """The throttle never deletes old windows (it does so at random, one request in a hundred)."""
    monkeypatch.setattr(FixedWindowAnonThrottle, "prune_every", 0)


@pytest.mark.parametrize("copies", [0, 99], ids=["x1", "x100"])
def test_every_api_list_stays_within_12_queries(client, copies, no_pruning):
    """At most 12 statements for the whole request, the throttle's count included (one), at once and a hundred times
    the content."""
    if copies:
        scenes = Scene.objects.count()
        multiply_content(copies)
        assert Scene.objects.count() == scenes * (copies + 1)
    for url in API_LISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        statements = [query["sql"] for query in queries.captured_queries]
        assert len(statements) <= 12, f"{url}: {len(statements)} queries"
        assert len(throttle_statements(statements)) == 1, url


def test_old_windows_are_deleted_now_and_then_in_one_more_statement(client, monkeypatch):
    monkeypatch.setattr(FixedWindowAnonThrottle, "prune_every", 1)  # every request
    now = int(time.time())
    ThrottleCount.objects.create(key="throttle_anon_192.0.2.1", window_start=now - KEEP_FOR - 3600, hits=5)
    ThrottleCount.objects.create(key="throttle_anon_192.0.2.1", window_start=now - 3600, hits=5)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/places/").status_code == 200
    assert len(throttle_statements([query["sql"] for query in queries.captured_queries])) == 2
    # The day-old window is gone; the hour-old one and this request's stay.
    remaining = list(ThrottleCount.objects.values_list("key", "window_start"))
    assert ("throttle_anon_192.0.2.1", now - KEEP_FOR - 3600) not in remaining
    assert ("throttle_anon_192.0.2.1", now - 3600) in remaining
    assert [key for key, _window in remaining].count("throttle_anon_127.0.0.1") == 1


@pytest.fixture
def throttle_rate(monkeypatch):
    """Lowers the anonymous rate (the test settings raise it, DJANGO_API_RATE) for one test, with no counts yet."""

    def lower(rate):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})
        ThrottleCount.objects.all().delete()

    return lower


def test_anonymous_use_is_throttled_with_a_clear_429_that_is_never_stored(client, throttle_rate):
    throttle_rate("3/minute")
    for _ in range(3):
        assert client.get(reverse("api:scene-list")).status_code == 200
    response = client.get(reverse("api:person-list"))
    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store" and 0 < int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.json()["detail"]
    assert "ETag" not in response


def test_the_wait_is_the_time_to_the_end_of_the_fixed_window(throttle_rate, monkeypatch):
    throttle_rate("2/hour")
    monkeypatch.setattr(FixedWindowAnonThrottle, "timer", lambda self: 7200 * 1000 + 3599.25)  # 0.75 s before 2001
    throttle = FixedWindowAnonThrottle()
    request = SimpleNamespace(user=None, headers={}, META={"REMOTE_ADDR": "192.0.2.1"})
    assert [throttle.allow_request(request, None) for _ in range(3)] == [True, True, False]
    assert throttle.wait() == 1
    assert ThrottleCount.objects.get().window_start == 7200 * 1000  # the hour's start


def test_the_throttle_counts_the_address_the_trusted_proxy_saw(client, settings, throttle_rate):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    throttle_rate("2/minute")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    one, other = "203.0.113.7", "198.51.100.9"
    for _ in range(2):
        assert client.get("/api/places/", HTTP_X_FORWARDED_FOR=one, **proxy).status_code == 200
    assert client.get("/api/places/", HTTP_X_FORWARDED_FOR=one, **proxy).status_code == 429
    # Another reader behind the same proxy is counted apart, and a forged entry on the left changes nothing.
    assert client.get("/api/places/", HTTP_X_FORWARDED_FOR=other, **proxy).status_code == 200
    assert client.get("/api/places/", HTTP_X_FORWARDED_FOR=f"{other}, {one}", **proxy).status_code == 429
    hits = dict(ThrottleCount.objects.values_list("key", "hits"))
    assert hits == {f"throttle_anon_{one}": 4, f"throttle_anon_{other}": 1}


def test_a_key_too_long_for_its_column_is_stored_as_its_hash():
    long = "throttle_anon_" + "x" * 500  # a forged X-Forwarded-For entry can be any length
    assert stored_key("throttle_anon_203.0.113.7") == "throttle_anon_203.0.113.7"
    assert len(stored_key(long)) <= ThrottleCount._meta.get_field("key").max_length
    assert stored_key(long) == stored_key(long) != stored_key(long + "y")


def test_a_database_error_in_the_throttle_lets_the_request_through(client, throttle_rate, monkeypatch, caplog):
    throttle_rate("1/minute")

    def refused(*_args):
        raise OperationalError("database is locked")

    monkeypatch.setattr(FixedWindowAnonThrottle, "count", refused)
    for _ in range(2):
        assert client.get("/api/places/").status_code == 200
    assert "could not count" in caplog.text


# Transactional: each thread has connections of its own, as each worker of the site has.


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_from_one_address_count_exactly_once_each(throttle_rate, monkeypatch):
    """N requests at once from one address, each on its own connection: the window holds exactly N hits, and exactly
    the rate's number were allowed (a read-then-write count would lose some and allow more)."""
    throttle_rate("30/hour")
    monkeypatch.setattr(FixedWindowAnonThrottle, "timer", lambda self: 7200 * 1000 + 10.0)  # one window throughout
    threads, per_thread = 8, 5
    start = threading.Barrier(threads)
    answers, errors = [], []

    def ask():
        try:
            start.wait(timeout=30)
            request = SimpleNamespace(user=None, headers={}, META={"REMOTE_ADDR": "192.0.2.44"})
            for _ in range(per_thread):
                answers.append(FixedWindowAnonThrottle().allow_request(request, None))
        except Exception as error:  # noqa: BLE001 (reported below, from the test's thread)
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors and not any(worker.is_alive() for worker in workers)
    assert ThrottleCount.objects.get(key="throttle_anon_192.0.2.44").hits == threads * per_thread
    assert answers.count(True) == 30 and len(answers) == threads * per_thread


@pytest.mark.django_db(transaction=True)
def test_the_count_is_written_outside_the_read_snapshot(client, monkeypatch):
    """The request's own connection is inside its read snapshot when the throttle counts; the throttle's is not, and
    its count is committed at once (another connection sees it before the request ends)."""
    seen = []
    count = FixedWindowAnonThrottle.count

    def watched(self, key, window_start):
        hits = count(self, key, window_start)
        throttle = connections[THROTTLE_DATABASE]
        seen.append(
            (connections["default"].in_atomic_block, throttle is connections["default"], throttle.in_atomic_block)
        )
        committed = []
        reader = threading.Thread(
            target=lambda: (committed.append(ThrottleCount.objects.filter(key=key).exists()), connections.close_all())
        )
        reader.start()
        reader.join(timeout=30)
        seen.append(committed)
        return hits

    monkeypatch.setattr(FixedWindowAnonThrottle, "count", watched)
    assert client.get("/api/places/").status_code == 200
    assert seen == [(True, False, False), [True]]


def test_the_schema_documents_every_list_and_the_429(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    for path in ["/api/scenes/", "/api/people/", "/api/letters/", "/api/flashbacks/", "/api/places/", "/api/cast/"]:
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "404", "429"} <= set(operation["responses"]), path
        assert schema["paths"][path + "{slug}/"]["get"]["responses"].keys() >= {"200", "404", "429"}
    assert {p["name"] for p in schema["paths"]["/api/scenes/"]["get"]["parameters"]} >= {"character", "q", "page"}


def test_the_documentation_page_runs_from_installed_files_without_inline_script(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "<script>" not in html and "<style>" not in html and "cdn" not in html.lower()
    assert client.get(reverse("api:docs"), {"script": ""})["Content-Type"].startswith("application/javascript")
    # A page to read, not an endpoint to describe: OPTIONS is answered as every page answers it, without a body.
    answer = client.options(reverse("api:docs"))
    assert answer.status_code == 200 and answer.content == b"" and answer["Allow"] == "GET, HEAD, OPTIONS"
    assert client.put(reverse("api:docs"))["Allow"] == "GET, HEAD, OPTIONS"


def img_sources(response):
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())
    return directives["img-src"].split()


def test_the_documentation_page_alone_may_show_data_images(client):
    """Swagger UI draws its icons as data: images: its page's policy allows them, and no other page's does."""
    assert img_sources(client.get(reverse("api:docs"))) == ["'self'", "data:"]
    for address in ["/", "/scenes/", reverse("api:schema"), "/api/scenes/", "/admin/login/"]:
        assert img_sources(client.get(address)) == ["'self'"], address


@pytest.fixture
def api_schema(db, settings):
    """The schema, loaded from the site itself (a WSGI application, in this test's transaction)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # As Django's test client does: a request's end must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# How hard schemathesis tries: a few requests per operation, each within a deadline, the same every run.
SCHEMATHESIS = settings(max_examples=8, deadline=3000, suppress_health_check=list(HealthCheck), derandomize=True)


def test_every_generated_request_gets_a_documented_answer(api_schema):
    """schemathesis, bounded: for every operation of the schema, requests made from it (valid and not) are each
    answered with a documented status and a body that matches the schema, never a 5xx."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 12  # six lists and their records
    for operation in operations:

        @given(case=operation.as_strategy())
        @SCHEMATHESIS
        def answers_as_documented(case):
            # A slug the schema allows may name no record (400 or 404, both documented): the check that any
            # schema-valid request succeeds cannot hold for values only the content decides.
            case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])

        answers_as_documented()


def test_an_empty_person_chooses_nothing_in_the_api_as_on_the_page(client):
    every = client.get("/api/scenes/").json()["count"]
    assert client.get("/api/scenes/?character=").json()["count"] == every
    saigos = client.get("/api/scenes/?character=saigo").json()["count"]
    assert client.get("/api/scenes/?character=&character=saigo").json()["count"] == saigos < every


def test_a_person_repeated_counts_once_towards_the_limit_as_on_the_page(client):
    """The page reduces `character=saigo` written 101 times to one person; the API chooses the same one, while 101
    different people are still more than it takes."""
    saigos = client.get("/api/scenes/?character=saigo").json()
    response = client.get("/api/scenes/", {"character": ["saigo", " saigo "] * 51 + ["shimizu"]})
    assert response.status_code == 200 and response.json()["count"] < saigos["count"]
    repeated = client.get("/api/scenes/", {"character": ["saigo"] * 101})
    assert repeated.status_code == 200 and repeated.json()["results"] == saigos["results"]
    page = client.get("/scenes/", {"character": ["saigo"] * 101})
    assert page.status_code == 302 and page["Location"] == "/scenes/?character=saigo"


def read_parameters(message):
    """The parameters a 400 for one the endpoint does not read says it reads ("… It reads a, b and c.")."""
    listed = message.rsplit("It reads ", 1)[1].rstrip(".")
    first, last = listed.rsplit(" and ", 1)
    return [*first.split(", "), last]


@pytest.mark.parametrize(
    ("address", "unknown", "reads"),
    [
        ("/api/scenes/?charcter=saigo", ["charcter"], ["character", "period", "q", "order", "page", "format", "at"]),
        ("/api/places/?q=shot", ["q"], ["page", "format", "at"]),
        ("/api/cast/?utm_source=x&page=1", ["utm_source"], ["page", "format", "at"]),
        ("/api/people/?fate=killed&side=japanese-army&sid=x&at=5", ["sid"], ["fate", "side", "at"]),
        ("/api/scenes/?character=saigo&page=2&utm_source=a&charcter=b", ["utm_source", "charcter"], ["character"]),
        ("/api/people/saigo/?page=2", ["page"], ["format", "at"]),
        ("/api/letters/?writer=saigo&fomat=csv", ["fomat"], ["writer", "format"]),
    ],
)
def test_a_parameter_the_api_does_not_read_answers_400_naming_it_and_those_it_reads(client, address, unknown, reads):
    """Answering without it would pass the whole list off as the filtered one (and `next` would carry it on)."""
    response = client.get(address)
    assert response.status_code == 400 and "next" not in response.json()
    message = response.json()["detail"]
    assert message.startswith("Not a parameter" if len(unknown) == 1 else "Not parameters")
    assert all(name in message.split(". It reads")[0] for name in unknown)
    assert set(reads) <= set(read_parameters(message)) and not set(unknown) & set(read_parameters(message))
    as_csv = client.get(f"{address}&format=csv")
    assert as_csv.status_code == 400 and as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0] == ["field", "message"] and rows[1][0] == "detail" and unknown[0] in rows[1][1]


def test_each_endpoint_reads_exactly_the_parameters_its_schema_documents(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        documented = {p["name"] for p in operations["get"]["parameters"] if p["in"] == "query"}
        address = path.replace("{slug}", "saigo" if path.startswith("/api/people/") else "x")
        response = client.get(address, {"nothing_read": "x"})
        assert response.status_code == 400, path
        assert set(read_parameters(response.json()["detail"])) == documented, path


def test_a_thousand_unknown_parameters_are_named_ten_at_most(client):
    response = client.get("/api/scenes/", {f"x{n}" * 30: "" for n in range(900)})
    message = response.json()["detail"]
    assert response.status_code == 400 and "and 890 more" in message and len(message) < 1000
