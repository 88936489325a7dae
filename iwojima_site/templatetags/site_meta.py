"""Template helpers for what a page says about itself: {% capture %} (render once, use twice: the title in <title>
and in the link-preview tags) and {% data_links %} (the page's data in the API, as JSON and CSV)."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from iwojima_site.templatetags.addresses import route_url, slug_url

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Already escaped as it rendered, so safe to print again.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}…{% endcapture %}: renders the block (blocks inside it still take a child template's
    content) into the variable `name`, with runs of white space made one space, and prints nothing."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag(takes_context=True)
def data_links(context, url_name, slug=None):
    """{% data_links url_name [slug] %}: data_links_html() for this page."""
    return data_links_html(context["request"], url_name, slug)


def data_links_html(request, url_name, slug=None):
    """Links to this list's (or record's) data in the API, as JSON and as CSV (templates/jinja2/includes/
    data_links.html, printed by Django's templates and Jinja2's alike): a list keeps the page's query (its filters and
    page number; the CSV, being the whole list, drops the page)."""
    if slug is not None:  # a record's data has no query of its own
        url = slug_url(url_name, slug)
        links = {"json_url": url, "csv_url": f"{url}?format=csv", "is_list": False}
    else:
        url = route_url(url_name)
        query = request.GET.copy()
        query.pop("format", None)
        json_url = f"{url}?{query.urlencode()}" if query else url
        query.pop("page", None)
        query["format"] = "csv"
        links = {"json_url": json_url, "csv_url": f"{url}?{query.urlencode()}", "is_list": True}
    html = engines["jinja2"].get_template("includes/data_links.html").render(links)
    return mark_safe(html)  # noqa: S308 (Jinja2 escaped what it printed)
