"""Validators shared by every content model."""

import re

from django.core.exceptions import ValidationError

# The plot summary's paragraphs are numbered 1 to 30 (0 is the contributor's credit).
FIRST_PARAGRAPH, LAST_PARAGRAPH = 1, 30
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def validate_source_paragraphs(value):
    """A list of paragraph numbers of the plot summary, each cited once."""
    if not isinstance(value, list) or not value:
        raise ValidationError("Give a list of one or more paragraph numbers, e.g. [3, 4].")
    for number in value:
        if not isinstance(number, int) or isinstance(number, bool):
            raise ValidationError("%(value)r is not a paragraph number.", params={"value": number})
        if not FIRST_PARAGRAPH <= number <= LAST_PARAGRAPH:
            raise ValidationError(
                "Paragraph %(value)s does not exist; the plot summary runs from ¶%(first)s to ¶%(last)s.",
                params={"value": number, "first": FIRST_PARAGRAPH, "last": LAST_PARAGRAPH},
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each paragraph is cited once.")


def validate_slug_list(value):
    """A list of distinct slugs (lowercase letters, digits, hyphens): a record's former addresses."""
    if not isinstance(value, list):
        raise ValidationError("Give a list of former slugs, e.g. [“old-title”].")
    for slug in value:
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            raise ValidationError(
                "%(value)r is not a slug (lowercase letters, digits and hyphens).", params={"value": slug}
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each former slug is listed once.")
