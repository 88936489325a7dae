import django_filters

from characters.models import Character
from iwojima_site.baked import BakedQuery
from iwojima_site.facets import AllOfFilter, FacetedFilterSet, FlagFilter, ModeFilter, OrderFilter, TextFilter
from iwojima_site.records import BY_TITLE, alphabetical
from scenes.models import Flashback, Letter, LetterFate, LetterPresentation, Location, Part, Period, Presence, Scene


def people():
    """The choices of every people facet, in the order of prominence."""
    return Character.objects.in_order_of_prominence()


# What the people facet reads of each person seen at all, and its statements: {how many: BakedQuery}.
PEOPLE_COUNTED = ("pk", "slug", "name", "seen_scene_count")
PEOPLE_ROWS = {}


class PeopleInSceneFilter(AllOfFilter):
    """People who must all be in a scene, as present as the form's `presence` choice says (default: seen)."""

    def presence(self):
        return self.parent.cleaned().get("presence") if self.parent else None

    def horizon(self):
        return self.parent.horizon if self.parent else None

    def filter(self, qs, value):
        return qs.with_everyone(value, self.presence()) if value else qs

    def facet_counts(self, scenes, limit=None, chosen=(), keys=None, rows=None):
        """({slug: (name, number of these scenes the person is present in)}, how many people are present): the
        people in the order of prominence, only the first `limit` of them (and the `chosen` slugs) if given.
        `keys`: the scenes' primary keys as SQL, when they are filtered (FacetedFilterSet.list_without()); `rows`:
        those of facet_statement(), when they were read ahead."""
        present = None
        if rows is None and self.counts_every_scene(scenes):
            # Every scene, counted as seen: what each person's stored count already says.
            rows = self.rows(limit)()
            # How many there are: counted only when the limit may have cut some (an index walk gives the first ones).
            cut = limit is not None and len(rows) == limit
            total = self.queryset.filter(seen_scene_count__gt=0).count() if cut else len(rows)
        else:
            present = scenes.people_present(self.presence(), keys=keys, horizon=self.horizon())
            rows, total = present.first(limit) if rows is None else present.first_of(rows)
        missing = set(chosen) - {row[1] for row in rows}
        if limit is not None and missing:  # someone chosen further down the order, if present in these scenes at all
            counts = None if present is None else present.counts()
            for pk, slug, name, seen in self.queryset.filter(slug__in=missing).values_list(*PEOPLE_COUNTED):
                if seen > 0 if counts is None else pk in counts:
                    rows.append((pk, slug, name, seen if counts is None else counts[pk]))
        return {slug: (name, count) for _pk, slug, name, count in rows}, total

    def counts_every_scene(self, scenes):
        """Whether the facet counts every scene as seen: each person's stored count says it, no statement of pairs."""
        return not scenes.query.has_filters() and self.presence() != Presence.ANY

    def facet_statement(self, scenes, limit=None, keys=None):
        """The statement facet_counts() reads its people by, as SQL, to read it ahead with others (run_together());
        None where it reads their stored counts instead."""
        if self.counts_every_scene(scenes):
            return None
        return scenes.people_present(self.presence(), keys=keys, horizon=self.horizon()).first_statement(limit)

    def rows(self, limit):
        """A BakedQuery of the first `limit` people seen at all: their PEOPLE_COUNTED rows."""
        if limit not in PEOPLE_ROWS:
            people = self.queryset
            PEOPLE_ROWS[limit] = BakedQuery(
                lambda: people.filter(seen_scene_count__gt=0).values_list(*PEOPLE_COUNTED)[:limit]
            )
        return PEOPLE_ROWS[limit]


class SceneFilter(FacetedFilterSet):
    long_facets = {"character": "people"}

    q = TextFilter(label="Words in the title or summary")
    character = PeopleInSceneFilter(field_name="characters", queryset=people(), label="With everyone of these people")
    presence = ModeFilter(choices=Presence.choices, label="Counting people")
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(), to_field_name="slug", label="Place", empty_label="Any place"
    )
    period = django_filters.ChoiceFilter(choices=Period.choices, label="When", empty_label="Any time")
    part = django_filters.ChoiceFilter(choices=Part.choices, label="Part of the film", empty_label="Any part")
    has_letter = FlagFilter.having(Letter.scenes.through.objects, "scene", label="Has a letter")
    has_flashback = FlagFilter.having(Flashback.objects, "scene", label="Has a flashback")
    order = OrderFilter({"screen": ("Screen order", ["number"]), "title": ("Title", [alphabetical("title"), "number"])})

    class Meta:
        model = Scene
        fields = []


class LetterFilter(FacetedFilterSet):
    long_facets = {"writer": "people", "recipient": "people"}
    told_later = ("fate",)

    q = TextFilter(label="Words in the letter, or a name")
    writer = django_filters.ModelChoiceFilter(
        queryset=people(), to_field_name="slug", label="Written by", empty_label="Anyone"
    )
    recipient = django_filters.ModelChoiceFilter(
        queryset=people(), to_field_name="slug", label="Written to", empty_label="Anyone"
    )
    presentation = django_filters.ChoiceFilter(
        choices=LetterPresentation.choices, label="How it is presented", empty_label="Any way"
    )
    fate = django_filters.ChoiceFilter(choices=LetterFate.choices, label="Its fate", empty_label="Any fate")
    order = OrderFilter({"screen": ("Screen order", ["first_scene", "slug"]), "title": ("Title", BY_TITLE)})

    class Meta:
        model = Letter
        fields = []


class FlashbackFilter(FacetedFilterSet):
    long_facets = {"rememberer": "people", "character": "people"}

    q = TextFilter(label="Words in the memory, or a name")
    rememberer = django_filters.ModelChoiceFilter(
        queryset=people(), to_field_name="slug", label="Whose memory", empty_label="Anyone’s"
    )
    character = AllOfFilter(field_name="characters", queryset=people(), label="With these people in it")
    order = OrderFilter({"screen": ("Screen order", ["scene__number", "slug"]), "title": ("Title", BY_TITLE)})

    class Meta:
        model = Flashback
        fields = []
