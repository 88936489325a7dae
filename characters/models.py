import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from iwojima_site import horizon as watch_along
from iwojima_site.horizon import cut_parts
from iwojima_site.records import BY_NAME, SluggedRecord, SlugQuerySet, alphabetical
from iwojima_site.story import validate_story_parts
from iwojima_site.templatetags.addresses import slug_url


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
    DIED = "died", "Died (cause not told)"
    SHOT_AFTER_SURRENDERING = "shot-after-surrendering", "Shot after surrendering"
    SENT_AWAY = "sent-away", "Sent away"
    UNKNOWN = "unknown", "Not told"


# The fates that are a death: the person's story ends at their fate scene.
DEATHS = frozenset(
    {Fate.KILLED, Fate.SUICIDE, Fate.DIED_OF_ILLNESS, Fate.DIED_OF_WOUNDS, Fate.DIED, Fate.SHOT_AFTER_SURRENDERING}
)

# The words every page uses where the film does not tell a fact.
NOT_TOLD = "Not told"

# The order people come on screen: their first scene, or the scene of the first memory they are in.
FIRST_APPEARANCE = Coalesce("first_scene", "first_memory").asc(nulls_last=True)

# The order of prominence: principals, other named individuals, unnamed individuals, then groups; within
# each, the people seen in more scenes first.
PROMINENCE_TIER = Case(
    When(principal=True, then=Value(0)),
    When(is_group=True, then=Value(3)),
    When(is_named=True, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
IN_ORDER_OF_PROMINENCE = ["prominence_tier", "-seen_scene_count", *BY_NAME]


class CharacterQuerySet(SlugQuerySet):
    def matching(self, text):
        """Characters whose name, full name, any alias or source name contains the text."""
        return self.filter(
            Q(name__icontains=text)
            | Q(full_name__icontains=text)
            | Q(aliases__icontains=text)
            | Q(source_names__icontains=text)
        )

    def known_at(self, horizon):
        """The people in a scene up to `horizon` in any way (seen, heard, mentioned, or in a memory shown there),
        and those in no scene and no memory (only in the credits: nothing to spoil, so known at every horizon), each
        with `fate_scene_number` for `shown_at()` and `seen_by_horizon`, the scenes they are seen in so far, which the
        order of prominence then reads (order_by()): the whole film's count would tell who is seen more later; and with
        `film_last_scene` (horizon.film_ends_by())."""
        appearance = self.model._meta.get_field("appearances").related_model
        in_memory = self.model._meta.get_field("flashbacks").through
        scene = self.model._meta.get_field("fate_scene").related_model
        appears = appearance.objects.filter(character=OuterRef("pk"))
        remembered = in_memory.objects.filter(character=OuterRef("pk"))
        known = self.filter(
            Exists(appears.filter(scene__number__lte=horizon))
            | Exists(remembered.filter(flashback__scene__number__lte=horizon))
            | (~Exists(appears) & ~Exists(remembered))
        ).annotate(
            fate_scene_number=F("fate_scene__number"),
            seen_by_horizon=seen_scene_count_of(self.model, horizon),
            film_last_scene=last_scene_number_of(scene),
        )
        return known.order_by(*known.query.order_by) if known.query.order_by else known

    def order_by(self, *fields):
        """QuerySet.order_by(); cut at a horizon (known_at()), the order of prominence counts the scenes seen so far."""
        if "seen_by_horizon" in self.query.annotations:
            fields = ["-seen_by_horizon" if field == "-seen_scene_count" else field for field in fields]
        return super().order_by(*fields)

    def in_order_of_appearance(self):
        """Ordered by the first scene (or flashback's scene) they are in: `first_scene` and `first_memory`, each a
        subquery the database runs for the rows it needs (a join and GROUP BY would group every person's appearances
        before a page of 25 is cut: 28 ms at ×100)."""
        appearance = self.model._meta.get_field("appearances").related_model
        in_memory = self.model._meta.get_field("flashbacks").through
        return self.annotate(
            first_scene=least_of(appearance.objects.filter(character=OuterRef("pk")), "scene__number"),
            first_memory=least_of(in_memory.objects.filter(character=OuterRef("pk")), "flashback__scene__number"),
        ).order_by(FIRST_APPEARANCE, *BY_NAME)

    def in_order_of_prominence(self):
        return self.order_by(*IN_ORDER_OF_PROMINENCE)

    def refresh_seen_scene_counts(self):
        """Recount `seen_scene_count` for these people from their appearances and memories, in one UPDATE."""
        return self.update(seen_scene_count=seen_scene_count_of(self.model))

    def listed(self):
        """The people as their list shows them (the page and the API): in the order of prominence, with the
        annotations the other orders and the cards read."""
        return self.in_order_of_appearance().order_by(*IN_ORDER_OF_PROMINENCE)

    def credited(self):
        """The film's credited cast, in credit order."""
        return self.filter(credit_order__isnull=False).order_by("credit_order")


def is_spelling(line):
    """Whether a line of `source_names` is a spelling of a name ("General Kuribashi", "Nishis") rather than a
    description ("the general", "Saigo's commanding officer"): every word of a spelling is capitalised."""
    return all(word[:1].isupper() for word in line.split())


def seen_scene_count_of(model, horizon=None):
    """The number of scenes a person (an outer row of `model`, Character or its migration state) is seen in: on
    screen, or in a memory a scene cuts to; a memory counts only where they are not also on screen. With a
    `horizon` (a scene number), only the scenes up to it."""
    appearance = model._meta.get_field("appearances").related_model
    in_memory = model._meta.get_field("flashbacks").through
    on_screen = appearance.objects.filter(character=OuterRef("pk"), on_screen=True)
    memory_only = in_memory.objects.filter(character=OuterRef("pk"))
    if horizon is not None:
        on_screen = on_screen.filter(scene__number__lte=horizon)
        memory_only = memory_only.filter(flashback__scene__number__lte=horizon)
    memory_only = memory_only.exclude(
        Exists(
            appearance.objects.filter(
                scene=OuterRef("flashback__scene"), character=OuterRef("character"), on_screen=True
            )
        )
    )
    return Coalesce(count_of(on_screen, "scene"), 0) + Coalesce(count_of(memory_only, "flashback__scene"), 0)


def count_of(queryset, field, per="character"):
    """A subquery counting the distinct values of `field` in a queryset correlated with its outer row through
    `per` (the field that names the outer row); None where it has none."""
    return Subquery(
        queryset.order_by().values(per).annotate(n=Count(field, distinct=True)).values("n"),
        output_field=IntegerField(),
    )


def least_of(queryset, field, per="character"):
    """A subquery of the least value of `field` in a queryset correlated with its outer row through `per`, as
    count_of() counts; None where it has none."""
    return Subquery(queryset.order_by().values(per).annotate(least=Min(field)).values("least"))


def last_scene_number_of(scene_model):
    """The film's last scene number as a subquery, the same for every row: what horizon.film_ends_by() reads, so
    that a list of records asks for it in its own query rather than once a record."""
    return Subquery(scene_model.objects.order_by("-number").values("number")[:1])


def possessive(name, plural=False):
    """A name as an owner, the one way the site writes it: “Saigo’s”, “Sam’s”, “Tanida's company’s”; a name that
    ends in a plural (`plural`: a group, or a description ending in what it is about) and so in "s" takes the
    apostrophe alone: “The excavators’”, “The American soldier who shoots the prisoners’”."""
    return f"{name}’" if plural and name.endswith("s") else f"{name}’s"


def names_in(text):
    """The names in text typed one a line or separated by commas, each trimmed, empty ones dropped:
    "General Kuribayashi, the general\n" gives ["General Kuribayashi", "the general"], ",," gives []."""
    return [name.strip() for name in re.split(r"[,\n]", text or "") if name.strip()]


def validate_names(value):
    """Names one a line, as the admin writes what was typed (names_in() of it): raises ValidationError naming the
    first line that is empty, has spaces around it or holds a comma."""
    for number, line in enumerate(str(value).split("\n"), start=1):
        if names_in(line) != [line]:
            raise ValidationError(
                "Line %(number)s (“%(line)s”) is not one name: give one name a line, with no empty lines, no commas "
                "and no spaces around a name.",
                params={"number": number, "line": line},
            )


class Character(SluggedRecord):
    """A person or group in the film, named as the credits name them."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=100, help_text="As the film credits them, e.g. “Kuribayashi”.")
    full_name = models.CharField(max_length=150, blank=True, help_text="e.g. “Tadamichi Kuribayashi”.")
    rank = models.CharField(max_length=80, blank=True)
    aliases = models.TextField(
        blank=True,
        validators=[validate_names],
        help_text="Names people use for them, one a line, e.g. “General Kuribayashi”. Shown as “also called”.",
    )
    source_names = models.TextField(
        blank=True,
        help_text="How the plot summary refers to them, in its own spelling, one a line (e.g. “Kuribashi”, "
        "“his subordinant Fujita”). Searchable; never shown as a name.",
    )
    is_group = models.BooleanField(
        "group", default=False, db_index=True, help_text="A group or crowd rather than one person."
    )
    is_named = models.BooleanField(
        "named", default=True, help_text="Known by a name, not only by a description (“the sniper”)."
    )
    principal = models.BooleanField(default=False, help_text="One of the people the film follows.")
    side = models.CharField(max_length=30, choices=Side.choices, db_index=True)
    role = models.CharField(max_length=200, help_text="One line: who they are in the film.")
    biography = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_story_parts],
        help_text="What they do across the film, in parts stamped with the scene from which each may be shown.",
    )
    fate = models.CharField(max_length=30, choices=Fate.choices, default=Fate.UNKNOWN, db_index=True)
    fate_scene = models.ForeignKey(
        "scenes.Scene",
        on_delete=models.PROTECT,
        related_name="fates",
        null=True,
        blank=True,
        help_text="The scene in which the fate happens.",
    )
    fate_detail = models.JSONField(
        "fate note",
        default=list,
        blank=True,
        validators=[validate_story_parts],
        help_text="How their story ends, in scene-stamped parts.",
    )
    historical = models.BooleanField(default=False, db_index=True, help_text="Based on a real person.")
    actor = models.CharField(max_length=100, blank=True, help_text="From the film's credits.")
    credit_order = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        unique=True,
        # The cast list and the credits page count from 1 (Kuribayashi): a 0 would bill someone above him.
        validators=[
            MinValueValidator(
                1, "The credits count from 1: give their place in the cast list, or leave it empty if uncredited."
            )
        ],
        help_text="Position in the film's cast list, from 1; empty if uncredited.",
    )
    prominence_tier = models.GeneratedField(
        expression=PROMINENCE_TIER,
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        serialize=False,  # derived, never in the fixtures
        help_text="0 principals, 1 other named individuals, 2 unnamed people, 3 groups: the first key of the order "
        "of prominence.",
    )
    seen_scene_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        serialize=False,  # derived, never in the fixtures
        help_text="The scenes they are seen in (on screen, or in a memory shown there): kept by "
        "refresh_seen_scene_counts() whenever appearances or memories change, so the order of prominence is a "
        "plain ORDER BY.",
    )
    credited_only = models.BooleanField(
        default=False,
        help_text="Credited in the film, but the plot summary's events never show them: listed in the cast, "
        "in no scene.",
    )

    objects = CharacterQuerySet.as_manager()

    class Meta:
        ordering = BY_NAME
        # IN_ORDER_OF_PROMINENCE, its name as alphabetical() orders it, so the order is read from the index.
        indexes = [
            models.Index(
                "prominence_tier",
                F("seen_scene_count").desc(),
                alphabetical("name"),
                "slug",
                name="in_order_of_prominence",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_group=False) | Q(principal=False),
                name="a_principal_is_one_person",
                violation_error_message="A principal is one person the film follows, not a group: untick “principal” "
                "or “group”.",
            ),
            # A fate scene shows the fate, so the fate is told: "Not told" beside one would contradict it.
            models.CheckConstraint(
                condition=~Q(fate=Fate.UNKNOWN) | Q(fate_scene__isnull=True),
                name="a_fate_scene_shows_a_told_fate",
                violation_error_message="A fate scene shows the fate, so it cannot be “Not told”: choose the fate "
                "it shows, or clear the fate scene.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("characters:detail", self.slug)

    @property
    def alias_list(self):
        return names_in(self.aliases)

    @property
    def source_name_list(self):
        return lines(self.source_names)

    @property
    def story_told_from(self):
        """The last scene their biography and fate note are stamped with (None: no stamped part): from there a
        description the plot summary gives of them ("Saigo's sick friend", "his daughter") gives nothing away."""
        stamps = [part["scene"] for part in [*(self.biography or []), *(self.fate_detail or [])] if "scene" in part]
        return max(stamps, default=None)

    def source_names_at(self, horizon):
        """The names the plot summary gives them that a viewer at scene `horizon` may read (all when None): its
        spellings of their name at once, its descriptions of them once their story is told whole."""
        told = horizon is None or self.story_told_from is None or self.story_told_from <= horizon
        return [name for name in self.source_name_list if told or is_spelling(name)]

    @property
    def display_name(self):
        return f"{self.rank} {self.name}" if self.rank and not self.name.startswith(self.rank) else self.name

    @property
    def possessive(self):
        """Their name as an owner (possessive()): a group's or a description's ("The excavators’") takes the
        apostrophe alone after a final "s"."""
        return possessive(self.name, self.is_group or not self.is_named)

    @property
    def name_in_sentence(self):
        """The name as it reads inside a sentence: a group's leading "The" in lower case ("to the general's
        family"); any other name as it is."""
        return "the" + self.name[3:] if self.name.startswith("The ") else self.name

    def first_scene_number(self):
        """The first scene they are in, in any way or in a memory shown there (None: in none)."""
        appearance = self._meta.get_field("appearances").related_model
        in_memory = self._meta.get_field("flashbacks").through
        firsts = [
            appearance.objects.filter(character=self).aggregate(n=Min("scene__number"))["n"],
            in_memory.objects.filter(character=self).aggregate(n=Min("flashback__scene__number"))["n"],
        ]
        return min((n for n in firsts if n is not None), default=None)

    def name_before_seen(self, horizon=None):
        """What a page says of them to a viewer who has not met them: not their name, which for many tells what they
        do (“the soldier who knocks Saigo out”)."""
        return "This person"

    def fate_told_at(self, horizon):
        """Whether a viewer at scene `horizon` (None: the whole film) may know their fate: once its scene is
        reached. Reads `fate_scene_number` where `.at()` annotated it, else the fate's scene. Without a fate scene,
        a fate is told from the first scene its fate note is stamped with, else from the film's last scene.

        A fate the film does not tell ("Not told") is told from the last scene too (horizon.film_ends_by()): before
        it, "Not told" for some and "Not yet" for others would tell whose fate is still to come. Someone only in the
        credits is in no scene, so has nothing to spoil: theirs is told at every horizon."""
        if horizon is None:
            return True
        if self.fate == Fate.UNKNOWN:
            return self.credited_only or watch_along.film_ends_by(self, horizon)
        fate_at = getattr(self, "fate_scene_number", None)
        if fate_at is None and self.fate_scene_id:
            fate_at = self.fate_scene.number
        if fate_at is None:
            fate_at = self.fate_note_from
        return watch_along.film_ends_by(self, horizon) if fate_at is None else fate_at <= horizon

    def death_scene_number(self):
        """The scene of their death (None: their fate is not a death, or no scene tells it): the fate's scene, else
        the first scene their fate note is stamped with, as fate_told_at() reads it."""
        if self.fate not in DEATHS:
            return None
        return self.fate_scene.number if self.fate_scene_id else self.fate_note_from

    @property
    def fate_note_from(self):
        """The first scene their fate note is stamped with (None: no stamped part)."""
        return min((part["scene"] for part in self.fate_detail or [] if isinstance(part, dict) and "scene" in part),
                   default=None)  # fmt: skip

    def shown_at(self, horizon):
        """What a viewer at scene `horizon` may read of them (all of it when None): ShownPerson."""
        if horizon is None:
            return ShownPerson(
                self.biography, self.fate_detail, self.get_fate_display(), self.fate_scene_id, True,
                self.source_name_list,
            )  # fmt: skip
        known = self.fate_told_at(horizon)
        return ShownPerson(
            cut_parts(self.biography, horizon),
            cut_parts(self.fate_detail, horizon),
            self.get_fate_display() if known else NOT_YET,
            self.fate_scene_id if known else None,
            known,
            self.source_names_at(horizon),
        )

    def clean(self):
        super().clean()
        if self.credited_only and not self.actor:
            raise ValidationError({"credited_only": "Only a credited person (one with an actor) can be credited only."})

    def scenes_in(self):
        """Every scene they are in, in screen order, with how: [(scene, ["on screen", "in Saigo’s memory"])].

        Reads the prefetched `appearances` (with `scene`) and `flashbacks` (with `scene` and `rememberer`).
        """
        ways = {}
        for appearance in self.appearances.all():
            ways.setdefault(appearance.scene, []).extend(appearance.ways)
        for flashback in self.flashbacks.all():
            memory = (
                "in their own memory"
                if flashback.rememberer_id == self.pk
                else f"in {flashback.rememberer.possessive} memory"
            )
            if memory not in ways.setdefault(flashback.scene, []):
                ways[flashback.scene].append(memory)
        return sorted(ways.items(), key=lambda item: item[0].number)

    def rule_errors(self):
        """What the scene-stamped fields say that the scenes contradict: a list of messages, empty if none.

        Checked after all content is loaded (the scenes load after the people) and on every admin save.
        """
        scene_model = self._meta.get_field("fate_scene").related_model
        numbers = {part["scene"] for part in [*self.biography, *self.fate_detail] if isinstance(part, dict)}
        known = set(scene_model.objects.filter(number__in=numbers).values_list("number", flat=True))
        errors = [f"a part is stamped scene {n}, which does not exist" for n in sorted(numbers - known)]
        if self.fate_scene_id and self.pk and not self.is_in_scene(self.fate_scene_id):
            errors.append(f"fate_scene: {self.name} is not in scene {self.fate_scene}")
        # A fate note tells the fate: a part shown before the fate scene would tell it while the page says "Not yet".
        fate_at = self.fate_scene.number if self.fate_scene_id else None
        early = [
            part["scene"] for part in self.fate_detail if isinstance(part, dict) and fate_at and part["scene"] < fate_at
        ]
        if early:
            errors.append(
                f"fate_detail: a part is stamped scene {early[0]}, before the fate scene ({self.fate_scene}); a fate "
                f"note tells the fate, so stamp each of its parts scene {fate_at} or later"
            )
        if self.credited_only and self.pk and (self.appearances.exists() or self.flashbacks.exists()):
            errors.append("credited_only: someone in a scene or a memory is not credited only")
        return errors

    def is_in_scene(self, scene_id):
        """Whether they are in the scene in any way, or in a memory it cuts to."""
        return self.appearances.filter(scene_id=scene_id).exists() or self.flashbacks.filter(scene_id=scene_id).exists()


# What a page says of a fate that comes after the viewer's scene.
NOT_YET = "Not yet: it comes after the scene you are at"


@dataclass(frozen=True)
class ShownPerson:
    """A person as a viewer at some scene may read them: the biography and fate-note parts up to it, and the
    fate (label and scene) only once it has happened."""

    biography: list
    fate_detail: list
    fate: str
    fate_scene_id: int | None
    fate_known: bool
    source_names: list


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]
