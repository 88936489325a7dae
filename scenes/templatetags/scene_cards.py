"""What a scene card prints in one line, built in Python: a list page prints 25 cards, and a loop of a few lookups
per person in the template language cost more than the rest of the card."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


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
