"""What a scene card prints in one line, built in Python: a list page prints 25 cards, and a loop of a few lookups
per person in the template language cost more than the rest of the card."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def people_line(people):
    """The people of a scene (PersonInScene rows, as people_by_scene() gives them) as one line of HTML: each name, and
    after anyone not only on screen the ways they are in it, e.g. 'Saigo, Hanako <span class="muted">(in Saigo’s
    memory)</span>'."""
    return format_html_join(
        ", ",
        "{}{}",
        (
            (
                person.character.name,
                "" if person.only_on_screen else format_html(' <span class="muted">({})</span>', person.ways_display),
            )
            for person in people
        ),
    )
