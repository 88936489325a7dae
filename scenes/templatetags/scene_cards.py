"""The scene list's cards (a Jinja2 template, iwojima_site.jinja2) and what a card prints in one line, built in
Python: a list page prints 25 cards, and a loop of a few lookups per person in the template language cost more than
the rest of the card."""

from html import escape

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def scene_cards(context, cards):
    """The scene list's cards (templates/jinja2/scenes/scene_cards.html, iwojima_site.jinja2), from the dicts
    SceneListView.cards() makes; with none, a way back to every scene."""
    cards_template = engines["jinja2"].get_template("scenes/scene_cards.html")
    return mark_safe(cards_template.render({"cards": cards}, context.request))  # noqa: S308 (escaped by Jinja2)


@register.filter
def people_line(people):
    """The people of a scene (PersonInScene rows, as people_by_scene() gives them) as one line of HTML: each name,
    and after anyone not only on screen the ways they are in it, e.g. 'Saigo, Hanako <span class="muted">(in
    Saigo’s memory)</span>'. Escaped as django.utils.html.escape escapes (the standard library's html.escape), once
    per value: format_html() for each of a page's hundred people cost a tenth of the list page."""
    return mark_safe(
        ", ".join(
            escape(person.character.name)
            + ("" if person.only_on_screen else f' <span class="muted">({escape(person.ways_display)})</span>')
            for person in people
        )
    )
