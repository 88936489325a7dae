"""gunicorn's settings for the site wherever it runs it (`make serve`, deploy/run-local, the README's deployment):
`gunicorn iwojima_site.wsgi -c deploy/gunicorn.conf.py`; the command line adds the address and the workers.

gunicorn lets a client it trusts as a proxy (`forwarded_allow_ips`: 127.0.0.1 unless set, which is where nginx and
every local client connect from) set the WSGI environ's SCRIPT_NAME and PATH_INFO with headers of those names. The
site is served at the root and no proxy of deploy/ sends them, so none is taken: a SCRIPT_NAME that does not begin
the path would otherwise get gunicorn's own 500 before Django runs, and one that does would move every link the
site makes. Headers with underscores are then dropped (gunicorn's `header_map = "drop"`), like nginx does.

Whether a request came over HTTPS is the site's to decide (DJANGO_HTTPS=1 trusts the proxy's X-Forwarded-Proto,
iwojima_site/settings.py), so gunicorn reads no scheme header either: with its defaults any client on 127.0.0.1 could
make the site's absolute addresses https (the API's `next` links) while DJANGO_HTTPS is off.

gunicorn 25 and later open a control socket for `gunicornc` at one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl or
~/.gunicorn/gunicorn.ctl): every instance on a machine would take the same path from the one before it, and two that
start together race for it ("Control server error" in the log). The site is managed with signals (HUP reloads,
TERM stops), so there is none.
"""

forwarder_headers = ""  # none (gunicorn reads a comma-separated list)
secure_scheme_headers = {}  # none
control_socket_disable = True
