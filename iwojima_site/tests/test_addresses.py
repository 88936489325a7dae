"""Addresses built from cached reverse() answers (records by slug_url(), {% url %} without arguments) are the
ones reverse() gives, under any script prefix."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from characters.models import Character
from iwojima_site.templatetags.addresses import slug_url
from scenes.models import Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

VIEWS = {
    Character: "characters:detail",
    Scene: "scenes:detail",
    Location: "scenes:place_detail",
    Flashback: "scenes:flashback_detail",
    Letter: "scenes:letter_detail",
}


@pytest.mark.parametrize("prefix", ["/", "/film/", "/a/b/"])
def test_every_record_url_is_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for model, view_name in VIEWS.items():
            for record in model.objects.all():
                url = record.get_absolute_url()
                assert url == reverse(view_name, args=[record.slug]) and url.startswith(prefix), url
    finally:
        clear_script_prefix()


def test_what_is_not_a_plain_slug_goes_through_reverse_and_its_errors():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        slug_url("scenes:detail", "not a slug/")


@pytest.mark.parametrize("prefix", ["/", "/film/"])
def test_the_url_tag_gives_what_reverse_gives_for_every_route_without_arguments(prefix, rf):
    from django.template import Context, Template
    from django.urls import get_resolver

    def reversible(name):
        try:
            return bool(reverse(name))
        except NoReverseMatch:
            return False

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str) and reversible(name)]
    namespaced = ["scenes:list", "scenes:timeline", "characters:list", "admin:index", "api:docs"]
    set_script_prefix(prefix)
    try:
        for name in [*names, *namespaced]:
            rendered = Template("{% url name %}").render(Context({"name": name}))
            assert rendered == reverse(name), name
    finally:
        clear_script_prefix()
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-route' %}").render(Context())
