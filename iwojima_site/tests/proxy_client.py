"""What a reader and an editor see through deploy/'s nginx, run by test_proxy.py inside `deploy/run-local`.

Prints one JSON object: the X-Cache of two views of a page; the statuses of six wrong passwords for the editor
from another client (127.0.0.2); the answer to the editor's right password from 127.0.0.1, sent as a browser
sends it (with its Origin, which names nginx's port); and the answers, through nginx and straight from gunicorn, to
a filter form's clean-up redirect asked for with SCRIPT_NAME and PATH_INFO headers; the home page's canonical
address; the API's next page asked straight from gunicorn with `X-Forwarded-Proto: https`; and the API's rate
in the environment run-local gives its servers.
"""

import http.client
import json
import os
import re
import sys
from urllib.parse import urlencode, urlsplit

BASE = os.environ["RUN_LOCAL_URL"].rstrip("/")
ADDRESS = urlsplit(BASE)
BACKEND = urlsplit(os.environ["RUN_LOCAL_BACKENDS"].split()[0])
FORWARDER_HEADERS = {"SCRIPT_NAME": "//evil.example", "PATH_INFO": "/admin/"}


def request(method, path, client="127.0.0.1", body=None, headers=None, server=ADDRESS):
    """(status, headers with lower-case names, text) of one request from the `client` address to `server`."""
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30, source_address=(client, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        headers = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        return response.status, headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def sign_in(password, client):
    """The status of the admin's sign-in form sent with `password` for the editor, and where it leads."""
    _, headers, page = request("GET", "/admin/login/", client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    cookies = "; ".join(value.split(";")[0] for value in headers.get("set-cookie", []))
    form = urlencode({"csrfmiddlewaretoken": token, "username": "editor", "password": password, "next": "/admin/"})
    status, headers, _ = request(
        "POST",
        "/admin/login/",
        client,
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookies,
            "Origin": BASE,
            "Referer": f"{BASE}/admin/login/",
        },
    )
    return status, headers.get("location", [""])[0]


views = [request("GET", "/scenes/")[1].get("x-cache", [""])[0] for _ in range(2)]
canonical = re.search(r'<link rel="canonical" href="([^"]+)"', request("GET", "/")[2])[1]
# A client on 127.0.0.1 claiming HTTPS, straight to gunicorn: with DJANGO_HTTPS off the site stays on http.
claimed = json.loads(request("GET", "/api/scenes/", headers={"X-Forwarded-Proto": "https"}, server=BACKEND)[2])
wrong = [sign_in("not-the-password", "127.0.0.2")[0] for _ in range(6)]
forwarded = [
    (status, headers.get("location", [""])[0])
    for status, headers, _ in (
        request("GET", "/scenes/?q=", headers=FORWARDER_HEADERS, server=server) for server in (ADDRESS, BACKEND)
    )
]
editor = sign_in(sys.argv[1], "127.0.0.1")
json.dump(
    {
        "views": views,
        "wrong": wrong,
        "editor": editor,
        "forwarded": forwarded,
        "canonical": canonical,
        "base": BASE,
        "next": claimed["next"],
        "api_rate": os.environ.get("DJANGO_API_RATE"),  # as run-local gives it to its servers and to this command
    },
    sys.stdout,
)
