"""Filter forms as data browsers have them: each choice shows how many results it would give with the
other filters applied, choices that would give nothing are hidden, and every active filter can be removed
with one click. Shared by every list of the site.
"""

import copy
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.generic.base import TemplateResponseMixin
from django_filters.fields import ModelMultipleChoiceField
from django_filters.views import FilterView

from iwojima_site.baked import SQL, BakedQuery, counted, pipelines, run_together
from iwojima_site.horizon import PARAMETER as HORIZON_PARAMETER
from iwojima_site.horizon import horizon_of
from iwojima_site.records import current_slugs
from iwojima_site.search import RELEVANCE, Search, validate_query
from iwojima_site.templatetags.addresses import route_url, slug_url

# Longer text is refused with a form error rather than searched.
MAX_QUERY_LENGTH = 200
# How many records one "with all of these" filter takes at once; more is a form error. The filter costs one
# subquery whatever the number, but each value is a parameter of every query, and databases cap those.
MAX_CHOSEN = 100


class TextFilter(django_filters.CharFilter):
    """A free-text box, searched in the site's full-text index (iwojima_site.search): every word must be found,
    whole and in any form ("buries" finds "buried"), in the record or in a name of someone tied to it. The
    results carry their RELEVANCE, which OrderFilter's default puts first while words are searched."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Text")
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault("validators", [validate_query])
        super().__init__(**kwargs)
        self.searches = {}

    def __copy__(self):
        # Each FilterSet's copy (Definitions) searches afresh: the searches are one request's.
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__, searches={})
        return copied

    def search(self, value):
        # Read at the list's horizon (watch-along), and once (one query for the vocabulary) however often the
        # facets filter by it: each FilterSet has its own copy of its filters, so this lasts one request.
        if value not in self.searches:
            self.searches[value] = Search(value, at=horizon_of(getattr(self.parent, "request", None)))
        return self.searches[value]

    def filter(self, qs, value):
        return self.search(value).filter(qs) if value else qs


class AllOfField(ModelMultipleChoiceField):
    """Several records by slug, at most MAX_CHOSEN different ones (more: a ValidationError, before any query); spaces
    around a slug are ignored, as a one-value field ignores them, and so are an empty value and a repeated one. With
    `by_values` (a BakedQuery of the field's queryset filtered by a list of slugs), the records are read in one baked
    statement, in the queryset's order, and an unknown slug gets the "invalid_choice" error Django's
    ModelMultipleChoiceField gives."""

    def __init__(self, *args, by_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_values = by_values

    def clean(self, value):
        if isinstance(value, list | tuple):
            # An empty value chooses nothing, as the list page's clean-up drops it (`?character=` from a form), and a
            # repeated one chooses its record once, as that clean-up keeps it once: only different records count
            # towards MAX_CHOSEN, so the API and the page agree on what an address chooses.
            value = [item.strip() if isinstance(item, str) else item for item in value]
            value = list(dict.fromkeys(item for item in value if item != ""))
        if value and len(value) > MAX_CHOSEN:
            raise ValidationError(
                f"Choose at most {MAX_CHOSEN} at once (this address has {len(value)}).", code="too_many"
            )
        if self.by_values is None or not value or not all(isinstance(item, str) for item in value):
            return super().clean(value)
        for item in value:  # as Django checks them, before any query: PostgreSQL refuses a NUL in text
            self.validate_no_null_characters(item)
        found = self.by_values(value)
        known = {getattr(obj, self.to_field_name) for obj in found}
        for item in value:
            if item not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        self.run_validators(value)
        return found


class AllOfFilter(django_filters.ModelMultipleChoiceFilter):
    """Several related objects, by slug; a result must be linked to all of them."""

    field_class = AllOfField

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        queryset, field = kwargs.get("queryset"), kwargs["to_field_name"]
        if isinstance(queryset, QuerySet):  # not a callable of the request: the same statement every time
            kwargs["by_values"] = BakedQuery(lambda values: queryset.filter(**{f"{field}__in": values}), [str])
        super().__init__(**kwargs)

    def filter(self, qs, value):
        # One filter() per value: each adds its own join, so the conditions hold together (AND).
        for obj in value or []:
            qs = qs.filter(**{self.field_name: obj})
        return qs


class FlagFilter(django_filters.ChoiceFilter):
    """Yes or no: whether a condition (a Q or an Exists expression) holds for a result."""

    def __init__(self, condition, *, related=None, **kwargs):
        self.condition = condition
        self.related = related  # (QuerySet, field): see having()
        kwargs.setdefault("choices", [("yes", "Yes"), ("no", "No")])
        kwargs.setdefault("empty_label", "Either")
        super().__init__(**kwargs)

    @classmethod
    def having(cls, related, field, **kwargs):
        """Whether some row of `related` points at the result through `field` (a letter in the scene). Over a whole
        list it is counted as the distinct values of `field`: one scan of its index rather than a subquery per
        result (at 4,500 scenes, 0.05 ms against 1.3 ms)."""
        return cls(Exists(related.filter(**{field: OuterRef("pk")})), related=(related, field), **kwargs)

    def filter(self, qs, value):
        if value == "yes":
            return qs.filter(self.condition)
        if value == "no":
            return qs.exclude(self.condition)
        return qs


class ModeFilter(django_filters.ChoiceFilter):
    """A choice that changes how another filter reads (it filters nothing itself); the first is the default,
    which the address never holds."""

    def __init__(self, **kwargs):
        self.default = kwargs["choices"][0][0]
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return qs


class OrderFilter(django_filters.ChoiceFilter):
    """How the list is sorted: each choice names the fields to order by. The default, which the address never
    holds, is the best match first (RELEVANCE) while a text filter is in use, else the first choice."""

    def __init__(self, orderings, **kwargs):
        self.orderings = dict(orderings)
        self.default = next(iter(self.orderings))
        kwargs.setdefault("label", "Order by")
        kwargs["choices"] = [(RELEVANCE, "Best match")]
        kwargs["choices"] += [(value, label) for value, (label, _fields) in self.orderings.items()]
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value and value != RELEVANCE:
            return qs.order_by(*self.orderings[value][1])
        fields = self.orderings[self.default][1]
        # A text filter ranked the results (it runs first, declared first): best match, ties in the first order.
        return qs.order_by(f"-{RELEVANCE}", *fields) if RELEVANCE in qs.query.annotations else qs.order_by(*fields)

    def is_default(self, value, searching):
        """Whether a value asks for the default order: "relevance" always, the first choice when no words are
        searched (then the same order)."""
        return value == RELEVANCE or (value == self.default and not searching)

    def options(self, value, searching):
        """[Option] for the form. Without words the first choice is shown as the default's option, so that
        words typed next are ranked by match rather than sent with an explicit order."""
        current = RELEVANCE if not value or self.is_default(value, searching) else value
        choices = self.extra["choices"]
        if not searching:
            choices = [(RELEVANCE, self.orderings[self.default][0])]
            choices += [(value, label) for value, (label, _fields) in self.orderings.items() if value != self.default]
        return [Option(choice, label, None, choice == current) for choice, label in choices]


def takes_many(filter_):
    """Whether the filter reads every value of its parameter (checkboxes) rather than one (the last)."""
    return issubclass(filter_.field_class, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


@dataclass
class Option:
    value: str
    label: str
    count: int | None = None
    selected: bool = False


@dataclass
class Facet:
    """One control of the filter form, ready for the template."""

    name: str
    label: str
    kind: str  # "text", "select" or "checkboxes"
    bound_field: object
    options: list = field(default_factory=list)
    empty_label: str = "Any"
    total: int = 0  # how many options there are, shown or not
    noun: str = "choices"  # what the options are, in the plural: "people"
    more_url: str = ""  # the page of every option, when the list page shows only some
    skip_to: str = ""  # the id of what follows the facet in the form, for a link past a long list
    links: list = field(default_factory=list)  # (text, url) pairs: pages about the choices

    def __getitem__(self, name):
        # The template language looks each name up as a key first: answering it spares a TypeError raised and
        # caught for every lookup (about a fifth of the form's rendering).
        return getattr(self, name)

    @cached_property
    def errors(self):
        return self.bound_field.errors  # a new ErrorList at each reading when there are none

    @property
    def id(self):
        return f"filter-{self.name}"

    def shorten(self, shown):
        """Keep the first `shown` options and every selected one, in their order."""
        self.options = [option for index, option in enumerate(self.options) if index < shown or option.selected]

    @property
    def shortened(self):
        return len(self.options) < self.total


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_url: str


class Definitions(dict):
    """A FilterSet's filters or a form's fields by name, as the class holds them. django-filter and Django copy
    them for every FilterSet and form, deeply, so that one may change its own (a field's queryset, a widget's
    attributes): a list's nine filters and nine fields cost about 0.27 ms a request. The site's forms and filters
    change nothing they share; each copy only gets attributes of its own (a filter's `parent`), so a copy one
    level deep is enough."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(item) for name, item in self.items()}


class ModesOnly:
    """What a filter of a baked list statement may read of its FilterSet (FacetedFilterSet.keys_statement()): the
    values of the list's modes (e.g. the people filter's presence), as `cleaned()` gives them."""

    def __init__(self, modes):
        self.modes = modes

    def cleaned(self):
        return self.modes


# {(FilterSet class, filter names): form class}: each FilterSet's form, made once per process.
FORM_CLASSES = {}
# {(FilterSet class, what is counted, whether the list is filtered): BakedQuery}: see FacetedFilterSet.baked().
FACET_QUERIES = {}
# {(FilterSet class, the filters in use and their kinds, the modes): BakedQuery, or None where the values decide the
# SQL}: see FacetedFilterSet.baked_keys().
LIST_KEYS = {}
BAKED_KINDS = {"records": [int], "record": int, "choice": str}  # how each kind of value is baked
# Longer lists of records chosen are compiled for each request: each length is a statement of its own, and the shapes
# times the lengths bound how many statements a process keeps.
MAX_BAKED_RECORDS = 10


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet that can say, for each choice, how many results it would give."""

    # Facets whose choices grow with the content, as {name: what the choices are}, e.g. {"character": "people"}:
    # the list page shows the first SHOWN_CHOICES of them (and whatever is chosen) and links to a page of all.
    long_facets = {}
    SHOWN_CHOICES = 10
    # Filters whose choices tell how a story ends (a person's fate): left out while watching along.
    told_later = ()

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        # The list, its facets and counts are all cut at the request's horizon, here, for the page and the API.
        self.horizon = horizon_of(request)
        if queryset is not None:
            queryset = queryset.at(self.horizon)
        super().__init__(data, queryset, request=request, **kwargs)
        self._compiled_lists = {}
        self.answers = {}  # the rows of statements read together ahead of their use (read_together())
        if self.horizon is not None:
            for name in self.told_later:
                self.filters.pop(name, None)

    @property
    def form(self):
        """django-filter's form; watching along, each choice of records is cut at the horizon, so that a record
        still to come (by its slug now) is refused as a slug no record has, and named nowhere."""
        form = super().form
        if self.horizon is not None and not getattr(form, "cut_at_horizon", False):
            for field in form.fields.values():
                queryset = getattr(field, "queryset", None)
                if isinstance(queryset, QuerySet) and hasattr(queryset, "at"):
                    field.queryset = queryset.at(self.horizon)
                    if isinstance(field, AllOfField):
                        field.by_values = None  # its baked statement reads the whole film's records
            form.cut_at_horizon = True
        return form

    def get_form_class(self):
        """The form class of this FilterSet's filters, made once per process for each set of them (watch-along
        leaves some out), as Django makes a form class's fields once: django-filter's own makes a class and
        every field again for each request. Every form still gets its own copy of each field (Definitions)."""
        key = (type(self), tuple(self.filters))
        if key not in FORM_CLASSES:
            form_class = super().get_form_class()
            form_class.base_fields = Definitions(form_class.base_fields)
            FORM_CLASSES[key] = form_class
        return FORM_CLASSES[key]

    @classmethod
    def get_filters(cls):
        return Definitions(super().get_filters())

    def cleaned(self):
        return getattr(self.form, "cleaned_data", {}) if self.is_bound else {}

    def searching(self):
        """Whether words are searched (a text filter in use): the default order is then the best match."""
        return any(self.cleaned().get(name) for name, f in self.filters.items() if isinstance(f, TextFilter))

    def queryset_without(self, name):
        """The list as every filter but `name` makes it (no ordering, no annotations).

        The filters' SQL is compiled once per FilterSet and `name` and held as a subquery of primary keys: the
        facets count within the same few lists, and compiling a filter (a union for "with all of these") costs
        more than running the query.
        """
        return self.list_without(name)[0]

    def list_without(self, name):
        """(queryset_without(name), its keys): the keys are the list's primary keys as SQL, or None for every record
        (no filter, no horizon). The keys' statement is baked for each shape of the filters in use (baked_keys()),
        else compiled here."""
        if name not in self._compiled_lists:
            manager = self.queryset.model._default_manager
            in_use = self.filters_in_use(without=name)
            keys = self.baked_keys(in_use)
            if keys is not None:
                qs = manager.filter(pk__in=RawSQL(*keys))
            else:
                qs = manager.at(self.horizon)
                for other, value in in_use.items():
                    qs = self.filters[other].filter(qs, value)
                if qs.query.has_filters():
                    try:
                        keys = SQL(*qs.order_by().values("pk").query.get_compiler(qs.db).as_sql())
                    except EmptyResultSet:
                        qs = manager.none()
                    else:
                        qs = manager.filter(pk__in=RawSQL(*keys))
            self._compiled_lists[name] = (qs, keys)
        return self._compiled_lists[name]

    def filters_in_use(self, without=None):
        """{name: cleaned value} of the filters that narrow the list, but `without`: a value given, and not an order
        or a mode."""
        return {
            name: value
            for name, value in self.cleaned().items()
            if name != without
            and not isinstance(self.filters[name], OrderFilter | ModeFilter)
            and value not in django_filters.constants.EMPTY_VALUES
            and not (isinstance(value, QuerySet) and value.query.is_empty())  # no records chosen
        }

    def baked_keys(self, in_use):
        """The keys (SQL) of the list as the filters `in_use` ({name: cleaned value}) make it, from a statement baked
        for their shape: which filters, each value's kind (records by primary key, a list of them, a choice) or a
        yes/no filter's answer, and the modes (a ModeFilter changes how another filter reads). None where a shape
        cannot be baked: nothing in use, a horizon, searched words, more than MAX_BAKED_RECORDS records chosen, a
        value of another kind."""
        if not in_use or self.horizon is not None:
            return None
        kinds, values = [], []
        for name, value in in_use.items():
            filter_ = self.filters[name]
            if isinstance(filter_, FlagFilter):
                kinds.append((name, ("answer", value)))
                continue
            if isinstance(value, list | tuple) and all(hasattr(item, "_meta") for item in value):
                if len(value) > MAX_BAKED_RECORDS:
                    return None
                kind, value = ("records", value[0]._meta.model), [item.pk for item in value]
            elif hasattr(value, "_meta"):
                kind, value = ("record", value._meta.model), value.pk
            elif (
                isinstance(value, str)
                and not isinstance(filter_, TextFilter)
                and value != getattr(filter_, "null_value", None)
            ):
                kind = ("choice", None)
            else:
                return None
            kinds.append((name, kind))
            values.append(value)
        modes = tuple((n, self.cleaned().get(n)) for n, f in self.filters.items() if isinstance(f, ModeFilter))
        shape = (type(self), tuple(kinds), modes)
        if shape not in LIST_KEYS:
            LIST_KEYS[shape] = self.keys_statement(kinds, dict(modes))
        if LIST_KEYS[shape] is None:
            return None
        try:
            return LIST_KEYS[shape].statement(*values)
        except (TypeError, ValueError):  # the values decide its SQL after all (or are not ints and strings)
            LIST_KEYS[shape] = None
            return None

    @classmethod
    def keys_statement(cls, kinds, modes):
        """A BakedQuery of the list's keys as the filters of `kinds` ([(name, (what, detail))], baked_keys()) make
        it, reading `modes` as their FilterSet's cleaned values: copies of the class's filters whose FilterSet is a
        stand-in (ModesOnly), so that the statement keeps no request."""
        model, stand_in, filters = cls._meta.model, ModesOnly(modes), []
        for name, kind in kinds:
            filter_ = copy.copy(cls.base_filters[name])
            filter_.parent, filter_.model = stand_in, model
            filters.append((filter_, kind))

        def build(*values):
            qs, values = model._default_manager.all(), iter(values)
            for filter_, (what, detail) in filters:
                value = detail if what == "answer" else next(values)
                if what == "records":
                    value = [detail(pk=pk) for pk in value]
                elif what == "record":
                    value = detail(pk=value)
                qs = filter_.filter(qs, value)
            return qs.order_by().values_list("pk")

        return BakedQuery(build, *(BAKED_KINDS[what] for _, (what, _) in kinds if what in BAKED_KINDS))

    def baked(self, shape, build, name=None, records=None):
        """The rows of `build(records)`, a QuerySet made from `records` (default: the model's), the list as every
        filter but `name` makes it: a statement compiled once per process for each FilterSet class, `shape` (a
        hashable that names the build, its records and everything its shape depends on) and whether the list is
        filtered, the filters' own SQL spliced in (iwojima_site.baked). An empty list (a filter that can match
        nothing) is asked of the ORM. Rows read ahead by read_together() are handed over, once."""
        if (shape, name) in self.answers:
            return self.answers.pop((shape, name))
        call = self.baked_call(shape, build, name, records)
        if call is None:
            return list(build(self.list_without(name)[0]))
        query, *values = call
        return query(*values)

    def baked_call(self, shape, build, name=None, records=None):
        """(BakedQuery, *values): what baked() runs for these arguments; None for an empty list."""
        qs, keys = self.list_without(name)
        if keys is None and qs.query.is_empty():
            return None
        key = (type(self), shape, keys is not None)
        if key not in FACET_QUERIES:
            base = self._meta.model._default_manager.all() if records is None else records
            if keys is None:
                FACET_QUERIES[key] = BakedQuery(lambda: build(base))
            else:
                FACET_QUERIES[key] = BakedQuery(lambda keys: build(base.filter(pk__in=keys)), SQL)
        return (FACET_QUERIES[key],) if keys is None else (FACET_QUERIES[key], keys)

    def read_together(self, *statements, also=None):
        """Read the rows of `statements` (each baked()'s arguments, as a tuple) and of the long facets' own (a filter's
        `facet_statement()`, as shown on the list) at once (run_together(): on PostgreSQL one trip to the database
        for all of them), so that baked() and the facets hand them over when asked. `also`: {key: a call of
        run_together()} to read with them, whose results are left in `answers` under their keys."""
        calls, asked = list((also or {}).values()), list(also or {})
        for shape, build, name, records in statements:
            call = self.baked_call(shape, build, name, records)
            if call is not None and (shape, name) not in self.answers:
                calls.append(call)
                asked.append((shape, name))
        records, keys = self.list_without(None)
        for name in self.long_facets:
            if hasattr(self.filters.get(name), "facet_statement"):
                statement = self.filters[name].facet_statement(records, self.SHOWN_CHOICES, keys)
                if statement is not None:
                    calls.append((statement,))
                    asked.append(("facet", name, self.SHOWN_CHOICES))
        self.answers.update(zip(asked, run_together(*calls), strict=True))

    def list_statements(self):
        """The statements (baked()'s arguments) a page of the list reads but its page's rows and its long facets':
        the count and the yes/no facets, the one-value facets."""
        return [statement for statement in (self.flags_statement(), self.choices_statement()) if statement]

    def count(self):
        """How many records the list holds: the total that the yes/no facets not in use count over the same list
        (flag_counts), or else a statement of its own (flags_statement())."""
        for counts in self.flag_counts.values():
            return counts["total"]
        rows = self.baked(*self.flags_statement())
        return rows[0][1] if rows else 0

    def ordering(self):
        """The fields the list is in order of, as its OrderFilter says; None while words are searched (the best
        match first) or without an OrderFilter."""
        if self.searching():
            return None
        for name, filter_ in self.filters.items():
            if isinstance(filter_, OrderFilter):
                value = self.cleaned().get(name)
                return tuple(filter_.orderings[value if value and value != RELEVANCE else filter_.default][1])
        return None

    def page(self, records, label, bottom, size):
        """Up to `size` of the list's records from `bottom` (0-based) in its ordering(), read from `records` (a
        QuerySet that prefetches nothing, e.g. a list view's, what a page shows of each record; named by `label`
        in the statements' cache) by a statement baked for each `bottom` (baked()). Only where ordering() is not
        None and no horizon cuts the list (the records' own QuerySet cuts it with at())."""
        return self.baked(*self.page_statement(records, label, bottom, size))

    def page_statement(self, records, label, bottom, size):
        """baked()'s arguments for page()."""
        fields = self.ordering()
        return (
            ("page", label, fields, bottom, size),
            lambda kept: kept.order_by(*fields)[bottom : bottom + size],
            None,
            records,
        )

    def page_keys(self, records, label, bottom, size):
        """The primary keys of page()'s records as SQL, for statements about them to read with the page; None for an
        empty list."""
        shape, build, name, records = self.page_statement(records, label, bottom, size)
        call = self.baked_call(("keys of", shape), lambda kept: build(kept).values_list("pk"), name, records)
        return None if call is None else call[0].statement(*call[1:])

    @staticmethod
    def value_paths(filter_):
        """The (value, label) lookups a choice filter counts by: a related record's slug and name, or the field."""
        if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            return f"{filter_.field_name}__slug", f"{filter_.field_name}__name"
        return filter_.field_name, filter_.field_name

    def count_by(self, name):
        """{value: (label, count)} for one filter, as the other filters leave the list."""
        if name in self.unset_choice_counts:
            return self.unset_choice_counts[name]
        filter_ = self.filters[name]
        # Choosing one more of several required values narrows the current list, so count within it.
        matching = self.queryset_without(None if isinstance(filter_, AllOfFilter) else name)
        value_path, label_path = self.value_paths(filter_)
        rows = self.grouped(matching, value=F(value_path), label=F(label_path))
        return {row["value"]: (row["label"], row["count"]) for row in rows if row["value"] is not None}

    @staticmethod
    def grouped(matching, **columns):
        # `matching` is a list from queryset_without(): a fresh query of keys, so no join the filters made
        # (characters=Shimizu) limits the values counted.
        return matching.order_by().values(**columns).annotate(count=Count("pk", distinct=True))

    @cached_property
    def unset_choices(self):
        """The one-value choice filters not in use: they all count within the same list, and each record has one
        value of each, so one grouped statement counts them all (choices_statement())."""
        return [
            name
            for name, filter_ in self.filters.items()
            if isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter)
            and not isinstance(filter_, FlagFilter | OrderFilter | ModeFilter)
            and not self.cleaned().get(name)
        ]

    def choices_statement(self):
        """baked()'s arguments for the counts of unset_choices (rows of each one's value and label, then a count),
        or None when there are none."""
        names = self.unset_choices
        if not names:
            return None
        columns = {}
        for index, name in enumerate(names):
            value_path, label_path = self.value_paths(self.filters[name])
            columns[f"value{index}"], columns[f"label{index}"] = F(value_path), F(label_path)
        grouped = self.grouped  # (a build keeps no FilterSet, nor its request)
        return (
            ("choices", tuple(names)),
            lambda records: grouped(records, **columns).values_list(*columns, "count"),
            None,
            None,
        )

    @cached_property
    def unset_choice_counts(self):
        """{name: {value: (label, count)}} for the unset_choices."""
        statement = self.choices_statement()
        if statement is None:
            return {}
        counts = {name: {} for name in self.unset_choices}
        for *values, count in self.baked(*statement):
            for index, name in enumerate(self.unset_choices):
                value, label = values[2 * index], values[2 * index + 1]
                if value is not None:
                    label, so_far = counts[name].get(value, (label, 0))
                    counts[name][value] = (label, so_far + count)
        return counts

    def facets(self):
        """The form's controls in declaration order, with options and counts; a long facet shortened."""
        result = [
            self.facet(name, shown=self.SHOWN_CHOICES if name in self.long_facets else None) for name in self.filters
        ]
        for facet, following in zip(result, [*result[1:], None], strict=True):
            facet.skip_to = following.id if following else "filters-submit"
            if facet.name in self.long_facets:
                facet.shorten(self.SHOWN_CHOICES)
        return result

    def facet(self, name, shown=None):
        """One control of the form with every option (Facet; KeyError for a name the FilterSet lacks). With
        `shown`, a filter that counts its own choices may list only the first `shown` (and the chosen ones),
        keeping `total` true."""
        filter_, bound = self.filters[name], self.form[name]
        if isinstance(filter_, TextFilter):
            return Facet(name, filter_.label, "text", bound)
        if isinstance(filter_, OrderFilter):
            options = filter_.options(self.cleaned().get(name), self.searching())
            return Facet(name, filter_.label, "select", bound, options, empty_label="")
        if isinstance(filter_, ModeFilter):
            current = self.cleaned().get(name) or filter_.default
            options = [Option(value, label, None, value == current) for value, label in filter_.extra["choices"]]
            return Facet(name, filter_.label, "select", bound, options, empty_label="")
        facet = self.choice_facet(name, filter_, bound, shown)
        facet.total = max(facet.total, len(facet.options))
        facet.noun = self.long_facets.get(name, facet.noun)
        return facet

    def choice_facet(self, name, filter_, bound, shown=None):
        selected = {getattr(item, "slug", item) for item in self.chosen(name)}
        total = 0
        if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            if hasattr(filter_, "facet_counts"):  # its own counts, already in the filter's order
                records, keys = self.list_without(None)
                rows = self.answers.pop(("facet", name, shown), None)  # read ahead (read_together())
                counts, total = filter_.facet_counts(records, shown, selected, keys=keys, rows=rows)
                order = list(counts)
            else:
                counts = self.count_by(name)
                order = self.in_choice_order(filter_, counts)
            for obj in self.chosen(name):
                if obj.slug not in counts:
                    counts[obj.slug] = (str(obj), 0)
                    order.append(obj.slug)
            options = [Option(value, *counts[value], value in selected) for value in order]
        elif isinstance(filter_, FlagFilter):
            counts = self.flag_counts[name] if name in self.flag_counts else self.flag_count(name)
            choices = dict(filter_.extra["choices"])
            options = [
                Option("yes", choices["yes"], counts["yes"], "yes" in selected),
                Option("no", choices["no"], counts["total"] - counts["yes"], "no" in selected),
            ]
        else:
            counts = self.count_by(name)
            options = [
                Option(value, str(label), counts.get(value, (None, 0))[1], value in selected)
                for value, label in filter_.extra["choices"]
            ]
        # Hide what would give nothing, unless it is what the person chose.
        options = [option for option in options if option.count or option.selected]
        kind = "checkboxes" if isinstance(filter_, AllOfFilter) else "select"
        empty_label = filter_.extra.get("empty_label") or "Any"
        total += sum(1 for option in options if not option.count)  # chosen, though they give nothing
        return Facet(name, filter_.label, kind, bound, options, empty_label=empty_label, total=total)

    def flag_count(self, name):
        condition = self.filters[name].condition
        return self.queryset_without(name).aggregate(total=Count("pk"), yes=Count("pk", filter=condition))

    @cached_property
    def unset_flags(self):
        """The yes/no filters not in use, whose counts (and the list's) one statement reads: flags_statement()."""
        return tuple(n for n, f in self.filters.items() if isinstance(f, FlagFilter) and not self.cleaned().get(n))

    @cached_property
    def counts_whole_list(self):
        """Whether the unset_flags count every record (no filter, no horizon) by their related tables alone."""
        unset = self.unset_flags
        return not self.queryset_without(None).query.has_filters() and all(self.filters[n].related for n in unset)

    def flags_statement(self):
        """baked()'s arguments for the count of the list and, for each of the unset_flags, how many records say
        yes: one row (a constant is not grouped by), as aggregate() gives it; over the whole list, a row for the
        total and one for each flag, from their related tables; with no unset flag, the count alone."""
        unset = self.unset_flags
        if not unset:
            return ("count", lambda records: counted(records, "count"), None, None)
        if self.counts_whole_list:
            related = [self.filters[name].related for name in unset]

            def build(records):
                flags = [
                    counted(rows, name, Count(field, distinct=True))
                    for name, (rows, field) in zip(unset, related, strict=True)
                ]
                return counted(records, "total").union(*flags, all=True)

            return (("whole list's flags", unset), build, None, None)
        aggregates = {"total": Count("pk")}
        aggregates.update({name: Count("pk", filter=self.filters[name].condition) for name in unset})
        return (
            ("flags", unset),
            lambda records: records.order_by().annotate(one=Value(1)).values_list("one").annotate(**aggregates),
            None,
            None,
        )

    @cached_property
    def flag_counts(self):
        """{name: {"total": n, "yes": n}} for the unset_flags, from one statement (flags_statement()); none when the
        filters can match nothing."""
        unset = self.unset_flags
        if not unset:
            return {}
        rows = self.baked(*self.flags_statement())
        if self.counts_whole_list:
            counts = dict(rows)
            return {name: {"total": counts["total"], "yes": counts[name]} for name in unset}
        _, total, *yes = rows[0] if rows else (1, 0, *(0 for _ in unset))
        return {name: {"total": total, "yes": count} for name, count in zip(unset, yes, strict=True)}

    def in_choice_order(self, filter_, counts):
        """The values of `counts` in the order of the filter's queryset when it has one (people in the order
        of prominence, whatever is ticked; watching along, as its records are known at the horizon, which counts
        the scenes so far), else by label."""
        if not filter_.queryset.query.order_by:
            return sorted(counts, key=lambda value: counts[value][0])
        field = filter_.extra.get("to_field_name", "slug")
        choices = filter_.queryset.at(self.horizon).filter(**{f"{field}__in": list(counts)})
        return list(choices.values_list(field, flat=True))

    def chosen(self, name):
        """What the person chose for one filter, as a list (of model objects or choice values)."""
        value = self.cleaned().get(name)
        if value is None or value == "":
            return []
        return list(value) if isinstance(value, list | tuple) or hasattr(value, "model") else [value]

    def active_filters(self, query, path):
        """Each filter in force, as the form read it, with the link that removes just it (keeping the others,
        back to page 1): for a one-value filter every value of its parameter, for checkboxes that one value."""
        active = []
        for name, filter_ in self.filters.items():
            if isinstance(filter_, OrderFilter | ModeFilter):
                continue
            for item in self.chosen(name):
                shown = str(item) if hasattr(item, "slug") else self.choice_label(filter_, item)
                remaining = query.copy()
                remaining.pop("page", None)
                if takes_many(filter_):
                    # Compared as the form compares them: a value with spaces around it is the same choice.
                    remaining.setlist(name, [value for value in query.getlist(name) if value.strip() != item.slug])
                else:
                    remaining.pop(name, None)
                remove_url = f"?{remaining.urlencode()}" if remaining else path
                active.append(ActiveFilter(filter_.label, shown, remove_url))
        return active

    @staticmethod
    def choice_label(filter_, value):
        if isinstance(filter_, TextFilter):
            return f"“{value}”"
        return str(dict(filter_.extra.get("choices", [])).get(value, value))


class BakedPaginator(Paginator):
    """A Paginator whose count is `count()` and whose first BAKED_PAGES pages, with `rows`, are `rows(bottom,
    size)` (a list of up to `size` records from 0-based `bottom`: a statement for each page, so only so many are
    kept) rather than slices of `object_list`."""

    BAKED_PAGES = 40

    def __init__(self, object_list, per_page, *, count, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_rows, self.rows = count, rows

    @cached_property
    def count(self):
        return self.count_rows()

    def _check_object_list_is_ordered(self):
        # Checked when a page is cut from object_list (page()), not before: object_list may be a lazy object
        # (FacetedListView.get()) that a page read by a baked statement never builds.
        pass

    def page(self, number):
        number = self.validate_number(number)
        if self.rows is None or number > self.BAKED_PAGES:
            super()._check_object_list_is_ordered()
            return super().page(number)
        bottom = (number - 1) * self.per_page
        # As Paginator.page() cuts it: the last page takes its orphans.
        size = self.count - bottom if bottom + self.per_page + self.orphans >= self.count else self.per_page
        return self._get_page(self.rows(bottom, self.per_page + self.orphans)[:size], number, self)


def renamed_choices(filterset, query, horizon=None):
    """The query with each record a filter refused by a former slug (a record renamed since the link was made) named
    by its slug now; read only for a form with errors, so a valid list asks nothing more. Watching along (`horizon`),
    only a record known by then is renamed: a later one's slug now could tell what happens."""
    parameters = {}
    for name in filterset.errors:
        field = filterset.form.fields.get(name)
        if getattr(field, "to_field_name", None) != "slug":  # not a choice of records by slug
            continue
        model = field.queryset.model
        if hasattr(model._default_manager, "formerly"):  # records with former slugs
            parameters[name] = model
    return current_slugs(query, parameters, horizon)


def renamed_redirect_of(request, filterset):
    """A 301 to the same address by today's slugs when a filter refused a record by a former slug (a shared link
    from before a rename); None when none did."""
    renamed = renamed_choices(filterset, request.GET, horizon_of(request))
    if renamed == request.GET:
        return None
    return HttpResponsePermanentRedirect(f"{request.path}?{renamed.urlencode()}")


class PageNotInList(Http404):
    """A list's page number that is not a whole number from 1 to its last page (`page=0`, `page=99`, `page=x`,
    or a facet's `choices=`): `asked`, the list's number of `pages`, and the address of its first page."""

    def __init__(self, asked, pages, first_url):
        super().__init__(f"No page “{asked[:40]}” of {pages}.")
        self.asked, self.pages, self.first_url = asked, pages, first_url


# The parameters a page reads as a whole number from 1 (a list's or a chart's page, the page of a facet's choices,
# watch-along's scene): the clean-up writes them in plain digits (in_digits()).
NUMBERED_PARAMETERS = ("page", "choices", HORIZON_PARAMETER)


def kept_values(name, values, many=False):
    """The values of parameter `name` a page reads, as its clean address holds them: the non-empty ones, each once
    for a parameter that takes several (`many`), else the last (the one QueryDict.get() reads); a number
    (NUMBERED_PARAMETERS) in plain digits."""
    values = [in_digits(value) if name in NUMBERED_PARAMETERS else value for value in values if value.strip()]
    return list(dict.fromkeys(values)) if many else values[-1:]


def in_digits(value):
    """A whole number from 1 as str(int()) writes it, so that a page has one address, one shared-cache entry and one
    ETag: int() also reads `01`, `+2`, ` 2`, `٢` and `1_0`, each of which would otherwise be another address for the
    same page (and a link shared that way is not the canonical one). Anything else (`abc`, `0`, `-1`, `last`) is left
    for the page to answer as it does: a 404 naming the list's pages, a chart's notice, the horizon's 400."""
    try:
        number = int(value)
    except ValueError:  # not a whole number, or more than 4,300 digits
        return value
    return str(number) if number >= 1 else value


def address_with(request, query):
    """This page's path with `query` (a QueryDict), or the bare path when the query is empty."""
    return f"{request.path}?{query.urlencode()}" if query else request.path


def cleaned_redirect(request, query):
    """A 302 to this page at the cleaned `query` (a QueryDict), or None when the address already is that."""
    if query == request.GET:
        return None
    return redirect(address_with(request, query))


class KnownParametersMixin:
    """A page without filters (the places, the cast) whose address holds only what it reads (`kept_parameters`):
    a GET with any other parameter, or an empty one, answers 302 to the address without it, as a list's clean-up
    does (FacetedListView.canonical_query())."""

    kept_parameters = (HORIZON_PARAMETER,)
    kept_lists = ()  # those of kept_parameters that take several values: each kept once (the others, their last)

    def get(self, request, *args, **kwargs):
        query = request.GET.copy()
        for name in list(query):
            read = name in self.kept_parameters
            values = kept_values(name, query.getlist(name), name in self.kept_lists) if read else []
            if values:
                query.setlist(name, values)
            else:
                del query[name]
        return cleaned_redirect(request, query) or super().get(request, *args, **kwargs)


class FacetedListView(FilterView):
    """A filtered, paginated list whose whole state is the URL.

    An invalid filter value answers 400 with the form's errors and an empty list, never everything silently;
    a page number that is not a whole number from 1 to the last page (or `last`) answers 404. Routed with
    `faceted_list_urls`, the view also serves a page of every choice of each of its long facets.
    """

    CHOICES_PER_PAGE = 100  # on the page of a long facet's choices (`?choices=` pages it)
    # Whether a page's records are read by a baked statement (get_paginator()): for a `queryset` (a class attribute)
    # that prefetches nothing, a baked statement reads no related lists.
    bake_pages = False

    paginate_by = 25
    title = "Results"
    section = None  # which part of the site's navigation is current
    noun, noun_plural = "result", "results"  # "1 scene", "12 scenes"
    # Pages about a facet's choices, as {name: (text, URL name of their index)}, e.g. the places: the form
    # links the index, and the page of a chosen record.
    facet_links = {}
    api_url_name = None  # the URL name of the same list in the API, e.g. "api:scene-list"
    # The parameters the view reads besides its filters, one value each: any other is dropped from the address
    # (canonical_query()). The page of a facet's choices (facet_page()) pages them by `choices`, not `page`.
    kept_parameters = ("page", HORIZON_PARAMETER)
    facet_page_parameters = ("choices", HORIZON_PARAMETER)

    def get(self, request, *args, **kwargs):
        if cleaned := cleaned_redirect(request, self.canonical_query(request.GET)):
            return cleaned
        if "facet" in kwargs:
            return self.facet_page(kwargs["facet"])
        # As django-filter's FilterView.get(), but the filtered QuerySet is built only if something reads it: a
        # page read by a baked statement (get_paginator()) does not, and building it costs about 0.1 ms.
        self.filterset = filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_bound or filterset.is_valid():
            self.object_list = SimpleLazyObject(lambda: filterset.qs)
        else:
            if renamed := renamed_redirect_of(request, filterset):  # a shared link from before a rename
                return renamed
            self.object_list = filterset.queryset.none()
        try:
            context = self.get_context_data(filter=filterset, object_list=self.object_list)
        except PageNotInList as missing:  # the site's 404 page, saying which pages the list has
            return render(request, "404.html", {"missing_page": missing}, status=404)
        return self.render_to_response(context)

    def get_context_object_name(self, object_list):
        # The model's, read from the FilterSet: object_list may be a lazy object that reading its model would build.
        return f"{self.filterset._meta.model._meta.model_name}_list"

    def get_template_names(self):
        # The view's template_name, which every list names; Django's list mixin would add a name from the model of
        # object_list after it, building that lazy object.
        return TemplateResponseMixin.get_template_names(self)

    def canonical_query(self, query):
        """The query as the form reads it, so that the address (a link people share) says just that.

        The form sends its empty fields and its defaults too: they are dropped. Values lose the spaces around
        them; a one-value filter keeps its last value (the one the form reads), a many-value filter each value
        once. Of the other parameters only those the view reads (`kept_parameters`: the page, watch-along's `at`)
        are kept, their last value only, less empty ones: one the form does not read (a misspelt `charcter`, or
        watching along a filter `told_later`) would otherwise sit in the address, and in the links that keep the
        filters, as if it filtered the list.
        """
        query = query.copy()
        filters = self.filterset_class.base_filters
        if horizon_of(self.request) is not None:  # watching along, the form reads no filter that tells an ending
            filters = {name: f for name, f in filters.items() if name not in self.filterset_class.told_later}
        defaults = {name: f.default for name, f in filters.items() if isinstance(f, ModeFilter)}
        searching = any(v.strip() for n, f in filters.items() if isinstance(f, TextFilter) for v in query.getlist(n))
        for name in list(query):
            if name in filters:
                values = [value.strip() for value in query.getlist(name)]
                values = [value for value in dict.fromkeys(values) if value and value != defaults.get(name)]
                if isinstance(filters[name], OrderFilter):
                    values = [value for value in values if not filters[name].is_default(value, searching)]
                values = values if takes_many(filters[name]) else values[-1:]
            elif name in (self.facet_page_parameters if "facet" in self.kwargs else self.kept_parameters):
                values = kept_values(name, query.getlist(name))
            else:
                values = []
            if values:
                query.setlist(name, values)
            else:
                del query[name]
        return query

    def paginate_queryset(self, queryset, page_size):
        """As Django's ListView pages a list: `page` is a whole number from 1 to the last page, or `last`;
        anything else raises PageNotInList (a 404). A form with errors shows its empty list with the errors."""
        paginator = self.get_paginator(queryset, page_size)
        asked = self.request.GET.get("page") or "1"
        if self.filterset.is_bound and not self.filterset.is_valid():
            asked = "1"
        try:
            page = paginator.page(paginator.num_pages if asked == "last" else int(asked))
        except (ValueError, InvalidPage):  # int() refuses "1.5", "²" and numbers of more than 4,300 digits
            query = self.request.GET.copy()
            query.pop("page", None)
            first = address_with(self.request, query)
            raise PageNotInList(asked, paginator.num_pages, first) from None
        return paginator, page, page.object_list, page.has_other_pages()

    def get_paginator(self, queryset, per_page, **kwargs):
        """A paginator whose count, and with `bake_pages` whose pages, are read by the FilterSet's baked statements
        (FacetedFilterSet.count() and page()); Django's own for a form with errors (an empty list)."""
        filterset = self.filterset
        if filterset.is_bound and not filterset.is_valid():  # (an address without a query leaves it unbound)
            return super().get_paginator(queryset, per_page, **kwargs)
        paginator = BakedPaginator(queryset, per_page, count=filterset.count, **kwargs)
        statements, also = filterset.list_statements(), {}
        if self.bake_pages and filterset.horizon is None and filterset.ordering() is not None:
            records = type(self).queryset

            def rows(bottom, size):
                return filterset.page(records, type(self), bottom, size)

            paginator.rows = rows
            # The page asked for, as get_page() will read the number (the first for one that is not a number).
            try:
                number = int(self.request.GET.get("page") or 1)
            except ValueError:
                number = 1
            if 1 <= number <= paginator.BAKED_PAGES:
                bottom, size = (number - 1) * paginator.per_page, paginator.per_page + paginator.orphans
                statements.append(filterset.page_statement(records, type(self), bottom, size))
                # Read with the page where that saves a trip; elsewhere after it, by its records' keys (cards()).
                about = self.about_page is not None and pipelines(filterset.queryset.db)
                keys = filterset.page_keys(records, type(self), bottom, size) if about else None
                if keys is not None:
                    also = {("about page", bottom, name): call for name, call in self.about_page(keys).items()}
        # The count, the facets' counts and the page's rows need nothing of each other: read them together.
        filterset.read_together(*statements, also=also)
        return paginator

    # A method `about_page(keys)` that gives {name: a call of run_together()} about a page's records (their primary
    # keys as SQL), to read with the page itself (about_page_rows()) on a database that takes them in one trip.
    about_page = None

    def about_page_rows(self, page):
        """{name: what each call of about_page() gave} when they were read with this page (a Page); {} when not (no
        about_page, or another page shown: one past the end, past the first BAKED_PAGES)."""
        bottom, answers = (page.number - 1) * page.paginator.per_page, self.filterset.answers
        return {key[2]: answers.pop(key) for key in list(answers) if key[:2] == ("about page", bottom)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        facets = filterset.facets()
        for facet in facets:
            if facet.shortened:
                facet.more_url = self.facet_url(facet.name)
            if facet.name in self.facet_links:
                facet.links = self.links_about(facet.name)
        context.update(
            list_title=self.title,
            section=self.section,
            api_url_name=self.api_url_name,
            noun=self.noun,
            noun_plural=self.noun_plural,
            facets=facets,
            active_filters=filterset.active_filters(self.request.GET, self.request.path),
            form_invalid=filterset.is_bound and not filterset.is_valid(),
        )
        return context

    def links_about(self, name):
        """[(text, url)]: the page of each chosen record of one facet, then the index of all of them."""
        text, index = self.facet_links[name]
        chosen = [(f"About {item}", item.get_absolute_url()) for item in self.filterset.chosen(name)]
        return [*chosen, (text, route_url(index))]

    def render_to_response(self, context, **kwargs):
        status = 400 if context["form_invalid"] else 200
        return super().render_to_response(context, status=status, **kwargs)

    # The page of one long facet's choices, e.g. /scenes/facets/character/?period=1945

    def list_url_name(self):
        return self.request.resolver_match.view_name.removesuffix("_facet")

    def facet_url(self, name):
        """The page of every choice of one facet, keeping the rest of the query (less the page number)."""
        query = self.request.GET.copy()
        query.pop("page", None)
        url = slug_url(f"{self.list_url_name()}_facet", name)
        return f"{url}?{query.urlencode()}" if query else url

    def facet_page(self, name):
        """Every choice of one long facet with its count, as a form that keeps the other filters; 404 for a
        facet that is not long, 400 (with the form's errors) when the query is invalid."""
        filterset_class = self.get_filterset_class()
        if name not in filterset_class.long_facets:
            raise Http404(f"{self.title} have no page of choices called “{name}”.")
        self.filterset = filterset = self.get_filterset(filterset_class)
        form_invalid = filterset.is_bound and not filterset.is_valid()
        if form_invalid and (renamed := renamed_redirect_of(self.request, filterset)):  # as the list itself answers
            return renamed
        facet = filterset.facet(name)
        query = self.request.GET.copy()
        query.pop("page", None)
        # A long facet is paged, so that the page stays small however many people the content has; what is ticked
        # on other pages of a checkbox facet rides along in the form.
        # A page it does not have is a 404, as a list's is (paginate_queryset()), not another address of page 1.
        paginator = Paginator(facet.options, self.CHOICES_PER_PAGE)
        asked = query.pop("choices", [None])[-1] or "1"
        try:
            choices = paginator.page(int(asked))
        except (ValueError, InvalidPage):
            first = address_with(self.request, query)
            missing = PageNotInList(asked, paginator.num_pages, first)
            return render(self.request, "404.html", {"missing_page": missing}, status=404)
        elsewhere = [option for option in facet.options if option.selected and option not in choices.object_list]
        facet.options = list(choices.object_list)
        list_url = reverse(self.list_url_name())
        errors = [(filterset.filters[key].label, e) for key, errors in filterset.form.errors.items() for e in errors]
        context = {
            "list_title": self.title,
            "section": self.section,
            "noun_plural": self.noun_plural,
            "facet": facet,
            "errors": errors,
            "list_url": list_url,
            "back_url": f"{list_url}?{query.urlencode()}" if query else list_url,
            # Every other filter rides along in the form, so choosing here changes only this facet.
            # (not `at`: every GET form gets that from HorizonMiddleware, keep_horizon())
            "kept": [
                (key, value)
                for key, values in query.lists()
                if key not in (name, HORIZON_PARAMETER)
                for value in values
            ]
            + ([(name, option.value) for option in elsewhere] if facet.kind == "checkboxes" else []),
            "choices_page": choices,
        }
        return render(self.request, "facet_choices.html", context, status=400 if form_invalid else 200)


def faceted_list_urls(route, view, name):
    """URL patterns for a FacetedListView: the list at `route` (named `name`) and the page of each long
    facet's choices at `route`facets/<facet>/ (named `name`_facet)."""
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}facets/<slug:facet>/", view.as_view(), name=f"{name}_facet"),
    ]
