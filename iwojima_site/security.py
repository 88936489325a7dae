"""Request and response hardening that knows no model of the film: a safe script prefix, Permissions-Policy, and
the Content-Security-Policy header built once per process."""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
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


# What csp.decorators set on a response to change its policy: such a response goes through django-csp in full.
CSP_CHANGES = tuple(f"_csp_{part}{ro}" for part in ("config", "update", "replace") for ro in ("", "_ro"))


@functools.cache
def settings_policies():
    """[(header, policy, URL prefixes it skips, response flag that exempts), …] from the settings, the enforced one
    first: what django-csp builds for a response without changes of its own, and no nonce."""
    policies = []
    for header, setting, report_only, exempt in (
        (HEADER, "CONTENT_SECURITY_POLICY", False, "_csp_exempt"),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True, "_csp_exempt_ro"),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            policies.append((header, policy, prefixes, exempt))
    return policies


def _forget_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_policies.cache_clear()


setting_changed.connect(_forget_policies)


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, giving a response that asks for nothing of its own the policy built once per process.

    django-csp builds the header from the settings on every response (about 0.04 ms of CPU, a twentieth of a record
    page); the settings cannot change while the process runs and the site's pages use no nonce. A response that
    csp.decorators changed, or whose request asked for a nonce, goes through django-csp itself.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in CSP_CHANGES
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, which django-csp leaves alone
        for header, policy, prefixes, exempt in settings_policies():
            excluded = prefixes and request.path_info.startswith(prefixes)
            if not getattr(response, exempt, False) and header not in response and not excluded:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
