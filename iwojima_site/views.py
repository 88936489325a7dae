"""Site-wide pages: the home page, the source and the search across every kind of record."""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.db import DatabaseError
from django.db.models import Count, Q, Window
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from characters.models import IN_ORDER_OF_PROMINENCE, Character
from iwojima_site.baked import BakedQuery, counted
from iwojima_site.caching import current_revision
from iwojima_site.facets import MAX_QUERY_LENGTH
from iwojima_site.film import FILM_FACTS
from iwojima_site.horizon import horizon_of
from iwojima_site.links import absolute_url
from iwojima_site.records import BY_NAME
from iwojima_site.search import RELEVANCE, Search, validate_query
from iwojima_site.security import read_only
from iwojima_site.snapshots import database_unavailable
from iwojima_site.source import contributor_credit, plot_paragraphs
from scenes.models import Flashback, Letter, Location, Part, Scene
from scenes.views import small_chart

# How many results of each kind the search page lists before linking to the full filtered list.
SEARCH_RESULTS_SHOWN = 20
# How many scenes the source page lists under a paragraph (copies of the content would list hundreds).
SCENES_PER_PARAGRAPH = 12


@read_only
def source(request):
    """The plot summary, paragraph by paragraph (anchors #p1…#p30), with the scenes drawn from each."""
    horizon = horizon_of(request)
    scenes_from = {}
    for scene in Scene.objects.in_screen_order().only("number", "slug", "title", "source_paragraphs"):
        for number in scene.source_paragraphs:
            scenes_from.setdefault(number, []).append(scene)
    paragraphs = [
        {
            "number": number,
            # Watching along, a paragraph is shown only when every scene drawn from it has been reached.
            "text": text if horizon is None or all(s.number <= horizon for s in scenes_from.get(number, [])) else "",
            "scenes": [s for s in scenes_from.get(number, []) if horizon is None or s.number <= horizon][
                :SCENES_PER_PARAGRAPH
            ],
        }
        for number, text in plot_paragraphs().items()
        if number > 0
    ]
    return render(request, "source.html", {"paragraphs": paragraphs, "credit": contributor_credit()})


# How many of the people the film follows the home page names (the film has 5).
PRINCIPALS_ON_HOME = 12
# How many scenes the home page's index names (the film has 45); past that it links to the full list.
SCENES_ON_HOME = 60


FIRST_SCENES = BakedQuery(
    lambda: Scene.objects.in_screen_order().only("number", "slug", "title", "part")[:SCENES_ON_HOME]
)
PRINCIPALS = BakedQuery(lambda: Character.objects.filter(principal=True).in_order_of_prominence()[:PRINCIPALS_ON_HOME])


def principals_at(horizon):
    """The principals a viewer at scene `horizon` has met, in the order of prominence."""
    return Character.objects.filter(principal=True).in_order_of_prominence().at(horizon)[:PRINCIPALS_ON_HOME]


def film_parts(horizon=None):
    """The film's parts as they come on screen (the frame twice: at the start and at the end), with their scenes,
    as far as the first SCENES_ON_HOME scenes go (and scene `horizon`, watching along): [{"label", "first",
    "last", "scenes": [Scene, …]}]. One query, and a page of the same size whatever the number of scenes."""
    if horizon is None:
        scenes = FIRST_SCENES()
    else:
        scenes = Scene.objects.in_screen_order().at(horizon).only("number", "slug", "title", "part")[:SCENES_ON_HOME]
    return [
        {"label": Part(part).label, "first": run[0].number, "last": run[-1].number, "scenes": run}
        for part, run in ((part, list(run)) for part, run in groupby(scenes, key=lambda scene: scene.part))
    ]


# The home page's figures for the whole film in one statement, built and compiled once per process: four counts
# built by the ORM on each request cost 0.47 ms at x1 (this: 0.02 ms) and 0.7 ms at x100 (this: 0.26 ms).
COUNTS = BakedQuery(
    lambda: counted(Scene.objects, "scenes").union(
        counted(Character.objects.filter(is_group=False), "people"),
        counted(Character.objects.filter(is_group=True), "groups"),
        counted(Letter.objects, "letters"),
        counted(Flashback.objects, "flashbacks"),
        all=True,
    )
)


def counts_at(horizon):
    """{"scenes", "people", "groups", "letters", "flashbacks"}: how many a viewer at scene `horizon` knows of."""
    if horizon is None:
        return dict(COUNTS())
    return {
        "scenes": Scene.objects.at(horizon).count(),
        **Character.objects.at(horizon).aggregate(  # one pass over the is_group index
            people=Count("pk", filter=Q(is_group=False)), groups=Count("pk", filter=Q(is_group=True))
        ),
        "letters": Letter.objects.at(horizon).order_by().values("pk").count(),
        "flashbacks": Flashback.objects.at(horizon).count(),
    }


@read_only
def home(request):
    horizon = horizon_of(request)
    parts = film_parts(horizon)
    principals = PRINCIPALS() if horizon is None else list(principals_at(horizon))
    # The small narrative chart: the same scenes as the index, the principals' lines (one query more).
    small = small_chart([scene for part in parts for scene in part["scenes"]], principals, horizon)
    return render(
        request,
        "home.html",
        {
            "parts": parts,
            "scenes_on_home": SCENES_ON_HOME,
            "principal_characters": principals,
            "small_chart": small,
            "counts": counts_at(horizon),
            "credit": contributor_credit(),
            "film_facts": FILM_FACTS,
            "people_url": f"{reverse('characters:list')}?{urlencode({'is_group': 'no'})}",
            "groups_url": f"{reverse('characters:list')}?{urlencode({'is_group': 'yes'})}",
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the film", max_length=MAX_QUERY_LENGTH, required=False, validators=[validate_query]
    )


@dataclass(frozen=True)
class ResultKind:
    """One group of the search page: which records, ranked how after the best match, and their full list."""

    label: str
    noun: str
    noun_plural: str
    records: Callable  # -> a QuerySet with what the page shows of each
    order: list  # after the best match: the list's own order
    list_url: str  # the URL name of the list of all of them
    filtered: bool = True  # whether that list has the same text filter (?q=)


# People first: a query that names someone is about them, and their scenes come next.
SEARCH_KINDS = [
    ResultKind("People", "person", "people", Character.objects.all, IN_ORDER_OF_PROMINENCE, "characters:list"),
    ResultKind(
        "Scenes", "scene", "scenes", lambda: Scene.objects.select_related("location"), ["number"], "scenes:list"
    ),
    ResultKind(
        "Letters",
        "letter",
        "letters",
        lambda: Letter.objects.in_screen_order().select_related("writer", "recipient"),
        ["first_scene", "slug"],
        "scenes:letter_list",
    ),
    ResultKind(
        "Flashbacks",
        "flashback",
        "flashbacks",
        lambda: Flashback.objects.select_related("scene", "rememberer"),
        ["scene__number", "slug"],
        "scenes:flashback_list",
    ),
    ResultKind("Places", "place", "places", Location.objects.all, BY_NAME, "scenes:place_list", filtered=False),
]
# Fewer results than this, and the page suggests other spellings too.
FEW_RESULTS = 3


@read_only
def search(request):
    """Every kind of record that matches the query, in groups, each best match first; what was searched
    (words completed, left out) and, when little or nothing is found, the nearest words the site knows.

    A fixed number of queries whatever the size of the content: one for the vocabulary, one a group, and
    one for suggestions when results are few."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "query": query, "groups": [], "total": 0}
    horizon = horizon_of(request)
    if query:
        found = Search(query, at=horizon)
        groups = [result_group(kind, found, query, horizon) for kind in SEARCH_KINDS]
        total = sum(group["count"] for group in groups)
        suggestions = found.suggestions() if total < FEW_RESULTS else []
        context.update(
            groups=groups,
            total=total,
            summary=", ".join(f"{group['count']} {group['noun']}" for group in groups if group["count"]),
            searched=found.words,
            completions=found.completions,
            common=found.common,
            left_out=found.left_out,
            suggestions=[(text, f"{reverse('search')}?{urlencode({'q': text})}") for text in suggestions],
        )
    return render(request, "search.html", context, status=400 if form.errors else 200)


def result_group(kind, found, query, horizon=None):
    """One group: its first SEARCH_RESULTS_SHOWN results and how many there are (up to scene `horizon`, watching
    along), in one query."""
    matches = found.filter(kind.records().at(horizon)).order_by(f"-{RELEVANCE}", *kind.order)
    results = list(matches.annotate(matches_found=Window(Count("pk")))[:SEARCH_RESULTS_SHOWN])
    count = results[0].matches_found if results else 0
    list_url = reverse(kind.list_url)
    return {
        "label": kind.label,
        "kind": kind.noun,
        "noun": kind.noun if count == 1 else kind.noun_plural,
        "count": count,
        "results": results,
        "more_url": f"{list_url}?{urlencode({'q': query})}" if kind.filtered else list_url,
        "filtered": kind.filtered,
    }


@never_cache
@read_only
def health(request):
    """For a load balancer: 200 "ok <revision>" when the database answers, 503 when it does not. Never cached."""
    try:
        revision = current_revision()
    except DatabaseError as error:
        return database_unavailable(request, error)
    return HttpResponse(f"ok {revision.number}\n", content_type="text/plain")


@read_only
def robots(request):
    """robots.txt: everything but the admin, the correction form and the API's data, and where the sitemap is."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /suggest/", "Disallow: /api/"]
    lines.append(f"Sitemap: {absolute_url(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
