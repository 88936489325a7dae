"""Rebuild the full-text index from the content, in one transaction (after a bulk change made outside the ORM's
signals, or to check that the index is what the content says)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from iwojima_site import search


class Command(BaseCommand):
    help = "Rebuild the search index from every searchable record."

    def handle(self, *args, **options):
        with transaction.atomic():
            entries = search.rebuild()
        self.stdout.write(f"Indexed {entries} texts of {len(search.REGISTRY)} kinds of record.")
