"""Sitemaps whose addresses are absolute from DJANGO_SITE_URL, whatever host a request came in by. Each app keeps
the sitemap of its own records (`<app>/sitemaps.py`); the site-wide pages are listed here."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class SiteSitemap(Sitemap):
    """A sitemap on the configured site address: of the records in `queryset`, by their pages, unless `items()`
    says otherwise."""

    queryset = None

    def items(self):
        return self.queryset.only("slug").order_by("slug")

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PagesSitemap(SiteSitemap):
    """The home page, the lists and the other pages that are not a record."""

    priority = 0.8
    PAGES = ["home", "scenes:list", "characters:list", "scenes:letter_list", "scenes:flashback_list"]
    PAGES += ["scenes:place_list", "scenes:timeline", "scenes:story_chart", "cast", "source"]

    def items(self):
        return self.PAGES

    def location(self, item):
        return reverse(item)
