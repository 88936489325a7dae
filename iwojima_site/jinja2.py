"""The Jinja2 environment of the list pages' two longest fragments: the filter form (`{% filter_form %}`) and the
scene cards (`{% scene_cards %}`), the loops that cost a list page most in Django's template language (0.37 and
0.25 ms of the two-people list's 3 ms; 0.11 and 0.10 in Jinja2). The rest of every page stays in Django templates.

Values print as Django's templates print them: escaped as django.utils.html.conditional_escape escapes (so an
apostrophe is `&#x27;`, not markupsafe's `&#39;`), with Django's own filters. Templates live in templates/jinja2/.
"""

from html import escape

from django.template import defaultfilters
from django.utils.safestring import SafeString
from jinja2 import Environment

from iwojima_site.templatetags.filter_forms import checkbox_options, select_options
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
    return env


def escaped(value):
    """A printed value as HTML: Django's conditional_escape() (what it does, without its check for lazy strings on
    every value): what is already HTML as it is, anything else through the standard library's html.escape."""
    return value if hasattr(value, "__html__") else SafeString(escape(str(value)))
