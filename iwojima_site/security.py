"""Request and response hardening that knows no model of the film: a safe script prefix, Permissions-Policy, and
answers to methods and forms a page does not take."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, resolve, set_script_prefix
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

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
    """A function view for GET and HEAD only: any other method gets 405 with `Allow: GET, HEAD` (RFC 9110
    §15.5.6). Exempt from the CSRF check, which guards views that change something: this one never does, and the
    check would answer a POST 403 before the view could say 405."""
    return csrf_exempt(require_safe(view))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW, for a request that changes something sent without the site's CSRF token and cookie: a page
    that takes no such method says so (405, with its Allow); any other gets a 403 page saying to reload the form
    and send it again, in the site's layout (Django's own has an inline <style>, which the site's CSP refuses)."""
    try:
        view_class = getattr(resolve(request.path_info).func, "view_class", None)
    except Resolver404:
        view_class = None
    if view_class is not None and not hasattr(view_class, request.method.lower()):
        allowed = [method.upper() for method in view_class.http_method_names if hasattr(view_class, method)]
        return HttpResponseNotAllowed([*allowed, "HEAD"] if "GET" in allowed else allowed)
    return render(request, "403_csrf.html", status=403)
