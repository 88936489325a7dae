from collections import defaultdict

from django.db.models import BooleanField, Count, Prefetch, Q, Subquery, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, RedirectView, TemplateView, View

from characters.models import DEATHS, Character
from iwojima_site.baked import BakedQuery, run_together
from iwojima_site.facets import FacetedListView, KnownParametersMixin
from iwojima_site.horizon import PARAMETER as HORIZON_PARAMETER
from iwojima_site.horizon import HorizonDetailMixin, horizon_of, later_page, shows, watching_at
from iwojima_site.records import FormerSlugRedirectMixin, renamed_query_redirect
from iwojima_site.templatetags.addresses import route_url
from scenes.charts import COLUMN_WIDTH, TOP, SceneIn, layout
from scenes.filters import FlashbackFilter, LetterFilter, SceneFilter
from scenes.models import (
    APPEARANCES_IN_KEYS,
    MEMORIES_IN_KEYS,
    PERSON_LINK,
    WHOSE_MEMORY,
    Appearance,
    Flashback,
    Letter,
    Location,
    Part,
    Period,
    Scene,
    people_by_scene,
    people_from,
)
from scenes.storycurve import Item, story_layout

# What a scene card shows of its scene (templates/jinja2/lists/scenes.html).
SCENE_CARD = ("number", "slug", "title", "summary", "period", "location", "location__name")


class SceneListView(FacetedListView):
    filterset_class = SceneFilter
    template_name = "scenes/scene_list.html"
    title = "Scenes"
    section = "scenes"
    noun, noun_plural = "scene", "scenes"
    api_url_name = "api:scene-list"
    facet_links = {"location": ("Every place", "scenes:place_list")}

    # Built once (ListView clones it for each request), reading only what a card shows: no JSON to parse.
    queryset = Scene.objects.listed().only(*SCENE_CARD)
    bake_pages = True

    def get_context_data(self, **kwargs):
        # The narrative chart with the people this list is filtered by highlighted.
        people = self.request.GET.getlist("character")
        chart_url = route_url("scenes:timeline") + (
            f"?{urlencode({'highlight': people}, doseq=True)}" if people else ""
        )
        context = super().get_context_data(chart_url=chart_url, **kwargs)
        read = self.about_page_rows(context["page_obj"])
        context["cards"] = self.cards(context["object_list"], (read["appearances"], read["memories"]) if read else None)
        return context

    def about_page(self, keys):
        return {"appearances": (APPEARANCES_IN_KEYS, keys), "memories": (MEMORIES_IN_KEYS, keys)}

    @staticmethod
    def cards(scenes, people_rows=None):
        """What each scene's card shows, as plain values: the template engine reads a dict's keys faster than a
        model's attributes and methods (about 10 µs a card), and the people of the whole page come in two
        statements (people_by_scene()), or from their rows read with the page (`people_rows`: those of
        APPEARANCES_IN_KEYS and MEMORIES_IN_KEYS)."""
        scenes = list(scenes)
        pks = [scene.pk for scene in scenes]
        people = people_by_scene(pks) if people_rows is None else people_from(pks, *people_rows)
        return [
            {
                "number": scene.number,
                "period": scene.get_period_display(),
                "place": scene.location.name,
                "url": scene.get_absolute_url(),
                "title": scene.title,
                "summary": scene.summary,
                "people": people[scene.pk],
                "letter_count": scene.letter_count,
                "flashback_count": scene.flashback_count,
            }
            for scene in scenes
        ]


# What the scene page shows of the scene itself: not its former slugs, nor its place's description (JSON parsed
# for nothing on every request).
SCENE_SHOWN = ("number", "slug", "title", "summary", "period", "part", "source_paragraphs")


class SceneDetailView(FormerSlugRedirectMixin, HorizonDetailMixin, DetailView):
    """A scene: where and when, what happens, everyone in it and how, its flashbacks and letters, the scenes either
    side. Baked queries (iwojima_site.baked), each reading only what the page shows; its people as the scene list's
    cards read them (people_by_scene())."""

    template_name = "scenes/scene_detail.html"
    model = Scene
    extra_context = {"section": "scenes"}

    scene_by_slug = BakedQuery(
        lambda slug: (
            Scene.objects.select_related("location")
            .only(*SCENE_SHOWN, "location", "location__slug", "location__name", "location__region")
            .filter(slug=slug)
        ),
        str,
    )
    # What else the page shows, by the scene's slug, so that all of it is read at once (get_object()).
    scene_key = BakedQuery(lambda slug: Scene.objects.filter(slug=slug).values_list("pk"), str)
    flashbacks = BakedQuery(
        lambda slug: (
            Flashback.objects.filter(scene__slug=slug)
            .select_related("rememberer")
            .only("slug", "title", "when", "scene", "rememberer__slug", *(f"rememberer__{f}" for f in WHOSE_MEMORY))
        ),
        str,
    )
    letters = BakedQuery(
        lambda slug: (
            Letter.objects.filter(scenes__slug=slug)
            .select_related("writer", "recipient")
            .only(
                "slug",
                "title",
                "presentation",
                *(f"{who}__{f}" for who in ("writer", "recipient") for f in PERSON_LINK),
            )
        ),
        str,
    )
    neighbours = BakedQuery(
        lambda slug: Scene.objects.neighbours(Subquery(Scene.objects.filter(slug=slug).values("number"))), str
    )

    def get_object(self, queryset=None):
        # The scene and everything the page shows of it, in one trip to the database (run_together()).
        slug = self.kwargs["slug"]
        key = self.scene_key.statement(slug)
        found, *self.shown = run_together(
            (self.scene_by_slug, slug),
            (self.flashbacks, slug),
            (APPEARANCES_IN_KEYS, key),
            (MEMORIES_IN_KEYS, key),
            (self.neighbours, slug),
            (self.letters, slug),
        )
        if not found:
            raise Http404("No scene has that address.")
        return found[0]

    def get_context_data(self, **kwargs):
        scene = self.object
        flashbacks, appearances, memories, neighbours, letters = self.shown
        people = people_from([scene.pk], appearances, memories)[scene.pk]
        neighbours = {other.number < scene.number: other for other in neighbours}
        next_scene, horizon = neighbours.get(False), horizon_of(self.request)
        return super().get_context_data(
            # Plain values for the page's longest loop: the template engine reads a dict's keys faster than
            # attributes through a dataclass and a named tuple (about 20 µs a page).
            people=[
                {
                    "url": person.character.get_absolute_url(),
                    "name": person.character.name,
                    "ways": person.ways_display,
                    "role": person.character.role,
                }
                for person in people
            ],
            flashbacks=flashbacks,
            letters=letters,
            previous_scene=neighbours.get(True),
            next_scene=next_scene,
            scene_count=next(iter(neighbours.values())).scene_count if neighbours else 1,  # else it is the only one
            # The watch-along links: this page at this scene; the next scene's page (by number) at the next scene,
            # when it lies past the horizon (watched, it becomes the horizon).
            watch_here_url=watching_at(self.request, scene.number) if horizon != scene.number else None,
            watch_next_url=(
                f"{reverse('scenes:by_number', args=[next_scene.number])}?at={next_scene.number}"
                if next_scene and horizon and next_scene.number > horizon
                else None
            ),
            **kwargs,
        )


class SceneByNumberView(RedirectView):
    """/scenes/number/<n>/: a 302 to scene n's page, the query kept; 404 for a number no scene has. Watching
    along, the link to the next scene names it by number: its slug could tell what happens in it. So a scene past
    the horizon is not redirected to: this address answers the "further on" page a later scene's own page shows,
    whose "I have watched up to…" link comes back here with the horizon moved on."""

    query_string = True
    http_method_names = ["get", "head", "options"]  # RedirectView's own would take any method and redirect it
    options = View.options  # says which it takes (RFC 9110 §9.3.7), where RedirectView's would redirect it too

    def get(self, request, *args, **kwargs):
        scene = get_object_or_404(Scene.objects.only("number", "slug"), number=kwargs["number"])
        horizon = horizon_of(request)
        if not shows(scene.first_scene_number(), horizon):
            return later_page(request, scene)
        self.url = scene.get_absolute_url()
        return super().get(request, *args, **kwargs)


class LetterListView(FacetedListView):
    filterset_class = LetterFilter
    template_name = "scenes/letter_list.html"
    title = "Letters"
    section = "letters"
    noun, noun_plural = "letter", "letters"
    api_url_name = "api:letter-list"

    queryset = Letter.objects.listed()  # built once; ListView clones it for each request


class LetterDetailView(FormerSlugRedirectMixin, HorizonDetailMixin, DetailView):
    template_name = "scenes/letter_detail.html"
    extra_context = {"section": "letters"}

    def get_queryset(self):
        horizon = horizon_of(self.request)
        scenes = Scene.objects.select_related("location").in_screen_order().at(horizon)
        return Letter.objects.select_related("writer", "recipient").prefetch_related(
            Prefetch("scenes", queryset=scenes)
        )


class FlashbackListView(FacetedListView):
    filterset_class = FlashbackFilter
    template_name = "scenes/flashback_list.html"
    title = "Flashbacks"
    section = "flashbacks"
    noun, noun_plural = "flashback", "flashbacks"
    api_url_name = "api:flashback-list"

    queryset = Flashback.objects.listed()  # built once; ListView clones it for each request


class FlashbackDetailView(FormerSlugRedirectMixin, HorizonDetailMixin, DetailView):
    template_name = "scenes/flashback_detail.html"
    queryset = Flashback.objects.select_related("scene", "rememberer", "location").prefetch_related("characters")
    extra_context = {"section": "flashbacks"}


class PlaceListView(KnownParametersMixin, ListView):
    """Every place, by region, with how many scenes happen there and how many memories go back to it."""

    template_name = "scenes/place_list.html"
    extra_context = {"section": "places"}

    def get_queryset(self):
        return Location.objects.listed(horizon_of(self.request))


class PlaceDetailView(FormerSlugRedirectMixin, HorizonDetailMixin, DetailView):
    """A place: what and where it is, every scene there in screen order, and the memories set there."""

    template_name = "scenes/place_detail.html"
    context_object_name = "place"
    extra_context = {"section": "places"}

    def get_queryset(self):
        horizon = horizon_of(self.request)
        memories = Flashback.objects.in_screen_order().select_related("scene", "rememberer").at(horizon)
        return Location.objects.prefetch_related(
            Prefetch("scenes", queryset=Scene.objects.in_screen_order().at(horizon)),
            Prefetch("flashbacks", queryset=memories),
        )


class ScenePagesMixin(KnownParametersMixin):
    """A chart of at most MAX_SCENES scenes a page: the page (from 1) in the address as `page`. Its address holds
    only what it reads (`kept_parameters`), and a page it does not have is named in a notice (page_notices())."""

    MAX_SCENES = 60
    kept_parameters = ("page", HORIZON_PARAMETER)

    def page_of(self, size):
        """(page, pages) for `size` scenes: the address's page, kept within 1..pages; the first for one that is not a
        whole number (int() refuses "²" and numbers of more than 4,300 digits, which str.isdigit() lets through)."""
        pages = max(1, -(-size // self.MAX_SCENES))
        try:
            page = int(self.request.GET.get("page", ""))
        except ValueError:
            page = 1
        return min(max(page, 1), pages), pages

    def page_notices(self, page, pages):
        """The notice for a `page` the chart does not have (`abc`, 0, past the last): the chart shows page `page`
        of its `pages` instead, and says so, as the lists answer such a page with a 404 that names their pages."""
        asked = self.request.GET.get("page")
        if asked is None or asked.strip() == str(page):
            return []
        return [
            f"There is no page {quoted(asked)} of these scenes, which fill {pages} page{pluralize(pages)}: "
            f"the chart shows page {page}."
        ]

    def page_url(self, page):
        """This chart's address on another page of scenes (page 1 is the address without `page`)."""
        query = self.request.GET.copy()
        query.pop("page", None)
        if page > 1:
            query["page"] = page
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path

    def page_links(self, page, pages):
        return {
            "page": page,
            "pages": pages,
            "previous_url": self.page_url(page - 1) if page > 1 else None,
            "next_url": self.page_url(page + 1) if page < pages else None,
        }


def quoted(text, limit=40):
    """Text from the address in quotation marks, cut to `limit` characters: a notice repeats it, whatever its size."""
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


class TimelineView(ScenePagesMixin, TemplateView):
    """The narrative chart (xkcd 657): a line per person across the scenes, in a fixed number of queries.

    The address holds the whole state: `part` (one of the film's parts; by default the whole film when it has
    at most MAX_SCENES scenes, else the first part), `everyone=1` (every person in those scenes, not only the
    principals and the named people seen in MIN_SEEN scenes or more), `highlight=<slug>` (repeatable) and `page`
    (of a part longer than MAX_SCENES scenes). At most MAX_SCENES scenes and MAX_LINES lines (by prominence,
    highlighted people first) are drawn, so the page stays bounded at any size of content."""

    template_name = "scenes/timeline.html"
    extra_context = {"section": "timeline"}
    kept_parameters = ("part", "everyone", "highlight", "page", HORIZON_PARAMETER)
    kept_lists = ("highlight",)
    MAX_LINES = 40
    MIN_SEEN = 3
    # What the chart reads of each person drawn: fate_told_at() reads the last three (one deferred: a query each).
    PERSON_FIELDS = ("slug", "name", "rank", "principal", "is_group", "is_named", "seen_scene_count")
    PERSON_FIELDS += ("fate", "fate_scene", "credited_only")
    # The answers `everyone` may give: the form sends 1; a hand-written address may say yes or no in other words.
    YES, NO = ("1", "yes", "true", "on"), ("0", "no", "false", "off")

    def get(self, request, *args, **kwargs):
        # A link from before a rename highlights the same people: 301 to it by their slugs now, as the lists answer.
        if renamed := renamed_query_redirect(request, {"highlight": Character}):
            return renamed
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET
        horizon = horizon_of(self.request)
        part_sizes = dict(Scene.objects.at(horizon).order_by().values_list("part").annotate(n=Count("pk")))
        film_size = sum(part_sizes.values())
        parts = [(value, label, part_sizes[value]) for value, label in Part.choices if part_sizes.get(value)]
        part = asked = query.get("part", "")
        if part not in part_sizes:
            part = "" if film_size <= self.MAX_SCENES or not parts else parts[0][0]
        everyone = query.get("everyone", "").strip().lower() in self.YES
        highlight = query.getlist("highlight")  # each once, none empty: KnownParametersMixin's clean-up
        # A part longer than MAX_SCENES is shown a page of scenes at a time (`page`, from 1).
        part_size = part_sizes.get(part, film_size)
        page, pages = self.page_of(part_size)
        start = (page - 1) * self.MAX_SCENES
        scenes = Scene.objects.only("number", "slug", "title").order_by("number").at(horizon)
        scenes = list((scenes.filter(part=part) if part else scenes)[start : start + self.MAX_SCENES])
        content = scene_content(scenes)
        people = self.charted_people(content["present"], everyone, highlight, horizon)
        scenes_in = [
            SceneIn(
                scene.pk,
                seen=frozenset(content["seen"][scene.pk]),
                heard=frozenset(content["heard"][scene.pk] - content["seen"][scene.pk]),
                letters=tuple(content["letters"][scene.pk]),
                flashbacks=tuple((f, f.rememberer_id) for f in content["flashbacks"][scene.pk]),
            )
            for scene in scenes
        ]
        # Watching along, a fate after the viewer's scene is neither marked nor ends a line.
        told = [person for person in people if person.fate_told_at(horizon)]
        fates = {person.pk: person.fate_scene_id for person in told if person.fate_scene_id}
        ends = {person.pk for person in told if person.fate in DEATHS}
        highlighted = [person.name for person in people if person.slug in highlight]
        # The title names the state in the address, so each view of the chart has its own.
        title = ", ".join(
            [dict(Part.choices).get(part, "the whole film")]
            + (["everyone"] if everyone else [])
            + ([f"{' and '.join(highlighted)} highlighted"] if highlighted else [])
            + ([f"page {page}"] if page > 1 else [])
        )
        chart = layout(scenes_in, [person.pk for person in people], fates, ends)
        return super().get_context_data(
            notices=self.notices(asked, part, highlight, people, horizon)
            + self.everyone_notices(query.get("everyone"))
            + self.page_notices(page, pages),
            layout=chart,
            chart_title=title,
            chart=timeline_drawing(chart, scenes, people, highlight),
            rows=timeline_rows(chart, scenes, people, content["seen"], fates),
            crossings=chart.crossings,
            baseline_crossings=chart.baseline_crossings,
            parts=parts,
            part=part,
            part_label=dict(Part.choices).get(part, "The whole film"),
            film_size=film_size,
            part_size=part_size,
            **self.page_links(page, pages),
            everyone=everyone,
            highlight=[slug for slug in highlight if any(p.slug == slug for p in people)],
            **kwargs,
        )

    @staticmethod
    def notices(asked, part, highlight, people, horizon):
        """What the chart could not show as the address asks (a part it does not have, people it does not draw):
        sentences shown above it, which name only what the address itself holds."""
        notices = []
        if asked and asked != part:
            shown = dict(Part.choices).get(part, "the whole film")
            if asked in Part.values:
                missing = f"{Part(asked).label} has no scenes{f' up to scene {horizon}' if horizon else ''}"
            else:
                missing = f"There is no part {quoted(asked)}"
            notices.append(f"{missing}: the chart shows {shown[:1].lower() + shown[1:]}.")
        drawn = {person.slug for person in people}
        if missing_people := [slug for slug in highlight if slug not in drawn]:
            names = ", ".join(quoted(slug) for slug in missing_people[:5])
            more = f" and {len(missing_people) - 5} more" if len(missing_people) > 5 else ""
            notices.append(f"Not among the people drawn here, so not highlighted: {names}{more}.")
        return notices

    def everyone_notices(self, asked):
        """The notice for an `everyone` that is neither yes nor no (YES, NO): the chart leaves the others out."""
        if asked is None or asked.strip().lower() in self.YES + self.NO:
            return []
        return [
            f"“Everyone” is yes (1) or no, not {quoted(asked)}: the chart shows the principals and the people "
            f"seen in at least {self.MIN_SEEN} scenes."
        ]

    def charted_people(self, present, everyone, highlight, horizon=None):
        """The people drawn, in the order of prominence: highlighted people first, then the rest up to the cap."""
        people = list(
            Character.objects.filter(pk__in=present).only(*self.PERSON_FIELDS).in_order_of_prominence().at(horizon)
        )
        wanted = [
            person
            for person in people
            if everyone
            or person.principal
            or person.slug in highlight
            or (person.is_named and not person.is_group and person.seen_scene_count >= self.MIN_SEEN)
        ]
        first = [person for person in wanted if person.slug in highlight]
        return (first + [person for person in wanted if person not in first])[: self.MAX_LINES]


def scene_content(scenes):
    """Who is seen and heard in each scene, and its letters and flashbacks, in four queries whatever the size.

    Returns {"seen": {scene pk: {person pk}}, "heard": {…}, "letters": {scene pk: [Letter]},
    "flashbacks": {scene pk: [Flashback]}, "present": {person pk}}."""
    ids = [scene.pk for scene in scenes]
    seen, heard = defaultdict(set), defaultdict(set)
    letters, flashbacks = defaultdict(list), defaultdict(list)
    appearances = Appearance.objects.filter(scene__in=ids).values_list("scene", "character", "on_screen", "voice_over")
    for scene, person, on_screen, voice_over in appearances:
        if on_screen:
            seen[scene].add(person)
        if voice_over:
            heard[scene].add(person)
    for scene, person in Flashback.characters.through.objects.filter(flashback__scene__in=ids).values_list(
        "flashback__scene", "character"
    ):
        seen[scene].add(person)
    for flashback in Flashback.objects.filter(scene__in=ids).only("slug", "title", "scene", "rememberer"):
        flashbacks[flashback.scene_id].append(flashback)
    for row in Letter.scenes.through.objects.filter(scene__in=ids).select_related("letter").order_by("letter__slug"):
        letters[row.scene_id].append(row.letter)
    present = set().union(*seen.values(), *heard.values())
    return {"seen": seen, "heard": heard, "letters": letters, "flashbacks": flashbacks, "present": present}


# The lines' colours: the Okabe–Ito palette, which stays distinct in the common colour-vision deficiencies. The
# stylesheet gives each class its colour in light and dark mode.
PALETTE_SIZE = 7
# The home page's small chart draws at most this many principals.
SMALL_CHART_LINES = 12


def timeline_drawing(chart, scenes, people, highlight):
    """What the SVG template draws: the layout's geometry with names, addresses and labels attached."""
    scene_of = {scene.pk: scene for scene in scenes}
    person_of = {person.pk: person for person in people}
    colour = {person.pk: n % PALETTE_SIZE for n, person in enumerate(people)}
    lines = []
    for line in chart.lines:
        person = person_of[line.person]
        first, last = scenes[line.start[0]], scenes[line.end[0]]
        lines.append(
            {
                "person": person,
                "colour": colour[person.pk],
                "highlighted": person.slug in highlight,
                "label": f"{person.name}: scenes {first.number} to {last.number}",
                # The name just before the line's start, level with it.
                "label_x": line.start[1] - 10,
                "label_y": line.start[2] + 3,
                "segments": line.segments,
            }
        )
    marks = []
    for mark in chart.marks:
        scene = scenes[mark.column]
        if mark.kind == "letter":
            label, url = f"Letter in scene {scene.number}: {mark.item.title}", mark.item.get_absolute_url()
        elif mark.kind == "flashback":
            who = person_of[mark.person].possessive
            label, url = f"{who} memory in scene {scene.number}: {mark.item.title}", mark.item.get_absolute_url()
        else:
            person = person_of[mark.person]
            label = f"{person.possessive} fate in scene {scene.number}: {person.get_fate_display().lower()}"
            url = person.get_absolute_url()
        marks.append({"kind": mark.kind, "x": mark.x, "y": mark.y, "label": label, "url": url})
    columns = [
        {
            "scene": scene_of[column.key],
            "x": column.x,
            # A rounded box around each band's lines.
            "bands": [
                {"x": column.x - 10, "y": band.top - 4, "width": 20, "height": band.bottom - band.top + 8}
                for band in column.bands
            ],
        }
        for column in chart.columns
    ]
    return {
        "columns": columns,
        "lines": lines,
        "marks": marks,
        "width": chart.width,
        "height": chart.height,
        "dimmed": bool(highlight),
    }


# The columns the small chart reads about each principal in a scene (the scene first).
SMALL_CHART_COLUMNS = (
    "character_id",
    "character__slug",
    "character__name",
    "character__fate_scene_id",
    "character__fate",
)


def _principals_in_scenes_up_to(last):
    """The principals seen or heard in the scenes numbered up to `last`: (scene pk, *SMALL_CHART_COLUMNS,
    on_screen) per appearance or memory; a memory counts as on screen, a row neither seen nor heard is left out."""
    appearances = (
        Appearance.objects.filter(scene__number__lte=last, character__principal=True)
        .filter(Q(on_screen=True) | Q(voice_over=True))
        .order_by()  # a part of a UNION may have no ORDER BY
        .values_list("scene_id", *SMALL_CHART_COLUMNS, "on_screen")
    )
    memories = (
        Flashback.characters.through.objects.filter(flashback__scene__number__lte=last, character__principal=True)
        .annotate(on_screen=Value(True, output_field=BooleanField()))
        .order_by()
        .values_list("flashback__scene_id", *SMALL_CHART_COLUMNS, "on_screen")
    )
    return appearances.union(memories, all=True)


# Built and compiled by the ORM once per process (1 ms a request at x100), run with each request's last scene.
PRINCIPALS_IN_SCENES_UP_TO = BakedQuery(_principals_in_scenes_up_to, int)


def small_chart(scenes, principals, horizon=None):
    """The home page's small narrative chart: the principals' lines across `scenes`, in one query.

    `scenes` are the first Scenes in screen order, none left out up to the last (already loaded by the caller:
    the home page's index); `principals` are the principals already loaded in the order of prominence, which
    orders the lines (any other principal in these scenes follows, by first appearance). Returns {"lines":
    [{"slug", "name", "colour", "paths": {state: d}}], "fates": [{"x", "y"}], "view_box", "first", "last"}: each
    line's pieces joined into one path per state, so the drawing stays a few kilobytes at any size; None when no
    principal is in these scenes.
    Watching along (`horizon`), only the fates in these scenes are drawn or end a line."""
    if not scenes:
        return None
    ids = [scene.pk for scene in scenes]
    seen, heard, people = defaultdict(set), defaultdict(set), {}
    # Seen (on screen or in a memory) or else heard: the rows that are neither were filtered out above.
    for scene, person, slug, name, fate_scene, fate, on_screen in PRINCIPALS_IN_SCENES_UP_TO(scenes[-1].number):
        people[person] = (slug, name, fate_scene, fate in DEATHS)
        (seen if on_screen else heard)[scene].add(person)
    if not people:
        return None
    order = {person.pk: n for n, person in enumerate(principals)}
    first = {pk: min(n for n, scene in enumerate(ids) if pk in seen[scene] | heard[scene]) for pk in people}
    charted = sorted(people, key=lambda pk: (order.get(pk, len(order)), first[pk], people[pk][0]))
    charted = charted[:SMALL_CHART_LINES]
    if horizon is not None:
        people = {
            pk: (*row[:2], row[2] if row[2] in ids else None, row[3] and row[2] in ids) for pk, row in people.items()
        }
    chart = layout(
        [SceneIn(pk, frozenset(seen[pk]), frozenset(heard[pk] - seen[pk])) for pk in ids],
        charted,
        {pk: people[pk][2] for pk in charted if people[pk][2]},
        {pk for pk in charted if people[pk][3]},
    )
    lines = []
    for n, line in enumerate(chart.lines):
        paths = defaultdict(list)
        for segment in line.segments:
            paths[segment.state].append(segment.d)
        slug, name, *_fate = people[line.person]
        lines.append(
            {
                "slug": slug,
                "name": name,
                "colour": n % PALETTE_SIZE,
                "paths": {k: " ".join(v) for k, v in paths.items()},
            }
        )
    fates = [{"x": mark.x, "y": mark.y} for mark in chart.marks if mark.kind == "fate"]
    # No names or letters are drawn here, so the view box leaves out the room the full chart keeps for them.
    left, top = chart.columns[0].x - COLUMN_WIDTH / 2, TOP - 12
    return {
        "lines": lines,
        "fates": fates,
        "view_box": f"{left:g} {top:g} {chart.width - COLUMN_WIDTH - left:g} {chart.height - top:g}",
        "first": scenes[0],
        "last": scenes[-1],
    }


def timeline_rows(chart, scenes, people, seen, fates):
    """The chart's facts as table rows: [{person, seen (count), first, last, fate}] in the order of prominence;
    `fates` ({person pk: fate scene pk}) are the fates the chart may tell."""
    charted = {line.person for line in chart.lines}
    rows = []
    for person in people:
        if person.pk not in charted:
            continue
        numbers = [scene for scene in scenes if person.pk in seen[scene.pk]]
        fate = next((scene for scene in scenes if scene.pk == fates.get(person.pk)), None)
        rows.append(
            {
                "person": person,
                "seen": len(numbers),
                "first": numbers[0] if numbers else None,
                "last": numbers[-1] if numbers else None,
                "fate": fate,
            }
        )
    return rows


# Story time in coarse bands, earliest first: what the memories reach back to, then the film's periods. The
# sources date nothing finer (the battle's first day is in the film's facts), so each band is one level.
EARLIER = "earlier"
STORY_BANDS = [EARLIER, Period.BEFORE_INVASION, Period.BATTLE, Period.PRESENT_DAY]
STORY_BAND_LABELS = {
    EARLIER: "Earlier years, which the memories reach",
    Period.BEFORE_INVASION: "Before the invasion",
    Period.BATTLE: "The battle, from 19 February 1945",
    Period.PRESENT_DAY: "The present day: the excavation",
}


class StoryChartView(ScenePagesMixin, TemplateView):
    """Screen order against story order (Story Curves): each scene, and each memory it cuts to, in the order shown
    across, at its band of story time down, in three queries at any size.

    A scene's band is its `period`; a memory's is "earlier years", since every memory goes back before the story
    on the island. The plot summary does not tell when the memories happened relative to one another, so they
    share one level in the order shown, marked "order not told". At most MAX_SCENES scenes (and their memories)
    are drawn, a page at a time (`page` in the address), so the page stays bounded at any size of content."""

    template_name = "scenes/story_chart.html"
    extra_context = {"section": "timeline"}

    def get_context_data(self, **kwargs):
        shown = Scene.objects.at(horizon_of(self.request))
        film_size = shown.count()
        page, pages = self.page_of(film_size)
        start = (page - 1) * self.MAX_SCENES
        scenes = list(
            shown.only("number", "slug", "title", "period").order_by("number")[start : start + self.MAX_SCENES]
        )
        memories = defaultdict(list)
        for memory in (
            Flashback.objects.filter(scene__in=[scene.pk for scene in scenes])
            .select_related("rememberer")
            .only("slug", "title", "when", "scene", "rememberer__slug", *(f"rememberer__{f}" for f in WHOSE_MEMORY))
            .order_by("slug")
        ):
            memories[memory.scene_id].append(memory)
        items = []
        for scene in scenes:
            items.append(Item(scene, scene.period))
            items += [Item(memory, EARLIER, "memory", order_told=False) for memory in memories[scene.pk]]
        chart = story_layout(items, STORY_BANDS)
        drawing = story_drawing(chart)
        return super().get_context_data(
            notices=self.page_notices(page, pages),
            chart=drawing,
            film_size=film_size,
            first=scenes[0] if scenes else None,
            last=scenes[-1] if scenes else None,
            memory_count=sum(map(len, memories.values())),
            **self.page_links(page, pages),
            **kwargs,
        )


def story_drawing(chart):
    """What the story chart's template draws, and its table: the layout with titles, addresses and labels.

    `chart` is a StoryLayout whose item keys are Scenes (kind "scene") and Flashbacks with their rememberer
    (kind "memory"). Returns {"bands", "scenes", "memories", "segments", "rows", "width", "height"}."""
    bands = [{"box": box, "label": STORY_BAND_LABELS[box.key], "earlier": box.key == EARLIER} for box in chart.bands]
    scenes, memories, rows = [], [], []
    jump_words = {"back": "jumps back in time", "forward": "jumps forward in time", "": ""}
    scene = None
    for point in chart.points:
        band = STORY_BAND_LABELS[point.band]
        if point.kind == "scene":
            scene = point.key
            label = f"Scene {scene.number}: {scene.title}. {band}"
            scenes.append({"point": point, "scene": scene, "label": label})
            rows.append({"scene": scene, "memory": None, "band": band, "jump": jump_words[point.jump]})
        else:
            memory = point.key
            label = (
                f"{memory.rememberer.possessive} memory in scene {scene.number}: {memory.title}. {band}, "
                f"{memory.when}; order not told"
            )
            memories.append({"point": point, "memory": memory, "label": label})
            rows.append({"scene": scene, "memory": memory, "band": band, "jump": jump_words[point.jump]})
    segments = [{"d": segment.d, "jump": segment.jump} for segment in chart.segments]
    return {
        "bands": bands,
        "scenes": scenes,
        "memories": memories,
        "segments": segments,
        "rows": rows,
        "width": chart.width,
        "height": chart.height,
    }
