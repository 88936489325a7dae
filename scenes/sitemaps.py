"""Every scene, letter, flashback and place page, for sitemap.xml."""

from iwojima_site.sitemaps import SiteSitemap
from scenes.models import Flashback, Letter, Location, Scene


class SceneSitemap(SiteSitemap):
    queryset = Scene.objects.all()


class LetterSitemap(SiteSitemap):
    queryset = Letter.objects.all()


class FlashbackSitemap(SiteSitemap):
    queryset = Flashback.objects.all()


class PlaceSitemap(SiteSitemap):
    queryset = Location.objects.all()
