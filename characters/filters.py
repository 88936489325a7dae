import django_filters
from django.db.models import Q

from characters.models import FIRST_APPEARANCE, IN_ORDER_OF_PROMINENCE, Character, Fate, Side
from iwojima_site.facets import FacetedFilterSet, FlagFilter, OrderFilter, TextFilter
from iwojima_site.records import BY_NAME


class CharacterFilter(FacetedFilterSet):
    told_later = ("fate",)

    q = TextFilter(label="A name, or words about them")
    side = django_filters.ChoiceFilter(choices=Side.choices, label="Side", empty_label="Any side")
    fate = django_filters.ChoiceFilter(choices=Fate.choices, label="Fate", empty_label="Any fate")
    historical = FlagFilter(
        Q(historical=True), choices=[("yes", "Based on a real person"), ("no", "Fictional")], label="Historical"
    )
    is_group = FlagFilter(Q(is_group=True), choices=[("no", "One person"), ("yes", "A group")], label="Person or group")
    order = OrderFilter(
        {
            "prominence": ("Prominence", IN_ORDER_OF_PROMINENCE),
            "appearance": ("First appearance", [FIRST_APPEARANCE, *BY_NAME]),
            "name": ("Name", BY_NAME),
        }
    )

    class Meta:
        model = Character
        fields = []
