from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Min
from django.urls import reverse
from django.utils.http import urlencode

from characters.models import Character
from iwojima_site.validators import validate_source_paragraphs


class SlugQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Region(models.TextChoices):
    IWO_JIMA = "iwo-jima", "Iwo Jima"
    JAPAN = "japan", "Japan"
    UNITED_STATES = "united-states", "United States"


class Period(models.TextChoices):
    PRESENT_DAY = "present-day", "Present day"
    BEFORE_INVASION = "1944", "1944, before the invasion"
    BATTLE = "1945", "1945, the battle"


class Part(models.TextChoices):
    """The film's movements, in the order they first come on screen."""

    FRAME = "frame", "Frame: the excavation"
    PREPARATION = "preparation", "Preparing the island"
    INVASION = "invasion", "The invasion"
    LAST_STAND = "last-stand", "The last stand"


class Location(models.Model):
    """A place where scenes or remembered events happen, on Iwo Jima or away from it."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=20, choices=Region.choices, db_index=True)
    description = models.TextField(blank=True)

    objects = SlugQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        # A location has no page of its own: its page is the scene list filtered by it.
        return f"{reverse('scenes:list')}?{urlencode({'location': self.slug})}"

    def natural_key(self):
        return (self.slug,)


class SceneQuerySet(SlugQuerySet):
    def in_screen_order(self):
        return self.order_by("number")

    def with_people(self):
        """Everything a scene card shows, without a query per scene."""
        return self.select_related("location").prefetch_related(
            models.Prefetch("appearances", queryset=Appearance.objects.select_related("character"))
        )


class Scene(models.Model):
    """One scene of the film, in screen order."""

    number = models.PositiveIntegerField(
        unique=True, validators=[MinValueValidator(1)], help_text="Position in screen order, from 1."
    )
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=150)
    summary = models.TextField(help_text="What happens, in the site's own words.")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="scenes")
    period = models.CharField(max_length=20, choices=Period.choices, db_index=True)
    part = models.CharField(max_length=20, choices=Part.choices, db_index=True)
    characters = models.ManyToManyField(Character, through="Appearance", related_name="scenes", blank=True)
    source_paragraphs = models.JSONField(
        default=list,
        validators=[validate_source_paragraphs],
        help_text="Numbers of the plot summary's paragraphs this scene comes from, e.g. [3].",
    )

    objects = SceneQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1), name="scene_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("scenes:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class AppearanceKind(models.TextChoices):
    ON_SCREEN = "on-screen", "On screen"
    VOICE_OVER = "voice-over", "Heard in voice-over"
    MENTIONED = "mentioned", "Mentioned"


class AppearanceManager(models.Manager):
    def get_by_natural_key(self, scene_slug, character_slug):
        return self.get(scene__slug=scene_slug, character__slug=character_slug)


class Appearance(models.Model):
    """A character's presence in a scene: on screen, heard in voice-over, or only mentioned."""

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="appearances")
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="appearances")
    kind = models.CharField(
        max_length=20, choices=AppearanceKind.choices, default=AppearanceKind.ON_SCREEN, db_index=True
    )

    objects = AppearanceManager()

    class Meta:
        ordering = ["scene__number", "character__name", "character__slug"]
        constraints = [
            models.UniqueConstraint(fields=["scene", "character"], name="one_appearance_per_character_per_scene"),
        ]

    def __str__(self):
        return f"{self.character} in scene {self.scene.number} ({self.get_kind_display().lower()})"

    def natural_key(self):
        return self.scene.natural_key() + self.character.natural_key()

    natural_key.dependencies = ["scenes.scene", "characters.character"]


class FlashbackQuerySet(SlugQuerySet):
    def in_screen_order(self):
        return self.order_by("scene__number", "slug")


class Flashback(models.Model):
    """An episode the film cuts back to: one character's memory, shown during a scene."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=150)
    summary = models.TextField(help_text="What the memory shows.")
    scene = models.ForeignKey(
        Scene, on_delete=models.CASCADE, related_name="flashbacks", help_text="The scene it interrupts."
    )
    rememberer = models.ForeignKey(
        Character, on_delete=models.PROTECT, related_name="memories", help_text="Whose memory it is."
    )
    characters = models.ManyToManyField(
        Character, related_name="flashbacks", blank=True, help_text="Who appears in the memory."
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="flashbacks", help_text="Where the remembered event happened."
    )
    when = models.CharField(max_length=150, help_text="e.g. “the day Saigo was drafted”.")
    source_paragraphs = models.JSONField(default=list, validators=[validate_source_paragraphs])

    objects = FlashbackQuerySet.as_manager()

    class Meta:
        ordering = ["scene__number", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scenes:flashback_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["scenes.scene", "characters.character", "scenes.location"]

    def clean(self):
        # The person remembering has to be in the scene the memory interrupts, not merely mentioned there.
        if self.scene_id and self.rememberer_id:
            present = Appearance.objects.filter(scene_id=self.scene_id, character_id=self.rememberer_id).exclude(
                kind=AppearanceKind.MENTIONED
            )
            if not present.exists():
                raise ValidationError(
                    {"rememberer": f"{self.rememberer} is not in scene {self.scene}; add them to it first."}
                )


class LetterPresentation(models.TextChoices):
    VOICE_OVER = "voice-over", "Heard in voice-over"
    READ_ALOUD = "read-aloud", "Read aloud"
    WRITTEN_ON_SCREEN = "written-on-screen", "Written on screen"
    FOUND = "found", "Found"


class LetterFate(models.TextChoices):
    SENT = "sent", "Sent"
    CENSORED = "censored", "Censored"
    NEVER_SENT = "never-sent", "Never sent"
    BURIED = "buried", "Buried"
    FOUND_BY_EXCAVATORS = "found-by-excavators", "Found by the excavators"
    UNKNOWN = "unknown", "Fate not told"


class LetterQuerySet(SlugQuerySet):
    def in_screen_order(self):
        return self.annotate(first_scene=Min("scenes__number")).order_by("first_scene", "slug")


class Letter(models.Model):
    """A letter written, read aloud, censored, found or buried in the film (the bag of them too)."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=150)
    writer = models.ForeignKey(
        Character, on_delete=models.PROTECT, related_name="letters_written", null=True, blank=True
    )
    recipient = models.ForeignKey(
        Character, on_delete=models.PROTECT, related_name="letters_received", null=True, blank=True
    )
    summary = models.TextField(help_text="What it says, paraphrased.")
    presentation = models.CharField(max_length=20, choices=LetterPresentation.choices, db_index=True)
    fate = models.CharField(max_length=30, choices=LetterFate.choices, db_index=True)
    scenes = models.ManyToManyField(Scene, related_name="letters", help_text="Every scene it appears in.")
    source_paragraphs = models.JSONField(default=list, validators=[validate_source_paragraphs])

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scenes:letter_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["scenes.scene", "characters.character"]
