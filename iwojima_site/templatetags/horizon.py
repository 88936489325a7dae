"""Template helpers for watch-along mode: `{{ record|shown_at:horizon }}`, what of a record a viewer at that scene
may read (the record's own `shown_at()`, the one place that cuts it)."""

from django import template

register = template.Library()


@register.filter
def shown_at(record, horizon):
    """`record.shown_at(horizon)`: e.g. a person's biography parts and fate as far as scene `horizon` tells them."""
    return record.shown_at(horizon)
