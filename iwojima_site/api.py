"""The read-only API's machinery, knowing no model of the film: each app's viewsets (`<app>/api.py`) build on it.

A list is filtered by the same FacetedFilterSet as its page (bad input: 400 with the form's errors; a parameter it
does not read: 400 naming it, where the page drops it with a redirect), paginated as the page is (25 a page, `page`
from 1) and carries the facet counts the page's form shows. `?format=csv` gives the whole filtered list as CSV, one
row per record, lists of slugs joined by ";". Only the address chooses the format (never the Accept header), so a
shared cache keyed on the address always holds the right bytes. Anonymous use is throttled per client address in
fixed windows counted in the shared database, one statement a request (iwojima_site.throttling); a 429 says when to
come back and is never stored.
"""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import APIRootView
from rest_framework.views import exception_handler as drf_exception_handler

from iwojima_site.facets import FacetedListView, ModeFilter, OrderFilter, TextFilter, kept_values, renamed_redirect_of
from iwojima_site.horizon import PARAMETER as HORIZON_PARAMETER
from iwojima_site.horizon import horizon_of
from iwojima_site.links import absolute_url
from iwojima_site.records import renamed_redirect


class CountingPaginator(Paginator):
    """Django's Paginator whose page reads the list's length with its rows: one query where Django's makes two. The
    length is a subquery the database works out once (not `COUNT(*) OVER ()`, a window, for which it would work out
    every row's columns, the records' own subqueries included, before the page is cut: 12 ms for /api/scenes/ at
    ×100, 17 ms for /api/people/). Only a page with no rows (past the end, or an empty list) asks for the count
    alone, and then answers as Django's does."""

    TOTAL = "paginator_total_rows"  # the annotation that carries the count on every row
    MAX_OFFSET = 2**62  # an OFFSET both databases take (a signed 64-bit integer), beyond any list's length

    def length(self):
        """The list's length as an expression for each row: the count of its keys, a subquery; over grouped rows (a
        count per record, which that subquery would group again), a window; None for a list that holds nothing."""
        if self.object_list.query.group_by is not None:
            return Window(Count("*"))
        try:
            keys, params = self.object_list.order_by().values("pk").query.get_compiler(self.object_list.db).as_sql()
        except EmptyResultSet:
            return None
        return RawSQL(f"SELECT COUNT(*) FROM ({keys}) AS listed", params, output_field=IntegerField())  # noqa: S611

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # Django's PageNotAnInteger
        bottom = (number - 1) * self.per_page
        if (
            number < 1
            or bottom > self.MAX_OFFSET  # past the end of any list, and past what the database takes: Django's 404
            or self.orphans
            or "count" in self.__dict__
            or not isinstance(self.object_list, QuerySet)
        ):
            return super().page(number)
        length = self.length()
        if length is None:  # a list that can hold nothing
            return super().page(number)
        rows = list(self.object_list.annotate(**{self.TOTAL: length})[bottom : bottom + self.per_page])
        if not rows:
            return super().page(number)
        self.count = getattr(rows[0], self.TOTAL)  # Paginator.count is a cached_property: this is its value
        return self._get_page(rows, number, self)


def on_site(link):
    """A link DRF made from the request's scheme and Host ("http://alias:8000/api/scenes/?page=2"), on the
    configured site (DJANGO_SITE_URL) as the records' urls are; None stays None. The bytes of a list then depend
    only on its address (path and query), which its ETag and the shared cache's key cover."""
    if link is None:
        return None
    parts = urlsplit(link)
    return absolute_url(urlunsplit(("", "", parts.path, parts.query, "")))


class SiteAPIRootView(APIRootView):
    """DRF's root of the API (`/api/`), its links on the configured site (on_site()), as every link the API gives."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {name: on_site(link) for name, link in response.data.items()}
        return response


class FacetPagination(PageNumberPagination):
    """Pages of 25, as the site's lists have; the body also holds the list's facet counts."""

    page_size = FacetedListView.paginate_by
    django_paginator_class = CountingPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # A list whose page shows every record (places, the cast) says so with its own page size.
        self.page_size = getattr(view, "page_size", None) or self.page_size
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        # As the pages read `page` (kept_values()): of several, the last that is not empty (`page=2&page=` is page 2,
        # where DRF's QueryDict.get() reads the empty one and gives page 1).
        kept = kept_values(self.page_query_param, request.query_params.getlist(self.page_query_param))
        page_number = kept[0] if kept else 1
        return paginator.num_pages if page_number in self.last_page_strings else page_number

    def get_paginated_response(self, data, facets=None):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": on_site(self.get_next_link()),
                "previous": on_site(self.get_previous_link()),
                "facets": facets or [],
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            **{key: value for key, value in response["properties"].items() if key != "results"},
            "facets": {"type": "array", "items": FACET_SCHEMA},
            "results": schema,
        }
        response["required"] = ["count", "next", "previous", "facets", "results"]
        return response


FACET_SCHEMA = {
    "type": "object",
    "description": "One choice filter of the list's form: each choice with how many records it would give.",
    "properties": {
        "name": {"type": "string", "description": "The filter's parameter, e.g. `period`."},
        "label": {"type": "string"},
        "total": {"type": "integer", "description": "How many choices there are (a long facet lists the first ten)."},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "label": {"type": "string"},
                    "count": {"type": "integer"},
                    "selected": {"type": "boolean"},
                },
                "required": ["value", "label", "count", "selected"],
            },
        },
    },
    "required": ["name", "label", "total", "options"],
}


def facet_data(filterset):
    """The filter form's choice facets with their counts, as the list page shows them: [{name, label, total,
    options: [{value, label, count, selected}]}]. Text, order and mode controls have no counts and are left out."""
    facets = []
    for facet in filterset.facets():
        if isinstance(filterset.filters[facet.name], TextFilter | OrderFilter | ModeFilter):
            continue
        options = [
            {"value": str(option.value), "label": str(option.label), "count": option.count, "selected": option.selected}
            for option in facet.options
        ]
        facets.append({"name": facet.name, "label": str(facet.label), "total": facet.total, "options": options})
    return facets


class FacetedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the FilterSet on the view for the facet counts."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


TOLD_LATER_ERROR = "Not a filter while watching along (at): it would tell what is to come. Leave out at to use it."


class UnknownParameters(exceptions.APIException):
    """A 400 naming the parameters of the address that the endpoint does not read, and those it does."""

    status_code = 400
    default_code = "unknown_parameter"
    SHOWN = 10  # of the unknown names, at most so many, each cut to 40 characters: the address may hold a thousand

    def __init__(self, unknown, read, noun):
        names = ", ".join(name[:40] for name in unknown[: self.SHOWN])
        if len(unknown) > self.SHOWN:
            names += f" and {len(unknown) - self.SHOWN} more"
        which = "Not a parameter" if len(unknown) == 1 else "Not parameters"
        super().__init__(f"{which} of this {noun}: {names}. It reads {', '.join(read[:-1])} and {read[-1]}.")


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and its records, addressed by slug. `queryset` is the page's own QuerySet (`listed()`, so the API
    lists exactly what the page does), narrowed in `get_queryset` to the request's watch-along horizon as the
    page's FilterSet narrows it; `filterset_class` is the page's FilterSet, or None for a list without filters."""

    lookup_field = "slug"
    # Any text up to the next slash reaches the view, so that a malformed slug gets the API's JSON 404, not a page.
    lookup_value_regex = "[^/\x00]+"  # PostgreSQL's text holds no NUL: such an address is no record's (404)
    filter_backends = [FacetedFilterBackend]
    filterset_class = None
    pagination_class = FacetPagination
    filterset = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A parameter the endpoint does not read (a misspelt `charcter`, `q` of a list that has no text filter) is
        # refused by name, as a bad filter is: answering without it would pass the whole list off as the filtered
        # one, and its `next` link would carry it on. (The list pages, which can, send such an address to the one
        # without it instead.)
        if self.action in ("list", "retrieve"):
            read = self.parameters()
            unknown = [name for name in request.query_params if name not in read]
            if unknown:
                raise UnknownParameters(unknown, read, "list" if self.action == "list" else "record")
        # A bad `at` (HorizonMiddleware leaves it to the API): a 400 in the request's format, as a bad filter gets.
        if getattr(request, "horizon_error", None):
            raise exceptions.ValidationError({"at": [request.horizon_error]})
        # Watching along, a list has no filter that tells how the story ends (a fate): one given anyway is refused
        # by name, since answering the unfiltered list would pass it off as the filtered one.
        if self.action == "list" and horizon_of(request) is not None:
            told_later = getattr(self.filterset_class, "told_later", ())
            given = {name for name in told_later if request.query_params.get(name, "").strip()}
            refused = {name: [TOLD_LATER_ERROR] for name in sorted(given)}
            if refused:
                raise exceptions.ValidationError(refused)

    def parameters(self):
        """The parameters the action reads, as the schema documents them: a list's filters and `page`, and everyone's
        `format` and watch-along `at`."""
        if self.action != "list":
            return ["format", HORIZON_PARAMETER]
        filters = getattr(self.filterset_class, "base_filters", {})
        return [*filters, self.paginator.page_query_param, "format", HORIZON_PARAMETER]

    def get_queryset(self):
        # Watch-along: only what a viewer at the address's scene may know of, lists and records alike.
        return super().get_queryset().at(horizon_of(self.request))

    def retrieve(self, request, *args, **kwargs):
        """The record; a slug it had before answers 301 to its address now, as its page does."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            slug = kwargs.get(self.lookup_field, "")
            redirect = renamed_redirect(request, self.queryset.model, slug, self.address_of)
            if redirect is None:
                raise
            return redirect

    def address_of(self, record):
        """The record's address in the API."""
        return reverse(f"api:{self.basename}-detail", args=[record.slug])

    def list(self, request, *args, **kwargs):
        try:
            queryset = self.filter_queryset(self.get_queryset())
        except exceptions.ValidationError:
            # A filter that chose a record by a slug it had before: 301 to the same list by today's slugs, as its
            # page answers.
            if self.filterset is not None and (renamed := renamed_redirect_of(request, self.filterset)):
                return renamed
            raise
        if request.accepted_renderer.format == "csv":
            # The whole filtered list: one file a reader can open, whatever its length.
            return Response(self.get_serializer(queryset, many=True).data)
        page = self.paginate_queryset(queryset)
        facets = facet_data(self.filterset) if self.filterset is not None else []
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data, facets)


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The record's page on the site, as an absolute address from DJANGO_SITE_URL; watching along, with the
    request's `at`, so that following it shows the page as the viewer may see it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The record's page on the site (with `at`, when the request has it).")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        url = absolute_url(value.get_absolute_url())
        horizon = horizon_of(self.context.get("request"))
        return url if horizon is None else f"{url}{'&' if '?' in url else '?'}{urlencode({'at': horizon})}"


class SlugListField(serializers.ListField):
    """Related records as a list of their slugs (in CSV, joined by ";")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField())
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, data):
        # A related manager, or the list a Prefetch with `to_attr` left.
        return [item.slug for item in (data.all() if hasattr(data, "all") else data)]


def exception_handler(exc, context):
    """DRF's answer to an error; a throttled client is told when to come back, and the answer is never stored."""
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        wait = f" Try again in {int(exc.wait)} seconds." if exc.wait is not None else ""
        response.data = {"detail": f"Too many requests from this address.{wait}"}
        response["Cache-Control"] = "no-store"
    return response


ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})
FORM_ERRORS = OpenApiResponse(
    description="A filter or `at` is invalid: each parameter with its errors, e.g. "
    '`{"character": ["Select a valid choice. …"]}`. Or the address holds a parameter the operation does not read '
    '(a misspelt one), or more than are read at all (over 1,000): `{"detail": "…"}`, naming them.',
    response={
        "anyOf": [
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
        ]
    },
)


class SiteAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the parameters and errors every operation has: `format` and the watch-along
    `at`; 404 (no such record, page or format), 400 for invalid filters or `at` or a parameter not read, 429 when an
    address asks too often."""

    def get_override_parameters(self):
        described = "`csv` for CSV (a list: every record that matches, one row each), else JSON."
        return [
            *super().get_override_parameters(),
            OpenApiParameter("format", str, enum=["json", "csv"], description=described),
            OpenApiParameter(
                "at",
                int,
                description="Watch-along: the number of the scene you are at (from 1). Only what a viewer there may "
                "know is listed or told; a record that comes later is a 404.",
            ),
        ]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = {
            "404": ERROR,
            "429": OpenApiResponse(ERROR, description="Too many requests: wait Retry-After seconds."),
        }
        extra["400"] = FORM_ERRORS  # a list's filters, anyone's `at`, a parameter not read
        for status, response in extra.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(response, status)
        return responses
