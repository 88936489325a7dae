from django.contrib import admin
from django.urls import include, path

from characters.views import CastView
from iwojima_site import corrections, views

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
    path("admin/", admin.site.urls),
]
