from django.contrib import admin
from django.urls import include, path

from iwojima_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("scenes.urls")),
    path("characters/", include("characters.urls")),
    path("admin/", admin.site.urls),
]
