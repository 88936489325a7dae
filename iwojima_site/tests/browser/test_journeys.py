"""People's journeys through the site in a real browser: clicking links and buttons, reading what is on screen."""

import difflib
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from characters.models import Character
from iwojima_site.pages import page_types
from scenes.content import FIXTURE_MODELS, fixtures_dir
from scenes.editors import EDITORS_GROUP
from scenes.models import Letter, Scene

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 780}


def heading(page):
    return page.get_by_role("heading", level=1)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


# A list's results are a region named by their heading: "53 scenes", "3 scenes match the filters", "No results".
RESULTS_HEADING = re.compile(r"^(\d+ \w+|No results)")


def results(page):
    return page.get_by_role("region", name=RESULTS_HEADING)


def result_count(page):
    name = page.get_by_role("heading", level=2, name=RESULTS_HEADING).inner_text()
    return 0 if name.startswith("No results") else int(name.split()[0])


def result_titles(page):
    return results(page).get_by_role("heading", level=3).all_inner_texts()


def active_filters(page):
    # text_content, not inner_text: the words only a screen reader hears are part of the link's name.
    chips = page.get_by_role("link", name=re.compile("^Remove the filter")).all_text_contents()
    return [" ".join(chip.split()) for chip in chips]


def choose(select, option_text):
    """Pick an option by its text; the option's label also carries a count, e.g. "The beach (3)"."""
    option = select.locator("option").filter(has_text=re.compile(rf"^{re.escape(option_text)}( \(\d+\))?$"))
    select.select_option(label=option.inner_text().strip())


def show_results(page):
    """Submit the filter form; the list's heading then says the filters apply (and the new page has loaded)."""
    page.get_by_role("button", name="Show results").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("match(es)? the filters$"))).to_be_visible()


def person_checkbox(page, name):
    return page.get_by_role("group", name="With everyone of these people").get_by_role(
        "checkbox", name=re.compile(rf"^{re.escape(name)} \(\d+\)$")
    )


def horizontal_overflow(page):
    """How many pixels the page is wider than the window, and the first elements that stick out."""
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const name = el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
            const wide = [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
                .slice(0, 5)
                .map(el => `${name(el)} in ${name(el.parentElement)}`);
            return {overflow: root.scrollWidth - root.clientWidth, elements: wide};
        }"""
    )


def assert_fits(page):
    found = horizontal_overflow(page)
    assert found["overflow"] <= 0, f"{page.url} scrolls sideways by {found['overflow']}px: {found['elements']}"


def test_from_the_home_page_to_the_letters_of_a_person_in_a_filtered_scene(page, content):
    saigo = Character.objects.get(slug="saigo")
    expected = Scene.objects.filter(characters=saigo, location__slug="the-beach").order_by("number")

    page.goto("/")
    main_nav(page).get_by_role("link", name="Scenes").click()
    expect(heading(page)).to_have_text("Scenes")
    everything = result_count(page)

    person_checkbox(page, "Saigo").check()
    choose(page.get_by_label("Place", exact=True), "The beach")
    show_results(page)

    assert active_filters(page) == [
        "Remove the filter With everyone of these people: Saigo ✕",
        "Remove the filter Place: The beach ✕",
    ]
    assert result_count(page) == expected.count() < everything
    assert result_titles(page) == [scene.title for scene in expected]

    scene = expected.first()
    results(page).get_by_role("link", name=scene.title).click()
    expect(heading(page)).to_have_text(scene.title)

    page.get_by_role("region", name="People in this scene").get_by_role("link", name="Saigo", exact=True).click()
    expect(heading(page)).to_have_text(f"{saigo.rank} {saigo.name}")

    letters = page.get_by_role("region", name="Letters").get_by_role("link")
    written = Letter.objects.filter(writer=saigo).in_screen_order()
    received = Letter.objects.filter(recipient=saigo).in_screen_order()
    expect(letters).to_have_text([letter.title for letter in [*written, *received]])
    letters.first.click()
    expect(heading(page)).to_have_text(written.first().title)
    expect(page.get_by_role("definition").filter(has_text="Saigo").first).to_be_visible()


def test_a_search_by_a_misspelt_name_finds_the_general_and_his_scenes(page, content):
    general = Character.objects.get(slug="kuribayashi")
    first = Scene.objects.filter(characters=general).order_by("number").first()
    second = Scene.objects.get(number=first.number + 1)

    page.goto("/")
    header = page.get_by_role("banner")
    header.get_by_role("searchbox", name="Search the film").fill("Kuribachi")
    header.get_by_role("button", name="Search").click()
    expect(heading(page)).to_have_text("Results for “Kuribachi”")

    page.get_by_role("region", name=re.compile("^People")).get_by_role("link", name=general.name).click()
    expect(heading(page)).to_have_text(f"{general.rank} {general.name}")

    page.get_by_role("region", name=re.compile(r"^Scenes \(")).get_by_role("link").first.click()
    expect(heading(page)).to_have_text(first.title)

    page.get_by_role("link", name=re.compile("^Next scene")).click()
    expect(heading(page)).to_have_text(second.title)

    page.get_by_role("link", name=re.compile("^← Previous scene")).click()
    expect(heading(page)).to_have_text(first.title)


def test_a_filtered_list_is_a_link_that_shows_the_same_results_elsewhere(page, content):
    page.goto("/")
    main_nav(page).get_by_role("link", name="Scenes").click()
    person_checkbox(page, "Kuribayashi").check()
    choose(page.get_by_label("When", exact=True), "1945, the battle")
    show_results(page)
    narrowed, titles, filters = result_count(page), result_titles(page), active_filters(page)
    assert len(filters) == 2 and narrowed > 0

    # The link, opened in a new page (as a student opens the one their teacher sent).
    shared = page.context.new_page()
    shared.goto(page.url)
    assert (result_count(shared), result_titles(shared), active_filters(shared)) == (narrowed, titles, filters)
    expect(person_checkbox(shared, "Kuribayashi")).to_be_checked()
    expect(shared.get_by_label("When", exact=True)).to_have_value("1945")

    # One click on a filter's ✕ removes just that filter: the list widens, the other filter stays.
    shared.get_by_role("link", name=re.compile("^Remove the filter When")).click()
    expect(shared.get_by_label("When", exact=True)).to_have_value("")
    assert active_filters(shared) == [filters[0]]
    assert result_count(shared) > narrowed


def test_an_editor_corrects_a_title_and_the_export_shows_just_that(page, content, tmp_path):
    password = "a-long-editor-password"
    editor = User.objects.create_user("editor", password=password, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    scene = Scene.objects.get(number=2)
    new_title = "Trenches dug on the beach"

    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Scenes", exact=True).click()
    page.get_by_role("link", name=scene.title, exact=True).click()
    page.get_by_role("textbox", name="Title:", exact=True).fill(new_title)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    # Back to the scene's admin page from the list, and from there to the public page.
    page.get_by_role("link", name=new_title, exact=True).click()
    page.get_by_role("link", name="View on site").click()
    expect(heading(page)).to_have_text(new_title)

    call_command("export_content", "--fixtures", str(tmp_path), stdout=StringIO())
    for name in FIXTURE_MODELS:
        if name != "scenes":
            assert (tmp_path / f"{name}.json").read_bytes() == (fixtures_dir() / f"{name}.json").read_bytes(), name
    before = (fixtures_dir() / "scenes.json").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "scenes.json").read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0) if line[:1] in "+-"][2:]
    assert changed == [f'-      "title": "{scene.title}",', f'+      "title": "{new_title}",'], "\n".join(changed)


def test_on_a_phone_the_lists_fit_and_the_filters_work(page, content):
    page.set_viewport_size(PHONE)
    page.goto("/")
    main_nav(page).get_by_role("link", name="Scenes").click()
    expect(heading(page)).to_have_text("Scenes")  # the list has loaded: measure it, not the page being left
    assert_fits(page)
    everything = result_count(page)

    choose(page.get_by_label("When", exact=True), "Before the invasion")
    show_results(page)
    assert 0 < result_count(page) < everything
    assert_fits(page)

    title = result_titles(page)[0]
    results(page).get_by_role("link", name=title).click()
    expect(heading(page)).to_have_text(title)
    assert_fits(page)


def test_every_kind_of_page_fits_a_phone_screen(page, content):
    page.set_viewport_size(PHONE)
    problems = []
    for name, path in page_types():
        page.goto(path)
        found = horizontal_overflow(page)
        if found["overflow"] > 0:
            problems.append(f"  {name} ({path}) scrolls sideways by {found['overflow']}px: {found['elements']}")
    if problems:
        pytest.fail("Pages wider than a 360px phone:\n" + "\n".join(problems), pytrace=False)


# Filters that keep their word


def filter_state(page):
    """What the filter form shows: the ticked people and the chosen time."""
    people = page.get_by_role("group", name="With everyone of these people").get_by_role("checkbox")
    ticked = [box.get_attribute("value") for box in people.all() if box.is_checked()]
    return ticked, page.get_by_label("When", exact=True).input_value()


@pytest.fixture
def page_with_back_forward_cache(browser_type, browser_type_launch_args, live_server):
    """A page in a Chromium that keeps the pages left behind whole, to show them again on Back, as people's
    browsers do (Playwright's own launch turns that cache off)."""
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"])
    page = browser.new_context(base_url=live_server.url).new_page()
    page.add_init_script("addEventListener('pageshow', event => { window.fromBackForwardCache = event.persisted; })")
    yield page
    browser.close()


@pytest.mark.parametrize("browser_kind", ["page", "page_with_back_forward_cache"])
def test_back_and_forward_show_the_filters_the_address_holds(request, live_server, content, browser_kind):
    # live_server named here: a fixture asked for by name only would find the live server's host refused.
    page = request.getfixturevalue(browser_kind)
    cached = browser_kind == "page_with_back_forward_cache"
    page.goto("/scenes/")
    person_checkbox(page, "Saigo").check()
    show_results(page)
    saigo_only = page.url
    person_checkbox(page, "Shimizu").check()
    choose(page.get_by_label("When", exact=True), "Before the invasion")
    show_results(page)
    both = page.url

    # A page from the cache fires no load event: wait for the address, then for the script's reset.
    page.go_back(wait_until="commit" if cached else "load")
    expect(page).to_have_url(saigo_only)
    expect(person_checkbox(page, "Shimizu")).not_to_be_checked()
    assert filter_state(page) == (["saigo"], "")
    assert active_filters(page) == ["Remove the filter With everyone of these people: Saigo ✕"]
    if cached:
        assert page.evaluate("window.fromBackForwardCache"), "the page should have come from the cache"

    page.go_forward(wait_until="commit" if cached else "load")
    expect(page).to_have_url(both)
    expect(page.get_by_label("When", exact=True)).to_have_value("1944")
    assert filter_state(page) == (["saigo", "shimizu"], "1944")

    page.go_back(wait_until="commit" if cached else "load")
    expect(person_checkbox(page, "Shimizu")).not_to_be_checked()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(saigo_only)


def test_a_filtered_list_copies_its_own_link(page, content):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/scenes/")
    choose(page.get_by_label("When", exact=True), "1945, the battle")
    show_results(page)
    page.get_by_role("button", name="Copy link to this list").click()
    expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == page.url


def test_every_person_is_a_click_away_and_choosing_keeps_the_other_filters(page, content):
    page.goto("/scenes/")
    choose(page.get_by_label("When", exact=True), "1945, the battle")
    show_results(page)
    people = page.get_by_role("group", name="With everyone of these people")
    expect(people.get_by_role("checkbox")).to_have_count(10)
    first_ten = people.get_by_role("checkbox").evaluate_all("boxes => boxes.map(box => box.value)")

    people.get_by_role("link", name=re.compile(r"^Show all \d+ people$")).click()
    expect(heading(page)).to_have_text("Scenes: with everyone of these people")
    everyone = page.get_by_role("checkbox")
    total = everyone.count()
    assert total > 10 and everyone.evaluate_all("boxes => boxes.map(box => box.value)")[:10] == first_ten
    # Someone the list page did not show, found by a word of their name.
    far = everyone.last
    person = Character.objects.get(slug=far.get_attribute("value"))
    word = max(person.name.split(), key=len).lower()
    page.get_by_label("Find among the people").fill(word)
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^\d+ of {total} shown$"))
    visible = page.locator("li:visible label").all_inner_texts()
    assert visible and all(word in label.lower() for label in visible)
    far.check()
    page.get_by_role("button", name="Show the scenes").click()

    expect(heading(page)).to_have_text("Scenes")
    assert active_filters(page) == [
        f"Remove the filter With everyone of these people: {person.name} ✕",
        "Remove the filter When: 1945, the battle ✕",
    ]
    expected = Scene.objects.filter(period="1945").with_everyone([person]).order_by("number")
    assert result_titles(page) == [scene.title for scene in expected] != []


def test_a_keyboard_user_skips_past_the_people(page, content):
    page.goto("/scenes/")
    page.get_by_label("Words in the title or summary").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip past the people")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Counting people")).to_be_focused()


def test_the_place_filter_leads_to_the_places(page, content):
    page.goto("/scenes/")
    choose(page.get_by_label("Place", exact=True), "The beach")
    show_results(page)
    page.get_by_role("link", name="About The beach").click()
    expect(heading(page)).to_have_text("The beach")
    main_nav(page).get_by_role("link", name="Places").click()
    expect(heading(page)).to_have_text("Places")
    expect(main_nav(page).get_by_role("link", name="Places")).to_have_attribute("aria-current", "page")


# Scene pages and the keyboard


def test_the_arrow_keys_go_to_the_previous_and_next_scene(page, content):
    first, second, third = Scene.objects.order_by("number")[:3]
    page.goto(second.get_absolute_url())
    page.keyboard.press("ArrowRight")
    expect(heading(page)).to_have_text(third.title)
    page.keyboard.press("ArrowLeft")
    expect(heading(page)).to_have_text(second.title)

    # Held with a modifier, or typed into a field, the keys are the browser's and the field's.
    for keys in ["Shift+ArrowLeft", "Control+ArrowLeft"]:
        page.keyboard.press(keys)
    search = page.get_by_role("banner").get_by_role("searchbox")
    search.fill("Saigo")
    search.press("ArrowLeft")
    search.press("ArrowRight")
    page.wait_for_timeout(300)
    expect(heading(page)).to_have_text(second.title)

    search.blur()
    page.keyboard.press("ArrowLeft")
    expect(heading(page)).to_have_text(first.title)
    page.keyboard.press("ArrowLeft")  # the first scene has no previous one
    page.wait_for_timeout(300)
    expect(heading(page)).to_have_text(first.title)


# Page polish


def test_the_main_navigation_fits_one_line_of_a_phone(page, content):
    page.set_viewport_size(PHONE)
    page.goto("/")
    links = main_nav(page).get_by_role("link")
    expect(links).to_have_text(["Scenes", "People", "Letters", "Flashbacks", "Places"])
    tops = links.evaluate_all("links => links.map(link => Math.round(link.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, f"the navigation wraps: {tops}"


@pytest.mark.parametrize("path", ["/", "/search/", "/search/?q=Saigo", "/no-such-page/"])
def test_a_page_has_one_search_box(page, content, path):
    page.goto(path)
    expect(page.get_by_role("search")).to_have_count(1)
    expect(page.get_by_role("searchbox")).to_have_count(1)


def test_record_pages_use_the_width_of_a_laptop_screen(page, content):
    page.set_viewport_size({"width": 1280, "height": 800})
    kinds = {"scene", "character", "letter", "flashback"}
    for name, path in page_types():
        if name not in kinds:
            continue
        page.goto(path)
        main = page.locator("#main").bounding_box()
        text = page.locator(".record__main").bounding_box()
        facts = page.locator(".record > .facts").bounding_box()
        # The facts stand beside the text, and the two reach across the page's column.
        assert facts["x"] > text["x"] + text["width"], f"{name}: the facts are not beside the text"
        assert facts["x"] + facts["width"] > main["x"] + 0.9 * main["width"], f"{name} leaves the right empty"
        assert text["width"] <= 46 * 16 + 1, f"{name}: lines too long to read"


def test_from_the_home_pages_small_chart_along_shimizus_line_to_his_end_and_his_companions(page, content):
    """Issue 12's acceptance: a new user opens the full chart from the home page's small one, follows Shimizu's
    line to the scene where it ends, and from his page sees with whom he shares most scenes."""
    shimizu = Character.objects.get(slug="shimizu")
    page.goto("/")
    page.get_by_role("link", name=re.compile("narrative chart of the principals")).click()
    expect(heading(page)).to_have_text("Who is with whom: the narrative chart")

    # His line runs to the cross of his fate (and a scene further, where his body is seen): the scene column
    # level with that cross is where his story ends.
    line = page.locator('a.chart__line[data-person="shimizu"]')
    expect(line.locator("title")).to_have_text(re.compile(r"^Shimizu: scenes \d+ to \d+$"))
    fate = page.locator("a.chart__mark--fate").filter(has_text="Shimizu’s fate")
    expect(fate).to_have_count(1)
    end = fate.evaluate("a => a.transform.baseVal.consolidate().matrix.e")
    columns = page.locator("a.chart__column")
    xs = columns.evaluate_all("links => links.map(a => Number(a.querySelector('line').getAttribute('x1')))")
    column = columns.nth(min(range(len(xs)), key=lambda n: abs(xs[n] - end)))
    column.locator("text").click()
    expect(heading(page)).to_have_text(shimizu.fate_scene.title)
    assert page.url.endswith(shimizu.fate_scene.get_absolute_url())

    page.get_by_role("region", name="People in this scene").get_by_role("link", name="Shimizu", exact=True).click()
    companions = page.get_by_role("region", name="Shares most scenes with").get_by_role("listitem")
    expect(companions.first).to_contain_text("Saigo")
    expect(companions.first).to_contain_text(re.compile(r"seen together in \d+ scenes"))
