"""The Jinja2 environment of the list pages' content (templates/jinja2/lists/, printed by `{% list_content %}`) and
of the data links (`{% data_links %}`). A list's filter form and cards are the longest loops of the site: its content
took about 0.70 ms of the two-people list's 3 ms in Django's template language and takes 0.48 ms in Jinja2, most of
it the Python that builds the options and escapes the values. The rest of every page, the list pages' head and
navigation included, stays in Django templates.

Values print as Django's templates print them: escaped as django.utils.html.conditional_escape escapes (so an
apostrophe is `&#x27;`, not markupsafe's `&#39;`), with Django's own filters. Templates live in templates/jinja2/.
Each printed value is escaped once, by `finalize`, and Jinja2's own autoescaping is off: it would pass every value
through markupsafe's escape() again (0.06 ms of the two-people list). So a macro's output is a plain string whose
values were escaped inside it: print it with `|safe`.

The longest loops (a facet's options, a card's people) are HTML built here in Python, as Django's admin builds its
change list's cells (`items_for_result`): a few lookups per option or person in a template cost more than the rest
of the form or card. Values are escaped by the standard library's html.escape, what Django's escape() calls, once
per value, without format_html()'s work per argument.
"""

from html import escape

from django.template import defaultfilters
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from iwojima_site.templatetags.addresses import route_url
from iwojima_site.templatetags.site_meta import data_links_html


def environment(**options):
    """The Environment Django's Jinja2 backend renders with (settings.TEMPLATES)."""
    # Printed values are escaped Django's way, once (see the module); Django's backend asks for autoescaping.
    options["autoescape"] = False
    env = Environment(
        keep_trailing_newline=True,  # as Django keeps a template's last newline
        finalize=escaped,
        **options,
    )
    env.filters.update(
        join=defaultfilters.join,
        truncatechars=defaultfilters.truncatechars,
        truncatewords=defaultfilters.truncatewords,
        pluralize=defaultfilters.pluralize,
        select_options=select_options,
        checkbox_options=checkbox_options,
        people_line=people_line,
    )
    env.globals.update(url=route_url, querystring=querystring, data_links=data_links_html)
    return env


def escaped(value):
    """A printed value as HTML: Django's conditional_escape() (what it does, without its check for lazy strings on
    every value): what is already HTML as it is, anything else through the standard library's html.escape."""
    return value if hasattr(value, "__html__") else SafeString(escape(str(value)))


def querystring(request, **changes):
    """The page's query with `changes`, as Django's {% querystring page=2 %} writes it: "?character=saigo&page=2"."""
    query = request.GET.copy()
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}"


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
