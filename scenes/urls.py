from django.urls import path

from scenes import views

app_name = "scenes"

urlpatterns = [
    path("scenes/", views.SceneListView.as_view(), name="list"),
    path("scenes/<slug:slug>/", views.SceneDetailView.as_view(), name="detail"),
    path("letters/", views.LetterListView.as_view(), name="letter_list"),
    path("letters/<slug:slug>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("flashbacks/", views.FlashbackListView.as_view(), name="flashback_list"),
    path("flashbacks/<slug:slug>/", views.FlashbackDetailView.as_view(), name="flashback_detail"),
    path("places/", views.PlaceListView.as_view(), name="place_list"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place_detail"),
]
