"""{% list_content %}, the list pages' content in Jinja2, and the rows of their filter form's controls, built in
Python: a list page prints dozens of options, and a few lookups per option in the template language cost more than
the rest of the form (Django's admin builds its change list's cells the same way, in `items_for_result`). Values
are escaped as django.utils.html.escape escapes them (the standard library's html.escape), without format_html()'s
work per argument."""

from html import escape

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def list_content(context, template_name):
    """A list page's content, below its breadcrumb: a Jinja2 template of templates/jinja2/lists/ (iwojima_site.jinja2)
    rendered with the page's context (the filter form, the count, the active filters, the results, the pages)."""
    content = engines["jinja2"].get_template(template_name)
    return mark_safe(content.render(context.flatten(), context.request))  # noqa: S308 (Jinja2 escaped what it printed)


@register.filter
def select_options(facet):
    """A select facet's options (iwojima_site.facets.Facet) as <option> elements, each with its count when it has
    one: '<option value="1945" selected>The battle (31)</option>'."""
    return mark_safe(
        "\n".join(
            f'<option value="{escape(str(option.value))}"{" selected" if option.selected else ""}>'
            f"{escape(str(option.label))}{_count(option.count)}</option>"
            for option in facet.options
        )
    )


@register.filter
def checkbox_options(facet):
    """A checkbox facet's options as <li> rows of a checkbox and its label with the count."""
    name, id_ = escape(facet.name), escape(facet.id)
    rows = []
    for option in facet.options:
        value = escape(str(option.value))
        rows.append(
            f'<li><input type="checkbox" name="{name}" value="{value}" id="{id_}-{value}"'
            f'{" checked" if option.selected else ""}> <label for="{id_}-{value}">{escape(str(option.label))} '
            f'<span class="count">({escape(str(option.count))})</span></label></li>'
        )
    return mark_safe("\n".join(rows))


def _count(count):
    return "" if count is None else f" ({escape(str(count))})"
