"""Time every kind of page and measure its memory, on the content as it is or multiplied.

Numbers, not verdicts: nothing here passes or fails. Everything runs in a transaction that is rolled back,
so the database is left as it was.
"""

import statistics
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from characters.models import Character
from iwojima_site.pages import site_pages
from scenes.models import Scene
from scenes.scaling import multiply_content


class Command(BaseCommand):
    help = "Time each kind of page (median and 95th percentile), count its queries and its peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--copies", type=int, default=0, help="Add this many copies of the content first.")
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page.")

    @override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
    def handle(self, *args, copies=0, repeat=30, **options):
        with transaction.atomic():
            multiply_content(copies)
            self.stdout.write(
                f"{Scene.objects.count()} scenes, {Character.objects.count()} people; {repeat} requests a page\n"
            )
            self.stdout.write(f"{'page':62} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'peak KiB':>8}")
            client = Client()
            for _name, url in site_pages():
                client.get(url)  # warm up caches and templates
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
                p95 = statistics.quantiles(timings, n=20)[-1]
                self.stdout.write(
                    f"{url[:62]:62} {statistics.median(timings):9.1f} {p95:7.1f} "
                    f"{len(queries.captured_queries):7} {peak / 1024:8.0f}"
                )
            transaction.set_rollback(True)
