"""The API of the characters app: the people (filtered by the page's own FilterSet, from the page's own QuerySet)
and the credited cast, each a list and its records. Field names are stable: the README lists them."""

from rest_framework import serializers

from characters.filters import CharacterFilter
from characters.models import Character
from iwojima_site.api import PageURLField, RecordViewSet
from iwojima_site.horizon import horizon_of


class PersonSerializer(serializers.ModelSerializer):
    url = PageURLField()
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)
    seen_scene_count = serializers.SerializerMethodField(
        help_text="Scenes they are seen in (watching along, up to the scene reached)."
    )
    fate = serializers.SerializerMethodField(help_text="Watching along, empty until the fate's scene is reached.")
    fate_scene = serializers.SerializerMethodField(help_text="The slug of the fate's scene, once it is reached.")

    def get_seen_scene_count(self, person) -> int:
        # Watching along (Character.objects.at()), the scenes seen so far: the film's count tells how long they stay.
        return getattr(person, "seen_by_horizon", person.seen_scene_count)

    def get_fate(self, person) -> str:
        return person.fate if person.fate_told_at(horizon_of(self.context.get("request"))) else ""

    def get_fate_scene(self, person) -> str | None:
        told = person.fate_scene_id and person.fate_told_at(horizon_of(self.context.get("request")))
        return person.fate_scene.slug if told else None

    class Meta:
        model = Character
        fields = ["slug", "name", "url", "full_name", "rank", "aliases", "side", "role", "principal", "is_group"]
        fields += ["is_named", "historical", "fate", "fate_scene", "actor", "credit_order", "seen_scene_count"]


class CastSerializer(serializers.ModelSerializer):
    url = PageURLField()
    person = serializers.CharField(source="slug", read_only=True, help_text="The person's slug.")

    class Meta:
        model = Character
        fields = ["credit_order", "actor", "person", "name", "url"]


class PersonViewSet(RecordViewSet):
    """People, in the order of prominence, filtered as the people list (/characters/) is."""

    serializer_class = PersonSerializer
    filterset_class = CharacterFilter
    queryset = Character.objects.listed().select_related("fate_scene")


class CastViewSet(RecordViewSet):
    """The film's credited cast in credit order, as /cast/ lists it: each actor and the person they play."""

    serializer_class = CastSerializer
    page_size = 1000  # the page lists the whole cast; the credits do not grow with the content
    queryset = Character.objects.credited()
