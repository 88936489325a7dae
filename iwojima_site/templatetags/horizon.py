"""Template helpers for watch-along mode: `{{ record|shown_at:horizon }}`, what of a record a viewer at that scene
may read (the record's own `shown_at()`, the one place that cuts it)."""

from django import template

register = template.Library()


@register.filter
def shown_at(record, horizon):
    """`record.shown_at(horizon)`: e.g. a person's biography parts and fate as far as scene `horizon` tells them."""
    return record.shown_at(horizon)


@register.filter
def tells_more_after(record, horizon):
    """`record.tells_more_after(horizon)`: whether the record says more than a viewer at scene `horizon` may read
    (False when the mode is off)."""
    return horizon is not None and record.tells_more_after(horizon)
