"""gunicorn's settings for the site wherever it runs it (`make serve`, deploy/run-local, the README's deployment):
`gunicorn iwojima_site.wsgi -c deploy/gunicorn.conf.py`; the command line adds the address and the workers.

gunicorn lets a client it trusts as a proxy (`forwarded_allow_ips`: 127.0.0.1 unless set, which is where nginx and
every local client connect from) set the WSGI environ's SCRIPT_NAME and PATH_INFO with headers of those names. The
site is served at the root and no proxy of deploy/ sends them, so none is taken: a SCRIPT_NAME that does not begin
the path would otherwise get gunicorn's own 500 before Django runs, and one that does would move every link the
site makes. Headers with underscores are then dropped (gunicorn's `header_map = "drop"`), like nginx does.
"""

forwarder_headers = ""  # none (gunicorn reads a comma-separated list)
