"""The Content-Security-Policy as a browser enforces it: no page, the admin's included, does anything the policy
refuses (each refusal is a `securitypolicyviolation` event), and the scripts the site has still run under it."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from iwojima_site.pages import page_types
from scenes.models import Scene

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded from the first moment of every page, before any of its own scripts run.
WATCH = """
window.refused = [];
document.addEventListener("securitypolicyviolation", event => {
  window.refused.push(`${event.violatedDirective} refused ${event.blockedURI || "inline code"}`
    + ` (${event.sourceFile || location.pathname}:${event.lineNumber})`);
});
"""


def refused(page):
    return page.evaluate("window.refused")


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    return page


def test_no_page_does_anything_the_policy_refuses(watched, content):
    problems = []
    for name, path in page_types():
        watched.goto(path)
        problems += [f"  {name} ({path}): {violation}" for violation in refused(watched)]
    if problems:
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(problems), pytrace=False)


def test_the_sites_scripts_run_under_the_policy(watched, content):
    # Each script shows it ran: the copy button it adds, the arrow key it answers.
    watched.goto("/scenes/")
    expect(watched.get_by_role("button", name="Copy link to this list")).to_be_visible()
    first, second = Scene.objects.order_by("number")[:2]
    watched.goto(first.get_absolute_url())
    watched.keyboard.press("ArrowRight")
    expect(watched.get_by_role("heading", level=1)).to_have_text(second.title)
    assert refused(watched) == []


def test_the_admin_signs_in_lists_edits_and_saves_under_the_policy(watched, content):
    User.objects.create_superuser("admin", password="a-long-admin-password")
    page = watched
    page.goto("/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a-long-admin-password")
    page.get_by_role("button", name="Log in").click()
    assert refused(page) == []

    page.get_by_role("link", name="Scenes", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Select scene to change"))).to_be_visible()
    page.get_by_role("searchbox").fill("beach")  # the changelist's search
    page.keyboard.press("Enter")
    assert refused(page) == []

    scene = Scene.objects.get(number=2)
    page.goto(f"/admin/scenes/scene/{scene.pk}/change/")
    # The widgets the admin's scripts draw: an autocomplete that asks the server, a new inline row.
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    rows = page.locator("#appearances-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.get_by_role("button", name="Add another Appearance").click()
    expect(rows).to_have_count(before + 1)
    page.get_by_role("button", name="Remove").first.click()  # the row just added
    expect(rows).to_have_count(before)
    page.get_by_role("textbox", name="Title:", exact=True).fill("Trenches on the beach, corrected")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert refused(page) == []
    scene.refresh_from_db()
    assert scene.title == "Trenches on the beach, corrected"
