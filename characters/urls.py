from django.urls import path

from characters import views
from iwojima_site.facets import faceted_list_urls

app_name = "characters"

urlpatterns = [
    *faceted_list_urls("", views.CharacterListView, name="list"),
    path("<slug:slug>/", views.CharacterDetailView.as_view(), name="detail"),
]
