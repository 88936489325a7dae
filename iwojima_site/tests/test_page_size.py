"""A list page stays small at any data size: its long facets show ten choices and link to the rest, so at a
hundred times the content every list, plain, filtered or paged, is at most 40 KB of HTML in a few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iwojima_site.pages import site_pages
from scenes.models import Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db

MAX_LIST_BYTES = 40_000
COPIES = 99  # with the real content, a hundred times the data

LISTS = ["scene-list", "scene-list-filtered", "scene-list-page-2", "character-list", "character-list-filtered"]
LISTS += ["letter-list", "letter-list-filtered", "flashback-list", "flashback-list-filtered"]
# The home page names each part's first scenes and links to the rest; a scene's and a person's page list only
# their own people and scenes.
LISTS += ["home", "scene", "character"]


def test_every_list_page_is_at_most_40_kb_at_a_hundred_times_the_content(client):
    scenes = Scene.objects.count()
    multiply_content(COPIES)
    assert Scene.objects.count() == scenes * (COPIES + 1)
    pages = dict(site_pages())
    sizes = {}
    for name in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(pages[name])
        assert response.status_code == 200, name
        assert len(queries) <= 12, f"{name} made {len(queries)} queries"
        sizes[name] = len(response.content)
    too_big = {name: size for name, size in sizes.items() if size > MAX_LIST_BYTES}
    assert not too_big, f"pages over {MAX_LIST_BYTES} bytes: {too_big}"
    # The people facet is why: every one of the hundred copies of each person could be a choice.
    facets = client.get(pages["scene-list"]).context["facets"]
    people = next(facet for facet in facets if facet.name == "character")
    assert len(people.options) == 10 and people.total > 1000
