"""The API of the scenes app: scenes, letters, flashbacks and places, each a list (filtered by the page's own
FilterSet, from the page's own QuerySet) and its records. Field names are stable: the README lists them."""

from django.db.models import Prefetch
from rest_framework import serializers

from iwojima_site.api import PageURLField, RecordViewSet, SlugListField
from iwojima_site.horizon import horizon_of
from scenes.filters import FlashbackFilter, LetterFilter, SceneFilter
from scenes.models import Flashback, Letter, Location, Scene, source_paragraphs_at


class SourceParagraphsField(serializers.ListField):
    """`source_paragraphs`, watching along only those the scenes up to the horizon cite (source_paragraphs_at())."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField())
        kwargs.setdefault(
            "help_text",
            "The plot summary's paragraphs it comes from; watching along, only those the scenes up to the one you are "
            "at cite.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return source_paragraphs_at(record, self.context.get("request"))


def slug_of(**kwargs):
    """A related record as its slug (null when there is none)."""
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, **kwargs)


class SceneSerializer(serializers.ModelSerializer):
    url = PageURLField()
    location = slug_of()
    people = serializers.SerializerMethodField(help_text="Everyone in the scene in any way, by slug.")
    seen = serializers.SerializerMethodField(help_text="Those seen: on screen, or in a memory the scene cuts to.")
    flashbacks = SlugListField(source="listed_flashbacks")
    letter_count = serializers.IntegerField(read_only=True, help_text="Letters in the scene (a record names them).")
    source_paragraphs = SourceParagraphsField()

    class Meta:
        model = Scene
        fields = [
            "number",
            "slug",
            "title",
            "url",
            "summary",
            "location",
            "period",
            "part",
            "people",
            "seen",
            "flashbacks",
            "letter_count",
            "source_paragraphs",
        ]

    def get_people(self, scene) -> list[str]:
        return [person.character.slug for person in scene.people()]

    def get_seen(self, scene) -> list[str]:
        return [person.character.slug for person in scene.people() if person.seen]


class SceneRecordSerializer(SceneSerializer):
    """A scene's record also names its letters (a list gives their number: one query fewer at any size)."""

    letters = SlugListField()

    class Meta(SceneSerializer.Meta):
        fields = [*SceneSerializer.Meta.fields, "letters"]


def horizon(serializer):
    """The watch-along horizon of the request a serializer answers (None: off)."""
    return horizon_of(serializer.context.get("request"))


class LetterSerializer(serializers.ModelSerializer):
    url = PageURLField()
    writer = slug_of(allow_null=True)
    recipient = slug_of(allow_null=True)
    scenes = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField(
        help_text="What it says, paraphrased; watching along, told once its last scene is reached (else empty)."
    )
    fate = serializers.SerializerMethodField(
        help_text="What became of it; watching along, told once its last scene is reached (a fate not told, once the "
        "film's is)."
    )
    source_paragraphs = SourceParagraphsField()

    def get_summary(self, letter) -> str:
        return letter.summary_at(horizon(self))

    def get_scenes(self, letter) -> list[str]:
        at = horizon(self)
        return [scene.slug for scene in letter.scenes.all() if at is None or scene.number <= at]

    def get_fate(self, letter) -> str:
        return letter.fate if letter.fate_told_at(horizon(self)) else ""

    class Meta:
        model = Letter
        fields = ["slug", "title", "url", "writer", "recipient", "summary", "presentation", "fate", "scenes"]
        fields += ["source_paragraphs"]


class FlashbackSerializer(serializers.ModelSerializer):
    url = PageURLField()
    scene = slug_of()
    rememberer = slug_of()
    people = SlugListField(source="characters")
    location = slug_of()
    source_paragraphs = SourceParagraphsField()

    class Meta:
        model = Flashback
        fields = ["slug", "title", "url", "summary", "scene", "rememberer", "people", "location", "when"]
        fields += ["source_paragraphs"]


class PlaceSerializer(serializers.ModelSerializer):
    url = PageURLField()
    description = serializers.SerializerMethodField(
        help_text="Its parts, one paragraph each; watching along, only those up to the scene you are at."
    )

    def get_description(self, place) -> str:
        return place.shown_at(horizon(self))

    scene_count = serializers.IntegerField(read_only=True, help_text="Scenes that happen there.")
    flashback_count = serializers.IntegerField(read_only=True, help_text="Memories that go back to it.")

    class Meta:
        model = Location
        fields = ["slug", "name", "url", "region", "description", "scene_count", "flashback_count"]


class SceneViewSet(RecordViewSet):
    """Scenes, in screen order, filtered as the scene list (/scenes/) is."""

    serializer_class = SceneSerializer
    filterset_class = SceneFilter
    queryset = Scene.objects.listed().with_people()

    def get_serializer_class(self):
        return SceneRecordSerializer if self.action == "retrieve" else SceneSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(Prefetch("letters", queryset=Letter.objects.only("slug")))
        return queryset


class LetterViewSet(RecordViewSet):
    """Letters, in screen order, filtered as the letter list (/letters/) is."""

    serializer_class = LetterSerializer
    filterset_class = LetterFilter
    queryset = Letter.objects.listed()


class FlashbackViewSet(RecordViewSet):
    """Flashbacks, in screen order, filtered as the flashback list (/flashbacks/) is."""

    serializer_class = FlashbackSerializer
    filterset_class = FlashbackFilter
    queryset = Flashback.objects.listed()


class PlaceViewSet(RecordViewSet):
    """Places, by region, with how many scenes and memories each holds, as /places/ lists them."""

    serializer_class = PlaceSerializer
    page_size = 1000  # the page lists every place on one page; the places do not grow with the scenes
    queryset = Location.objects.listed()

    def get_queryset(self):
        return Location.objects.listed(horizon_of(self.request))
