"""Request and response hardening that knows no model of the film: a safe script prefix, Permissions-Policy, and
answers to methods and forms a page does not take."""

from functools import wraps

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import set_script_prefix
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

# Browser features the site never uses, switched off for it and anything it might embed (W3C Permissions Policy).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)


def static_file_headers(headers, path, url):
    """WHITENOISE_ADD_HEADERS_FUNCTION: a static file gets the site's Content-Security-Policy and frame denial too.
    WhiteNoise answers before those middleware run; an SVG opened from the site's own origin is a document that
    could hold script. (The other security headers come from middleware that wraps WhiteNoise.)"""
    headers["Content-Security-Policy"] = build_policy()
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS


def safe_prefix(prefix):
    """A script prefix that can only name a path on this site: "//evil.example/" or "/\\evil/" become "/evil.../".

    A proxy's SCRIPT_NAME goes into every URL the site makes (reverse(), redirects); a prefix starting with two
    slashes would make them network-path references to another host (RFC 3986 §4.2).
    """
    return "/" + prefix.lstrip("/\\").replace("\\", "/")


class SecurityHeadersMiddleware:
    """Keeps the script prefix on this site (see `safe_prefix`) and adds Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = request.META.get("SCRIPT_NAME", "")
        if prefix and safe_prefix(prefix) != prefix:
            prefix = safe_prefix(prefix).rstrip("/")
            request.META["SCRIPT_NAME"] = prefix
            request.path = prefix + request.path_info
            set_script_prefix(prefix + "/")
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def read_only(view):
    """A function view for GET and HEAD only (and OPTIONS, which describes them): any other method gets 405 with
    `Allow: GET, HEAD, OPTIONS` (RFC 9110 §15.5.6). Exempt from the CSRF check, which guards views that change
    something: this one never does, and the check would answer a POST 403 before the view could say 405."""
    return csrf_exempt(takes_methods("GET", "HEAD")(view))


def takes_methods(*methods):
    """Django's require_http_methods(methods) for a function view, answering OPTIONS as a class-based view does
    (View.options()): 200 with the `Allow` its 405 lists, OPTIONS among them, and no body (RFC 9110 §9.3.7). Any
    other method gets 405 with that `Allow`. The methods are kept on the view (`allowed_methods`) for
    MethodNotAllowedMiddleware."""
    allowed = [*methods, "OPTIONS"]

    def decorator(view):
        @wraps(view)
        def described(request, *args, **kwargs):
            if request.method == "OPTIONS":
                return options_answer(allowed)
            return view(request, *args, **kwargs)

        checked = require_http_methods(allowed)(described)
        checked.allowed_methods = allowed
        return checked

    return decorator


def options_answer(methods):
    """The answer to OPTIONS, as Django's View.options() gives it: 200, `Allow`, and an empty body."""
    response = HttpResponse()
    response.headers["Allow"] = ", ".join(methods)
    response.headers["Content-Length"] = "0"
    return response


def allowed_methods(view):
    """The methods a view takes, as its `Allow` lists them: a class-based view's handlers (HEAD with GET) in the order
    of its own 405 and OPTIONS (View._allowed_methods()), a function view's from takes_methods(); None when the view
    does not say (the admin's, for one)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return [
            method.upper()
            for method in view_class.http_method_names
            if hasattr(view_class, method) or (method == "head" and hasattr(view_class, "get"))
        ]
    return getattr(view, "allowed_methods", None)


class MethodNotAllowedMiddleware:
    """Answers a method that the CSRF check guards (POST, PUT, DELETE, PATCH, PROPFIND…) with 405 and the view's
    `Allow` when the view does not take it, before CsrfViewMiddleware (listed after this) would answer 403 "Form not
    sent" for a form that was never the point. A view that takes the method is left to the CSRF check."""

    SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")  # the methods the CSRF check lets through: the views answer them

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method in self.SAFE or getattr(view, "csrf_exempt", False):
            return None
        allowed = allowed_methods(view)
        if allowed is not None and request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW, for a form sent without the site's CSRF token and cookie (a method the page does not take
    was answered 405 before the check, by MethodNotAllowedMiddleware): a 403 page saying to reload the form and send
    it again, in the site's layout (Django's own has an inline <style>, which the site's CSP refuses)."""
    return render(request, "403_csrf.html", status=403)
