"""Template helpers for watch-along mode: `{{ record|shown_at:horizon }}`, what of a record a viewer at that scene
may read (the record's own `shown_at()`, the one place that cuts it)."""

from django import template

from scenes.models import source_paragraphs_at as paragraphs_at

register = template.Library()


@register.filter
def shown_at(record, horizon):
    """`record.shown_at(horizon)`: e.g. a person's biography parts and fate as far as scene `horizon` tells them."""
    return record.shown_at(horizon)


@register.simple_tag(takes_context=True)
def source_paragraphs_at(context, record):
    """`{% source_paragraphs_at record as paragraphs %}`: the record's `source_paragraphs` a viewer at the request's
    horizon may see (scenes.models.source_paragraphs_at: those the scenes up to it cite)."""
    return paragraphs_at(record, context.get("request"))


@register.filter
def told_whole_at(letter, horizon):
    """`letter.told_whole_at(horizon)`: whether a viewer at scene `horizon` may read all it says (always when the
    mode is off)."""
    return letter.told_whole_at(horizon)
