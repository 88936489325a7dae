from django.urls import path

from characters import views

app_name = "characters"

urlpatterns = [
    path("", views.CharacterListView.as_view(), name="list"),
    path("<slug:slug>/", views.CharacterDetailView.as_view(), name="detail"),
]
