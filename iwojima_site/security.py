"""Request and response hardening that knows no model of the film: a safe script prefix, Permissions-Policy."""

from django.urls import set_script_prefix

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
