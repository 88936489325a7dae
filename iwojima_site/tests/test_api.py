"""The read-only API: every list holds what its page shows, CSV says the same as JSON, bad filters answer 400,
queries stay few at any size, anonymous use is throttled per client address, and the schema holds for every
request schemathesis makes of it."""

import csv
import io

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import AnonRateThrottle

from characters.models import Character
from iwojima_site.renderers import CSV_LIST_SEPARATOR
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


def test_an_unknown_format_or_page_is_404_not_500(client):
    assert client.get(reverse("api:scene-list"), {"format": "xml"}).status_code == 404
    assert client.get(reverse("api:scene-list"), {"page": "999"}).status_code == 404


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


def throttle_statement(sql):
    """Whether a statement is the throttle's, in the shared cache (its table, or the savepoint around its write)."""
    return '"site_cache"' in sql or "SAVEPOINT" in sql


@pytest.mark.parametrize("copies", [0, 99], ids=["x1", "x100"])
def test_every_api_list_stays_within_12_queries(client, copies):
    """At most 12 queries for the list itself at once and a hundred times the content; the throttle's count in the
    database cache adds a fixed few (read, then write in a savepoint), whatever the size."""
    if copies:
        scenes = Scene.objects.count()
        multiply_content(copies)
        assert Scene.objects.count() == scenes * (copies + 1)
    cache.clear()
    for url in API_LISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        statements = [query["sql"] for query in queries.captured_queries]
        throttle = [sql for sql in statements if throttle_statement(sql)]
        assert len(statements) - len(throttle) <= 12, f"{url}: {len(statements) - len(throttle)} queries"
        assert len(throttle) <= 6, f"{url}: the throttle made {len(throttle)}"


@pytest.fixture
def throttle_rate(monkeypatch):
    """Lowers the anonymous rate (the test settings raise it, DJANGO_API_RATE) for one test."""

    def lower(rate):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})
        cache.clear()

    return lower


def test_anonymous_use_is_throttled_with_a_clear_429_that_is_never_stored(client, throttle_rate):
    throttle_rate("3/minute")
    for _ in range(3):
        assert client.get(reverse("api:scene-list")).status_code == 200
    response = client.get(reverse("api:person-list"))
    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store" and int(response["Retry-After"]) > 0
    assert "Too many requests" in response.json()["detail"]
    assert "ETag" not in response


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
