from django.contrib import admin
from django.urls import include, path

from characters.views import CastView
from iwojima_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("source/", views.source, name="source"),
    path("cast/", CastView.as_view(), name="cast"),
    path("", include("scenes.urls")),
    path("characters/", include("characters.urls")),
    path("admin/", admin.site.urls),
]
