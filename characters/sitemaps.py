"""Every person's page, for sitemap.xml."""

from characters.models import Character
from iwojima_site.sitemaps import SiteSitemap


class PersonSitemap(SiteSitemap):
    queryset = Character.objects.all()
