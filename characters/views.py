from django.db.models import Count, F, IntegerField, Prefetch, Subquery, Window
from django.views.generic import DetailView, ListView

from characters.filters import CharacterFilter
from characters.models import Character
from iwojima_site.facets import FacetedListView, KnownParametersMixin
from iwojima_site.film import FILM_FACTS
from iwojima_site.horizon import HorizonDetailMixin, horizon_of
from iwojima_site.records import FormerSlugRedirectMixin


class CharacterListView(FacetedListView):
    filterset_class = CharacterFilter
    template_name = "characters/character_list.html"
    title = "People"
    section = "characters"
    noun, noun_plural = "person", "people"
    api_url_name = "api:person-list"

    queryset = Character.objects.listed()  # built once; ListView clones it for each request
    bake_pages = True


class CharacterDetailView(FormerSlugRedirectMixin, HorizonDetailMixin, DetailView):
    """A person's page reaches their scenes, letters and memories through the reverse relations."""

    template_name = "characters/character_detail.html"
    extra_context = {"section": "characters"}

    def get_queryset(self):
        # The related models are reached by name, so this app never imports the scenes app.
        appearances = Character._meta.get_field("appearances").related_model
        flashbacks = Character._meta.get_field("flashbacks").related_model
        letters = Character._meta.get_field("letters_written").related_model
        # Watching along, every related list stops at the viewer's scene.
        horizon = horizon_of(self.request)
        appeared = appearances.objects.select_related("scene").order_by("scene__number")
        if horizon is not None:
            appeared = appeared.filter(scene__number__lte=horizon)
        letters, flashbacks = letters.objects.at(horizon), flashbacks.objects.at(horizon)
        return (
            Character.objects.prefetch_related(
                Prefetch("appearances", queryset=appeared),
                Prefetch("letters_written", queryset=letters.in_screen_order().select_related("recipient")),
                Prefetch("letters_received", queryset=letters.in_screen_order().select_related("writer")),
                Prefetch("memories", queryset=flashbacks.in_screen_order().select_related("scene")),
                Prefetch("flashbacks", queryset=flashbacks.in_screen_order().select_related("scene", "rememberer")),
            )
            .select_related("fate_scene")
            .annotate(film_scene_count=film_scene_count())
        )

    def get_context_data(self, **kwargs):
        character = self.object
        # Each flashback once, whether they remember it, appear in it, or both.
        flashbacks = {f.pk: f for f in [*character.memories.all(), *character.flashbacks.all()]}
        scenes = character.scenes_in()
        return super().get_context_data(
            scenes=scenes,
            strip=scene_strip(character, scenes),
            companions=companions(character, horizon_of(self.request)),
            flashbacks=sorted(flashbacks.values(), key=lambda f: (f.scene.number, f.slug)),
            **kwargs,
        )


class CastView(KnownParametersMixin, ListView):
    """The film's credited cast, in credit order, each actor with their character; watching along, only those met
    up to the viewer's scene, as the API's cast lists them."""

    template_name = "characters/cast.html"
    context_object_name = "cast"
    extra_context = {"section": "characters", "film_facts": FILM_FACTS}

    def get_queryset(self):
        # With the fate's scene number, which decides whether a watch-along page may tell the fate (.at() adds it).
        horizon = horizon_of(self.request)
        if horizon is None:
            return Character.objects.credited().annotate(fate_scene_number=F("fate_scene__number"))
        return Character.objects.credited().at(horizon)


# How many people "shares most scenes with" names.
COMPANIONS = 5


def film_scene_count():
    """The number of scenes in the film, as a subquery: the page reads it with the person, in the same query."""
    scene_model = Character._meta.get_field("appearances").related_model._meta.get_field("scene").related_model
    every_scene = scene_model.objects.order_by().annotate(n=Window(Count("pk"))).values("n")[:1]
    return Subquery(every_scene, output_field=IntegerField())


def seen_scene_ids(character):
    """The pks of the scenes they are seen in (on screen, or in a memory shown there), from the prefetches."""
    on_screen = {a.scene_id for a in character.appearances.all() if a.on_screen}
    return on_screen | {f.scene_id for f in character.flashbacks.all()}


def companions(character, horizon=None):
    """The individuals seen in most of the same scenes: [(person, scenes together)], at most COMPANIONS, most first
    (ties by the order of prominence; watching along at scene `horizon`, by the scenes seen so far, as the people list
    orders them: the whole film's count would tell who is seen more later), in two queries whatever the size of the
    content. The scenes are those the character's prefetches hold (cut at the horizon by the view)."""
    scene_model = Character._meta.get_field("appearances").related_model._meta.get_field("scene").related_model
    counts = scene_model.objects.filter(pk__in=seen_scene_ids(character)).presence_counts()
    counts.pop(character.pk, None)
    people = Character.objects.filter(pk__in=list(counts), is_group=False).in_order_of_prominence().at(horizon)
    ranked = sorted(people, key=lambda person: -counts[person.pk])  # stable: prominence breaks ties
    return [(person, counts[person.pk]) for person in ranked[:COMPANIONS]]


def scene_strip(character, scenes):
    """A strip of the whole film with their scenes marked, as geometry for a small SVG: every scene is one unit
    wide, so the strip's size grows with their scenes, not with the film's.

    Returns {"total": scenes in the film, "marks": [(x, scene, seen)], "first": scene, "last": scene} or None."""
    if not scenes:
        return None
    total = character.film_scene_count
    seen = seen_scene_ids(character)
    marks = [(scene.number - 1, scene, scene.pk in seen) for scene, _ways in scenes]
    return {"total": total, "marks": marks, "first": scenes[0][0], "last": scenes[-1][0]}
