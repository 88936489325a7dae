from django.db import models
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.urls import reverse


class Side(models.TextChoices):
    JAPANESE_ARMY = "japanese-army", "Japanese army"
    JAPANESE_NAVY = "japanese-navy", "Japanese navy"
    AMERICAN_FORCES = "american-forces", "American forces"
    JAPANESE_CIVILIANS = "japanese-civilians", "Japanese civilians"
    AMERICAN_CIVILIANS = "american-civilians", "American civilians"
    PRESENT_DAY = "present-day", "Present day"


class Fate(models.TextChoices):
    SURVIVES = "survives", "Survives"
    CAPTURED = "captured", "Captured"
    KILLED = "killed", "Killed"
    SUICIDE = "suicide", "Suicide"
    DIED_OF_ILLNESS = "died-of-illness", "Died of illness"
    DIED_OF_WOUNDS = "died-of-wounds", "Died of wounds"
    SHOT_AFTER_SURRENDERING = "shot-after-surrendering", "Shot after surrendering"
    SENT_AWAY = "sent-away", "Sent away"
    UNKNOWN = "unknown", "Not told"


# The order people come on screen: their first scene, or the scene of the first memory they are in.
FIRST_APPEARANCE = Coalesce("first_scene", "first_memory").asc(nulls_last=True)


class CharacterQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def matching(self, text):
        """Characters whose name, full name or any alias contains the text."""
        return self.filter(Q(name__icontains=text) | Q(full_name__icontains=text) | Q(aliases__icontains=text))

    def in_order_of_appearance(self):
        """Ordered by the first scene (or flashback's scene) they are in."""
        return self.annotate(
            first_scene=Min("appearances__scene__number"),
            first_memory=Min("flashbacks__scene__number"),
        ).order_by(FIRST_APPEARANCE, "name")


class Character(models.Model):
    """A person or group in the film, named as the credits name them."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=100, help_text="As the film credits them, e.g. “Kuribayashi”.")
    full_name = models.CharField(max_length=150, blank=True, help_text="e.g. “Tadamichi Kuribayashi”.")
    rank = models.CharField(max_length=80, blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Every other name, spelling or description the plot summary uses, one a line.",
    )
    side = models.CharField(max_length=30, choices=Side.choices, db_index=True)
    role = models.CharField(max_length=200, help_text="One line: who they are in the film.")
    biography = models.TextField(help_text="What they do across the film. Paragraphs split by a blank line.")
    fate = models.CharField(max_length=30, choices=Fate.choices, default=Fate.UNKNOWN, db_index=True)
    fate_detail = models.CharField(max_length=250, blank=True, help_text="One line on how their story ends.")
    historical = models.BooleanField(default=False, db_index=True, help_text="Based on a real person.")
    principal = models.BooleanField(default=False, help_text="Shown on the home page among the main people.")
    actor = models.CharField(max_length=100, blank=True, help_text="From the film's credits.")

    objects = CharacterQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("characters:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]

    @property
    def biography_paragraphs(self):
        return [part.strip() for part in self.biography.split("\n\n") if part.strip()]
