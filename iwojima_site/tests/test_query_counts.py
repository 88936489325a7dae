"""Pages make the same few queries however much content there is: checked on twenty times the film."""

import pytest

from iwojima_site.tests.test_pages import all_page_urls
from scenes.models import Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db

COPIES = 19  # with the real content, twenty times the data


@pytest.fixture
def twenty_times_the_content():
    scenes = Scene.objects.count()
    multiply_content(COPIES)
    assert Scene.objects.count() == scenes * (COPIES + 1)


def test_every_page_stays_within_12_queries_on_twenty_times_the_content(
    client, django_assert_max_num_queries, twenty_times_the_content
):
    urls = all_page_urls() + [
        "/scenes/?character=saigo&character=shimizu-3",
        "/scenes/?page=30",
        "/characters/?page=40",
        "/search/?q=letter",
        # Search at scale: a name (its scenes), a word completed, a misspelling (suggestions), several words.
        "/search/?q=Kuribashi",
        "/search/?q=kuriba",
        "/search/?q=Kuribayshi",
        "/search/?q=Nishi+letter",
        # Lists filtered by the same index, in their default order (best match) and in another.
        "/scenes/?q=saigo",
        "/scenes/?q=buried&order=title",
        "/characters/?q=general",
        "/letters/?q=Kuribashi",
        "/flashbacks/?q=Saigo",
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url
