"""The Jinja2 environment of the list pages' content (templates/jinja2/lists/, printed by `{% list_content %}`) and
of the data links (`{% data_links %}`). A list's filter form and cards are the longest loops of the site: its content
took about 0.70 ms of the two-people list's 3 ms in Django's template language and takes 0.48 ms in Jinja2, most of
it the Python that builds the options and escapes the values. The rest of every page, the list pages' head and
navigation included, stays in Django templates.

Values print as Django's templates print them: escaped as django.utils.html.conditional_escape escapes (so an
apostrophe is `&#x27;`, not markupsafe's `&#39;`), with Django's own filters. Templates live in templates/jinja2/.
"""

from html import escape

from django.template import defaultfilters
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from jinja2 import Environment

from iwojima_site.templatetags.addresses import constant_url
from iwojima_site.templatetags.filter_forms import checkbox_options, select_options
from iwojima_site.templatetags.site_meta import data_links_html
from scenes.templatetags.scene_cards import people_line


def environment(**options):
    """The Environment Django's Jinja2 backend renders with (settings.TEMPLATES)."""
    env = Environment(
        # Django keeps a template's last newline; printed values are escaped Django's way (a SafeString, which
        # Jinja2's autoescaping then leaves alone).
        keep_trailing_newline=True,
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
    env.globals.update(url=url, querystring=querystring, data_links=data_links_html)
    return env


def escaped(value):
    """A printed value as HTML: Django's conditional_escape() (what it does, without its check for lazy strings on
    every value): what is already HTML as it is, anything else through the standard library's html.escape."""
    return value if hasattr(value, "__html__") else SafeString(escape(str(value)))


def url(view_name):
    """{% url view_name %} for a route without arguments (addresses.constant_url)."""
    return constant_url(view_name, None, get_script_prefix(), get_urlconf())


def querystring(request, **changes):
    """The page's query with `changes`, as Django's {% querystring page=2 %} writes it: "?character=saigo&page=2"."""
    query = request.GET.copy()
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}"
