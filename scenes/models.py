from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.http import urlencode

from characters.models import IN_ORDER_OF_PROMINENCE, Character, count_of, last_scene_number_of, least_of, possessive
from iwojima_site.baked import SQL, BakedQuery, run_together
from iwojima_site.horizon import cut_parts, film_ends_by, horizon_of, shows
from iwojima_site.records import BY_NAME, SluggedRecord, SlugQuerySet, alphabetical, alphabetical_key
from iwojima_site.story import validate_story_parts
from iwojima_site.templatetags.addresses import slug_url
from iwojima_site.validators import validate_source_paragraphs

# What a link to a person reads (its address and name, and what orders people in a scene): loading no more
# leaves their long biographies unread where only their names are shown.
PERSON_LINK = ("slug", "name", "role", "principal", "is_group", "is_named")
PERSON_IN_SCENE = ("scene", "on_screen", "voice_over", "mentioned", *(f"character__{f}" for f in PERSON_LINK))


class PersonLink(NamedTuple):
    """A person read as the PERSON_LINK values alone (`values_list`), for a page that only links to them: the
    same person read twice is equal, as two Character instances of one row are."""

    slug: str
    name: str
    role: str
    principal: bool
    is_group: bool
    is_named: bool

    def get_absolute_url(self):
        return slug_url("characters:detail", self.slug)

    @property
    def possessive(self):
        return possessive(self.name, self.is_group or not self.is_named)


class Region(models.TextChoices):
    IWO_JIMA = "iwo-jima", "Iwo Jima"
    JAPAN = "japan", "Japan"
    UNITED_STATES = "united-states", "United States"


class Period(models.TextChoices):
    PRESENT_DAY = "present-day", "Present day"
    BEFORE_INVASION = "1944", "Before the invasion"  # the value stays: shared addresses carry `period=1944`
    BATTLE = "1945", "1945, the battle"


class Part(models.TextChoices):
    """The film's movements, in the order they first come on screen."""

    FRAME = "frame", "Frame: the excavation"
    PREPARATION = "preparation", "Preparing the island"
    INVASION = "invasion", "The invasion"
    LAST_STAND = "last-stand", "The last stand"


class LocationQuerySet(SlugQuerySet):
    def listed(self, horizon=None):
        """The places as their list shows them: by region, with how many scenes and memories each holds (up to
        scene `horizon`, when given)."""
        scenes, memories = Q(), Q()
        if horizon is not None:
            scenes, memories = Q(scenes__number__lte=horizon), Q(flashbacks__scene__number__lte=horizon)
        return (
            self.annotate(
                scene_count=models.Count("scenes", filter=scenes, distinct=True),
                flashback_count=models.Count("flashbacks", filter=memories, distinct=True),
            )
            .at(horizon)
            .order_by("region", *BY_NAME)
        )

    def known_at(self, horizon):
        """The places of a scene, or of a memory shown in a scene, up to `horizon`; and any place of none (nothing
        to spoil: known at every horizon, as horizon.shows() has it)."""
        scenes = Scene.objects.filter(location=OuterRef("pk"))
        memories = Flashback.objects.filter(location=OuterRef("pk"))
        return self.filter(
            Exists(scenes.filter(number__lte=horizon))
            | Exists(memories.filter(scene__number__lte=horizon))
            | (~Exists(scenes) & ~Exists(memories))
        )


class Location(SluggedRecord):
    """A place where scenes or remembered events happen, on Iwo Jima or away from it."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=20, choices=Region.choices, db_index=True)
    description = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_story_parts],
        help_text="What and where the place is, in parts stamped with the scene from which each may be shown (what "
        "happens here later waits for its scene, in watch-along mode).",
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = BY_NAME

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("scenes:place_detail", self.slug)

    def first_scene_number(self):
        """The first scene set here or showing a memory set here (None: none). Of every scene, not `self.scenes`,
        which a page may have prefetched cut at the viewer's scene."""
        firsts = [
            Scene.objects.filter(location=self).aggregate(n=Min("number"))["n"],
            Flashback.objects.filter(location=self).aggregate(n=Min("scene__number"))["n"],
        ]
        return min((n for n in firsts if n is not None), default=None)

    def name_before_seen(self, horizon=None):
        return "This place"

    def shown_at(self, horizon):
        """The description as a viewer at scene `horizon` may read it: its parts up to that scene, one paragraph
        each (all of them when the mode is off)."""
        return "\n\n".join(part["text"] for part in cut_parts(self.description, horizon))

    def rule_errors(self):
        """Description parts stamped with a scene that does not exist: a list of messages, empty if none."""
        numbers = {part["scene"] for part in self.description or [] if isinstance(part, dict)}
        known = set(Scene.objects.filter(number__in=numbers).values_list("number", flat=True))
        return [f"description: a part is stamped scene {n}, which does not exist" for n in sorted(numbers - known)]

    def get_scenes_url(self):
        """The scene list filtered by this place."""
        return f"{reverse('scenes:list')}?{urlencode({'location': self.slug})}"


def source_paragraphs_at(record, request):
    """A record's `source_paragraphs` as a viewer at the request's horizon may see them: only the paragraphs that the
    scenes up to it cite (the scenes' own `source_paragraphs`), so that no number points at what comes later; all
    of them when the mode is off. The paragraphs cited are read once per request."""
    horizon = horizon_of(request)
    if horizon is None:
        return list(record.source_paragraphs)
    read = getattr(request, "paragraphs_cited_at", None)
    if read is None or read[0] != horizon:
        read = request.paragraphs_cited_at = (horizon, Scene.objects.at(horizon).paragraphs_cited())
    return [number for number in record.source_paragraphs if number in read[1]]


class SceneQuerySet(SlugQuerySet):
    def in_screen_order(self):
        return self.order_by("number")

    def known_at(self, horizon):
        """The scenes up to and including scene `horizon`."""
        return self.filter(number__lte=horizon)

    def paragraphs_cited(self):
        """The numbers of the plot summary's paragraphs these scenes cite (their `source_paragraphs`): a set."""
        return {number for cited in self.values_list("source_paragraphs", flat=True) for number in cited}

    def last_number(self):
        """The number of the last scene (None when there is none)."""
        return self.order_by("-number").values_list("number", flat=True).first()

    def listed(self):
        """The scenes as their list shows them (the page and the API): place, counts, screen order. Their people
        are read for one page of them: people_by_scene() for the page's cards, with_people() for the API."""
        return self.select_related("location").with_counts().in_screen_order()

    def with_people(self):
        """Each scene's people without a query per scene: its `listed_appearances` (with `character`) and
        `listed_flashbacks` (with `rememberer` and `listed_characters`), for `people()`. Plain lists (`to_attr`):
        a related manager's cache would cost a QuerySet built per scene."""
        people = Character.objects.only(*PERSON_LINK)
        return self.prefetch_related(
            models.Prefetch(
                "appearances",
                # people_in() sorts the people; no ordering spares a join to the scenes.
                queryset=Appearance.objects.select_related("character").only(*PERSON_IN_SCENE).order_by(),
                to_attr="listed_appearances",
            ),
            models.Prefetch(
                "flashbacks",
                queryset=Flashback.objects.select_related("rememberer")
                .only("slug", "scene", *(f"rememberer__{field}" for field in PERSON_LINK))
                .order_by("slug")  # their order within a scene, without a join to the scenes
                .prefetch_related(models.Prefetch("characters", queryset=people, to_attr="listed_characters")),
                to_attr="listed_flashbacks",
            ),
        )

    def with_everyone(self, people, presence=None):
        """The scenes in which every one of `people` is present, as `presence` says (default: seen).

        One subquery whatever the number of people, driven by their own appearances and memories (an index
        lookup each): the scenes where all of them make a (scene, person) pair.
        """
        ids = [person.pk for person in people]
        if not ids:
            return self
        pairs = PAIRS_OF_PEOPLE[presence != Presence.ANY].statement(ids, using=self.db)
        return self.filter(pk__in=RawSQL(*grouped_pairs(pairs, "scene_id", having_count=len(ids))))

    def neighbours(self, number):
        """The scenes just before and after scene `number` (none, one or two), each with `scene_count`: how many
        scenes there are. One query; only their numbers, slugs and titles are read."""
        others = Scene.objects.order_by()
        before = others.filter(number__lt=number).order_by("-number").values("number")[:1]
        after = others.filter(number__gt=number).order_by("number").values("number")[:1]
        count = others.annotate(n=models.Func(models.F("pk"), function="COUNT")).values("n")
        return (
            self.filter(Q(number=Subquery(before)) | Q(number=Subquery(after)))
            .annotate(scene_count=Subquery(count))
            .only("number", "slug", "title")
        )

    def with_counts(self):
        """Annotate `letter_count` and `flashback_count`, each a subquery the database runs only for the rows it
        returns (a join and GROUP BY would count every scene before a page of them is cut)."""
        return self.annotate(
            letter_count=Coalesce(
                count_of(Letter.scenes.through.objects.filter(scene=OuterRef("pk")), "pk", "scene"), 0
            ),
            flashback_count=Coalesce(count_of(Flashback.objects.filter(scene=OuterRef("pk")), "pk", "scene"), 0),
        )

    def people_present(self, presence=None, keys=None, horizon=None):
        """The people present in these scenes, as `presence` says (default: seen): PeoplePresent. With `keys`, the
        scenes' primary keys as SQL (FacetedFilterSet.list_without()), its statement is baked; `horizon`: the scene
        a viewer watching along is at, which their order of prominence counts up to."""
        return PeoplePresent(self, presence, keys=keys, horizon=horizon)

    def presence_counts(self, presence=None):
        """{character pk: number of these scenes each person is present in, as `presence` says}, counted by the
        database (one query, one row per person)."""
        return self.people_present(presence).counts()


class PeoplePresent:
    """The people present in some scenes, as `presence` says: their (scene, person) pairs compiled to SQL once,
    then read as counts, or as the first of them with their names and counts (a facet)."""

    def __init__(self, scenes, presence=None, *, keys=None, horizon=None):
        self.using = scenes.db
        self.horizon = horizon
        if keys is not None:  # the scenes' primary keys as SQL: the pairs' statement is baked
            self.pairs = PAIRS_IN_SCENES[presence != Presence.ANY].statement(keys, using=self.using)
            return
        try:
            self.pairs = presence_pairs(presence, scenes=scenes.values("pk")).query.get_compiler(self.using).as_sql()
        except EmptyResultSet:  # no scenes at all (e.g. `.none()`)
            self.pairs = None

    def counts(self):
        """{character pk: the number of the scenes they are present in}."""
        if self.pairs is None:
            return {}
        with connections[self.using].cursor() as cursor:
            cursor.execute(*grouped_pairs(self.pairs, "character_id", counted=True))
            return dict(cursor.fetchall())

    def first(self, limit=None):
        """([(pk, slug, name, the number of the scenes they are present in)] of the first `limit` of them in the order
        of prominence (every one without a limit), how many they are): one statement, the counts joined to the
        people, so a facet that shows a few of them reads their names and counts at once."""
        statement = self.first_statement(limit)
        if statement is None:
            return [], 0
        with connections[self.using].cursor() as cursor:
            cursor.execute(*statement)
            return self.first_of(cursor.fetchall())

    def first_statement(self, limit=None):
        """first()'s statement as SQL, or None when there are no scenes. Cut at a horizon (watching along), the order
        of prominence counts the scenes each person is seen in up to it (whatever else narrows these scenes), as the
        people list's does
        (CharacterQuerySet.known_at()): the whole film's count would tell who is seen more later."""
        if self.pairs is None:
            return None
        quote = connections[self.using].ops.quote_name

        def column(name):
            return "people." + quote(Character._meta.get_field(name).column)

        def ordered(key):
            if isinstance(key, Lower):  # alphabetical()
                return f"LOWER({column(key.source_expressions[0].name)})"
            if key == "-seen_scene_count" and self.horizon is not None:
                return "COALESCE(seen.n, 0) DESC"
            return column(key.lstrip("-")) + (" DESC" if key.startswith("-") else "")

        counts, params = grouped_pairs(self.pairs, "character_id", counted=True)
        sql = (
            f"SELECT {column('id')}, {column('slug')}, {column('name')}, present.n, COUNT(*) OVER ()"  # noqa: S608
            f" FROM ({counts}) present INNER JOIN {quote(Character._meta.db_table)} people"
            f" ON {column('id')} = present.character_id"
        )
        if self.horizon is not None:  # the scenes each person is seen in so far, whatever the list's other filters
            so_far = Scene.objects.using(self.using).filter(number__lte=self.horizon).people_present(Presence.SEEN)
            seen, seen_params = grouped_pairs(so_far.pairs, "character_id", counted=True)
            sql, params = (
                f"{sql} LEFT JOIN ({seen}) seen ON seen.character_id = {column('id')}",
                (*params, *seen_params),
            )
        sql = f"{sql} ORDER BY {', '.join(map(ordered, IN_ORDER_OF_PROMINENCE))}"
        if limit is not None:
            sql, params = f"{sql} LIMIT %s", (*params, limit)
        return SQL(sql, tuple(params))

    @staticmethod
    def first_of(rows):
        """first() from the rows of its statement."""
        return [row[:4] for row in rows], rows[0][4] if rows else 0


def presence_pairs(presence, *, scenes=None, people=None):
    """The (scene_id, character_id) pairs of people present in scenes as `presence` says, each once: on screen
    (or, with Presence.ANY, in any way) or in a memory the scene cuts to. `scenes` (a subquery of scene pks) and
    `people` (character pks) narrow them. A UNION QuerySet of two-column rows."""
    appearances = Appearance.objects.order_by()
    memories = Flashback.characters.through.objects.order_by()
    if presence != Presence.ANY:
        appearances = appearances.filter(on_screen=True)
    if scenes is not None:
        appearances, memories = appearances.filter(scene__in=scenes), memories.filter(flashback__scene__in=scenes)
    if people is not None:
        appearances, memories = appearances.filter(character__in=people), memories.filter(character__in=people)
    # UNION (not UNION ALL) keeps each pair once: on screen and in a memory is one scene.
    return appearances.values_list("scene_id", "character_id").union(
        memories.values_list("flashback__scene_id", "character_id")
    )


def grouped_pairs(pairs, column, counted=False, having_count=None):
    """(sql, params) selecting the distinct `column` ("scene_id" or "character_id") of `pairs`, the compiled
    (sql, params) of presence_pairs(); with `counted`, (value, number of pairs) rows; with `having_count`, only
    the values that have that many pairs. The ORM cannot group the rows of a UNION, so its SQL is wrapped here."""
    sql, params = pairs
    select = f"{column}, COUNT(*) AS n" if counted else column
    having, having_params = ("HAVING COUNT(*) = %s", (having_count,)) if having_count else ("", ())
    query = f"SELECT {select} FROM ({sql}) pairs GROUP BY {column} {having}"  # noqa: S608 (the ORM's own SQL)
    return query, (*params, *having_params)


class Scene(SluggedRecord):
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
        # Covers the place, period and part facets' one grouped count, so it reads no scene rows (long summaries).
        indexes = [models.Index(fields=["location", "period", "part"], name="scene_facets")]
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1), name="scene_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return slug_url("scenes:detail", self.slug)

    def first_scene_number(self):
        return self.number

    def name_before_seen(self, horizon=None):
        """What a page says of this scene to a viewer who has not reached it: its number, not its title."""
        return f"Scene {self.number}"

    def people(self):
        """Everyone in the scene and every way they are in it, seen people first: `people_in()` of what
        `Scene.objects.with_people()` read (AttributeError on a scene read without it)."""
        appearances = [
            (appearance.character, appearance.ways, appearance.on_screen) for appearance in self.listed_appearances
        ]
        memories = [
            (flashback.rememberer.possessive, flashback.listed_characters) for flashback in self.listed_flashbacks
        ]
        return people_in(appearances, memories)


def people_in(appearances, memories):
    """Everyone in a scene and every way they are in it, seen people first.

    `appearances`: (person, [ways], on screen?) for each of the scene's appearances, the person a Character or a
    PersonLink; `memories`: [(whose memory it is, a name as an owner (“Saigo’s”); [person, …] shown in it), …] for
    each of its flashbacks,
    in their order. Returns [PersonInScene(person, ways=["on screen", "in Saigo’s memory"], seen=True), …].
    """
    ways, seen = {}, set()
    for person, person_ways, on_screen in appearances:
        ways.setdefault(person, []).extend(person_ways)
        if on_screen:
            seen.add(person)
    for rememberer, people in memories:
        memory = f"in {rememberer} memory"
        for person in people:
            if memory not in ways.setdefault(person, []):
                ways[person].append(memory)
            seen.add(person)
    people = [PersonInScene(person, person_ways, person in seen) for person, person_ways in ways.items()]
    return sorted(
        people,
        key=lambda p: (not p.seen, not p.character.principal, p.character.is_group, alphabetical_key(p.character.name)),
    )


@dataclass(frozen=True)
class PersonInScene:
    character: Character
    ways: list
    seen: bool

    @property
    def ways_display(self):
        return " · ".join(self.ways)

    @property
    def only_on_screen(self):
        return self.ways == [WAYS["on_screen"]]


class Presence(models.TextChoices):
    """How present a person must be for a people filter to count a scene: the `presence` URL parameter."""

    SEEN = "seen", "Seen: on screen, or in a memory the scene cuts to"
    ANY = "any", "Seen, heard in voice-over or mentioned"


# presence_pairs() of some people, and in some scenes (SQL), as baked statements: {only the seen?: BakedQuery}.
PAIRS_OF_PEOPLE = {
    seen: BakedQuery(lambda people, presence=presence: presence_pairs(presence, people=people), [int])
    for seen, presence in ((True, Presence.SEEN), (False, Presence.ANY))
}
PAIRS_IN_SCENES = {
    seen: BakedQuery(lambda scenes, presence=presence: presence_pairs(presence, scenes=scenes), SQL)
    for seen, presence in ((True, Presence.SEEN), (False, Presence.ANY))
}


def present_in(scene, character, presence=None):
    """A condition: the character is present in the scene (each an expression, e.g. OuterRef("pk"))."""
    appearances = Appearance.objects.filter(scene=scene, character=character)
    if presence != Presence.ANY:
        appearances = appearances.filter(on_screen=True)
    in_memory = Flashback.characters.through.objects.filter(flashback__scene=scene, character=character)
    return Exists(appearances) | Exists(in_memory)


# How a person can be in a scene, as the Appearance fields that record it, in the order pages list them.
WAYS = {"on_screen": "on screen", "voice_over": "heard in voice-over", "mentioned": "mentioned"}


def ways_of(*flags):
    """The ways in words for an appearance's WAYS fields, in that order: (True, True, False) gives ["on screen",
    "heard in voice-over"]."""
    return [label for label, flag in zip(WAYS.values(), flags, strict=True) if flag]


class AppearanceManager(models.Manager):
    def get_by_natural_key(self, scene_slug, character_slug):
        return self.get(scene__slug=scene_slug, character__slug=character_slug)


class Appearance(models.Model):
    """A person in a scene, with every way they are in it: on screen, heard in voice-over, mentioned.

    Being in a memory the scene cuts to is not stored here: it follows from the scene's flashbacks.
    """

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="appearances")
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="appearances")
    on_screen = models.BooleanField(default=True, db_index=True)
    voice_over = models.BooleanField("heard in voice-over", default=False)
    mentioned = models.BooleanField(default=False, help_text="Talked about, without being seen or heard.")

    objects = AppearanceManager()

    class Meta:
        ordering = ["scene__number", alphabetical("character__name"), "character__slug"]
        constraints = [
            models.UniqueConstraint(fields=["scene", "character"], name="one_appearance_per_character_per_scene"),
            models.CheckConstraint(
                condition=Q(on_screen=True) | Q(voice_over=True) | Q(mentioned=True),
                name="an_appearance_has_a_way",
                violation_error_message="Say how they are in the scene: on screen, heard in voice-over or mentioned.",
            ),
        ]

    def __str__(self):
        return f"{self.character} in scene {self.scene.number} ({self.ways_display})"

    def get_absolute_url(self):
        # An appearance has no page of its own: it is shown on its scene's.
        return self.scene.get_absolute_url()

    @property
    def ways(self):
        """The ways they are in the scene, as words: ["on screen", "heard in voice-over"]."""
        return ways_of(*(getattr(self, field) for field in WAYS))

    @property
    def ways_display(self):
        return " · ".join(self.ways)

    def natural_key(self):
        return self.scene.natural_key() + self.character.natural_key()

    natural_key.dependencies = ["scenes.scene", "characters.character"]


class FlashbackQuerySet(SlugQuerySet):
    def in_screen_order(self):
        return self.order_by("scene__number", "slug")

    def known_at(self, horizon):
        """The memories shown up to scene `horizon`."""
        return self.filter(scene__number__lte=horizon)

    def listed(self):
        """The flashbacks as their list shows them (the page and the API), in screen order."""
        return self.in_screen_order().select_related("scene", "rememberer", "location").prefetch_related("characters")


class Flashback(SluggedRecord):
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
        return slug_url("scenes:flashback_detail", self.slug)

    def first_scene_number(self):
        return self.scene.number

    def name_before_seen(self, horizon=None):
        """Whose memory it is, once a viewer at scene `horizon` has met them; else "This memory"."""
        if self.rememberer_id and shows(self.rememberer.first_scene_number(), horizon):
            return f"A memory of {self.rememberer.name}"
        return "This memory"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["scenes.scene", "characters.character", "scenes.location"]

    def clean(self):
        super().clean()
        errors = self.scene_errors()
        if errors:
            raise ValidationError({"rememberer": errors})

    def rule_errors(self):
        """What the rest of the content contradicts in this memory: a list of messages, empty if none."""
        people = set(self.characters.values_list("pk", flat=True)) if self.pk else None
        return self.scene_errors() + (self.people_errors(people) if people is not None else [])

    def scene_errors(self):
        # The person remembering has to be in the scene the memory interrupts, not merely mentioned there.
        if self.scene_id and self.rememberer_id:
            present = Appearance.objects.filter(scene_id=self.scene_id, character_id=self.rememberer_id).filter(
                Q(on_screen=True) | Q(voice_over=True)
            )
            if not present.exists():
                return [f"{self.rememberer} is not in scene {self.scene} (on screen or heard); add them to it first."]
        return []

    def people_errors(self, people):
        """The person remembering is among the people in the memory (`people`: their primary keys). Checked
        against the people as the admin's form sends them (FlashbackForm) and, once saved, as stored
        (rule_errors): the list is a many-to-many field, which the model's clean() cannot see as edited."""
        if self.rememberer_id and self.rememberer_id not in people:
            return [f"{self.rememberer} remembers it, so they are among the people in it; add them to it."]
        return []


def appearances_in(scenes):
    """The appearances in `scenes` (primary keys, or a QuerySet of them) as plain values: each scene's key, the
    person's PersonLink fields and the WAYS they are there, in no order (people_in() sorts them)."""
    return (
        Appearance.objects.filter(scene__in=scenes)
        .order_by()
        .values_list("scene", *(f"character__{field}" for field in PERSON_LINK), *WAYS)
    )


# What a memory's rememberer is read as where the memory is only named as theirs (Character.possessive).
WHOSE_MEMORY = ("name", "is_group", "is_named")


def memories_in(scenes):
    """The people in the flashbacks of `scenes` (primary keys, or a QuerySet of them) as plain values: each scene's
    key, the flashback's key and its rememberer's WHOSE_MEMORY, the person's PersonLink fields; as Scene.people() reads
    them."""
    return (
        Flashback.characters.through.objects.filter(flashback__scene__in=scenes)
        .order_by("flashback__slug", "character__name", "character__slug")
        .values_list(
            "flashback__scene",
            "flashback",
            *(f"flashback__rememberer__{f}" for f in WHOSE_MEMORY),
            *(f"character__{f}" for f in PERSON_LINK),
        )
    )


# A page of scene cards' people as plain values (PersonLink), in two statements however many cards: model instances
# for every appearance and person cost more than the rest of the list page (iwojima_site.baked). By a list of the
# scenes' primary keys, or by their keys as SQL, to read them with the statement that finds the scenes (a page of
# the list, FacetedListView.about_page(); the scene page by its slug).
APPEARANCES_IN = BakedQuery(appearances_in, [int])
MEMORIES_IN = BakedQuery(memories_in, [int])
APPEARANCES_IN_KEYS = BakedQuery(appearances_in, SQL)
MEMORIES_IN_KEYS = BakedQuery(memories_in, SQL)


def people_by_scene(pks):
    """{scene pk: [PersonInScene, …]} for the scenes with these primary keys (a list, at most a page of them), each
    scene's people as Scene.people() gives them but read as PersonLink values; a scene without people maps to [].
    The two statements go to the database together (run_together())."""
    if not pks:
        return {}
    return people_from(pks, *run_together((APPEARANCES_IN, pks), (MEMORIES_IN, pks)))


def people_from(pks, appearances, memories):
    """people_by_scene() from the rows of APPEARANCES_IN and MEMORIES_IN for the scenes with these primary keys (rows
    of other scenes are left out)."""
    people, shown_in = {pk: [] for pk in pks}, {pk: {} for pk in pks}
    for scene, *person, on_screen, voice_over, mentioned in appearances:
        if scene in people:
            people[scene].append((PersonLink(*person), ways_of(on_screen, voice_over, mentioned), on_screen))
    for scene, flashback, name, is_group, is_named, *person in memories:
        if scene in shown_in:
            whose = possessive(name, is_group or not is_named)
            shown_in[scene].setdefault(flashback, (whose, []))[1].append(PersonLink(*person))
    return {pk: people_in(people[pk], shown_in[pk].values()) for pk in pks}


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
    UNKNOWN = "unknown", "Not told"


class LetterQuerySet(SlugQuerySet):
    def in_screen_order(self):
        """Ordered by `first_scene`, the first scene each letter is in: a subquery per letter (a join grouped over
        every letter, with its writer's and recipient's columns, took 7.7 ms at ×100)."""
        in_scenes = Letter.scenes.through.objects.filter(letter=OuterRef("pk"))
        return self.annotate(first_scene=least_of(in_scenes, "scene__number", per="letter")).order_by(
            "first_scene", "slug"
        )

    def known_at(self, horizon):
        """The letters in a scene up to `horizon`, and any in none (nothing to spoil: known at every horizon, as
        horizon.shows() has it), each with `last_scene_number` for `shown_at()` and `film_last_scene` for
        horizon.film_ends_by()."""
        in_scenes = Letter.scenes.through.objects.filter(letter=OuterRef("pk"))
        return self.filter(Exists(in_scenes.filter(scene__number__lte=horizon)) | ~Exists(in_scenes)).annotate(
            last_scene_number=Max("scenes__number"),
            film_last_scene=last_scene_number_of(Scene),
        )

    def listed(self):
        """The letters as their list shows them (the page and the API), in screen order."""
        return self.in_screen_order().select_related("writer", "recipient").prefetch_related("scenes")


class Letter(SluggedRecord):
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
        return slug_url("scenes:letter_detail", self.slug)

    @property
    def route(self):
        """Who wrote it to whom, as the pages say it: "from Saigo to Hanako", "from several writers"."""
        sender = f"from {self.writer.name_in_sentence}" if self.writer else "from several writers"
        return f"{sender} to {self.recipient.name_in_sentence}" if self.recipient else sender

    def scene_range(self):
        """(first, last): the numbers of the first and last scenes it is in, (None, None) for none or unsaved. Of
        every scene, not `self.scenes`, which a page may have prefetched cut at the viewer's scene."""
        if not self.pk:
            return None, None
        numbers = Scene.objects.filter(letters=self).aggregate(first=Min("number"), last=Max("number"))
        return numbers["first"], numbers["last"]

    def first_scene_number(self):
        return self.scene_range()[0]

    def name_before_seen(self, horizon=None):
        """A letter's title may tell what becomes of it: a viewer who has not reached it reads only "this letter"."""
        return "This letter"

    def told_whole_at(self, horizon):
        """Whether a viewer at scene `horizon` (None: not watching along) has reached every scene the letter is in.
        Its summary and its fate tell it across all of them (the bag of letters is buried late in the film and dug
        up in its last scene), so both wait for the last. Reads `last_scene_number` (known_at() annotates it), else
        scene_range(), kept on the instance."""
        if horizon is None:
            return True
        if getattr(self, "last_scene_number", None) is None:
            self.last_scene_number = self.scene_range()[1] or 0
        return self.last_scene_number <= horizon

    def fate_told_at(self, horizon):
        """Whether a viewer at scene `horizon` (None: not watching along) may read its fate: once it is told whole
        (told_whole_at). A fate the film does not tell ("Not told") waits for the film's last scene, as a person's
        does (horizon.film_ends_by()): before it, "Not told" beside the bag's "Not yet told" would tell that the bag
        comes back."""
        if horizon is None:
            return True
        if self.fate == LetterFate.UNKNOWN:
            return film_ends_by(self, horizon)
        return self.told_whole_at(horizon)

    def shown_at(self, horizon):
        """Its fate as a viewer at scene `horizon` may read it (see fate_told_at)."""
        return self.get_fate_display() if self.fate_told_at(horizon) else LETTER_FATE_NOT_YET

    def summary_at(self, horizon):
        """Its summary as a viewer at scene `horizon` may read it, or "" before its last scene (see told_whole_at)."""
        return self.summary if self.told_whole_at(horizon) else ""

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["scenes.scene", "characters.character"]

    def clean(self):
        super().clean()
        if self.writer_id and self.writer_id == self.recipient_id:
            raise ValidationError({"recipient": f"{self.writer} wrote it: the recipient is someone else."})

    # How a letter is shown in the scenes it is in where its writer is writing it (or heard doing so); read aloud
    # or found, a letter may outlive its writer.
    WRITING = frozenset({LetterPresentation.WRITTEN_ON_SCREEN, LetterPresentation.VOICE_OVER})

    def rule_errors(self):
        """What the rest of the content contradicts in this letter: a list of messages, empty if none."""
        return self.writing_errors(self.scenes.all()) if self.pk else []

    def writing_errors(self, scenes):
        """No one writes a letter after their death: with a writer whose fate is a death, a letter written on
        screen or heard in voice-over is in no scene (of `scenes`, a QuerySet) after the scene of the writer's death
        (Character.death_scene_number).
        Checked against the scenes as the admin's form sends them (LetterForm) and, once saved, as stored
        (rule_errors): they are a many-to-many field, which the model's clean() cannot see as edited."""
        if not self.writer_id or self.presentation not in self.WRITING:
            return []
        writer = Character.objects.filter(pk=self.writer_id).select_related("fate_scene").first()
        death = writer and writer.death_scene_number()
        if death is None:
            return []
        later = sorted(scenes.filter(number__gt=death).values_list("number", flat=True))
        if not later:
            return []
        numbers = ", ".join(str(number) for number in later)
        return [
            f"{self.writer} dies in scene {death}, so writes no letter in scene{'s' if len(later) > 1 else ''} "
            f"{numbers}."
        ]


LETTER_FATE_NOT_YET = "Not yet told"


class ContentSync(models.Model):
    """The content as it was when it last matched fixtures/ (after a reload from or an export to it), as a digest
    of the exported files: a reload refuses only when the database changed since, so pulled fixtures load freely."""

    digest = models.CharField(max_length=64)
    # {record key: [digest, name]}: each record as it was then, so that a reload can tell the database's edits since
    # from the files' (scenes.content.record_digests()).
    records = models.JSONField(default=dict)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "content sync"

    def __str__(self):
        return f"Content as of {self.synced_at:%Y-%m-%d %H:%M}"


# The many-to-many tables Django creates have no __str__ of their own ("Letter_scenes object (9)"); these label
# their rows in the admin's inlines and delete confirmations.
def _letter_in_scene(row):
    return f"“{row.letter}” in scene {row.scene.number}"


def _person_in_memory(row):
    return f"{row.character} in the memory “{row.flashback}”"


Letter.scenes.through.__str__ = _letter_in_scene
Flashback.characters.through.__str__ = _person_in_memory
