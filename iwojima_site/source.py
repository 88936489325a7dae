"""The plot summary every event on the site comes from, and the admin field that cites its paragraphs.

The text is fixtures/source/plot-summary-numbered.md: each paragraph is a line starting "¶N"; ¶0 is the
contributor's credit, ¶1 to ¶30 the plot. Records cite paragraphs as a list of numbers, `[3, 4]`, which editors
type in the admin as "3, 4".
"""

import re
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from iwojima_site.validators import validate_source_paragraphs

PLOT_SUMMARY = settings.BASE_DIR / "fixtures" / "source" / "plot-summary-numbered.md"
# How many words of each paragraph the admin shows, enough to recognise it.
OPENING_WORDS = 8
# "3", "¶3", with commas, semicolons or spaces between; four digits at most, so int() never meets a huge number.
PARAGRAPH_NUMBER = re.compile(r"¶?(\d{1,4})", re.ASCII)


@cache
def plot_paragraphs():
    """The plot summary as {paragraph number: text}; ¶0 is the contributor's credit."""
    text = PLOT_SUMMARY.read_text(encoding="utf-8")
    return {int(number): body.strip() for number, body in re.findall(r"^¶(\d+)\s+(.+)$", text, re.MULTILINE)}


def contributor_credit():
    """Paragraph 0 of the plot summary: the contributor's credit line."""
    return plot_paragraphs().get(0, "")


def paragraph_openings():
    """[(number, "The first eight words…")] for ¶1 onwards, in order: how an editor recognises a paragraph."""
    openings = []
    for number, text in plot_paragraphs().items():
        words = text.split()
        if number > 0:
            openings.append((number, " ".join(words[:OPENING_WORDS]) + ("…" if len(words) > OPENING_WORDS else "")))
    return openings


def paragraphs_from_text(text):
    """Parse an editor's "3, 4" (or "¶3 ¶4", or "[3, 4]") into [3, 4]; raises ValidationError on any other word."""
    numbers = []
    for token in re.split(r"[\s,;]+", text.strip().removeprefix("[").removesuffix("]")):
        if not token:
            continue
        match = PARAGRAPH_NUMBER.fullmatch(token)
        if not match:
            raise ValidationError(
                "“%(token)s” is not a paragraph number; write the numbers like 3, 4.",
                params={"token": token[:20]},
            )
        numbers.append(int(match[1]))
    return numbers


class SourceParagraphsField(forms.CharField):
    """An admin form field for `source_paragraphs`: typed as "3, 4", cleaned to [3, 4].

    Its help lists the first words of every paragraph, so an editor can find the right numbers without leaving
    the page. Raises ValidationError for a word that is not a number, or numbers validate_source_paragraphs refuses.
    """

    default_validators = [validate_source_paragraphs]

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", paragraphs_help())
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(number) for number in value)
        return value  # the text as typed, shown again with an error

    def to_python(self, value):
        return paragraphs_from_text(super().to_python(value) or "")


def paragraphs_help():
    """The help under a source-paragraphs field: how to type them, and each paragraph's opening words."""
    items = format_html_join("", "<li>¶{} {}</li>", paragraph_openings())
    return format_html(
        "The numbers of the plot summary’s paragraphs it comes from, separated by commas, e.g. “3, 4”."
        "<details><summary>What each paragraph begins with</summary><ul>{}</ul></details>",
        items,
    )
