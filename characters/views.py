from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from characters.filters import CharacterFilter
from characters.models import IN_ORDER_OF_PROMINENCE, Character
from iwojima_site.facets import FacetedListView
from iwojima_site.film import FILM_FACTS
from iwojima_site.records import FormerSlugRedirectMixin


class CharacterListView(FacetedListView):
    filterset_class = CharacterFilter
    template_name = "characters/character_list.html"
    title = "People"
    section = "characters"
    noun, noun_plural = "person", "people"

    def get_queryset(self):
        # The order of prominence by default; the annotations serve the other orders and the cards.
        return Character.objects.in_order_of_appearance().with_seen_scene_count().order_by(*IN_ORDER_OF_PROMINENCE)


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
            Prefetch("appearances", queryset=appearances.objects.select_related("scene").order_by("scene__number")),
            Prefetch("letters_written", queryset=letters.objects.in_screen_order().select_related("recipient")),
            Prefetch("letters_received", queryset=letters.objects.in_screen_order().select_related("writer")),
            Prefetch("memories", queryset=flashbacks.objects.in_screen_order().select_related("scene")),
            Prefetch("flashbacks", queryset=flashbacks.objects.in_screen_order().select_related("scene", "rememberer")),
        ).select_related("fate_scene")

    def get_context_data(self, **kwargs):
        character = self.object
        # Each flashback once, whether they remember it, appear in it, or both.
        flashbacks = {f.pk: f for f in [*character.memories.all(), *character.flashbacks.all()]}
        return super().get_context_data(
            scenes=character.scenes_in(),
            flashbacks=sorted(flashbacks.values(), key=lambda f: (f.scene.number, f.slug)),
            **kwargs,
        )


class CastView(ListView):
    """The film's credited cast, in credit order, each actor with their character."""

    template_name = "characters/cast.html"
    context_object_name = "cast"
    queryset = Character.objects.filter(credit_order__isnull=False).order_by("credit_order")
    extra_context = {"section": "characters", "film_facts": FILM_FACTS}
