"""Watch-along mode: the spoiler horizon, one scene number read from the address (`?at=13`).

Everything that decides what a viewer at scene n may see asks this module: the middleware reads `at` once per
request into `request.horizon` (None when the mode is off), answers a bad value with 400 and sends a page whose
address writes a good one otherwise than once in plain digits to the address that does; the QuerySets take
it (`.at(horizon)` on every content model); scene-stamped text is cut by `cut_parts`; and every internal link
and GET form of an HTML page answered while the mode is on is given `at` again here, so a new template cannot
drop it. Nothing but the address decides the horizon (no cookie), so a shared cache keyed on it stays right.

This module imports no app: the scenes app tells it how to find the last scene (`last_scene_number`).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import SuspiciousOperation, TooManyFieldsSent
from django.http import QueryDict
from django.shortcuts import render

from iwojima_site.errors import too_many_parameters

PARAMETER = "at"

# Set by the scenes app when it is ready: a callable giving the number of the last scene (None when none).
last_scene_number = None

# Addresses the mode never follows into: the editors' tools, files.
UNTOUCHED_PREFIXES = ("/admin/", "/static/", "/media/")
# The pages about another page of the site, named in their `page` (the correction form, its thanks): without an
# `at` of their own they watch along at that page's, so a reader who came from a page watched along keeps it.
ABOUT_A_PAGE = "/suggest/"
API_PREFIX = "/api/"  # iwojima_site/urls.py: the API answers a bad `at` itself, in its formats
TAG = re.compile(r"<(a|form)\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(href|action)="([^"]*)"', re.IGNORECASE)
GET_FORM = re.compile(r'\bmethod="get"', re.IGNORECASE)
# A link or form that sets or drops the horizon itself (the off switch, "I have watched this").
OWN_HORIZON = "data-horizon"


class BadHorizon(ValueError):
    """An `at` that names no scene: not a whole number, 0 or less, or past the last scene."""


def parse(values, last):
    """The horizon the address asks for: None when no value in `values` (every `at` in it) has more than spaces, as
    a form's blank field asks for nothing; else the last such value (the one QueryDict.get() reads), read as a
    list's `page` is (int(): `07`, `+7`, ` 7 `, `٧` and `0_7` are 7), which must be a scene number from 1 to
    `last`. Raises BadHorizon with a message a visitor can act on."""
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return None
    value = values[-1]
    try:
        number = int(value)
    except ValueError:  # not a whole number, or more than 4,300 digits
        raise BadHorizon(
            f"“{value[:40]}” is not a scene number: give the number of the scene you are at, e.g. 12."
        ) from None
    if number < 1:
        raise BadHorizon("Scenes are numbered from 1.")
    if last is None or number > last:
        raise BadHorizon(f"The film has {last or 0} scenes, so there is no scene {number}.")
    return number


class HorizonMiddleware:
    """Reads `at` into `request.horizon`; answers a bad one with a 400 page, or for the API leaves what is wrong in
    `request.horizon_error` (RecordViewSet answers it). A page whose good `at` is written otherwise is sent to its
    one address (process_view()). While the mode is on, the answer is marked noindex and an HTML page's internal
    links and GET forms keep `at`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.horizon = request.horizon_error = None
        try:
            written = request.GET.getlist(PARAMETER)  # the first read of the query
        except TooManyFieldsSent:
            return too_many_parameters(request)
        values = [value for value in written if value.strip()] or horizon_of_page_about(request)
        if values and not request.path.startswith(UNTOUCHED_PREFIXES):
            try:
                request.horizon = parse(values, last_scene_number() if last_scene_number else None)
            except BadHorizon as error:
                if request.path_info.startswith(API_PREFIX):
                    request.horizon_error = str(error)
                    return self.get_response(request)
                response = render(request, "horizon_invalid.html", {"message": str(error)}, status=400)
                response.headers["X-Robots-Tag"] = "noindex"
                return response
        response = self.get_response(request)
        if request.horizon is not None:
            response.headers["X-Robots-Tag"] = "noindex"
            if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                response.content = keep_horizon(response.content.decode(response.charset), request.horizon)
        return response

    def process_view(self, request, view, args, kwargs):
        """A GET or HEAD of a page whose `at` names a scene but is not written once in plain digits (`at=07`,
        `at=%2B7`, `at=3&at=7`, `at=7&at=`), or is blank (`at=`: no horizon), answers 302 to the same address with
        `at` written once as str() writes the horizon (or without it), the other parameters kept: so each page has one
        address at each horizon, one shared-cache entry and one ETag, as the lists' clean-up gives them with `page`.

        Only a page the site's URLs name gets it (this runs once the view is found), through the lists' own redirect
        (cleaned_redirect()), so it never leads off the site. A page that cleans its own address (`at` among its
        `kept_parameters`: the lists, the charts, the cast) writes `at` so itself, in the same one redirect as the
        rest; the API reads the same values and redirects nothing."""
        written = request.GET.getlist(PARAMETER)
        if (
            not written
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(UNTOUCHED_PREFIXES)
            or request.path_info.startswith(API_PREFIX)
            or PARAMETER in getattr(getattr(view, "view_class", None), "kept_parameters", ())
        ):
            return None
        from iwojima_site.facets import cleaned_redirect  # (which reads this module)

        query = request.GET.copy()
        if any(value.strip() for value in written):
            query.setlist(PARAMETER, [str(request.horizon)])
        else:
            del query[PARAMETER]
        return cleaned_redirect(request, query)


def horizon_of_page_about(request):
    """For a page about another page (ABOUT_A_PAGE), the `at` of the page it is about ([] when it has none, or
    one that names no scene: that page's own answer said so, this one just does not watch along)."""
    if not request.path.startswith(ABOUT_A_PAGE):
        return []
    values = QueryDict(urlsplit(request.GET.get("page", "")).query).getlist(PARAMETER)
    try:
        parse(values, last_scene_number() if last_scene_number else None)
    except BadHorizon:
        return []
    return values


def page_at(page, horizon):
    """The address of a page about another one (ABOUT_A_PAGE's `page`), watched along at `horizon`: its `at`
    replaced by `horizon`, or dropped when None, so the page it is about agrees with the horizon shown."""
    address = urlsplit(page)
    query = QueryDict(address.query, mutable=True)
    query.pop(PARAMETER, None)
    if horizon is not None:
        query[PARAMETER] = horizon
    return address._replace(query=query.urlencode()).geturl()


def keep_horizon(html, horizon):
    """The page with `at=horizon` added to each internal link and form address that lacks it, and a hidden `at`
    in each GET form. Links and forms marked `data-horizon` set the horizon themselves and are left alone."""

    def tag(match):
        text = match.group(0)
        if OWN_HORIZON in text:
            return text
        text = ATTRIBUTE.sub(lambda m: f'{m[1]}="{with_horizon(m[2], horizon)}"', text)
        if match[1].lower() == "form" and GET_FORM.search(text):
            text += f'<input type="hidden" name="{PARAMETER}" value="{horizon}">'
        return text

    return TAG.sub(tag, html)


def with_horizon(url, horizon):
    """An address (as written in HTML, `&amp;` and all) with `at=horizon`, unless it leads off the site, into
    the editors' tools or to a place on the same page, or already says where to watch from."""
    if not url.startswith(("/", "?")) or url.startswith("//") or url.startswith(UNTOUCHED_PREFIXES):
        return url
    address, hash_, fragment = url.partition("#")
    path, question, query = address.partition("?")
    params = QueryDict(query.replace("&amp;", "&"))
    if PARAMETER in params:
        return url
    query = f"{query}&amp;{PARAMETER}={horizon}" if query else f"{PARAMETER}={horizon}"
    return f"{path}?{query}{hash_}{fragment}"


def watching_at(request, number):
    """This page's address with `at=number`, its other parameters kept: what `{{ request.path }}{% querystring
    at=number %}` gives, without copying an empty query."""
    if not request.GET:
        return f"{request.path}?{PARAMETER}={number}"
    query = request.GET.copy()
    query[PARAMETER] = number
    return f"{request.path}?{query.urlencode()}"


def cut_parts(parts, horizon):
    """The scene-stamped parts (`[{"scene": n, "text": …}]`) a viewer at scene `horizon` may read: all of them
    when the mode is off."""
    if horizon is None:
        return list(parts or [])
    return [part for part in parts or [] if part["scene"] <= horizon]


def horizon_of(request):
    """The request's horizon (None off, or outside a request)."""
    return getattr(request, "horizon", None) if request is not None else None


def shows(first_scene, horizon):
    """Whether something first seen in scene `first_scene` may be shown at `horizon`. Something in no scene
    (`first_scene` None: someone only in the credits) has nothing to spoil, and is shown at every horizon, as
    `.at()` lists it."""
    return horizon is None or first_scene is None or first_scene <= horizon


def film_ends_by(record, horizon):
    """Whether scene `horizon` is the film's last: only there may a page say that the film never tells something (a
    fate "Not told"). Before it, such a fact reads as one still to come ("Not yet"): saying which facts never come
    would tell which of the others come later. Reads the last scene's number where `.at()` annotated it on `record`
    (`film_last_scene`), else asks once and keeps it there."""
    if getattr(record, "film_last_scene", None) is None:
        record.film_last_scene = last_scene_number() if last_scene_number else None
    return record.film_last_scene is not None and horizon >= record.film_last_scene


@dataclass(frozen=True)
class Later:
    """What a page about something still to come says: its name, and the scene from which it may be shown."""

    name: str
    first_scene: int | None


def later_response(request, later):
    """200 with a page saying that `later` comes after the viewer's scene, offering to move the horizon on."""
    return render(request, "later.html", {"later": later})


def later_page(request, record, first_scene=None):
    """later_response() for a record with `first_scene_number()` (or `first_scene`, already read) and
    `name_before_seen(horizon)`: what may be said of it at the request's horizon, which names no one not yet met."""
    first = record.first_scene_number() if first_scene is None else first_scene
    return later_response(request, Later(record.name_before_seen(horizon_of(request)), first))


def context(request):
    """Context processor: `horizon` (None or a scene number), `horizon_off` (while watching along: this page without
    `at`) and `horizon_kept` (the page's other parameters)."""
    try:
        unread = not request.GET
    except SuspiciousOperation:  # a query Django will not read (too many parameters): the 400 page that says so
        unread = True
    if unread:
        return {"horizon": None, "horizon_kept": ()}
    horizon = horizon_of(request)
    if request.path.startswith(ABOUT_A_PAGE):
        # A page about another page reads only `page`, whose own `at` is the horizon when it has none of its own:
        # the form that sets the horizon sends `page` without it, and "Show everything" shows that page's all.
        from iwojima_site.corrections import site_path  # (which reads this module)

        about = [page_at(page, None) for page in request.GET.getlist("page")[-1:] if site_path(page)]
        kept = [("page", page) for page in about]
        query = QueryDict(mutable=True)
        query.setlist("page", about)
    else:
        # The page's other parameters, which the form that sets the horizon sends again (from its first page).
        kept = [
            (key, value) for key, values in request.GET.lists() if key not in (PARAMETER, "page") for value in values
        ]
        query = request.GET.copy()
        query.pop(PARAMETER, None)
    found = {"horizon": horizon, "horizon_kept": kept}
    if horizon is not None:
        found["horizon_off"] = f"{request.path}?{query.urlencode()}" if query else request.path
    return found


class HorizonDetailMixin:
    """For a DetailView of a record with `first_scene_number()` and `name_before_seen(horizon)`: while watching along, a
    record that first comes after the viewer's scene gets the "comes later" page (200) instead of its own."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        horizon = horizon_of(request)
        if horizon is not None:
            first = self.object.first_scene_number()
            if not shows(first, horizon):
                return later_page(request, self.object, first)
        return self.render_to_response(self.get_context_data(object=self.object))
