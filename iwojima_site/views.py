"""Site-wide pages: the home page, the source and the search across every kind of record."""

import re
from functools import cache
from itertools import groupby

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from characters.filters import CharacterFilter
from characters.models import Character
from iwojima_site.facets import MAX_QUERY_LENGTH
from iwojima_site.film import FILM_FACTS
from scenes.filters import FlashbackFilter, LetterFilter, SceneFilter
from scenes.models import Flashback, Letter, Part, Scene

PLOT_SUMMARY = settings.BASE_DIR / "fixtures" / "source" / "plot-summary-numbered.md"
# How many results of each kind the search page lists before linking to the full filtered list.
SEARCH_RESULTS_SHOWN = 20
# How many scenes the source page lists under a paragraph (copies of the content would list hundreds).
SCENES_PER_PARAGRAPH = 12


@cache
def plot_paragraphs():
    """The plot summary as {paragraph number: text}; ¶0 is the contributor's credit."""
    text = PLOT_SUMMARY.read_text(encoding="utf-8")
    return {int(number): body.strip() for number, body in re.findall(r"^¶(\d+)\s+(.+)$", text, re.MULTILINE)}


def contributor_credit():
    """Paragraph 0 of the plot summary: the contributor's credit line."""
    return plot_paragraphs().get(0, "")


def source(request):
    """The plot summary, paragraph by paragraph (anchors #p1…#p30), with the scenes drawn from each."""
    scenes_from = {}
    for scene in Scene.objects.in_screen_order().only("number", "slug", "title", "source_paragraphs"):
        for number in scene.source_paragraphs:
            scenes_from.setdefault(number, []).append(scene)
    paragraphs = [
        {"number": number, "text": text, "scenes": scenes_from.get(number, [])[:SCENES_PER_PARAGRAPH]}
        for number, text in plot_paragraphs().items()
        if number > 0
    ]
    return render(request, "source.html", {"paragraphs": paragraphs, "credit": contributor_credit()})


def home(request):
    scenes = Scene.objects.in_screen_order().select_related("location")
    # The film's parts as they come on screen; the frame comes twice, at the start and the end.
    parts = [(Part(part).label, list(run)) for part, run in groupby(scenes, key=lambda scene: scene.part)]
    return render(
        request,
        "home.html",
        {
            "parts": parts,
            "principal_characters": Character.objects.filter(principal=True).in_order_of_prominence(),
            "counts": {
                "scenes": len(scenes),
                "people": Character.objects.filter(is_group=False).count(),
                "groups": Character.objects.filter(is_group=True).count(),
                "letters": Letter.objects.count(),
                "flashbacks": Flashback.objects.count(),
            },
            "credit": contributor_credit(),
            "film_facts": FILM_FACTS,
            "people_url": f"{reverse('characters:list')}?{urlencode({'is_group': 'no'})}",
            "groups_url": f"{reverse('characters:list')}?{urlencode({'is_group': 'yes'})}",
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the film", max_length=MAX_QUERY_LENGTH, required=False)


def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    groups = []
    if query:
        # Each kind is searched as its list's text filter searches, so "see all" shows the same results.
        kinds = [
            (
                ("scene", "scenes"),
                Scene.objects.in_screen_order().select_related("location"),
                SceneFilter,
                "scenes:list",
            ),
            (("person", "people"), Character.objects.in_order_of_appearance(), CharacterFilter, "characters:list"),
            (
                ("letter", "letters"),
                Letter.objects.in_screen_order().select_related("writer", "recipient"),
                LetterFilter,
                "scenes:letter_list",
            ),
            (
                ("flashback", "flashbacks"),
                Flashback.objects.in_screen_order().select_related("rememberer"),
                FlashbackFilter,
                "scenes:flashback_list",
            ),
        ]
        for (noun, noun_plural), queryset, filterset_class, list_url in kinds:
            matches = filterset_class.base_filters["q"].filter(queryset, query)
            count = matches.count()
            groups.append(
                {
                    "label": noun_plural.capitalize(),
                    "noun": noun if count == 1 else noun_plural,
                    "count": count,
                    "results": list(matches[:SEARCH_RESULTS_SHOWN]) if count else [],
                    "more_url": f"{reverse(list_url)}?{urlencode({'q': query})}",
                }
            )
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "query": query,
        "groups": groups,
        "total": sum(group["count"] for group in groups),
        "summary": ", ".join(f"{group['count']} {group['noun']}" for group in groups if group["count"]),
    }
    return render(request, "search.html", context, status=status)
