"""Errors answered before any view can answer them, in the form the address answers in: plain text for the health
check, the API's error body for its data (`{"detail": "…"}`, or a `field,message` table with `?format=csv`), else a
page of the site rendered without the request, which depends on nothing that can fail (the database, the query)."""

from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.urls import resolve

from iwojima_site.links import SITE_NAME
from iwojima_site.renderers import CSVRenderer


def answer_in_form(request, status, message, template, text=None):
    """`message` with `status`, as the address would answer it: the health check's `text` (else the message), the
    API's error body, or `template` given the message."""
    try:
        match = resolve(request.path_info)
    except Http404:
        match = None
    if match and match.url_name == "health":
        response = HttpResponse(text or f"{message}\n", content_type="text/plain")
    elif match and match.namespace == "api" and match.url_name != "docs":
        if format_asked(request) == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response.status_code = status  # the CSV renderer writes an error table for an error status
            response.content = CSVRenderer().render({"detail": message}, renderer_context={"response": response})
        else:
            response = JsonResponse({"detail": message})
    else:
        # Rendered without the request (nothing that can fail): the context processors' site name is given here.
        response = HttpResponse(loader.render_to_string(template, {"message": message, "site_name": SITE_NAME}))
    response.status_code = status
    return response


def format_asked(request):
    """The address's `format` (the last, as the API reads it). From a query Django will not read (too many
    parameters), read from the address's text: the server's limit on a request line keeps that short."""
    try:
        return request.GET.get("format")
    except TooManyFieldsSent:
        query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        return next((value for name, value in reversed(query) if name == "format"), None)


def too_many_parameters(request):
    """The 400 for an address with more parameters than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS), answered where
    the query is first read (HorizonMiddleware) rather than raised: in debug, Django's error page would read the query
    again, fail again and, after seconds, answer 500; and the site's 400 page is no answer for the API's data."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    message = f"This address has more than {limit:,} parameters, more than the site reads. Leave some out."
    return answer_in_form(request, 400, message, "400.html")
