from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from characters.api import CastViewSet, PersonViewSet
from characters.sitemaps import PersonSitemap
from characters.views import CastView
from iwojima_site import corrections, views
from iwojima_site.api import SiteAPIRootView
from iwojima_site.security import read_only
from iwojima_site.sitemaps import PagesSitemap
from scenes.api import FlashbackViewSet, LetterViewSet, PlaceViewSet, SceneViewSet
from scenes.sitemaps import FlashbackSitemap, LetterSitemap, PlaceSitemap, SceneSitemap

router = DefaultRouter()
router.APIRootView = SiteAPIRootView
router.register("scenes", SceneViewSet, basename="scene")
router.register("people", PersonViewSet, basename="person")
router.register("letters", LetterViewSet, basename="letter")
router.register("flashbacks", FlashbackViewSet, basename="flashback")
router.register("places", PlaceViewSet, basename="place")
router.register("cast", CastViewSet, basename="cast")

SITEMAPS = {
    "pages": PagesSitemap,
    "scenes": SceneSitemap,
    "people": PersonSitemap,
    "letters": LetterSitemap,
    "flashbacks": FlashbackSitemap,
    "places": PlaceSitemap,
}

api_urls = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view: the page loads its script from the same address (?script), so no inline script is needed.
    # Swagger UI draws its icons as data: images (in its stylesheet and script), which this page alone allows.
    # A page to read, not an endpoint: it answers OPTIONS and other methods as every page does (read_only()), not
    # with DRF's description of an endpoint.
    path(
        "docs/",
        read_only(
            csp_update({"img-src": ["data:"]})(
                SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html")
            )
        ),
        name="docs",
    ),
    *router.urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.health, name="health"),
    path("source/", views.source, name="source"),
    path("cast/", CastView.as_view(), name="cast"),
    path("suggest/", corrections.suggest, name="suggest"),
    path("suggest/thanks/", corrections.thanks, name="suggestion_thanks"),
    path("", include("scenes.urls")),
    path("characters/", include("characters.urls")),
    path("api/", include((api_urls, "api"))),
    path("sitemap.xml", read_only(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("admin/", admin.site.urls),
]
