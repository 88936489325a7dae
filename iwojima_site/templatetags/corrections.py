"""{% suggest_correction_url %}: the address of the correction form for the page being shown."""

from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils.http import urlencode

from iwojima_site.templatetags.addresses import constant_url

register = template.Library()


@register.simple_tag(takes_context=True)
def suggest_correction_url(context):
    """/suggest/?page=<this page's path and query>; needs the request in the context (the usual processor)."""
    suggest = constant_url("suggest", None, get_script_prefix(), get_urlconf())  # reverse("suggest"), remembered
    return f"{suggest}?{urlencode({'page': context['request'].get_full_path()})}"
