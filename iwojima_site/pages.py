"""Every kind of page the site serves, as (name, path): what the tests, the browser checks, the screenshots
and the benchmark visit.

Paths are built from the loaded content (not hard-coded slugs), so an edit to the fixtures cannot leave a
check pointing at a page that no longer exists.
"""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from characters.models import Character, Side
from scenes.models import Flashback, Letter, Period, Scene


def filtered(view_name, *args, **query):
    return f"{reverse(view_name, args=args)}?{urlencode(query)}"


def site_pages():
    """The pages in the site's own design that answer 200: lists plain, filtered and paged, details, search."""
    # The richest pages: a scene with flashbacks and letters, and the person who remembers the most.
    scene = (
        Scene.objects.annotate(flashbacks_n=Count("flashbacks", distinct=True), letters_n=Count("letters"))
        .order_by("-flashbacks_n", "-letters_n", "number")
        .first()
    )
    person = Character.objects.annotate(n=Count("memories")).order_by("-n", "slug").first()
    letter = Letter.objects.filter(writer=person).order_by("slug").first() or Letter.objects.order_by("slug").first()
    flashback = Flashback.objects.filter(rememberer=person).order_by("slug").first()
    watch_at = person.first_scene_number()
    latest = Scene.objects.order_by("-number").first()
    return [
        ("home", reverse("home")),
        ("scene-list", reverse("scenes:list")),
        ("scene-list-filtered", filtered("scenes:list", character=person.slug, period=Period.BATTLE)),
        ("scene-list-page-2", filtered("scenes:list", page=2)),
        # Every choice of the people facet, keeping the list's other filters.
        ("scene-list-facet", filtered("scenes:list_facet", "character", period=Period.BATTLE)),
        ("character-list", reverse("characters:list")),
        ("character-list-filtered", filtered("characters:list", side=Side.JAPANESE_ARMY, historical="yes")),
        ("letter-list", reverse("scenes:letter_list")),
        ("letter-list-filtered", filtered("scenes:letter_list", writer=person.slug)),
        ("flashback-list", reverse("scenes:flashback_list")),
        ("flashback-list-filtered", filtered("scenes:flashback_list", rememberer=person.slug)),
        ("scene", scene.get_absolute_url()),
        ("character", person.get_absolute_url()),
        ("letter", letter.get_absolute_url()),
        ("flashback", flashback.get_absolute_url()),
        ("place-list", reverse("scenes:place_list")),
        ("timeline", reverse("scenes:timeline")),
        ("timeline-everyone-highlighted", filtered("scenes:timeline", everyone=1, highlight=person.slug)),
        ("story-chart", reverse("scenes:story_chart")),
        ("place", scene.location.get_absolute_url()),
        ("cast", reverse("cast")),
        ("source", reverse("source")),
        ("search", reverse("search")),
        ("search-results", filtered("search", q=person.alias_list[0] if person.alias_list else person.name)),
        ("search-no-results", filtered("search", q="xylophone")),
        # Watch-along mode, at the first scene of the richest person: their page, a list, and a page about
        # someone still to come.
        ("watch-along-character", f"{person.get_absolute_url()}?{urlencode({'at': watch_at})}"),
        ("watch-along-scene-list", filtered("scenes:list", at=watch_at)),
        ("watch-along-later", f"{latest.get_absolute_url()}?{urlencode({'at': watch_at})}"),
    ]


def page_types():
    """Every kind of page a visitor can meet: the site's pages, its error pages, the correction form and the
    admin's login."""
    return site_pages() + [
        ("scene-list-invalid-filter", filtered("scenes:list", character="nobody-of-that-name")),
        ("watch-along-invalid", filtered("scenes:list", at="zero")),
        ("suggest-correction", filtered("suggest", page=reverse("cast"))),
        ("not-found", "/no-such-page/"),
        ("admin-login", reverse("admin:login")),
    ]
