"""What every content record shares: a slug as natural key, and former slugs that keep old addresses working."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.http import Http404, HttpResponsePermanentRedirect

from iwojima_site.horizon import horizon_of, later_page, shows
from iwojima_site.validators import SLUG, validate_slug_list

# The annotation that marks a QuerySet already cut at a horizon.
HORIZON_MARK = "watch_horizon"


def alphabetical(field):
    """A name or title to order by as readers expect: alphabetically, ignoring case. Both databases' own order
    (SQLite's binary one, PostgreSQL's C collation) puts every capital first: "The Japanese troops on the island"
    before "The child in the street". For order_by(), Meta.ordering and an index alike."""
    return Lower(field)


def alphabetical_key(name):
    """alphabetical() in Python, for records sorted after they are read."""
    return name.lower()


# The orders by name and by title the lists offer, ties by slug: every order is total, so pages neither repeat
# nor skip a record.
BY_NAME = (alphabetical("name"), "slug")
BY_TITLE = (alphabetical("title"), "slug")


class SlugQuerySet(models.QuerySet):
    def at(self, horizon):
        """The records a viewer watching along at scene `horizon` may know of (iwojima_site.horizon): all of
        them when `horizon` is None. Each content model says which in `known_at`."""
        if horizon is None or HORIZON_MARK in self.query.annotations:  # cut once, by whichever asks first
            return self
        return self.known_at(horizon).annotate(**{HORIZON_MARK: models.Value(horizon)})

    def known_at(self, horizon):
        raise NotImplementedError(f"{self.model.__name__} does not say what is known at a scene.")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def formerly(self, slug):
        """The record that used to have this slug, or None."""
        # JSON lists have no portable `contains` lookup (SQLite lacks it): narrow in SQL, decide in Python.
        for record in self.filter(former_slugs__icontains=f'"{slug}"'):
            if slug in record.former_slugs:
                return record
        return None


class SluggedRecord(models.Model):
    """An abstract content record addressed by its slug; a renamed record keeps its old slugs."""

    former_slugs = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_slug_list],
        help_text="Slugs this record had before; their old addresses redirect here for good.",
    )

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        # Django's SlugField takes capitals and underscores too; an address here is what a former slug may be, so
        # that a renamed record's old slug (kept among its former slugs) stays valid.
        if self.slug and not SLUG.fullmatch(self.slug):
            message = f"“{self.slug}” is not a slug: use lowercase letters, digits and single hyphens, e.g. “saigo”."
            raise ValidationError({"slug": message})
        others = type(self)._default_manager.exclude(pk=self.pk)
        taken = [slug for slug in self.former_slugs or [] if slug == self.slug or others.filter(slug=slug).exists()]
        if taken:
            raise ValidationError({"former_slugs": f"“{taken[0]}” is a current slug; it cannot also be a former one."})
        for slug in [self.slug, *(self.former_slugs or [])]:
            if slug and others.formerly(slug) is not None:
                raise ValidationError({"slug": f"“{slug}” is already a former slug of {others.formerly(slug)}."})


def renamed_redirect(request, model, slug, address_of, later=None):
    """A 301 to `address_of(record)`, the query kept, for the record of `model` that had `slug` before; None when
    none had it. For an address whose slug no record has now (its page's, its API record's).

    Watching along, a record that comes after the viewer's scene is never redirected to (its slug now could tell
    what happens): `later(record)` answers instead, or None (no such record, as far as the viewer knows)."""
    record = model._default_manager.formerly(slug)
    if record is None:
        return None
    if not shows(record.first_scene_number(), horizon_of(request)):
        return later(record) if later else None
    query = request.META.get("QUERY_STRING")
    address = address_of(record)
    return HttpResponsePermanentRedirect(f"{address}?{query}" if query else address)


def current_slugs(query, parameters, horizon=None):
    """A copy of `query` (a QueryDict) in which each value of a parameter in `parameters` ({name: model}) that no
    record of the model has as its slug now, but one had before, names that record by its slug now. Asks nothing of
    the database for a parameter the query does not hold; one query for the current slugs of each that it does,
    and one more for each value that is not one of them and could be a slug. Watching along (`horizon`), a record
    still to come keeps its old slug: its slug now could tell what happens."""
    query = query.copy()
    for name, model in parameters.items():
        values = query.getlist(name)
        if not values:
            continue
        manager = model._default_manager
        # Only what could be a slug is looked for (PostgreSQL's text refuses a NUL, for one).
        slugs = {value.strip() for value in values if SLUG.fullmatch(value.strip())}
        current = set(manager.filter(slug__in=slugs).values_list("slug", flat=True)) if slugs else set()
        renamed = {slug: manager.formerly(slug) for slug in slugs - current}
        renamed = {slug: r for slug, r in renamed.items() if r and shows(r.first_scene_number(), horizon)}
        if renamed:  # each record once, though the address named it by its old slug and its new one
            now = (renamed[value.strip()].slug if renamed.get(value.strip()) else value for value in values)
            query.setlist(name, list(dict.fromkeys(now)))
    return query


def renamed_query_redirect(request, parameters):
    """A 301 to the same address with every former slug in the query's `parameters` ({name: model}) replaced by the
    record's slug now (current_slugs()); None when the query names no record by a former slug."""
    query = current_slugs(request.GET, parameters, horizon_of(request))
    if query == request.GET:
        return None
    return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")


class FormerSlugRedirectMixin:
    """For a DetailView: a slug that a record had before answers 301 to its page now; watching along, for a record
    still to come, the "further on" page its own address would answer."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            model, slug = self.get_queryset().model, kwargs.get(self.slug_url_kwarg, "")
            redirect = renamed_redirect(
                request,
                model,
                slug,
                lambda record: record.get_absolute_url(),
                lambda record: later_page(request, record),
            )
            if redirect is None:
                raise
            return redirect


class SlugListField(forms.CharField):
    """An admin form field for `former_slugs`: typed one a line or separated by commas, cleaned to a list.

    "old-title, older-title" becomes ["old-title", "older-title"]; a pasted JSON list ("[]", '["old-title"]')
    reads the same. Raises ValidationError for anything validate_slug_list refuses.
    """

    widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
    default_validators = [validate_slug_list]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Slugs this record had before, one a line or separated by commas; their old addresses redirect here "
            "for good.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value  # the text as typed, shown again with an error

    def to_python(self, value):
        text = (super().to_python(value) or "").strip().removeprefix("[").removesuffix("]")
        return [token.strip("\"'“”") for token in re.split(r"[\s,]+", text) if token.strip("\"'“”")]
