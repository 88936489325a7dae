"""The rows of a filter form's controls, built in Python: a list page prints dozens of options, and a few lookups
per option in the template language cost more than the rest of the form (Django's admin builds its change list's
cells the same way, in `items_for_result`)."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.filter
def select_options(facet):
    """A select facet's options (iwojima_site.facets.Facet) as <option> elements, each with its count when it has
    one: '<option value="1945" selected>The battle (31)</option>'."""
    return format_html_join(
        "\n",
        '<option value="{}"{}>{}{}</option>',
        (
            (option.value, " selected" if option.selected else "", option.label, _count(option.count))
            for option in facet.options
        ),
    )


@register.filter
def checkbox_options(facet):
    """A checkbox facet's options as <li> rows of a checkbox and its label with the count."""
    return format_html_join(
        "\n",
        '<li><input type="checkbox" name="{0}" value="{1}" id="{2}-{1}"{3}>'
        ' <label for="{2}-{1}">{4} <span class="count">({5})</span></label></li>',
        (
            (facet.name, option.value, facet.id, " checked" if option.selected else "", option.label, option.count)
            for option in facet.options
        ),
    )


def _count(count):
    return "" if count is None else f" ({count})"
