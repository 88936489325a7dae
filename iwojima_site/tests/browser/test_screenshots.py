"""`make screenshots`: every kind of page at desktop and phone widths, in light and dark mode, for a person to look at.

The charts (`timeline`, `timeline-everyone-highlighted`, `story-chart`) and the home page's small chart are among
them. Not a check (nothing is asserted about the pictures), so `make test` leaves it out (the `screenshots` marker).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from iwojima_site.pages import page_types

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 360]
COLOR_SCHEMES = ["light", "dark"]
# `make screenshots PAGES="timeline story-chart"` takes only the pages named (see iwojima_site.pages); all by default.
ONLY = os.environ.get("SCREENSHOT_PAGES", "").split()


def test_screenshots(page, content):
    folder = Path(settings.BASE_DIR) / "screenshots"
    folder.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in page_types():
            if ONLY and name not in ONLY:
                continue
            page.goto(path)
            for color_scheme in COLOR_SCHEMES:
                page.emulate_media(color_scheme=color_scheme)
                page.screenshot(path=folder / f"{name}-{width}-{color_scheme}.png", full_page=True)
    print(f"Screenshots in {folder}")
