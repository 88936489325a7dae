"""Addresses without the URL resolver's work on every link: reverse() costs about 16 µs a call and a page makes
dozens (its navigation, every record it links). Each route is reversed once per script prefix and URLconf (and
application namespace), and the result reused; the answers are reverse()'s own, tested equal to it."""

import functools
import re

from django.core.signals import setting_changed
from django.template import Library
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()

# What Django's <slug:…> path converter accepts, which such a URL puts in as it is.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_MARK = "0slug0"


def slug_url(view_name, slug):
    """`reverse(view_name, args=[slug])` for a URL whose one argument is a slug (a str).

    The URL resolver's reverse() costs about 16 µs a call, and a list page links a hundred records; this asks it
    once per view name, script prefix and URLconf, then puts each slug in its place. Anything that is not a plain
    slug goes through reverse() itself (and its errors).
    """
    if not SLUG.fullmatch(slug):
        return reverse(view_name, args=[slug])
    before, after = _slug_url_parts(view_name, get_script_prefix(), get_urlconf())
    return f"{before}{slug}{after}"


@functools.lru_cache(maxsize=256)
def _slug_url_parts(view_name, _prefix, urlconf):
    before, mark, after = reverse(view_name, args=[SLUG_MARK], urlconf=urlconf).partition(SLUG_MARK)
    return before, after


def route_url(view_name):
    """`reverse(view_name)` for a route without arguments, in this request's script prefix and URLconf."""
    return constant_url(view_name, None, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=256)
def constant_url(view_name, current_app, _prefix, urlconf):
    """reverse(view_name) for a route without arguments; NoReverseMatch as reverse() raises it."""
    return reverse(view_name, urlconf=urlconf, current_app=current_app)


def _forget_urls(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _slug_url_parts.cache_clear()
        constant_url.cache_clear()


setting_changed.connect(_forget_urls)


class ConstantURLNode(URLNode):
    """Django's {% url %}, answering a route without arguments from `constant_url()`."""

    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        # The script prefix and URLconf cannot change while one page renders: read them (thread-local lookups of
        # about 1.5 µs each) once per page, not once per link.
        where = context.render_context.dicts[0].get(ConstantURLNode)
        if where is None:
            where = context.render_context.dicts[0][ConstantURLNode] = (get_script_prefix(), get_urlconf())
        url = constant_url(self.view_name.resolve(context), current_app, *where)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """{% url %} as Django parses it (this library is a template builtin, so it stands in for Django's tag)."""
    node = url_tag(parser, token)
    return ConstantURLNode(node.view_name, node.args, node.kwargs, node.asvar)
