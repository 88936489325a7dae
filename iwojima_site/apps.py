from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SiteConfig(AppConfig):
    name = "iwojima_site"
    verbose_name = "Site"

    def ready(self):
        from iwojima_site import search

        # A database that held content before the index existed gets it built once migrated.
        post_migrate.connect(search.build_if_missing, sender=self, dispatch_uid="search-build-if-missing")
