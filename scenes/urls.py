from django.urls import path

from iwojima_site.facets import faceted_list_urls
from scenes import views

app_name = "scenes"

urlpatterns = [
    *faceted_list_urls("scenes/", views.SceneListView, name="list"),
    path("scenes/number/<int:number>/", views.SceneByNumberView.as_view(), name="by_number"),
    path("scenes/<slug:slug>/", views.SceneDetailView.as_view(), name="detail"),
    *faceted_list_urls("letters/", views.LetterListView, name="letter_list"),
    path("letters/<slug:slug>/", views.LetterDetailView.as_view(), name="letter_detail"),
    *faceted_list_urls("flashbacks/", views.FlashbackListView, name="flashback_list"),
    path("flashbacks/<slug:slug>/", views.FlashbackDetailView.as_view(), name="flashback_detail"),
    path("places/", views.PlaceListView.as_view(), name="place_list"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("timeline/story/", views.StoryChartView.as_view(), name="story_chart"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place_detail"),
]
