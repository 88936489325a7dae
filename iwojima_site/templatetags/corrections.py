"""{% suggest_correction_url %}: the address of the correction form for the page being shown."""

from django import template
from django.utils.http import urlencode

from iwojima_site.templatetags.addresses import route_url

register = template.Library()


@register.simple_tag(takes_context=True)
def suggest_correction_url(context):
    """/suggest/?page=<this page's path and query>; needs the request in the context (the usual processor)."""
    suggest = route_url("suggest")  # reverse("suggest"), remembered
    return f"{suggest}?{urlencode({'page': context['request'].get_full_path()})}"
