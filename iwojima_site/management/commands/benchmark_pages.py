"""Time every kind of page and measure its memory, on the content as it is or multiplied; then time search
against two yardsticks measured in the same run: Django's bare "hello" view, and a plain `icontains` scan of
the same fields for the same query (what the site's text filters did before the full-text index). The search
page is set against the bare scan of every kind (a count and the first results of each); a list, against the
same list page with the scan as its text filter.

Numbers, not verdicts: nothing here passes or fails. Everything runs in a transaction that is rolled back,
so the database is left as it was. Runs on whichever database DATABASE_URL names.
"""

import statistics
import time
import tracemalloc
from functools import reduce
from operator import and_, or_

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path

from characters.filters import CharacterFilter
from characters.models import Character
from characters.views import CharacterListView
from iwojima_site.facets import TextFilter, faceted_list_urls
from iwojima_site.pages import site_pages
from scenes.filters import SceneFilter
from scenes.models import Flashback, Letter, Location, Scene
from scenes.scaling import multiply_content
from scenes.views import SceneListView

# The fields the search index holds, kind by kind, for the icontains yardstick.
SCANNED = {
    Character: ["name", "full_name", "rank", "aliases", "source_names", "actor", "role", "biography", "fate_detail"],
    Scene: ["title", "summary"],
    Letter: ["title", "summary"],
    Flashback: ["title", "summary", "when"],
    Location: ["name", "description"],
}
# Search pages (a name, a common word, two words, a word typed in part, a word the film never uses) and
# text-filtered lists, each with its yardstick: the same query scanned with icontains.
SEARCHES = [
    ("/search/?q=Kuribashi", "/bench/icontains/"),
    ("/search/?q=letter", "/bench/icontains/"),
    ("/search/?q=Nishi+letter", "/bench/icontains/"),
    ("/search/?q=kuriba", "/bench/icontains/"),
    ("/search/?q=Suribachi", "/bench/icontains/"),
    ("/scenes/?q=saigo", "/bench/icontains/scenes/"),
    ("/scenes/?q=letter", "/bench/icontains/scenes/"),
    ("/characters/?q=general", "/bench/icontains/characters/"),
]
SHOWN = 20  # as many as the search page lists of each kind


def hello(request):
    """Django's bare "hello" view: the cost of a request through the middleware, with no query."""
    return HttpResponse("Hello")


def scan(text, fields):
    """Every word of the text in one of the fields, case-insensitively."""
    return reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)) for word in text.split()))


def icontains_scan(request):
    """Every kind scanned as the search page searches it: a count and the first results of each."""
    counts = []
    for model, fields in SCANNED.items():
        matches = model.objects.filter(scan(request.GET.get("q", ""), fields))
        counts.append(matches.count())
        list(matches[:SHOWN])
    return HttpResponse(" ".join(map(str, counts)))


class ScannedText(TextFilter):
    """The text filter as it was before the index: every word in one of the fields (no best-match order)."""

    def __init__(self, fields, **kwargs):
        self.fields = fields
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return qs.filter(scan(value, self.fields)) if value else qs


class ScannedScenes(SceneFilter):
    q = ScannedText(SCANNED[Scene], label="Words in the title or summary")


class ScannedPeople(CharacterFilter):
    q = ScannedText(SCANNED[Character], label="A name, or words about them")


# The site's URLs, and the yardsticks beside them: used only while the benchmark runs.
urlpatterns = [
    path("bench/hello/", hello),
    path("bench/icontains/", icontains_scan),
    *faceted_list_urls(
        "bench/icontains/scenes/", type("Scanned", (SceneListView,), {"filterset_class": ScannedScenes}), "scenes"
    ),
    *faceted_list_urls(
        "bench/icontains/characters/",
        type("Scanned", (CharacterListView,), {"filterset_class": ScannedPeople}),
        "people",
    ),
    path("", include("iwojima_site.urls")),
]


def measure(client, url, repeat):
    """(median ms, 95th percentile ms, queries, peak KiB) of `repeat` requests, after one to warm up."""
    client.get(url)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        tracemalloc.start()
        client.get(url)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1], len(queries), peak / 1024


class Command(BaseCommand):
    help = (
        "Time each kind of page (median and 95th percentile), count its queries and its peak memory; then search "
        "as a ratio to a bare hello view and to an icontains scan of the same fields."
    )

    def add_arguments(self, parser):
        parser.add_argument("--copies", type=int, default=0, help="Add this many copies of the content first.")
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page.")
        parser.add_argument("--search-only", action="store_true", help="Time only search and its yardsticks.")

    @override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, ROOT_URLCONF=__name__)
    def handle(self, *args, copies=0, repeat=30, search_only=False, **options):
        with transaction.atomic():
            multiply_content(copies)
            with connection.cursor() as cursor:
                # The planner's statistics, as a live database keeps them: rows added in this transaction are
                # otherwise unknown to PostgreSQL's planner, which then picks plans for empty tables.
                cursor.execute("ANALYZE")
            self.stdout.write(
                f"{Scene.objects.count()} scenes, {Character.objects.count()} people on {connection.vendor} "
                f"(×{copies + 1} the content); {repeat} requests a page\n"
            )
            client = Client()
            if not search_only:
                self.pages(client, repeat)
            self.search(client, repeat, copies + 1)
            transaction.set_rollback(True)

    def pages(self, client, repeat):
        self.stdout.write(f"{'page':62} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'peak KiB':>8}")
        for _name, url in site_pages():
            median, p95, queries, peak = measure(client, url, repeat)
            self.stdout.write(f"{url[:62]:62} {median:9.1f} {p95:7.1f} {queries:7} {peak:8.0f}")
        self.stdout.write("")

    def search(self, client, repeat, times):
        hello_ms = measure(client, "/bench/hello/", repeat)[0]
        self.stdout.write(
            f"Search at ×{times}: median ms, and as a ratio to the hello view ({hello_ms:.2f} ms) and to an "
            "icontains scan of the same fields and query (the search page: a bare scan of every kind; a list: the "
            "same page with the scan as its text filter)"
        )
        self.stdout.write(
            f"{'page':36} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'× hello':>8} "
            f"{'icontains ms':>12} {'× icontains':>11}"
        )
        for url, yardstick in SEARCHES:
            median, p95, queries, _peak = measure(client, url, repeat)
            scanned = measure(client, f"{yardstick}?{url.partition('?')[2]}", repeat)[0]
            self.stdout.write(
                f"{url:36} {median:9.1f} {p95:7.1f} {queries:7} {median / hello_ms:8.0f} "
                f"{scanned:12.1f} {median / scanned:11.2f}"
            )
        self.stdout.write("")
