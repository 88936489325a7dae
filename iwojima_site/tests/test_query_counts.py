"""Pages make the same few queries however much content there is: checked on twenty times the film."""

import tempfile

import pytest
from django.db import connection

from iwojima_site.tests.test_pages import all_page_urls
from scenes.models import Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db

COPIES = 19  # with the real content, twenty times the data


@pytest.fixture
def twenty_times_the_content():
    scenes = Scene.objects.count()
    multiply_content(COPIES)
    assert Scene.objects.count() == scenes * (COPIES + 1)


def test_every_page_stays_within_12_queries_on_twenty_times_the_content(
    client, django_assert_max_num_queries, twenty_times_the_content
):
    urls = all_page_urls() + [
        "/scenes/?character=saigo&character=shimizu-3",
        "/scenes/?page=30",
        "/characters/?page=40",
        "/search/?q=letter",
        # Search at scale: a name (its scenes), a word completed, a misspelling (suggestions), several words.
        "/search/?q=Kuribashi",
        "/search/?q=kuriba",
        "/search/?q=Kuribayshi",
        "/search/?q=Nishi+letter",
        # Lists filtered by the same index, in their default order (best match) and in another.
        "/scenes/?q=saigo",
        "/scenes/?q=buried&order=title",
        "/characters/?q=general",
        "/letters/?q=Kuribashi",
        "/flashbacks/?q=Saigo",
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url


def exchanges(client, url, **headers):
    """How many times a request for `url` waits for the PostgreSQL server: what the client says that asks for an
    answer (a Sync ends a batch of statements, a Query is one on its own), read from libpq's protocol trace."""
    # The connection open, and the page's statements prepared: psycopg prepares a statement (with Syncs of its own)
    # the time after it has run it prepare_threshold times.
    for _ in range((connection.settings_dict["OPTIONS"].get("prepare_threshold") or 0) + 1):
        client.get(url, headers=headers)
    driver = connection.connection
    with tempfile.TemporaryFile() as trace:
        driver.pgconn.trace(trace.fileno())
        try:
            assert client.get(url, headers=headers).status_code == 200
        finally:
            driver.pgconn.untrace()
        trace.seek(0)
        said = [line.split("\t")[3] for line in trace.read().decode().splitlines() if line.split("\t")[1] == "F"]
    return said.count("Sync") + said.count("Query")


@pytest.mark.postgresql  # the protocol trace is libpq's
def test_the_statements_of_a_page_that_need_nothing_of_each_other_reach_the_server_together(client):
    """Inside the test's transaction (no BEGIN, no COMMIT): a scene page reads the scene, everything it shows and the
    content revision (for its ETag) at once; a filtered list waits for the people chosen, then reads its count, every
    facet, its page, its cards' people and the revision at once. A request with If-None-Match waits for the revision
    first (to answer 304 without the page, were it the page's ETag); If-Modified-Since alone is settled after it."""
    scene = Scene.objects.order_by("number").first()
    assert exchanges(client, scene.get_absolute_url()) == 1
    assert exchanges(client, "/scenes/?character=saigo&character=kuribayashi") == 2
    assert exchanges(client, scene.get_absolute_url(), if_none_match='"another-page"') == 2
    assert exchanges(client, scene.get_absolute_url(), if_modified_since="Mon, 01 Jan 2001 00:00:00 GMT") == 1
