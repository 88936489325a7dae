"""{% list_content %}: a list page's content, a Jinja2 template (iwojima_site.jinja2)."""

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
