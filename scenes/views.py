from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from iwojima_site.facets import FacetedListView
from iwojima_site.records import FormerSlugRedirectMixin
from scenes.filters import FlashbackFilter, LetterFilter, SceneFilter
from scenes.models import Appearance, Flashback, Letter, Location, Scene


class SceneListView(FacetedListView):
    filterset_class = SceneFilter
    template_name = "scenes/scene_list.html"
    title = "Scenes"
    section = "scenes"
    noun, noun_plural = "scene", "scenes"
    facet_links = {"location": ("Every place", "scenes:place_list")}

    def get_queryset(self):
        return (
            Scene.objects.with_people()
            .annotate(letter_count=Count("letters", distinct=True), flashback_count=Count("flashbacks", distinct=True))
            .in_screen_order()
        )


class SceneDetailView(FormerSlugRedirectMixin, DetailView):
    template_name = "scenes/scene_detail.html"
    queryset = Scene.objects.select_related("location").prefetch_related(
        Prefetch("appearances", queryset=Appearance.objects.select_related("character")),
        Prefetch(
            "flashbacks",
            queryset=Flashback.objects.select_related("rememberer", "location").prefetch_related("characters"),
        ),
        Prefetch("letters", queryset=Letter.objects.select_related("writer", "recipient")),
    )
    extra_context = {"section": "scenes"}

    def get_context_data(self, **kwargs):
        scene = self.object
        return super().get_context_data(
            people=scene.people(),
            previous_scene=Scene.objects.filter(number__lt=scene.number).order_by("-number").first(),
            next_scene=Scene.objects.filter(number__gt=scene.number).order_by("number").first(),
            scene_count=Scene.objects.count(),
            **kwargs,
        )


class LetterListView(FacetedListView):
    filterset_class = LetterFilter
    template_name = "scenes/letter_list.html"
    title = "Letters"
    section = "letters"
    noun, noun_plural = "letter", "letters"

    def get_queryset(self):
        return Letter.objects.in_screen_order().select_related("writer", "recipient").prefetch_related("scenes")


class LetterDetailView(FormerSlugRedirectMixin, DetailView):
    template_name = "scenes/letter_detail.html"
    queryset = Letter.objects.select_related("writer", "recipient").prefetch_related(
        Prefetch("scenes", queryset=Scene.objects.select_related("location").in_screen_order())
    )
    extra_context = {"section": "letters"}


class FlashbackListView(FacetedListView):
    filterset_class = FlashbackFilter
    template_name = "scenes/flashback_list.html"
    title = "Flashbacks"
    section = "flashbacks"
    noun, noun_plural = "flashback", "flashbacks"

    def get_queryset(self):
        return (
            Flashback.objects.in_screen_order()
            .select_related("scene", "rememberer", "location")
            .prefetch_related("characters")
        )


class FlashbackDetailView(FormerSlugRedirectMixin, DetailView):
    template_name = "scenes/flashback_detail.html"
    queryset = Flashback.objects.select_related("scene", "rememberer", "location").prefetch_related("characters")
    extra_context = {"section": "flashbacks"}


class PlaceListView(ListView):
    """Every place, by region, with how many scenes happen there and how many memories go back to it."""

    template_name = "scenes/place_list.html"
    queryset = Location.objects.annotate(
        scene_count=Count("scenes", distinct=True), flashback_count=Count("flashbacks", distinct=True)
    ).order_by("region", "name", "slug")
    extra_context = {"section": "places"}


class PlaceDetailView(FormerSlugRedirectMixin, DetailView):
    """A place: what and where it is, every scene there in screen order, and the memories set there."""

    template_name = "scenes/place_detail.html"
    context_object_name = "place"
    queryset = Location.objects.prefetch_related(
        Prefetch("scenes", queryset=Scene.objects.in_screen_order()),
        Prefetch("flashbacks", queryset=Flashback.objects.in_screen_order().select_related("scene", "rememberer")),
    )
    extra_context = {"section": "places"}
