"""Rebuild the full-text index from the content, in one transaction, and count a change of the content (after a bulk
change made outside the ORM's signals, such as QuerySet.update(), which moved neither; or to check that the index is
what the content says)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from iwojima_site import caching, search


class Command(BaseCommand):
    help = "Rebuild the search index from every searchable record."

    def handle(self, *args, **options):
        with transaction.atomic():
            entries = search.rebuild()
            caching.bump_revision()  # pages' ETags: a change the signals missed may have changed any page
        self.stdout.write(f"Indexed {entries} texts of {len(search.REGISTRY)} kinds of record.")
