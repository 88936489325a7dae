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
    assert_fits(page)
    everything = result_count(page)

    choose(page.get_by_label("When", exact=True), "1944, before the invasion")
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
