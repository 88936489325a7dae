"""Absolute addresses from the one configured site address (DJANGO_SITE_URL), for what leaves the site: canonical
links, link previews (OpenGraph, Twitter cards), citations, the sitemap, robots.txt and the API's `url` fields."""

from django.conf import settings


def absolute_url(path):
    """`path` ("/scenes/the-letter/") on the configured site: "https://iwojima.example.org/scenes/the-letter/"."""
    return settings.SITE_URL.rstrip("/") + path


def site_links(request):
    """Context processor: `canonical_url`, the page's address without its query. A filtered, paged or watch-along
    view of a page is the same page to a search engine and a link preview, so all of them name the bare page."""
    return {"canonical_url": absolute_url(request.path), "site_name": SITE_NAME}


SITE_NAME = "Letters from Iwo Jima, scene by scene"
