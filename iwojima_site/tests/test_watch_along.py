"""Watch-along mode (`?at=<scene>`): crawled from the home page at several horizons, no page tells what the content
marks as later, every link keeps the horizon, counts agree with the cut lists, and a bad `at` is a 400."""

import csv
import html
import io
import re
from collections import deque
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db.models import Max, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from characters.models import NOT_TOLD, NOT_YET, Character, possessive
from iwojima_site.horizon import BadHorizon, keep_horizon, parse, watching_at
from scenes.models import LETTER_FATE_NOT_YET, Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

# Bounds of the crawl: pages per horizon (the content has about 45 scenes, 60 people, a few dozen letters,
# flashbacks and places: every record page fits), so the whole crawl stays well under a minute.
MAX_PAGES = 260
TAGS = re.compile(r"<(a|form)\b[^>]*>", re.IGNORECASE)
ADDRESS = re.compile(r'\b(?:href|action)="([^"]*)"')
# Where the crawl does not go: files, the editors' tools, the correction form, the data (JSON and CSV).
NOT_CRAWLED = ("/static/", "/admin/", "/suggest/", "/api/", "/sitemap.xml", "/robots.txt")


def shimizus_arrival():
    return Character.objects.get(slug="shimizu").first_scene_number()


def horizons():
    last = Scene.objects.last_number()
    return sorted({*range(10, last + 1, 10), shimizus_arrival()})


def opening(text, words=8):
    """The first words of a text: enough to be found only where the text itself is shown (cards truncate)."""
    return " ".join(text.split()[:words])


def later_facts(horizon):
    """{text: what it is} that no page may show at `horizon`, taken from the content itself; leaving out any text
    that also belongs to something already seen (a later scene may share a title's words with an earlier one)."""
    facts = {}
    seen_text = []
    for scene in Scene.objects.all():
        if scene.number > horizon:
            facts[f"/scenes/{scene.slug}/"] = f"a link to later scene {scene.number}"
            facts[opening(scene.summary)] = f"the summary of scene {scene.number}"
        else:
            seen_text += [scene.title, scene.summary]
    for person in Character.objects.select_related("fate_scene"):
        for part in [*person.biography, *person.fate_detail]:
            if part["scene"] > horizon:
                facts[opening(part["text"])] = f"{person.name}'s part stamped scene {part['scene']}"
            else:
                seen_text.append(part["text"])
    for letter in Letter.objects.in_screen_order().annotate(last_scene=Max("scenes__number")):
        if letter.first_scene > horizon:
            facts[f"/letters/{letter.slug}/"] = f"a link to the letter {letter.slug}"
        # A letter's summary tells it across all its scenes: it waits for the last.
        if letter.last_scene > horizon:
            facts[opening(letter.summary)] = (
                f"the summary of the letter {letter.slug} (last in scene {letter.last_scene})"
            )
        else:
            seen_text.append(letter.summary)
    for flashback in Flashback.objects.select_related("scene"):
        if flashback.scene.number > horizon:
            facts[f"/flashbacks/{flashback.slug}/"] = f"a link to the memory {flashback.slug}"
            facts[opening(flashback.summary)] = f"the memory {flashback.slug}"
        else:
            seen_text.append(flashback.summary)
    for place in Location.objects.all():
        for part in place.description:
            if part["scene"] > horizon:
                facts[opening(part["text"])] = f"the description of {place.slug} (scene {part['scene']})"
            else:
                seen_text.append(part["text"])
    seen = "\n".join(seen_text)
    return {text: what for text, what in facts.items() if text.startswith("/") or text not in seen}


def crawl(client, horizon):
    """{address: HTML} of every page reachable from the home page at `horizon` (at most MAX_PAGES), and each
    failure to keep the horizon: a link that drops or changes `at` without saying it sets the horizon itself."""
    start = f"/?at={horizon}"
    queue, pages, dropped = deque([start]), {}, []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        page = response.content.decode()
        pages[url] = page
        for tag in TAGS.finditer(page):
            text = tag.group(0)
            for address in ADDRESS.findall(text):
                address = html.unescape(address)
                if not address.startswith("/") or address.startswith(NOT_CRAWLED):
                    continue
                if "data-horizon" not in text and parse_qs(urlsplit(address).query).get("at") != [str(horizon)]:
                    dropped.append((url, address))
                if tag.group(1).lower() == "a" and "data-horizon" not in text:
                    queue.append(address.partition("#")[0])
    return pages, dropped


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        client = Client()
        return {horizon: (crawl(client, horizon), later_facts(horizon)) for horizon in horizons()}


def test_no_crawled_page_tells_a_later_fact(crawled):
    for horizon, ((pages, _dropped), facts) in crawled.items():
        assert len(pages) > 40, f"at {horizon} the crawl reached only {len(pages)} pages"
        for url, page in pages.items():
            text = html.unescape(page)
            told = [what for fact, what in facts.items() if fact in text]
            assert not told, f"{url} tells {told[:3]}"


def test_every_link_and_form_keeps_the_horizon(crawled):
    for horizon, ((_pages, dropped), _facts) in crawled.items():
        assert not dropped, f"at {horizon}: {dropped[:5]}"


def test_every_crawled_page_is_marked_noindex_and_names_the_bare_page(crawled):
    for (pages, _dropped), _facts in crawled.values():
        for url, page in pages.items():
            assert '<meta name="robots" content="noindex">' in page, url
            canonical = re.search(r'<link rel="canonical" href="([^"]*)"', page)[1]
            assert "at=" not in canonical, url


def test_at_shimizus_arrival_no_page_tells_how_his_story_or_the_officers_end(client, crawled):
    arrival = shimizus_arrival()
    (pages, _dropped), _facts = crawled[arrival]
    everything = html.unescape("\n".join(pages.values()))
    for slug in ("shimizu", "nishi", "kuribayashi", "okubo"):
        person = Character.objects.get(slug=slug)
        assert person.fate_scene.number > arrival
        for part in person.fate_detail:
            assert opening(part["text"]) not in everything, (slug, part)
        page = html.unescape(client.get(f"/characters/{slug}/?at={arrival}").content.decode())
        fate = re.search(r"<dt>Fate</dt><dd>(.*?)</dd>", page)
        if fate is None:  # not met yet: the page says so
            assert "comes after the scene you are at" in page, slug
        else:
            assert NOT_YET in fate[1] and person.get_fate_display() not in fate[1], (slug, fate[1])


def test_a_page_about_someone_later_says_so_and_offers_to_move_on(client):
    arrival = shimizus_arrival()
    response = client.get(f"/characters/shimizu/?at={arrival - 1}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "comes after the scene you are at" in page
    assert f"/characters/shimizu/?at={arrival}" in page
    later = Scene.objects.get(number=arrival)
    response = client.get(f"{later.get_absolute_url()}?at={arrival - 1}")
    assert response.status_code == 200 and later.title not in response.content.decode()


def test_the_next_scene_link_at_the_horizon_goes_to_the_next_scene_and_watches_it(client):
    eight, nine = Scene.objects.get(number=8), Scene.objects.get(number=9)
    page = client.get(eight.get_absolute_url(), {"at": 8}).content.decode()
    link = re.search(r'<a data-horizon href="([^"]+)" rel="next">', page)
    assert link and html.unescape(link[1]) == "/scenes/number/9/?at=9"  # no slug: it could tell what happens
    response = client.get(html.unescape(link[1]))
    assert response.status_code == 302 and response.url == f"{nine.get_absolute_url()}?at=9"
    assert nine.title in client.get(response.url).content.decode()
    assert client.get("/scenes/number/999/").status_code == 404


def test_a_fate_without_a_fate_scene_is_told_from_its_note_and_not_told_waits_for_the_last_scene(client):
    kashiwara = Character.objects.get(slug="kashiwara")
    assert kashiwara.fate_scene is None and kashiwara.fate_detail
    told_from = min(part["scene"] for part in kashiwara.fate_detail)
    fate, last = kashiwara.get_fate_display(), Scene.objects.last_number()
    assert fate not in client.get(kashiwara.get_absolute_url(), {"at": told_from - 1}).content.decode()
    for at in (told_from, last):
        page = html.unescape(client.get(kashiwara.get_absolute_url(), {"at": at}).content.decode())
        assert fate in page and NOT_YET not in page
        assert client.get(f"/api/people/{kashiwara.slug}/", {"at": at}).json()["fate"] == kashiwara.fate
    # A fate the film never tells is "Not told" only from the last scene; before, "Not yet", as one still to come.
    untold = Character.objects.get(slug="hanako")
    assert untold.fate == "unknown" and not untold.credited_only
    for at in (untold.first_scene_number(), last - 1):
        page = html.unescape(client.get(untold.get_absolute_url(), {"at": at}).content.decode())
        assert NOT_YET in page and NOT_TOLD not in page, at
    page = html.unescape(client.get(untold.get_absolute_url(), {"at": last}).content.decode())
    assert NOT_TOLD in page and NOT_YET not in page


def fates_shown(client, slug, at):
    """A person's fate as each place that shows it reads at scene `at`: their page, the people list, the cast (for
    the credited), and the API's JSON and CSV."""
    person = Character.objects.get(slug=slug)
    page = html.unescape(client.get(person.get_absolute_url(), {"at": at}).content.decode())
    shown = {"page": re.search(r"<dt>Fate</dt><dd>(.*?)(?: <span|<br>|</dd>)", page)[1]}
    listed = html.unescape(client.get("/characters/", {"q": person.name, "at": at}).content.decode())
    card = re.search(rf'href="/characters/{slug}/\?at={at}">.*?<p class="muted">Fate: (.*?)(?: — |</p>)', listed, re.S)
    shown["list"] = card[1]
    if person.actor:
        cast = html.unescape(client.get("/cast/", {"at": at}).content.decode())
        shown["cast"] = re.search(rf'<tr id="{slug}">.*?<td>([^<]*)</td>\s*</tr>', cast, re.S)[1]
    shown["api"] = client.get(f"/api/people/{slug}/", {"at": at}).json()["fate"]
    rows = csv.DictReader(io.StringIO(client.get("/api/people/", {"at": at, "format": "csv"}).content.decode()))
    shown["csv"] = next(row["fate"] for row in rows if row["slug"] == slug)
    return shown


def test_watching_along_a_fate_never_told_reads_as_one_still_to_come(client):
    """`/characters/?at=20` and `/cast/?at=5` said "Not told" of Hanako but "Not yet" of Tanida and Kashiwara: so
    whose fate the film tells later. Before the last scene, anyone in a scene whose fate is not shown reads "Not yet",
    whether it is told later or never; "Not told" from the last scene, as without `at`; and at every horizon for those
    only in the credits, in no scene: nothing to spoil. Every page and the API agree."""
    last = Scene.objects.last_number()
    not_yet = {"page": NOT_YET, "list": NOT_YET, "cast": NOT_YET, "api": "", "csv": ""}
    not_told = {"page": NOT_TOLD, "list": NOT_TOLD, "cast": NOT_TOLD, "api": "unknown", "csv": "unknown"}
    for at, told_later in ((5, ["tanida", "kashiwara"]), (20, ["tanida"]), (last - 1, [])):
        assert fates_shown(client, "hanako", at) == not_yet, at
        for slug in told_later:
            person = Character.objects.get(slug=slug)
            assert person.fate != "unknown" and not person.fate_told_at(at)
            assert fates_shown(client, slug, at) == not_yet, (slug, at)
    assert fates_shown(client, "hanako", last) == not_told
    for slug in ("nozaki", "endo"):
        for at in (1, 20, last):
            assert fates_shown(client, slug, at) == not_told, (slug, at)


@pytest.mark.parametrize("path", ["/places/america-road/", "/letters/saigos-last-letter/"])
def test_a_place_or_letter_further_on_offers_to_move_on_to_its_first_scene(client, path):
    page = html.unescape(client.get(path, {"at": 5}).content.decode())
    assert "comes after the scene you are at" in page
    assert re.search(rf'href="{re.escape(path)}\?at=\d+">I have watched up to scene \d+: show this page', page)


def cast_rows(client, query):
    """The people the cast page lists for `query`, by slug, in its order."""
    return re.findall(r'<tr id="([^"]+)">', client.get("/cast/", query).content.decode())


def test_the_cast_page_lists_whom_its_data_lists_at_the_horizon(client):
    at_eight = cast_rows(client, {"at": 8})
    assert at_eight == [row["person"] for row in client.get("/api/cast/", {"at": 8}).json()["results"]]
    assert "shimizu" not in at_eight and "shimizu" in cast_rows(client, {})


def test_a_letter_card_names_only_the_scenes_up_to_the_horizon(client):
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    burial, last = bag.scenes.order_by("number").values_list("number", flat=True)
    page = client.get("/letters/", {"at": last - 1}).content.decode()
    card = page[page.index("/letters/the-bag-of-undelivered-letters/") :].split("</li>")[0]
    assert f"In scene</span> {burial}</p>" in card and str(last) not in card


def test_counts_agree_with_the_cut_lists(client):
    for horizon in horizons():
        scenes = Scene.objects.filter(number__lte=horizon)
        response = client.get(f"/api/scenes/?at={horizon}")
        assert response.json()["count"] == scenes.count()
        people = client.get(f"/api/people/?at={horizon}").json()
        assert people["count"] == Character.objects.at(horizon).count()
        # The people facet counts the scenes each person is seen in, up to the horizon.
        facet = next(f for f in client.get(f"/api/scenes/?at={horizon}").json()["facets"] if f["name"] == "character")
        counts = scenes.presence_counts()
        for option in facet["options"]:
            person = Character.objects.get(slug=option["value"])
            assert option["count"] == counts[person.pk], (horizon, option)
        # Search finds, in each group, as many as the list filtered by the same words does.
        page = client.get(f"/search/?q=saigo&at={horizon}").content.decode()
        found = int(re.search(r"(\d+) scenes?\b", page)[1])
        assert found == client.get(f"/api/scenes/?q=saigo&at={horizon}").json()["count"]
        assert found <= scenes.count()


@pytest.mark.parametrize("path", ["/characters/", "/letters/"])
def test_the_fate_filter_is_left_out_while_watching_along(client, path):
    # Each form class is made once per process for its set of filters: asked in either order, each keeps its own.
    for _ in range(2):
        assert 'name="fate"' not in client.get(f"{path}?at=10").content.decode()
        assert 'name="fate"' in client.get(path).content.decode()
        assert client.get(f"{path}?at=10&fate=survived")["Location"] == f"{path}?at=10"  # not read: not kept


def test_each_horizon_has_its_own_etag(client):
    tags = {client.get(f"/characters/saigo/?at={n}")["ETag"] for n in (5, 6, 30)}
    tags.add(client.get("/characters/saigo/")["ETag"])
    assert len(tags) == 4


def test_the_sitemap_lists_no_watch_along_page(client):
    assert "at=" not in client.get("/sitemap.xml").content.decode()


@pytest.mark.parametrize("value", ["0", "00", "+0", "-1", "abc", "1.5", "99999", "1e3", "0x7", "999999999999"])
def test_a_bad_horizon_is_a_clear_400(client, value):
    # On every kind of page, and whichever value comes last: the one read, as QueryDict.get() reads it.
    for path in ("/scenes/", "/characters/saigo/", "/", "/timeline/"):
        for values in ([value], ["3", value], [value, ""]):
            response = client.get(path, {"at": values})
            assert response.status_code == 400, (path, values)
            assert "scene" in response.content.decode()
            assert response["X-Robots-Tag"] == "noindex"


def test_a_bad_horizon_says_what_is_wrong_with_it(client):
    last = Scene.objects.last_number()
    for value, message in [
        ("abc", "“abc” is not a scene number: give the number of the scene you are at, e.g. 12."),
        ("1.5", "“1.5” is not a scene number"),
        ("-1", "Scenes are numbered from 1."),
        ("00", "Scenes are numbered from 1."),
        (str(last + 1), f"The film has {last} scenes, so there is no scene {last + 1}."),
    ]:
        assert message in html.unescape(client.get("/characters/saigo/", {"at": value}).content.decode()), value


# A scene number written otherwise than once in plain digits is read as a list's `page` is (int(), spaces stripped;
# an empty value is absent; of several, the last that is not empty), and sent to its one address, where it is.
SAIGO = "/characters/saigo/"


@pytest.mark.parametrize(
    ("url", "to"),
    [
        # Several values: the last counts, as the README says of `page` and `at`.
        ("/scenes/?at=3&at=4", "/scenes/?at=4"),
        ("/timeline/?at=7&at=8", "/timeline/?at=8"),
        ("/cast/?at=7&at=8", "/cast/?at=8"),
        ("/scenes/?at=07&at=7", "/scenes/?at=7"),
        (f"{SAIGO}?at=3&at=4", f"{SAIGO}?at=4"),
        # An empty value is absent, as a form's blank field.
        ("/scenes/?at=1&at=", "/scenes/?at=1"),
        ("/scenes/?at=", "/scenes/"),
        (f"{SAIGO}?at=", SAIGO),
        (f"{SAIGO}?at=5&at=%20", f"{SAIGO}?at=5"),
        ("/search/?q=saigo&at=", "/search/?q=saigo"),
        # Written as int() reads it, as `page` is.
        ("/scenes/?at=%D9%A3", "/scenes/?at=3"),
        ("/scenes/?at=1_0", "/scenes/?at=10"),
        ("/scenes/?at=%2B7", "/scenes/?at=7"),
        ("/scenes/?at=0000007", "/scenes/?at=7"),
        ("/characters/?at=%2B7", "/characters/?at=7"),
        ("/places/?at=0000007", "/places/?at=7"),
        # Record pages and plain pages, their other parameters kept in their order.
        (f"{SAIGO}?at=07", f"{SAIGO}?at=7"),
        ("/?at=07", "/?at=7"),
        ("/search/?at=07&q=saigo", "/search/?at=7&q=saigo"),
        ("/search/?q=saigo&at=%2B7&q=nishi", "/search/?q=saigo&q=nishi&at=7"),
        ("/scenes/general-arrives/?at=%207%20", "/scenes/general-arrives/?at=7"),
        ("/letters/saigos-last-letter/?at=%D9%A3", "/letters/saigos-last-letter/?at=3"),
        ("/source/?at=1_0", "/source/?at=10"),
        ("/scenes/number/3/?at=07", "/scenes/number/3/?at=7"),
        ("/suggest/?page=%2Fcast%2F&at=07", "/suggest/?page=%2Fcast%2F&at=7"),
    ],
)
def test_a_horizon_written_otherwise_is_read_as_a_page_is_and_sent_to_its_one_address(client, url, to):
    """One address, so one shared-cache entry and one ETag, for each page at each horizon: `at=07` and `at=7` were
    two (record and plain pages answered both), and `at=3&at=4`, `at=1&at=`, `at=+7` were 400 where `page` is read."""
    for method in (client.get, client.head):
        response = method(url)
        assert response.status_code == 302 and response["Location"] == to, (method, response.status_code)
    assert client.get(to, follow=True).status_code == 200  # no loop (by number: on to the scene's own address)


def test_the_horizons_one_address_is_the_etag_and_cache_entry_of_its_page(client):
    plain = client.get(f"{SAIGO}?at=7")
    assert plain.status_code == 200 and "ETag" in plain and "public" in plain["Cache-Control"]
    for written in ("07", "%2B7", "%207", "3&at=7", "7&at="):
        response = client.get(f"{SAIGO}?at={written}")
        assert response.status_code == 302 and response["Location"] == f"{SAIGO}?at=7", written
        assert "ETag" not in response and "public" not in response["Cache-Control"], written


def test_no_horizon_redirect_is_made_for_a_method_that_is_not_get_or_head(client):
    assert client.options(f"{SAIGO}?at=07").status_code == 200
    assert client.post(f"{SAIGO}?at=07").status_code == 405


@pytest.mark.parametrize(
    ("written", "horizon"),
    [("07", 7), ("%2B7", 7), ("%207%20", 7), ("0000007", 7), ("1_0", 10), ("%D9%A3", 3), ("3&at=7", 7), ("7&at=", 7)],
)
def test_the_api_reads_a_horizon_as_the_pages_do_without_redirecting(client, written, horizon):
    response = client.get(f"/api/scenes/?at={written}")
    assert response.status_code == 200 and response.json()["count"] == horizon
    one = client.get(f"/api/people/saigo/?at={written}")
    assert one.status_code == 200 and one.json()["url"].endswith(f"?at={horizon}")
    everything = Scene.objects.count()
    for blank in ("", "%20", "&at="):
        assert client.get(f"/api/scenes/?at={blank}").json()["count"] == everything, blank


@pytest.mark.parametrize(("kind", "fate"), [("people", "killed"), ("letters", "censored")])
def test_the_api_refuses_a_fate_filter_while_watching_along_rather_than_ignoring_it(client, kind, fate):
    chosen = client.get(f"/api/{kind}/", {"fate": fate}).json()["count"]
    assert 0 < chosen < client.get(f"/api/{kind}/").json()["count"]
    response = client.get(f"/api/{kind}/", {"fate": fate, "at": 10})
    assert response.status_code == 400 and list(response.json()) == ["fate"]
    assert "watching along" in response.json()["fate"][0]
    assert client.get(f"/api/{kind}/", {"fate": "", "at": 10}).status_code == 200
    assert client.get(f"/api/{kind}/", {"fate": " ", "at": 10}).status_code == 200
    assert client.get(f"/api/{kind}/", {"at": 10}).status_code == 200


@pytest.mark.parametrize("path", ["/api/scenes/", "/api/people/saigo/"])
def test_the_api_answers_a_bad_horizon_in_its_own_format(client, path):
    response = client.get(path, {"at": "0"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {"at": ["Scenes are numbered from 1."]}
    response = client.get(path, {"at": "x", "format": "csv"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/csv")
    assert "is not a scene number" in response.content.decode()
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/scenes/"]["get"]
    assert "at" in {parameter["name"] for parameter in operation["parameters"]} and "400" in operation["responses"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=8), min_size=1, max_size=3), st.sampled_from(["/characters/", SAIGO]))
def test_any_at_answers_200_or_400_never_500(client, values, path):
    response = client.get(path, {"at": values})
    assert response.status_code in (200, 302, 400)
    try:
        number = parse(values, Scene.objects.last_number())
    except BadHorizon:
        assert response.status_code == 400
    else:
        # A scene written otherwise than once in plain digits (` 7`, `07`, twice) is first sent to `at=7`; an
        # address whose every `at` is blank, to the page without it.
        if values == [str(number)]:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response.url == (path if number is None else f"{path}?at={number}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    zeros=st.integers(min_value=0, max_value=3),
    sign=st.sampled_from(["", "+"]),
    spaces=st.sampled_from(["", " ", "  "]),
    before=st.lists(st.sampled_from(["", " ", "1", "02", "+3"]), max_size=2),
    after=st.lists(st.sampled_from(["", " "]), max_size=2),
    page=st.sampled_from([SAIGO, "/scenes/", "/search/?q=saigo"]),
)
def test_any_scene_written_otherwise_is_sent_to_its_plain_digits_on_every_page(
    client, data, zeros, sign, spaces, before, after, page
):
    """Any scene from 1 to the last, written with zeros, a plus sign or spaces, after other values or before empty
    ones, on a record page, a list or a plain page with a parameter of its own: one redirect to `at` in plain digits,
    the page's other parameters kept, which then answers 200 (no loop, never a 500)."""
    number = data.draw(st.integers(min_value=1, max_value=Scene.objects.last_number()))
    values = [*before, f"{spaces}{sign}{'0' * zeros}{number}{spaces}", *after]
    path, _, query = page.partition("?")
    response = client.get(f"{page}{'&' if query else '?'}{urlencode({'at': values}, doseq=True)}")
    plain = f"{path}?{query}&at={number}" if query else f"{path}?at={number}"
    if values == [str(number)]:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response.url == plain, values
        assert client.get(plain).status_code == 200


def test_keep_horizon_rewrites_only_internal_links_and_get_forms():
    page = (
        '<a href="/scenes/?q=x&amp;page=2#top">s</a><a href="https://example.org/">e</a>'
        '<a href="/static/site.css">c</a><a data-horizon href="/">off</a><a href="#p3">p</a>'
        '<form method="get" action="/search/"></form><form method="post" action="/suggest/"></form>'
    )
    assert keep_horizon(page, 7) == (
        '<a href="/scenes/?q=x&amp;page=2&amp;at=7#top">s</a><a href="https://example.org/">e</a>'
        '<a href="/static/site.css">c</a><a data-horizon href="/">off</a><a href="#p3">p</a>'
        '<form method="get" action="/search/?at=7"><input type="hidden" name="at" value="7"></form>'
        '<form method="post" action="/suggest/?at=7"></form>'  # the correction form keeps it too
    )


@pytest.mark.parametrize("kind", ["scenes", "people", "letters", "flashbacks", "places", "cast"])
def test_the_api_tells_no_later_fact(client, kind):
    arrival = shimizus_arrival()
    facts = later_facts(arrival)
    body = client.get(f"/api/{kind}/?at={arrival}&format=csv").content.decode()
    told = [what for fact, what in facts.items() if not fact.startswith("/") and fact in body]
    assert not told, told[:3]
    if kind == "people":
        people = {row["slug"]: row for row in client.get(f"/api/people/?at={arrival}").json()["results"]}
        assert people["shimizu"]["fate"] == "" and people["shimizu"]["fate_scene"] is None
        assert "shimizu" not in client.get(f"/api/people/?at={arrival - 1}").content.decode()


def test_the_bag_of_letters_is_unknown_until_saigo_finds_it(client):
    """The excavators strike "something" in scene 1; that it is the bag of letters is told only at the end."""
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    burial = bag.scene_range()[0]
    assert Scene.objects.get(number=1).letters.count() == 0
    for at in (1, burial - 1):
        assert bag.get_absolute_url() not in client.get("/letters/", {"at": at}).content.decode()
        assert bag.title not in client.get(Scene.objects.get(number=1).get_absolute_url(), {"at": at}).content.decode()
        assert client.get(f"/api/letters/{bag.slug}/", {"at": at}).status_code == 404


def test_the_bag_of_letters_tells_what_becomes_of_it_only_at_its_last_scene(client):
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    burial, last = bag.scenes.order_by("number").values_list("number", flat=True)
    for at in (burial, last - 1):
        page = client.get(bag.get_absolute_url(), {"at": at}).content.decode()
        assert "shovel" not in page and "Found by the excavators" not in page
        assert known_up_to(at) in page
        assert "shovel" not in client.get("/letters/", {"at": at}).content.decode()
        assert bag.get_absolute_url() not in client.get("/search/", {"q": "shovel", "at": at}).content.decode()
        assert not client.get("/letters/", {"q": "shovel", "at": at}).context["object_list"]
        api = client.get(f"/api/letters/{bag.slug}/", {"at": at}).json()
        assert api["summary"] == api["fate"] == ""
    page = client.get(bag.get_absolute_url(), {"at": last}).content.decode()
    assert "shovel" in page and "Found by the excavators" in page
    assert bag.get_absolute_url() in client.get("/search/", {"q": "shovel", "at": last}).content.decode()
    assert client.get(f"/api/letters/{bag.slug}/", {"at": last}).json()["summary"] == bag.summary


def test_a_letters_fate_never_told_reads_as_one_still_to_come(client):
    """Before the last scene the bag's fate read "Not yet told" and every other letter's not told "Not told": so the
    bag comes back. A fate the film never tells waits for the last scene, as a person's does (page, list and API)."""
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    untold = Letter.objects.get(slug="saigos-last-letter")
    last = Scene.objects.last_number()
    assert untold.fate == "unknown" and untold.told_whole_at(40) and not bag.told_whole_at(40)
    for at, fate, data in ((40, LETTER_FATE_NOT_YET, ""), (last, "Not told", "unknown")):
        page = html.unescape(client.get(untold.get_absolute_url(), {"at": at}).content.decode())
        assert f"<dt>Its fate</dt><dd>{fate}</dd>" in page, at
        listed = html.unescape(client.get("/letters/", {"at": at}).content.decode())
        card = listed[: listed.index(untold.get_absolute_url())].rpartition('<li class="card">')[2]
        assert f"· {fate}</p>" in card, at
        assert client.get(f"/api/letters/{untold.slug}/", {"at": at}).json()["fate"] == data
    bag_page = html.unescape(client.get(bag.get_absolute_url(), {"at": 40}).content.decode())
    assert f"<dt>Its fate</dt><dd>{LETTER_FATE_NOT_YET}</dd>" in bag_page


def test_a_place_tells_what_happens_there_up_to_the_scene_you_are_at(client, admin_client):
    beach = Location.objects.get(slug="the-beach")
    page = client.get(beach.get_absolute_url(), {"at": 10}).content.decode()
    assert "first digs trenches" in page and "Nishi finds Kuribayashi here" in page
    assert "come ashore" not in page and "wounded Americans" not in page
    assert known_up_to(10) in page
    everything = client.get(beach.get_absolute_url()).content.decode()
    assert "come ashore" in everything and "Watching along" not in everything
    api = client.get(f"/api/places/{beach.slug}/", {"at": 10}).json()
    assert "ashore" not in api["description"] and "trenches" in api["description"]


def known_up_to(horizon):
    """The line a person's, place's or letter's page shows while watching along, whatever comes later."""
    return f"Watching along: this page shows what is known up to scene {horizon}."


def notes_of(page, horizon, *names):
    """What a page (or a card of a list) notes beside what it tells: its muted and notice paragraphs, with the
    horizon's number written N and the record's names X, so that pages of two records, or of one at two horizons,
    compare by what they say of what is held back."""
    notes = []
    for note in re.findall(r'<p class="(?:muted|notice)"[^>]*>(.*?)</p>', page, re.S):
        note = html.unescape(re.sub(r"<[^>]+>", "", note)).replace(f"scene {horizon}", "scene N")
        for name in names:
            note = note.replace(name, "X")
        notes.append(note)
    return sorted(notes)


def record_page(client, address, at):
    """The record at `address` (a model's natural key, "person:ito") and its page watched along at scene `at`."""
    kind, slug = address.split(":")
    record = {"person": Character, "place": Location, "letter": Letter}[kind].objects.get(slug=slug)
    return record, client.get(record.get_absolute_url(), {"at": at}).content.decode()


@pytest.mark.parametrize(
    ("cut", "whole"),
    [
        # A record of which more comes after the first horizon, and one of which nothing more comes at the second.
        (("person:ito", 33), ("person:ito", 41)),
        (("person:tanida", 14), ("person:tanida", 21)),
        (("place:the-field", 24), ("place:itos-cave", 24)),
        (("letter:the-bag-of-undelivered-letters", 40), ("letter:saigos-last-letter", 40)),
        (("letter:the-bag-of-undelivered-letters", 40), ("letter:the-bag-of-undelivered-letters", 45)),
    ],
)
def test_no_page_tells_whether_a_record_comes_back_after_the_horizon(client, cut, whole):
    """Watching along, a person's, place's or letter's page reads the same whether more of it comes after the
    horizon or not: “Ito’s story continues after the scene you are at” at 33 but not at 41 (his last scene) told that
    he comes back, as “More happens here” did of a place and a note of the bag of letters' held-back summary."""
    pages = [(at, *record_page(client, address, at)) for address, at in (cut, whole)]
    notes = [
        notes_of(page, at, *filter(None, [str(record), getattr(record, "possessive", "")]))
        for at, record, page in pages
    ]
    assert notes[0] == notes[1]
    assert all(known_up_to(at) in page for at, _record, page in pages)


def test_the_pairs_compared_are_a_record_cut_at_the_horizon_and_one_told_whole():
    ito, tanida = Character.objects.get(slug="ito"), Character.objects.get(slug="tanida")
    assert ito.shown_at(33).biography != ito.biography == ito.shown_at(41).biography
    assert tanida.shown_at(14).biography != tanida.biography == tanida.shown_at(21).biography
    places = {place.slug: place for place in Location.objects.all()}
    assert places["the-field"].shown_at(24) != places["the-field"].shown_at(None)
    assert places["itos-cave"].shown_at(24) == places["itos-cave"].shown_at(None)
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    one_scene = Letter.objects.get(slug="saigos-last-letter")
    assert not bag.told_whole_at(40) and one_scene.told_whole_at(40) and bag.told_whole_at(45)


def test_the_letters_list_tells_nothing_of_a_held_back_summary(client):
    """The bag's card before its last scene notes nothing its card at the end does not (“Told in full by a later
    scene” told that it comes back)."""
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    cards = []
    for at in (44, 45):
        page = client.get("/letters/", {"at": at}).content.decode()
        cards.append(notes_of(page[page.index(bag.get_absolute_url()) :].split("</li>")[0], at))
    assert cards[0] == cards[1]


def test_the_admin_refuses_a_place_description_part_stamped_with_a_missing_scene(admin_client):
    from django.urls import reverse

    place = Location.objects.get(slug="the-beach")
    url = reverse("admin:scenes_location_change", args=[place.pk])
    data = {"slug": place.slug, "name": place.name, "region": place.region, "former_slugs": ""}
    response = admin_client.post(url, {**data, "description": "Scene 2: A shore.\n\nScene 999: Never."})
    assert response.status_code == 200 and "999" in response.content.decode()
    assert Location.objects.get(pk=place.pk).description == place.description
    assert admin_client.post(url, {**data, "description": "Scene 2: A shore."}).status_code == 302
    assert Location.objects.get(pk=place.pk).description == [{"scene": 2, "text": "A shore."}]


@pytest.mark.parametrize("query", ["", "?at=3", "?x=%22%3Cb%3E&at=2&y=1", "?page=2&at=1&at=1"])
def test_watching_at_gives_what_the_querystring_tag_gives(rf, query):
    from django.template import RequestContext, Template

    request = rf.get(f"/scenes/the-landing/{query}")
    tag = Template("{{ request.path }}{% querystring at=7 %}").render(RequestContext(request, {"request": request}))
    assert html.escape(watching_at(request, 7)) == tag


def test_the_api_counts_a_persons_scenes_up_to_the_horizon(client):
    """Watching along, `seen_scene_count` is the scenes seen so far, as the people facet counts them; a count for
    the whole film would tell how long someone is still to be seen."""
    for horizon in (None, *horizons()):
        counts = Scene.objects.filter(number__lte=horizon or 10**6).presence_counts()
        people, address = [], "/api/people/" + ("" if horizon is None else f"?at={horizon}")
        while address:
            page = client.get(address).json()
            people += page["results"]
            address = page["next"] and "?".join(urlsplit(page["next"])[2:4])
        assert len(people) == Character.objects.at(horizon).count()
        for person in people:
            pk = Character.objects.get(slug=person["slug"]).pk
            assert person["seen_scene_count"] == counts.get(pk, 0), (horizon, person["slug"])
    saigo = Character.objects.get(slug="saigo")
    at_first = client.get("/api/people/saigo/", {"at": saigo.first_scene_number()}).json()
    assert at_first["seen_scene_count"] == 1 < saigo.seen_scene_count


def test_saigos_child_is_not_called_a_daughter_before_saigo_says_so(client):
    """¶10 says only "their first child"; that it is a daughter is told in ¶24."""
    child = Character.objects.get(slug="saigos-child")
    told = next(part["scene"] for part in child.biography if "daughter" in part["text"])
    assert "daughter" not in child.name.lower() + child.role.lower()
    for at in (child.first_scene_number(), told - 1):
        for address in (
            child.get_absolute_url(),
            Scene.objects.get(number=child.first_scene_number()).get_absolute_url(),
        ):
            assert "daughter" not in client.get(address, {"at": at}).content.decode().lower(), (address, at)
        assert child.get_absolute_url() not in client.get("/search/", {"q": "daughter", "at": at}).content.decode()
    assert "daughter" in client.get(child.get_absolute_url(), {"at": told}).content.decode()
    assert child.get_absolute_url() in client.get("/search/", {"q": "daughter", "at": told}).content.decode()
    # The old address still works.
    assert client.get("/characters/saigos-daughter/")["Location"] == child.get_absolute_url()


def short_texts_known_at(horizon):
    """[(record, text)]: the short texts every page shows of each person, place, letter and memory known at scene
    `horizon`, whatever the horizon (they are not cut as the scene-stamped texts are)."""
    texts = []
    for person in Character.objects.at(horizon):
        texts += [(person, text) for text in (person.name, person.full_name, person.rank, person.role)]
        texts += [(person, alias) for alias in person.alias_list]
    texts += [(place, place.name) for place in Location.objects.at(horizon)]
    texts += [(letter, letter.title) for letter in Letter.objects.at(horizon)]
    for memory in Flashback.objects.at(horizon):
        texts += [(memory, memory.title), (memory, memory.when)]
    return [(record, text) for record, text in texts if text]


def test_no_text_shown_at_every_horizon_names_someone_not_yet_met():
    """A role, name, title or a memory's “when” is shown as it is from the record's first scene on: it names no one
    the viewer has not met by then (“A soldier of Saigo's company” named Saigo from scene 1, as the credits name
    Nozaki; Saigo comes in scene 2). By each person's names and aliases as written, so that words which are not a
    name (“the general”) do not count."""
    last, unmet_by = Scene.objects.last_number(), {}
    for person in Character.objects.all():
        first = person.first_scene_number()
        names = {person.name, person.full_name, person.name_in_sentence, *person.alias_list} - {""}
        if first is not None:
            unmet_by[person] = (first, re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b"))
    named = []
    for at in range(1, last + 1):
        for record, text in short_texts_known_at(at):
            named += [(at, str(record), text, person.name) for person, (first, names) in unmet_by.items()
                      if first > at and names.search(text)]  # fmt: skip
    assert not named, named[:5]


def test_no_role_tells_of_a_letter_before_its_scene(client):
    """“The general's son, to whom he writes” told from scene 6 of the letter heard only in scene 42: a role that
    speaks of writing or letters is of someone who has written or been sent one by the time they are met."""
    last, told = Scene.objects.last_number(), []
    for at in range(1, last + 1):
        letters = Letter.objects.at(at)
        for person in Character.objects.at(at):
            tells = re.search(r"\bwrit|\bletter", person.role, re.I)
            if tells and not letters.filter(Q(writer=person) | Q(recipient=person)).exists():
                told.append((at, person.slug, person.role))
    assert not told, told[:5]
    son = Character.objects.get(slug="kuribayashis-son")
    page = client.get("/scenes/child-in-the-street/", {"at": son.first_scene_number()}).content.decode()
    assert son.get_absolute_url() in page and "writes" not in html.unescape(page)


def test_no_letter_title_tells_that_it_is_the_last():
    """“Saigo's last letter to his wife”, from scene 37, told that he writes no more: a title is shown from the
    letter's first scene, so it says what it is, not what follows."""
    assert not [letter.title for letter in Letter.objects.all() if re.search(r"\blast\b", letter.title, re.I)]
    assert Letter.objects.get(slug="saigos-last-letter").title == "Saigo's letter from Kuribayashi's base"


def test_the_summarys_descriptions_of_a_person_wait_for_the_end_of_their_story(client):
    kashiwara = Character.objects.get(slug="kashiwara")
    assert "Saigo's sick friend" in kashiwara.source_name_list
    first, end = kashiwara.first_scene_number(), kashiwara.story_told_from
    early = html.unescape(client.get(kashiwara.get_absolute_url(), {"at": first}).content.decode())
    assert "sick friend" not in early
    assert (
        kashiwara.get_absolute_url() not in client.get("/search/", {"q": "sick friend", "at": first}).content.decode()
    )
    whole = html.unescape(client.get(kashiwara.get_absolute_url(), {"at": end}).content.decode())
    assert "Saigo's sick friend" in whole.replace("’", "'")


def test_a_scene_number_past_the_horizon_says_further_on_without_its_slug(client):
    """/scenes/number/<n>/ redirects to the scene's slug, which could tell what happens in it: past the horizon it
    answers the "further on" page there, whose link moves the horizon on and then redirects."""
    last = Scene.objects.last_number()
    for number in (4, last):
        later = Scene.objects.get(number=number)
        response = client.get(f"/scenes/number/{number}/", {"at": 3})
        assert response.status_code == 200 and not response.has_header("Location")
        page = html.unescape(response.content.decode())
        assert later.slug not in page and later.title not in page
        assert "comes after the scene you are at (scene 3)" in page
        move_on = f'href="/scenes/number/{number}/?at={number}">I have watched up to scene {number}: show this page'
        assert move_on in page
        response = client.get(f"/scenes/number/{number}/", {"at": number})
        assert response.status_code == 302 and response.url == f"{later.get_absolute_url()}?at={number}"
    three = Scene.objects.get(number=3)
    assert client.get("/scenes/number/3/", {"at": 3}).url == f"{three.get_absolute_url()}?at=3"
    assert client.get("/scenes/number/3/", {"at": 5}).url == f"{three.get_absolute_url()}?at=5"
    assert client.get(f"/scenes/number/{last}/").status_code == 302
    assert client.get(f"/scenes/number/{last + 1}/", {"at": 3}).status_code == 404


def test_a_former_slug_of_something_further_on_leads_to_no_slug_of_today(client):
    """An old address (a former slug) of a later record is not redirected to its address now while watching
    along: the page says it is further on, the API and a list's filter know nothing of it."""
    scene = Scene.objects.get(slug="shot-in-cold-blood")
    former, at = scene.former_slugs[0], scene.number - 1
    response = client.get(f"/scenes/{former}/", {"at": at})
    assert response.status_code == 200 and "comes after the scene you are at" in response.content.decode()
    assert scene.slug not in response.content.decode()
    assert (
        client.get(f"/scenes/{former}/", {"at": scene.number})["Location"] == f"/scenes/{scene.slug}/?at={scene.number}"
    )
    response = client.get(f"/api/scenes/{former}/", {"at": at})
    assert response.status_code == 404 and scene.slug not in response.content.decode()
    assert client.get(f"/api/scenes/{former}/", {"at": scene.number}).status_code == 301
    person = Character.objects.get(slug="patrol-beyond-the-hill")
    former, first = person.former_slugs[0], person.first_scene_number()
    response = client.get("/scenes/", {"character": former, "at": first - 1})
    assert response.status_code == 400 and person.slug not in response.content.decode()
    response = client.get("/scenes/", {"character": former, "at": first})
    assert response.status_code == 301 and f"character={person.slug}" in response["Location"]


def watch_along_links(page):
    """The internal addresses a page links to or sends a form to, except those that set the horizon themselves."""
    addresses = []
    for tag in TAGS.finditer(page):
        if "data-horizon" not in tag.group(0):
            addresses += [html.unescape(a) for a in ADDRESS.findall(tag.group(0)) if a.startswith("/")]
    return [a for a in addresses if not a.startswith("/static/")]


@pytest.mark.parametrize("own_at", [True, False])
def test_the_correction_form_and_its_thanks_keep_the_horizon(client, own_at):
    """Watching along, the correction pages show the banner and every link keeps `at`: carried by the link to the
    form, or by the page the correction is about."""
    page = client.get("/characters/saigo/", {"at": 5}).content.decode()
    link = html.unescape(re.search(r'<a href="(/suggest/[^"]*)">Suggest a correction', page)[1])
    assert parse_qs(urlsplit(link).query) == {"page": ["/characters/saigo/?at=5"], "at": ["5"]}
    if not own_at:  # an older link, or one typed: the horizon of the page it is about
        link = "/suggest/?" + urlsplit(link).query.rpartition("&")[0]
    form = client.get(link)
    data = {"page": "/characters/saigo/?at=5", "text": "A typo.", "source": "", "email": "", "website": ""}
    action = html.unescape(re.search(r'<form class="suggest" method="post" action="([^"]*)"', form.content.decode())[1])
    sent = client.post(action, data)
    assert sent.status_code == 302 and parse_qs(urlsplit(sent.url).query)["at"] == ["5"]
    thanks = client.get(sent.url)
    for response in (form, thanks):
        page = response.content.decode()
        assert "<strong>Watching along at scene 5:</strong>" in page and "(up to scene 5)" in page
        assert response["X-Robots-Tag"] == "noindex"
        links = watch_along_links(page)
        assert "/characters/saigo/?at=5" in links and "/scenes/?at=5" in links
        assert all(parse_qs(urlsplit(a).query).get("at") == ["5"] for a in links), links
    bare = client.get("/suggest/", {"page": "/characters/saigo/"}).content.decode()
    assert "Watching along" not in bare and "at=" not in "".join(watch_along_links(bare))
    bad = client.get("/suggest/", {"page": "/characters/saigo/?at=abc"})
    assert bad.status_code == 200 and "Watching along" not in bad.content.decode()


def what_a_page_names(page):
    """The text of a page's title, meta descriptions, OpenGraph and Twitter tags, headings and lead paragraph."""
    parts = re.findall(r"<title>(.*?)</title>", page, re.S)
    parts += re.findall(r'<meta (?:name|property)="[^"]*" content="([^"]*)"', page)
    parts += re.findall(r"<h\d[^>]*>(.*?)</h\d>", page, re.S) + re.findall(r'<p class="lead">(.*?)</p>', page, re.S)
    return html.unescape("\n".join(parts))


def test_a_person_not_yet_met_is_this_person_on_the_further_on_page(client):
    """Many people are named by what they do (“the soldier who knocks Saigo out”): a page about someone not yet met
    names no one, in its text or its head; nor does a memory name whose it is before they are met."""
    checked = 0
    for person in Character.objects.all():
        first = person.first_scene_number()
        if first is None or first == 1:
            continue
        page = client.get(person.get_absolute_url(), {"at": first - 1}).content.decode()
        named = what_a_page_names(page)
        assert f"This person comes after the scene you are at (scene {first - 1})" in named, person.slug
        for name in {person.name, person.display_name, person.name_in_sentence, *person.alias_list}:
            assert name not in named, (person.slug, name)
        checked += 1
    assert checked > 40
    shimizu = Character.objects.get(slug="shimizu")
    memory = Flashback.objects.filter(rememberer=shimizu).select_related("scene").first()
    before = what_a_page_names(
        client.get(memory.get_absolute_url(), {"at": shimizu.first_scene_number() - 1}).content.decode()
    )
    assert "Shimizu" not in before and "This memory comes after" in before
    met = what_a_page_names(
        client.get(memory.get_absolute_url(), {"at": shimizu.first_scene_number()}).content.decode()
    )
    assert "A memory of Shimizu comes after" in met


def test_a_name_ending_in_a_plural_takes_the_apostrophe_alone(client):
    """The site writes every possessive of a name with possessive(): “Saigo’s”, but “The excavators’”, a group's or
    a description's that ends in a plural ("…who shoots the prisoners’"), never “excavators’s”."""
    assert possessive("Saigo") == "Saigo’s" and possessive("Sam", plural=True) == "Sam’s"
    assert possessive("The excavators", plural=True) == "The excavators’"
    people = {person.slug: person for person in Character.objects.all()}
    assert people["saigo"].possessive == "Saigo’s" and people["excavators"].possessive == "The excavators’"
    assert people["american-who-shoots-the-prisoners"].possessive.endswith("the prisoners’")
    assert people["tanidas-company"].possessive == "Tanida's company’s"
    pages = [
        client.get(person.get_absolute_url(), {"at": at}).content.decode()
        for person in people.values()
        for at in (1, 44)
    ]
    pages += [client.get(address).content.decode() for address in ("/timeline/?everyone=1", "/timeline/story/")]
    pages += [client.get(address).content.decode() for address in ("/flashbacks/", "/scenes/", "/search/?q=memory")]
    pages += [client.get(scene.get_absolute_url()).content.decode() for scene in Scene.objects.all()]
    text = html.unescape("\n".join(pages))
    assert not re.findall(r"\w+s’s\b", text)


def listed_slugs(client, address, query):
    """The slugs an API list holds for `query`, all of them (its CSV), in its order."""
    rows = csv.DictReader(io.StringIO(client.get(address, {**query, "format": "csv"}).content.decode()))
    return [row.get("slug") or row["person"] for row in rows]


def test_someone_in_no_scene_is_known_at_every_horizon_and_the_last_scene_lists_everything(client):
    """People only in the credits (no scene, no memory) have nothing to spoil: listed at every horizon, their page
    as it is without `at`; at the last scene every list, page or API, holds what it holds without `at`."""
    last = Scene.objects.last_number()
    credited_only = list(Character.objects.filter(credited_only=True))
    assert {person.slug for person in credited_only} >= {"nozaki", "endo"}
    for person in credited_only:
        assert person.first_scene_number() is None
        bare = client.get(person.get_absolute_url()).content.decode()
        assert "in the film’s credits" in bare
        for at in (1, last):
            page = client.get(person.get_absolute_url(), {"at": at}).content.decode()
            assert "comes after the scene you are at" not in page and "in the film’s credits" in page, (person, at)
            assert person.slug in cast_rows(client, {"at": at})
            assert person.slug in listed_slugs(client, "/api/people/", {"at": at})
            assert client.get(f"/api/people/{person.slug}/", {"at": at}).status_code == 200
            found = client.get("/search/", {"q": person.name, "at": at}).content.decode()
            assert person.get_absolute_url() in found, (person, at)
    for kind in ("scenes", "people", "letters", "flashbacks", "places", "cast"):
        assert listed_slugs(client, f"/api/{kind}/", {"at": last}) == listed_slugs(client, f"/api/{kind}/", {}), kind
    for address in ("/scenes/", "/characters/", "/letters/", "/flashbacks/", "/places/", "/cast/"):
        whole, at_last = client.get(address).context, client.get(address, {"at": last}).context
        key = "paginator" if "paginator" in whole and whole["paginator"] else "object_list"
        if key == "paginator":
            whole, at_last = whole["paginator"].object_list, at_last["paginator"].object_list
        else:
            whole, at_last = whole["object_list"], at_last["object_list"]
        assert [r.pk for r in at_last] == [r.pk for r in whole], address
    for kind in ("scenes", "people", "letters", "flashbacks"):
        facets = [client.get(f"/api/{kind}/", query).json()["facets"] for query in ({}, {"at": last})]
        whole, at_last = ({f["name"]: f for f in each if f["name"] != "fate"} for each in facets)
        assert at_last == whole, kind  # but the fate filter, left out while watching along


def test_source_paragraphs_name_only_what_the_scenes_reached_cite(client):
    """Watching along, a record's `source_paragraphs` (API) and its page's "Source ¶…" list only the plot summary's
    paragraphs that the scenes up to the horizon cite: a later paragraph's number tells how far the record goes."""
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    burial = bag.scene_range()[0]
    assert bag.source_paragraphs == [25, 30]
    assert client.get(f"/api/letters/{bag.slug}/", {"at": burial}).json()["source_paragraphs"] == [25]
    assert client.get(f"/api/letters/{bag.slug}/").json()["source_paragraphs"] == bag.source_paragraphs
    last, checked = Scene.objects.last_number(), {"scenes": 0, "letters": 0, "flashbacks": 0}
    for at in (1, 5, shimizus_arrival(), 30, last):
        cited = {n for scene in Scene.objects.filter(number__lte=at) for n in scene.source_paragraphs}
        for kind, model in (("scenes", Scene), ("letters", Letter), ("flashbacks", Flashback)):
            records = client.get(f"/api/{kind}/", {"at": at}).json()["results"]  # a first page
            checked[kind] += len(records)
            for row in records:
                record = model.objects.get(slug=row["slug"])
                assert row["source_paragraphs"] == [n for n in record.source_paragraphs if n in cited], (kind, at)
                one = client.get(f"/api/{kind}/{record.slug}/", {"at": at}).json()
                assert one["source_paragraphs"] == row["source_paragraphs"]
                page = client.get(record.get_absolute_url(), {"at": at}).content.decode()
                shown = {int(n) for n in re.findall(r'href="/source/\?at=\d+#p(\d+)"', page)}
                assert shown == set(row["source_paragraphs"]), (kind, record.slug, at)
    assert min(checked.values()) > 5, checked


def test_a_filter_refuses_a_record_still_to_come_alone_or_beside_one_already_met(client):
    """Watching along, choosing by its slug now a person or place not yet met is refused as an unknown slug (400),
    and the page names them nowhere: the lists, their facet pages and the API."""
    at = shimizus_arrival() - 1
    shimizu = Character.objects.get(slug="shimizu")
    later_place = Location.objects.exclude(pk__in=Location.objects.at(at)).order_by("pk").first()
    addresses = [
        "/scenes/?character=shimizu",
        "/scenes/?character=saigo&character=shimizu",
        "/scenes/facets/character/?character=saigo&character=shimizu",
        f"/scenes/?location={later_place.slug}",
        "/letters/?recipient=shimizu",
        "/flashbacks/?rememberer=shimizu",
        "/flashbacks/?character=saigo&character=shimizu",
        "/api/scenes/?character=saigo&character=shimizu",
        f"/api/scenes/?location={later_place.slug}",
    ]
    for address in addresses:
        response = client.get(f"{address}&at={at}")
        assert response.status_code == 400, address
        page = html.unescape(response.content.decode())
        assert shimizu.name not in page and later_place.name not in page, address
        assert client.get(address).status_code == 200, address  # the whole film knows them
    assert client.get(f"/scenes/?character=saigo&at={at}").status_code == 200


def test_the_order_of_prominence_counts_the_scenes_seen_so_far(client):
    """Watching along, people are ordered by the scenes they are seen in up to the horizon: the whole film's counts
    would put first whoever is seen more later."""
    at = 12
    counts = Scene.objects.filter(number__lte=at).presence_counts()
    tiers = dict(Character.objects.values_list("slug", "prominence_tier"))
    slugs, address = [], f"/api/people/?at={at}"
    while address:
        page = client.get(address).json()
        slugs += [row["slug"] for row in page["results"]]
        address = page["next"] and "?".join(urlsplit(page["next"])[2:4])
    people = {p.slug: p for p in Character.objects.filter(slug__in=slugs)}
    expected = sorted(slugs, key=lambda s: (tiers[s], -counts.get(people[s].pk, 0), people[s].name.lower(), s))
    assert slugs == expected
    whole_film = sorted(slugs, key=lambda s: (tiers[s], -people[s].seen_scene_count, people[s].name.lower(), s))
    assert whole_film != expected  # the example: the whole film's order differs at this horizon
    page = client.get("/characters/", {"at": at}).content.decode()
    shown = [s for s in re.findall(r'href="/characters/([a-z0-9-]+)/\?at=', page) if s in people]
    assert list(dict.fromkeys(shown)) == expected[: len(dict.fromkeys(shown))]


# Every people facet: (list, facet, a filter that narrows the list apart from the horizon).
PEOPLE_FACETS = [
    ("scenes", "character", {"has_letter": "yes"}),
    ("letters", "writer", {"presentation": "voice-over"}),
    ("letters", "recipient", {"presentation": "voice-over"}),
    ("flashbacks", "rememberer", {"character": "hanako"}),
    ("flashbacks", "character", {"rememberer": "saigo"}),
]


def test_every_people_facet_ranks_people_by_the_scenes_seen_so_far_whatever_the_lists_filters(client):
    """Watching along, each list's people facet ranks people as the people list does at that horizon: by the
    scenes each is seen in so far, not by the whole film's count (which tells who is seen more later), nor by the
    filtered list's own count (which would rank them otherwise at the last scene than without `at`)."""
    tiers = dict(Character.objects.values_list("slug", "prominence_tier"))
    people = {person.slug: person for person in Character.objects.all()}
    whole_film_differs = set()
    for at in horizons():
        seen = Scene.objects.filter(number__lte=at).presence_counts()

        def rank(slug, seen=seen):
            return tiers[slug], -seen.get(people[slug].pk, 0), people[slug].name.lower(), slug

        for kind, name, narrowing in PEOPLE_FACETS:
            for query in ({"at": at}, {"at": at, **narrowing}):
                facet = next(f for f in client.get(f"/api/{kind}/", query).json()["facets"] if f["name"] == name)
                shown = [option["value"] for option in facet["options"] if not option.get("selected")]
                assert shown == sorted(shown, key=rank), (kind, name, query)
                whole_film = sorted(
                    shown, key=lambda s: (tiers[s], -people[s].seen_scene_count, people[s].name.lower(), s)
                )
                if shown != whole_film:
                    whole_film_differs.add((kind, name))
        # The scene list's page of every person keeps the same order past the first ten.
        every = [
            option.value for option in client.get("/scenes/facets/character/", {"at": at}).context["facet"].options
        ]
        assert every == sorted(every, key=rank), at
    # The example: at some horizon the whole film's order would tell more, in each of these facets.
    assert {("scenes", "character"), ("letters", "writer"), ("flashbacks", "character")} <= whole_film_differs


@pytest.mark.parametrize(("slug", "at"), [("doubting-soldier", 11), ("saigos-other-friend", 9), ("last-soldiers", 36)])
def test_a_persons_companions_tie_by_the_scenes_seen_so_far(client, slug, at):
    """ "Shares most scenes with" breaks a tie as the people list orders people at the horizon: at scene 11 the whole
    film's counts put Saigo before Kuribayashi and Fujita before Kashiwara, though the reverse is true so far."""
    seen = Scene.objects.filter(number__lte=at).presence_counts()
    companions = client.get(f"/characters/{slug}/", {"at": at}).context["companions"]
    ranks = [(-together, p.prominence_tier, -seen.get(p.pk, 0), p.name.lower(), p.slug) for p, together in companions]
    assert len(companions) > 1 and ranks == sorted(ranks), [p.slug for p, _ in companions]


def test_the_home_page_counts_in_the_singular_where_there_is_one(client):
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get("/", {"at": 1}).content.decode()).split())
    assert "1 scene " in page and "1 scenes" not in page
    assert not re.search(r"\b1 (scenes|groups|letters|flashbacks|people)\b", page)


@pytest.mark.parametrize("kind", ["scenes", "people", "letters", "flashbacks", "places", "cast"])
def test_the_apis_page_addresses_keep_the_horizon(client, kind):
    """A record's `url` in the API leads to its page as the viewer may see it: with `at` while watching along."""
    at = shimizus_arrival()
    rows = client.get(f"/api/{kind}/", {"at": at}).json()["results"]
    assert rows and all(urlsplit(row["url"]).query == f"at={at}" for row in rows), kind
    assert all(not urlsplit(row["url"]).query for row in client.get(f"/api/{kind}/").json()["results"])
    if "slug" in rows[0]:  # a record of its own (the cast lists people, whose records are the people's)
        assert client.get(f"/api/{kind}/{rows[0]['slug']}/", {"at": at}).json()["url"].endswith(f"?at={at}")


@pytest.mark.parametrize("address", ["/suggest/", "/suggest/thanks/"])
def test_the_correction_pages_show_everything_and_keep_their_page_when_the_horizon_moves(client, address):
    """The link "Show everything" leads to the same page about the page being corrected, without any `at`; the
    form that sets the horizon sends `page` (without its `at`, so the one typed wins) and nothing the page does not
    read; and a horizon of the address's own wins over the page's everywhere: the banner, the link back to it."""
    about = "/characters/saigo/?at=3"
    for query, horizon in (({"page": about}, 3), ({"page": about, "at": 5, "about": "x"}, 5)):
        page = client.get(address, query).content.decode()
        assert f"<strong>Watching along at scene {horizon}:</strong>" in page
        off = html.unescape(re.search(r'<a data-horizon href="([^"]*)">Show everything</a>', page)[1])
        assert parse_qs(urlsplit(off).query) == {"page": ["/characters/saigo/"]}
        assert "Watching along" not in client.get(off).content.decode()
        form = re.search(r'<form class="watch-along".*?</form>', page, re.S)[0]
        kept = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form))
        assert {name: html.unescape(value) for name, value in kept.items()} == {"page": "/characters/saigo/"}
        assert f"/characters/saigo/?at={horizon}" in watch_along_links(page)
        assert "/characters/saigo/?at=3" not in watch_along_links(page) or horizon == 3


@pytest.mark.parametrize(
    ("url", "to"),
    [
        ("/characters/?fate=killed&at=10", "/characters/?at=10"),
        ("/characters/?side=japanese-army&fate=bogus&at=10", "/characters/?side=japanese-army&at=10"),
        ("/letters/?fate=bogus&at=5", "/letters/?at=5"),
    ],
)
def test_watching_along_a_fate_filter_leaves_the_address_rather_than_sit_in_it_unread(client, url, to):
    # The lists leave out the fate filter before the end (it would tell how stories end): an address holding one
    # listed everyone, with the filter still in its form and its JSON and CSV links, as if it had filtered.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == to
    assert client.get("/characters/", {"fate": "bogus"}).status_code == 400  # the whole film's list reads it
