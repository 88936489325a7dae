"""axe-core, in the real browser, finds no WCAG 2.1 A/AA violation on any kind of page, in light or dark mode."""

import pytest

from iwojima_site.pages import page_types
from iwojima_site.tests.browser.tools import SUMMARY, node_tool

pytestmark = pytest.mark.django_db(transaction=True)

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# The stylesheet has a dark palette (prefers-color-scheme), so contrast is checked in both.
COLOR_SCHEMES = ["light", "dark"]


def describe(name, path, color_scheme, violation):
    # Each node by its CSS selector and the start of its HTML, to find it in the templates.
    nodes = "\n".join(f"      {' '.join(map(str, node['target']))}  {node['html'][:90]}" for node in violation["nodes"])
    return f"  {name} ({path}), {color_scheme} mode: {violation['id']} — {violation['help']}\n{nodes}"


def test_no_page_has_an_accessibility_violation(page, content):
    axe_source = node_tool("axe-core", "axe.min.js").read_text(encoding="utf-8")
    pages = page_types()
    problems = []
    for name, path in pages:
        page.emulate_media(color_scheme="light")
        page.goto(path)
        # page.evaluate rather than add_script_tag: a Content-Security-Policy may forbid injected <script> tags.
        page.evaluate(axe_source)
        for color_scheme in COLOR_SCHEMES:
            # The media query applies at once, without a reload; axe then reads the colours as drawn.
            page.emulate_media(color_scheme=color_scheme)
            results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            problems += [describe(name, path, color_scheme, violation) for violation in results["violations"]]
    SUMMARY.append(f"axe-core: {len(pages)} pages checked in light and dark mode, {len(problems)} violations")
    if problems:
        pytest.fail("axe-core found accessibility violations:\n" + "\n".join(problems), pytrace=False)
