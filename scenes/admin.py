from django import forms
from django.contrib import admin

from iwojima_site.admin import EditorFields
from iwojima_site.rules import RuleCheckedAdmin
from iwojima_site.story import StoryPartsField
from scenes.models import Appearance, Flashback, Letter, Location, Scene


class ContentAdmin(EditorFields, RuleCheckedAdmin):
    """What every content admin shares: facet counts on the filters, source paragraphs and former slugs as text."""

    show_facets = admin.ShowFacets.ALWAYS


class LocationForm(forms.ModelForm):
    """The admin's form for a place: its description as "Scene N:" paragraphs, each stamped scene checked."""

    description = StoryPartsField(required=False)

    def _post_clean(self):
        super()._post_clean()
        for message in self.instance.rule_errors() if not self.errors else []:
            self.add_error("description", message.partition(": ")[2])


@admin.register(Location)
class LocationAdmin(ContentAdmin):
    form = LocationForm
    list_display = ["name", "region", "slug"]
    list_filter = ["region"]
    search_fields = ["name", "description", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class AppearanceInline(admin.TabularInline):
    model = Appearance
    autocomplete_fields = ["character"]
    extra = 1
    view_on_site = False  # an appearance's page is its scene's: the very page this inline is on


class FlashbackForm(forms.ModelForm):
    """A memory's form: its rememberer is among the people in it, as the form sends both."""

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's rememberer
        people = self.cleaned_data.get("characters")
        if people is not None and not {"rememberer", "characters"} & set(self.errors):
            for message in self.instance.people_errors({person.pk for person in people}):
                self.add_error("characters", message)


class FlashbackInline(EditorFields, admin.StackedInline):
    model = Flashback
    form = FlashbackForm
    autocomplete_fields = ["rememberer", "characters", "location"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    classes = ["collapse"]


class SceneLetterInline(admin.TabularInline):
    """The letters that appear in a scene, added or removed from the scene's page."""

    model = Letter.scenes.through
    autocomplete_fields = ["letter"]
    extra = 0
    verbose_name = "letter in this scene"
    verbose_name_plural = "letters in this scene"

    def get_queryset(self, request):
        # Each row is labelled “Letter title” in scene N: read both in the same query.
        return super().get_queryset(request).select_related("letter", "scene")


@admin.register(Scene)
class SceneAdmin(ContentAdmin):
    list_display = ["number", "title", "location", "period", "part"]
    list_display_links = ["number", "title"]
    list_filter = ["part", "period", "location"]
    list_select_related = ["location"]
    search_fields = ["title", "summary", "slug"]
    autocomplete_fields = ["location"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AppearanceInline, FlashbackInline, SceneLetterInline]
    fields = ["number", "title", "slug", "location", "period", "part", "summary", "source_paragraphs"]


@admin.register(Appearance)
class AppearanceAdmin(ContentAdmin):
    list_display = ["character", "scene", "on_screen", "voice_over", "mentioned"]
    list_filter = ["on_screen", "voice_over", "mentioned", "scene__part"]
    list_select_related = ["character", "scene"]
    search_fields = ["character__name", "character__aliases", "character__source_names", "scene__title"]
    autocomplete_fields = ["scene", "character"]


@admin.register(Flashback)
class FlashbackAdmin(ContentAdmin):
    form = FlashbackForm
    list_display = ["title", "rememberer", "scene", "location", "when"]
    list_filter = ["rememberer", "location__region"]
    list_select_related = ["rememberer", "scene", "location"]
    search_fields = ["title", "summary", "when", "rememberer__name", "rememberer__aliases", "rememberer__source_names"]
    autocomplete_fields = ["scene", "rememberer", "characters", "location"]
    prepopulated_fields = {"slug": ["title"]}


class LetterForm(forms.ModelForm):
    """A letter's form: its writer writes it in no scene after their death, as the form sends its scenes."""

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's writer and presentation
        scenes = self.cleaned_data.get("scenes")
        if scenes is not None and not {"writer", "presentation", "scenes"} & set(self.errors):
            for message in self.instance.writing_errors(scenes):
                self.add_error("scenes", message)


@admin.register(Letter)
class LetterAdmin(ContentAdmin):
    form = LetterForm
    list_display = ["title", "writer", "recipient", "presentation", "fate"]
    list_filter = ["presentation", "fate"]
    list_select_related = ["writer", "recipient"]
    search_fields = [
        "title",
        "summary",
        "writer__name",
        "writer__aliases",
        "writer__source_names",
        "recipient__name",
        "recipient__aliases",
        "recipient__source_names",
    ]
    autocomplete_fields = ["writer", "recipient", "scenes"]
    prepopulated_fields = {"slug": ["title"]}
