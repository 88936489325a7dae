from django.db.models import Prefetch
from django.views.generic import DetailView

from characters.filters import CharacterFilter
from characters.models import Character
from iwojima_site.facets import FacetedListView
from iwojima_site.records import FormerSlugRedirectMixin


class CharacterListView(FacetedListView):
    filterset_class = CharacterFilter
    template_name = "characters/character_list.html"
    title = "People"
    section = "characters"
    noun, noun_plural = "person", "people"

    def get_queryset(self):
        return Character.objects.in_order_of_appearance()


class CharacterDetailView(FormerSlugRedirectMixin, DetailView):
    """A person's page reaches their scenes, letters and memories through the reverse relations."""

    template_name = "characters/character_detail.html"
    extra_context = {"section": "characters"}

    def get_queryset(self):
        # The related models are reached by name, so this app never imports the scenes app.
        appearances = Character._meta.get_field("appearances").related_model
        flashbacks = Character._meta.get_field("flashbacks").related_model
        letters = Character._meta.get_field("letters_written").related_model
        return Character.objects.prefetch_related(
            Prefetch(
                "appearances",
                queryset=appearances.objects.select_related("scene__location").order_by("scene__number"),
            ),
            Prefetch("letters_written", queryset=letters.objects.in_screen_order().select_related("recipient")),
            Prefetch("letters_received", queryset=letters.objects.in_screen_order().select_related("writer")),
            Prefetch("memories", queryset=flashbacks.objects.in_screen_order().select_related("scene")),
            Prefetch("flashbacks", queryset=flashbacks.objects.in_screen_order().select_related("rememberer")),
        )
