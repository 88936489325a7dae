"""Who is asking: the client address that the sign-in throttle and the suggestion throttle count by.

Without a reverse proxy (DJANGO_TRUSTED_PROXY_COUNT=0, the default) it is the connection's address, REMOTE_ADDR,
and X-Forwarded-For is ignored: anyone can write that header. Behind N reverse proxies that each append the address
they received the request from to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), the client is the N-th
entry from the right: the one the outermost trusted proxy wrote. Entries further left came from the client itself
and are never believed, so no one can pose as someone else to lock them out or to escape a limit.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address as a string, e.g. "203.0.113.7"; None for a request with none (an internal one)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through them all, so only the connection is known.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
