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


def test_the_page_of_all_people_to_choose_from_is_paged(client):
    from django.urls import reverse

    multiply_content(COPIES)
    url = reverse("scenes:list_facet", args=["character"])
    first = client.get(url)
    html = first.content.decode()
    assert first.status_code == 200 and len(first.content) <= MAX_LIST_BYTES
    facet, page = first.context["facet"], first.context["choices_page"]
    assert len(facet.options) == page.paginator.per_page and facet.total > 1000 and 'rel="next"' in html
    assert client.get(url, {"choices": "not a page"}).status_code == 404  # as a list's page it does not have


def test_someone_ticked_on_another_page_of_choices_rides_along_hidden(client, monkeypatch):
    from django.urls import reverse

    from scenes.views import SceneListView

    monkeypatch.setattr(SceneListView, "CHOICES_PER_PAGE", 3)
    url = reverse("scenes:list_facet", args=["character"])
    here = client.get(url, {"character": "saigo"})
    assert [option.value for option in here.context["facet"].options if option.selected] == ["saigo"]
    assert here.context["kept"] == []  # ticked here: only its checkbox, so unticking drops it
    further = client.get(url, {"character": "saigo", "choices": 2})
    assert "saigo" not in [option.value for option in further.context["facet"].options]
    assert further.context["kept"] == [("character", "saigo")]
