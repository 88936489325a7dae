"""Middleware that knows no model of the film."""

from django.core.exceptions import BadRequest
from django.views.defaults import bad_request


class AdminRejectsNulBytesMiddleware:
    """Answer 400 to any admin request whose path, query string or form data holds a NUL character ("%00").

    PostgreSQL refuses NUL in every text value, and the admin passes its filter and search parameters straight to
    the database, so /admin/scenes/scene/?part__exact=%00 would otherwise end in a 500 there (SQLite merely finds
    nothing). Only the admin: the public pages answer NUL themselves, through their forms (a filter or search
    form error, 400) and their slug paths (404), in the site's own design. The 400 page is templates/400.html,
    through Django's usual handler.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "admin" not in request.resolver_match.namespaces:
            return None
        if "\x00" in request.path or has_nul(request.GET) or (request.method == "POST" and has_nul(request.POST)):
            # The 400 page as an answer, not an exception: logged as one line, as the public pages' 400s are.
            return bad_request(request, BadRequest("A NUL character in an admin request."))
        return None


def has_nul(query_dict):
    """Whether any key or value of a QueryDict holds a NUL character."""
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class HeadWithoutBodyMiddleware:
    """A HEAD request's answer: the GET's headers, Content-Length included, and no body (RFC 9110 §9.3.2). Django
    leaves dropping the body to the server; gunicorn drops it but logs a warning for every HEAD request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response


class HtmlWithoutNulMiddleware:
    """An HTML page never holds U+0000: a NUL that an address or a form brought into a page (a search box refilled
    with it, a notice quoting it) becomes U+FFFD, as an HTML parser reads it (WHATWG HTML §13.2.5: it is a parse
    error). The form errors that refuse such values are unchanged; this keeps their pages valid HTML."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if b"\x00" in response.content:
            response.content = response.content.replace(b"\x00", "\ufffd".encode())
            if "Content-Length" in response:
                response["Content-Length"] = str(len(response.content))
        return response
