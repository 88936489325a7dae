# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# The site's absolute addresses (canonical links, the sitemap, the API's urls) name where it is served.
SITE_URL := $${DJANGO_SITE_URL:-http://$(HOST)}

.PHONY: run serve test test-postgres test-collations lint install install-dev node-tools browser screenshots bench

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamp files re-run pip only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

# Serve the site locally with debug on; load the content only into a database that has none,
# so admin edits survive a restart.
run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py reload_content --if-empty
	DJANGO_DEBUG=1 DJANGO_SITE_URL="$(SITE_URL)" $(PY) manage.py runserver $(HOST)

# Production mode on this machine: debug off, static files collected and hashed, gunicorn with a worker per core,
# persistent database connections, an access log and error tracebacks on stderr. DJANGO_SECRET_KEY is taken from
# the environment, or made once and kept in .venv/secret-key.
CORES := $(shell nproc 2>/dev/null || echo 2)
serve: install
	@test -s $(VENV)/secret-key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $(VENV)/secret-key
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(VENV)/secret-key)}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" DJANGO_DEBUG= DJANGO_SITE_URL="$(SITE_URL)" && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py reload_content --if-empty && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	exec $(VENV)/bin/gunicorn iwojima_site.wsgi --config deploy/gunicorn.conf.py --bind $(HOST) --workers $(CORES) --access-logfile - --error-logfile -

# The checkers from npm (axe-core, the Nu HTML Checker, Lighthouse), pinned in package-lock.json; reinstalled
# when the lock changes. --ignore-scripts: vnu-jar's install script would download a Java; the system's is used.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "The tests need Node.js 20 and npm (for axe-core, the Nu HTML Checker and Lighthouse): install them." >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

node-tools: node_modules/.package-lock.json

# A Chromium for the browser tests: the system's, Debian's package, or Playwright's (see the script).
browser: install-dev
	.ci/ensure-browser $(PY)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev lint node-tools browser
	$(PY) -m pytest

# The suite again, less the browser checks, on a throwaway PostgreSQL 15 server that the script starts and stops.
# (A second -m replaces the one in pyproject.toml's addopts, so it leaves out the screenshots too.)
test-postgres: install-dev
	.ci/with-postgres $(PY) -m pytest -m "not browser and not screenshots"

# The content commands again on PostgreSQL databases whose collation ignores hyphens (glibc's en_US.UTF-8 and
# ICU's en-US): the exported files must still be byte for byte the same.
test-collations: install-dev
	PG_COLLATION=glibc:en_US.UTF-8 .ci/with-postgres $(PY) -m pytest scenes/tests/test_sync.py -k "export or order"
	PG_COLLATION=icu:en-US .ci/with-postgres $(PY) -m pytest scenes/tests/test_sync.py -k "export or order"

# Every kind of page at 1280 and 360 px wide, light and dark, into screenshots/ for a person to look at;
# PAGES="home story-chart" takes only those (the names in iwojima_site/pages.py).
screenshots: install-dev browser
	SCREENSHOT_PAGES="$(PAGES)" $(PY) -m pytest -m screenshots iwojima_site/tests/browser/test_screenshots.py

# The site served as in production and measured over HTTP (deploy/bench.py): the content at once and a hundred times
# (copied in bulk), gunicorn with a worker per core and deploy/'s nginx cache in front, all on 127.0.0.1, driven by
# wrk. One table of req/s, p50/p99 and the server's CPU time per request for a bare hello view, the pages, the same
# pages through the cache and nginx serving the same bytes, each as a share of hello and of the static file; then
# 64 connections for 30 s. Then search in-process against an icontains scan (benchmark_pages). Under 10 minutes in
# all. As root with apt it installs wrk and nginx. `.ci/with-postgres make bench` runs it on PostgreSQL.
bench: install
	$(PY) deploy/bench.py
	@echo "- search against a plain icontains scan of the same fields, at once and a hundred times the content..."
	@start=$$(date +%s) && \
	  DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput --verbosity 0 && \
	  DJANGO_DEBUG=1 $(PY) manage.py reload_content --if-empty && \
	  DJANGO_DEBUG=1 $(PY) manage.py benchmark_pages --search-only && \
	  DJANGO_DEBUG=1 $(PY) manage.py benchmark_pages --search-only --copies 99 --repeat 15 && \
	  echo "  search against an icontains scan: $$(($$(date +%s) - start)) s"
