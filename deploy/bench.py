"""`make bench`: the site served as in production, measured over HTTP in ratios to yardsticks measured in the same run.

The method is ../shared/recipes/load-testing.md's. Every figure is also given as a share of two yardsticks:
Django's floor (deploy/hello.py: one view returning "hello", default middleware, debug off, the same gunicorn worker
count) and nginx serving the page's own response as a static file: its bytes, with the headers the page sends (a
cache hit sends the page's 15 headers; a bare static file would send 8). Shares read "higher is closer": req/s as
page ÷ yardstick, latency and CPU time as yardstick ÷ page.

- CPU per request (the steady figure): one connection, sequential requests (wrk -t1 -c1), the server's worker
  processes' CPU time from /proc divided by the requests; after a 1 s warm-up, the median of 3 rounds of 2 s
  (nginx: 3 rounds of 1 s), the rounds of all rows interleaved, each cached page beside its static file and each
  gunicorn page beside a 1 s round of hello, its share of either being the median of those side-by-side ratios.
- Throughput and latency: wrk -t2 -c16 --latency --timeout 30s; after a gunicorn row, its queue is drained.
- Load: wrk at 64 connections for 30 s against gunicorn, through every page at a hundred times the content.

Steps: build the content at ×1 and, with the bulk importer, ×100 (in databases of their own, on whichever database
DATABASE_URL names: SQLite files, or new databases on the same PostgreSQL server, dropped at the end); start hello,
and deploy/run-local (gunicorn instances behind the nginx cache) for each size; measure; print one table.
Run as `.venv/bin/python deploy/bench.py` from the repository (what `make bench` does); `--quick` tries the
pipeline in a minute (figures not worth keeping).
"""

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from shutil import which
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CORES = len(os.sched_getaffinity(0))
TICK = os.sysconf("SC_CLK_TCK")
# Whether the kernel counts each process's time on the CPU in nanoseconds (if so, this one's, importing, is > 0).
SCHEDSTAT = Path("/proc/self/schedstat").exists() and int(Path("/proc/self/schedstat").read_text().split()[0]) > 0
COPIES = 99  # ×100
SECRET_KEY = os.urandom(32).hex()
IMPORT_LIMIT = 10  # seconds the bulk importer may take for ×100
# The pages measured, as (label, path); "scene" and "person" are the content's richest (iwojima_site.pages).
PAGES = [
    ("home", "/"),
    ("scene", "scene"),
    ("person", "character"),
    ("scenes, 2 people", "/scenes/?character=saigo&character=kuribayashi"),
    ("/scenes/", "/scenes/"),
    ("search", "/search/?q=Kuribayashi"),
    # The charts: at ×100 each shows one part (the narrative chart) or page of 60 scenes (the story chart).
    ("narrative chart", "timeline"),
    ("story chart", "story-chart"),
    # The read-only API: the scene list filtered by two people, as JSON (issue 14's "Speed").
    ("API scenes, 2 people", "/api/scenes/?character=saigo&character=kuribayashi"),
]


@dataclass
class Timing:
    warm_up: int = 1  # seconds, against gunicorn (nginx needs none)
    rounds_app: int = 3  # rounds of CPU per request against gunicorn
    rounds_nginx: int = 3  # against nginx: shorter rounds (tens of thousands of requests a second)
    cpu_app: int = 2  # a round against gunicorn, seconds
    cpu_hello: int = 1  # hello's round beside each page's (thousands of requests a second)
    cpu_nginx: int = 1
    load_app: int = 3  # the throughput run against gunicorn, seconds
    load_nginx: int = 1
    connections: int = 16
    stress: int = 30  # the load test (item 8), seconds
    stress_connections: int = 64


QUICK = Timing(rounds_app=1, rounds_nginx=1, cpu_app=1, cpu_hello=1, load_app=1, load_nginx=1, stress=5)  # --quick


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Short runs, to try the pipeline (figures not kept).")
    parser.add_argument("--django", help=argparse.SUPPRESS)  # internal: run one Django-side step (see below)
    args = parser.parse_args()
    if args.django:
        return django_step(args.django)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that leaving `with Servers()` stops them
    timing = QUICK if args.quick else Timing()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, Servers() as servers:
        run(Path(tmp), timing, servers)
    print(f"deploy/bench.py took {time.monotonic() - started:.0f} s in all.")


def run(tmp, timing, servers):
    tmp.chmod(0o755)  # nginx's workers read the reference files below it
    with step("tools"):
        wrk_version = ensure_wrk()
    with step("content at ×1 and ×100"):
        databases = Databases(tmp)
        x1, x100, built = databases.build()
        servers.on_exit(databases.drop)
    print(
        f"  ×100: {built['scenes']:,} scenes, {built['people']:,} people, copied by the bulk importer in "
        f"{built['seconds']:.1f} s ({'within' if built['seconds'] <= IMPORT_LIMIT else 'OVER'} the {IMPORT_LIMIT} s)"
    )
    with step("pages and their queries"):
        pages = {size: django_json("pages", url) for size, url in (("×1", x1), ("×100", x100))}
    with step("servers"):
        base = free_ports(7)
        reference = tmp / "reference"
        reference.mkdir(mode=0o755)
        logs = open(tmp / "servers.log", "w")  # noqa: SIM115 (closed with the servers)
        servers.on_exit(logs.close)
        hello = servers.hello(base, logs)
        ready = {
            "×1": servers.run_local(x1, base + 1, tmp / "x1.ready", reference, logs),
            "×100": servers.run_local(x100, base + 4, tmp / "x100.ready", reference, logs),
        }
        wait_ready([hello.url, *ready.values()], servers)
        site = {size: read_ready(path) for size, path in ready.items()}
        rows = build_rows(hello, site, pages, reference)
    measured = [row for row in rows if row.measured]
    with step("CPU per request, one connection"):
        measure_cpu(measured, timing)
    with step(f"req/s and latency, {timing.connections} connections"):
        for row in measured:
            row.load = wrk(row.url, row.headers, timing.connections, row.setting(timing, "load"))
            drain(row.server)
    with step(f"load: {timing.stress_connections} connections for {timing.stress} s against gunicorn"):
        stress = stress_test(site["×100"], pages["×100"], tmp, timing)
    print()
    print_machine(databases, wrk_version, timing)
    print_table(rows)
    print_stress(stress, timing)
    print_targets(rows, stress)
    logs.flush()
    problems = (tmp / "servers.log").read_text(errors="replace").splitlines()
    if problems:
        print(f"\nThe servers wrote {len(problems)} lines to stderr (the first 20):", *problems[:20], sep="\n  ")


# Steps and their times


@contextmanager
def step(name):
    print(f"- {name}...", flush=True)
    start = time.monotonic()
    yield
    print(f"  {name}: {time.monotonic() - start:.1f} s", flush=True)


def ensure_wrk():
    if not which("wrk"):
        if os.geteuid() == 0 and which("apt-get"):
            print("  installing Debian's wrk...", flush=True)
            apt = ["apt-get", "-o", "DPkg::Lock::Timeout=600"]
            subprocess.run([*apt, "update", "-qq"], check=True)
            subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
        if not which("wrk"):
            sys.exit("make bench needs wrk: install Debian's wrk package (as root it is installed for you).")
    return subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]


# The content: ×1 and ×100, each in a database of its own


class Databases:
    def __init__(self, tmp):
        self.tmp = tmp
        self.url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.url.startswith(("postgres://", "postgresql://"))
        self.created = []

    def build(self):
        """(×1's URL, ×100's URL, what the bulk importer did)."""
        x1 = self.new("x1")
        django_json("load", x1)  # migrate, then the fixtures
        x100 = self.copy(x1, "x100")
        return x1, x100, django_json("multiply", x100)

    def new(self, name):
        if not self.postgres:
            return f"sqlite:///{self.tmp / name}.sqlite3"
        self.sql(f'DROP DATABASE IF EXISTS "{self.name(name)}"', f'CREATE DATABASE "{self.name(name)}"')
        self.created.append(self.name(name))
        return self.url_of(name)

    def copy(self, source, name):
        if not self.postgres:
            target = self.new(name)
            with (
                sqlite3.connect(source.removeprefix("sqlite:///")) as a,
                sqlite3.connect(target[len("sqlite:///") :]) as b,
            ):
                a.backup(b)
            return target
        template = unquote(urlsplit(source).path.lstrip("/"))
        self.sql(
            f'DROP DATABASE IF EXISTS "{self.name(name)}"',
            f'CREATE DATABASE "{self.name(name)}" TEMPLATE "{template}"',
        )
        self.created.append(self.name(name))
        return self.url_of(name)

    def name(self, suffix):
        return f"{unquote(urlsplit(self.url).path.lstrip('/'))}_bench_{suffix}"

    def url_of(self, suffix):
        return urlsplit(self.url)._replace(path=f"/{self.name(suffix)}").geturl()

    def sql(self, *statements):
        """Run statements on the server, connected to the database DATABASE_URL names."""
        import dj_database_url
        import psycopg

        db = dj_database_url.parse(self.url)
        params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"]}
        with psycopg.connect(**{k: v for k, v in params.items() if v}, port=db["PORT"] or None, autocommit=True) as c:
            cursors = [c.execute(statement) for statement in statements]
            return [cursor.fetchall() if cursor.description else None for cursor in cursors]

    def drop(self):
        for name in reversed(self.created):
            with suppress(Exception):
                self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def describe(self):
        if self.postgres:
            return "PostgreSQL " + self.sql("SELECT current_setting('server_version')")[0][0][0]
        return f"SQLite {sqlite3.sqlite_version} (WAL)"


def django_json(name, database_url):
    """Run one Django-side step (below) in a process of its own on that database; its JSON answer."""
    env = {**os.environ, **site_env(), "DATABASE_URL": database_url}
    result = subprocess.run([PY, __file__, "--django", name], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def django_step(name):
    """In a process of its own: set up Django on DATABASE_URL and print one step's answer as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iwojima_site.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if name == "load":
        call_command("migrate", verbosity=0)
        call_command("reload_content", verbosity=0)
        analyze(connection)
        answer = None
    elif name == "multiply":
        from characters.models import Character
        from scenes.models import Scene
        from scenes.scaling import multiply_content

        start = time.perf_counter()
        with transaction.atomic():
            multiply_content(COPIES)
        seconds = time.perf_counter() - start
        analyze(connection)
        answer = {"seconds": seconds, "scenes": Scene.objects.count(), "people": Character.objects.count()}
    elif name == "pages":
        answer = page_queries()
    print(json.dumps(answer))


def analyze(connection):
    """The planner's statistics brought up to date, as a live database keeps them (PostgreSQL's autovacuum; SQLite's
    PRAGMA optimize), and as benchmark_pages does."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET"}  # not counted as queries


def page_queries():
    """The measured pages' paths, and the queries each makes (the test client, debug off; the statements that open
    and close the page's read snapshot are not counted)."""
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from iwojima_site.pages import site_pages

    found = dict(site_pages())
    answer = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        for label, path in PAGES:
            path = found.get(path, path)
            client.get(path)
            # Every connection's statements: the API's throttle counts on a connection of its own.
            with ExitStack() as stack:
                captured = [stack.enter_context(CaptureQueriesContext(connections[a])) for a in connections]
                status = client.get(path).status_code
            statements = [q["sql"].split(None, 1)[0].upper() for queries in captured for q in queries.captured_queries]
            count = sum(word not in TRANSACTION_CONTROL for word in statements)
            answer[label] = {"path": path, "queries": count, "status": status}
    return answer


def site_env():
    """Production mode, as deploy/run-local runs the site, with a secret key made for this run."""
    return {"DJANGO_SECRET_KEY": SECRET_KEY, "DJANGO_DEBUG": "0", "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}  # fmt: skip


# The servers


@dataclass
class Server:
    url: str
    pid: int  # gunicorn's or nginx's master
    nginx: bool = False
    cheap: bool = False  # every answer is cheap (hello)

    def workers(self):
        """The processes that do the work: the master's children (for nginx, its worker processes)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError):
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[1]) == self.pid:
                    pid = int(stat.parent.name)
                    if not self.nginx or b"worker process" in (stat.parent / "cmdline").read_bytes():
                        found.append(pid)
        return found

    def reload(self):
        """nginx: read the configuration again (SIGHUP) and wait, at most a minute, until only new workers run."""
        old = set(self.workers())
        os.kill(self.pid, signal.SIGHUP)
        for _ in range(600):
            time.sleep(0.1)
            now = set(self.workers())
            if now and not now & old:
                return
        sys.exit(f"nginx ({self.pid}) did not reload its configuration within a minute.")

    def cpu_seconds(self, pids):
        """The processes' CPU time in seconds: /proc/<pid>/schedstat's time on the CPU in nanoseconds where the
        kernel keeps it (Documentation/scheduler/sched-stats.rst), else utime + stime in clock ticks (10 ms, ±3 %
        of a 1 s round of nginx's)."""
        total = 0
        for pid in pids:
            if SCHEDSTAT:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
            else:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of the line
        return total


@dataclass
class Site:
    url: str  # nginx, with the cache
    backend: Server  # the first gunicorn instance, measured directly
    nginx: Server


class Servers:
    """Starts servers and stops them (and runs other clean-ups) however the benchmark ends."""

    def __init__(self):
        self.processes = []
        self.cleanups = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process, stop in self.processes:
            with suppress(ProcessLookupError):
                process.send_signal(stop)
        for process, _stop in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for cleanup in reversed(self.cleanups):
            cleanup()

    def on_exit(self, cleanup):
        self.cleanups.append(cleanup)

    def hello(self, port, logs):
        """deploy/hello.py under gunicorn, with the site's settings and as many workers."""
        env = {**os.environ, **site_env()}
        process = subprocess.Popen(
            [PY, "-m", "gunicorn", "deploy.hello", "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", str(CORES), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=logs, stderr=logs,
        )  # fmt: skip
        self.processes.append((process, signal.SIGQUIT))  # gunicorn's quick shutdown
        return Server(f"http://127.0.0.1:{port}", process.pid, cheap=True)

    def run_local(self, database_url, port, ready, reference, logs):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "RUN_LOCAL_PORT": str(port),
            "RUN_LOCAL_WORKERS": str(CORES),
            "RUN_LOCAL_ACCESS_LOG": "off",
            "RUN_LOCAL_REFERENCE": str(reference),
            "RUN_LOCAL_READY": str(ready),
            # The benchmark is one address asking thousands of times a second: the API's throttle would answer 429.
            "DJANGO_API_RATE": "1000000/second",
        }
        process = subprocess.Popen([ROOT / "deploy" / "run-local"], cwd=ROOT, env=env, stdout=logs, stderr=logs)
        self.processes.append((process, signal.SIGTERM))  # run-local stops what it started
        return ready

    def check(self):
        for process, _stop in self.processes:
            if process.poll() is not None:
                sys.exit(f"A server stopped (exit {process.returncode}): {process.args}; see its messages above.")


def wait_ready(things, servers):
    """Wait (at most two minutes) until hello answers and each run-local wrote its ready file."""
    for _ in range(1200):
        servers.check()
        if all(answers(thing) if isinstance(thing, str) else thing.exists() for thing in things):
            return
        time.sleep(0.1)
    sys.exit("The servers did not start within two minutes.")


def read_ready(ready):
    values = dict(line.split("=", 1) for line in ready.read_text().splitlines())
    backend = values["BACKENDS"].split()[0]
    return Site(
        values["URL"],
        Server(backend, int(values["GUNICORN_PIDS"].split()[0])),
        Server(values["URL"], int(values["NGINX_PID"]), nginx=True),
    )


def answers(url):
    with suppress(OSError):
        urllib.request.urlopen(url, timeout=5).read()
        return True
    return False


def fetch(url, headers=()):
    """(status, headers, body) of one GET."""
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def free_ports(count):
    """The first of `count` consecutive free ports on 127.0.0.1."""
    for _ in range(50):
        base = random.randrange(20000, 30000)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    sys.exit("Found no free ports on 127.0.0.1.")


# What is measured


@dataclass
class Row:
    group: str
    label: str
    url: str
    server: Server
    size: int | None = None  # bytes of the body
    queries: int | None = None
    headers: tuple = ()
    reference: "Row | None" = None  # nginx serving the same response as a static file
    note: str = ""
    measured: bool = True
    cpu: list = field(default_factory=list)  # CPU seconds per request, one a round
    hello_cpu: list = field(default_factory=list)  # hello's, measured right beside each of those rounds
    static_cpu: list = field(default_factory=list)  # through the cache: its static file's, right beside each round
    load: dict = field(default_factory=dict)

    def setting(self, timing, kind):
        """The Timing for this row's server: kind "rounds", "cpu" or "load"."""
        return getattr(timing, f"{kind}_{'nginx' if self.server.nginx else 'app'}")

    @property
    def cpu_median(self):
        return statistics.median(self.cpu) if self.cpu else None

    def cpu_share_of(self, hello):
        """Hello's CPU per request ÷ this row's: the median over its rounds of the ratio to the hello round measured
        right beside each (a drifting machine touches both alike), else to hello's median."""
        return paired_share(self.hello_cpu, self.cpu, hello.cpu_median, self.cpu_median)

    def cpu_share_of_static(self):
        """The static file's CPU per request ÷ this row's, as `cpu_share_of` with the static file's rounds measured
        right beside this row's (through the cache), else its median."""
        return paired_share(self.static_cpu, self.cpu, self.reference and self.reference.cpu_median, self.cpu_median)

    def figure(self, key):
        """ "cpu" (seconds per request), or one of wrk's figures ("rps", "p50", "p99")."""
        return self.cpu_median if key == "cpu" else self.load.get(key)


def paired_share(yardstick_rounds, rounds, yardstick_median, median):
    """Yardstick ÷ mine (CPU seconds per request, lower is better): the median of the ratios round by round when
    each of my rounds has a yardstick round beside it, else the ratio of the medians; None without figures."""
    if yardstick_rounds and rounds:
        return statistics.median(y / mine for y, mine in zip(yardstick_rounds, rounds, strict=True))
    return yardstick_median / median if yardstick_median and median else None


# What nginx writes itself when it serves a static file; the reference files get every other header of their page.
STATIC_FILE_HEADERS = {"connection", "content-length", "content-type", "date", "etag", "last-modified", "server"}


def build_rows(hello, site, pages, reference):
    """The rows of the table, in its order; each page's response written as its static file: its bytes, and an
    nginx location (deploy/run-local includes reference/*.conf) that sends the page's headers with them."""
    static = {}  # size in bytes -> the static file's row

    def static_row(body, name, headers):
        if len(body) not in static:
            (reference / f"{name}.html").write_bytes(body)
            (reference / f"{name}.html").chmod(0o644)
            (reference / f"{name}.conf").write_text(reference_location(reference, f"{name}.html", headers))
            url = f"{site['×1'].url}/_reference/{name}.html"
            static[len(body)] = Row("nginx serving the same response as a static file", f"{len(body):,} B ({name})",
                                    url, site["×1"].nginx, size=len(body))  # fmt: skip
        return static[len(body)]

    _, headers, body = fetch(hello.url + "/")
    rows = [Row("Django's floor: deploy/hello.py", "hello", hello.url + "/", hello, size=len(body))]
    rows[0].reference = static_row(body, "hello", headers)
    cached = []
    for size, s in site.items():
        group = f"gunicorn ({CORES} workers), ×{size[1:]} the content"
        for label, page in pages[size].items():
            url = s.backend.url + page["path"]
            status, headers, body = fetch(url)
            if status != 200:
                sys.exit(f"{url} answered {status}, not 200: the benchmark measures pages.")
            row = Row(group, f"{label} {size}", url, s.backend, len(body), page["queries"])
            row.reference = static_row(
                body, f"{label.strip('/').replace(' ', '-').replace(',', '')}-{size[1:]}", headers
            )
            rows.append(row)
            if label == "scene":
                rows.append(conditional(row, headers))
            cache = Row("through the nginx cache (deploy/proxy.conf)", f"{label} {size}", s.url + page["path"],
                        s.nginx, len(body), reference=row.reference)  # fmt: skip
            fetch(cache.url)
            cache.note = fetch(cache.url)[1].get("X-Cache", "no X-Cache")  # HIT once the site allows caching
            if cache.note != "HIT":
                cache.note = f"X-Cache {cache.note}: not a cache hit"
            cached.append(cache)
    site["×1"].nginx.reload()
    for row in rows:
        if row.reference:
            same_response(row, row.reference)
    return rows + cached + sorted(static.values(), key=lambda r: r.size)


def reference_location(reference, name, headers):
    """An nginx location serving reference/name as a static file with `headers` (an http.client.HTTPMessage), as
    they would be sent for it: nginx's own headers where it writes them, the others added."""
    lines = [f"location = /_reference/{name} {{", f"    alias {reference / name};"]
    if "charset=utf-8" in headers.get("Content-Type", "").lower():
        lines.append("    charset utf-8;")
    for header, value in headers.items():
        if header.lower() not in STATIC_FILE_HEADERS:
            if not re.fullmatch(r"[^\x00-\x1f\x7f\"\\$]*", value):
                sys.exit(f"The header {header}: {value!r} cannot be written in an nginx string.")
            lines.append(f'    add_header {header} "{value}";')
    return "\n".join([*lines, "}", ""])


def same_response(page, reference):
    """Stop unless nginx serves the reference file with as many bytes as the page and all the page's headers."""
    _, page_headers, page_body = fetch(page.url, page.headers)
    _, headers, body = fetch(reference.url)
    missing = {h.lower() for h in page_headers} - {h.lower() for h in headers}
    if len(body) != len(page_body) or missing:
        sys.exit(f"nginx serves {reference.url} without the bytes or the headers ({missing}) of {page.url}.")


def conditional(row, headers):
    """The page asked again with its ETag: a 304 without the page, when the site sends validators."""
    etag = headers.get("ETag")
    answer = Row(row.group, f"304 {row.label}", row.url, row.server, size=0)
    if not etag:
        answer.note, answer.measured = "no ETag", False
        return answer
    answer.headers = (("If-None-Match", etag),)
    status = fetch(row.url, answer.headers)[0]
    if status != 304:
        answer.note, answer.measured = f"answered {status}, not 304", False
    return answer


def measure_cpu(measured, timing):
    for row in measured:
        if not row.server.nginx:
            wrk(row.url, row.headers, 1, timing.warm_up)
            drain(row.server)
    # Each page through the cache is measured right beside the static file of its bytes, each page of gunicorn right
    # beside a round of hello, and every other round runs backwards, so that the machine's swings touch what is
    # compared alike.
    # An item is (row, beside): a round of row, also kept as the yardstick of `beside` (or None) for that round.
    hello = measured[0]
    order, placed = [], set()
    for row in measured:
        if row.group.startswith("through"):
            items = ((row, None), (row.reference, row))  # the page's round, then its static file's
        elif row is not hello and not row.server.nginx:
            items = ((hello, row), (row, None))  # a round of hello for this row, then the row's own
        else:
            items = ((row, None),)
        for row_, beside in items:
            if beside or id(row_) not in placed:
                order.append((row_, beside))
                placed.add(id(row_))
    for round_ in range(max(timing.rounds_app, timing.rounds_nginx)):
        for row, beside in order if round_ % 2 == 0 else order[::-1]:
            if round_ >= row.setting(timing, "rounds"):
                continue
            seconds = timing.cpu_hello if row is hello and beside else row.setting(timing, "cpu")
            cpu = cpu_per_request(row, seconds)
            if cpu is None:
                continue
            row.cpu.append(cpu)
            if beside:
                (beside.hello_cpu if row is hello else beside.static_cpu).append(cpu)
    for row in measured:  # a page whose own round failed drops its yardstick's round too
        row.hello_cpu = row.hello_cpu if len(row.hello_cpu) == len(row.cpu) else []
        row.static_cpu = row.static_cpu if len(row.static_cpu) == len(row.cpu) else []


def cpu_per_request(row, seconds):
    """The server's CPU seconds per request over one run of wrk on one connection, or None if a worker changed."""
    pids = row.server.workers()
    before = row.server.cpu_seconds(pids)
    result = wrk(row.url, row.headers, 1, seconds)
    cpu = row.server.cpu_seconds(pids) - before
    if result["requests"] and sorted(pids) == sorted(row.server.workers()):
        return cpu / result["requests"]
    return None


def wrk(url, headers, connections, seconds, script=None):
    """wrk's figures: requests, req/s, p50 and p99 in seconds, socket errors and non-2xx/3xx responses."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in headers:
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 120)
    out = result.stdout
    if not re.search(r"(\d+) requests in", out) or "Requests/sec" not in out:
        sys.exit(f"wrk failed against {url}:\n{out}{result.stderr}")
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(out, "50%"),
        "p99": latency(out, "99%"),
        "errors": sum(map(int, re.findall(r"(?:connect|read|write|timeout) (\d+)", out))),
        "non2xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
    }


def latency(out, percentile):
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s|m)\b", out).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]


def drain(server):
    """A gunicorn sync worker finishes every request it accepted after wrk hung up: wait (at most a minute) until
    the server answers a cheap request (hello's, or the site's health check) quickly twice in a row, so that one
    row's queue never spills into the next."""
    if server.nginx:
        return
    cheap = server.url + ("/" if server.cheap else "/healthz")
    quick = 0
    for _ in range(600):
        start = time.monotonic()
        answers(cheap)
        quick = quick + 1 if time.monotonic() - start < 0.05 else 0
        if quick == 2:
            return
        time.sleep(0.1)


def stress_test(site, pages, tmp, timing):
    """Item 8: every measured page at ×100, in turn, at 64 connections, straight to gunicorn."""
    script = tmp / "pages.lua"
    paths = ", ".join(json.dumps(page["path"]) for page in pages.values())
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    result = wrk(site.backend.url + "/", (), timing.stress_connections, timing.stress, script=script)
    drain(site.backend)
    return result


# The report


def print_machine(databases, wrk_version, timing):
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    nginx = subprocess.run([which("nginx") or "/usr/sbin/nginx", "-v"], capture_output=True, text=True).stderr
    print(f"Machine: {os.cpu_count()} cores (nproc {CORES}), {memory} memory, {cpu}; {platform.platform()}")
    print(
        f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {databases.describe()}; Python "
        f"{platform.python_version()}; {nginx.strip().split(': ')[-1]}; {wrk_version}; gunicorn sync workers: {CORES}"
    )
    print(
        f"CPU: wrk -t1 -c1, median of {timing.rounds_app} rounds of {timing.cpu_app} s after a {timing.warm_up} s "
        f"warm-up, each beside a {timing.cpu_hello} s round of hello (nginx: {timing.rounds_nginx} rounds of "
        f"{timing.cpu_nginx} s, each page through the cache beside its static file); req/s and latency: wrk -t2 "
        f"-c{timing.connections}, {timing.load_app} s (nginx: {timing.load_nginx} s). Shares: req/s page ÷ yardstick; "
        "latency and CPU yardstick ÷ page (CPU: the median of the side-by-side rounds' ratios)."
    )


def share(mine, theirs, higher_is_better):
    """Mine as a share of theirs, "higher is closer": req/s mine ÷ theirs; times theirs ÷ mine."""
    if not mine or not theirs:
        return "—"
    value = 100 * (mine / theirs if higher_is_better else theirs / mine)
    return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"


def print_table(rows):
    hello = rows[0]
    figures = [("req/s", "rps", 1, "{:,.0f}", True), ("p50 ms", "p50", 1000, "{:.2f}", False),
               ("p99 ms", "p99", 1000, "{:.1f}", False), ("CPU ms", "cpu", 1000, "{:.3f}", False)]  # fmt: skip
    print("\n" + f"{'':34} {'bytes':>9} {'queries':>7}" + "".join(
        f" │ {name:>7} {'%hello':>7} {'%static':>7}" for name, *_ in figures
    ))  # fmt: skip
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            print(group)
        line = f"  {row.label[:32]:32} {fmt(row.size, '{:,}'):>9} {fmt(row.queries, '{}'):>7}"
        for _name, key, scale, pattern, better in figures:
            value, ref = row.figure(key), row.reference and row.reference.figure(key)
            shown = fmt(value and value * scale, pattern)
            of_hello = share(value, hello.figure(key), better)
            of_static = share(value, ref, better)
            if key == "cpu" and row.hello_cpu:  # against the hello rounds measured beside its own
                of_hello = share(row.cpu_share_of(hello), 1, True)
            if key == "cpu" and row.static_cpu:  # against its static file's rounds measured beside its own
                of_static = share(row.cpu_share_of_static(), 1, True)
            line += f" │ {shown:>7} {of_hello:>7} {of_static:>7}"
        if row.note and row.note != "HIT":
            line += f"  ({row.note})"
        if row.load.get("errors") or row.load.get("non2xx"):
            line += f"  ({row.load['errors']} socket errors, {row.load['non2xx']} non-2xx/3xx)"
        print(line)
    print(
        "CPU ms: the server's CPU time per request (gunicorn's workers, or nginx's, from /proc). %hello, %static: the "
        "share of hello's figure\nand of nginx serving the same response (bytes and headers) as a static file, "
        "measured in this run (a 304 has none).\nThrough the cache: a HIT (X-Cache) when measuring began, unless "
        "noted; an entry expires after the site's s-maxage and is then\nrevalidated once."
    )


def fmt(value, pattern):
    return "—" if value is None else pattern.format(value)


def print_stress(result, timing):
    print(
        f"\nLoad (item 8): wrk -t2 -c{timing.stress_connections} -d{timing.stress}s against gunicorn ({CORES} workers),"
        f" the {len(PAGES)} pages at ×100 in turn: {result['requests']:,} requests, {result['rps']:.0f} req/s, p50 "
        f"{result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms; {result['errors']} socket errors, "
        f"{result['non2xx']} non-2xx/3xx responses."
    )


def print_targets(rows, stress):
    """Issue 11, item 7: the targets, as CPU per request in shares of hello's (the steady figure)."""
    by_label = {(row.group.startswith("through"), row.label): row for row in rows}

    def of_hello(label):
        row = by_label.get((False, label))
        return row.cpu_share_of(rows[0]) if row and not row.note else None

    def verdict(value, goal):
        return "—" if value is None else ("pass" if value >= goal else "MISS")

    targets = [
        ("304 (scene ×1)", of_hello("304 scene ×1"), 0.85),
        ("uncached scene page ×1", of_hello("scene ×1"), 0.12),
        ("scenes filtered by two people ×1", of_hello("scenes, 2 people ×1"), 0.08),
        ("scenes filtered by two people ×100", of_hello("scenes, 2 people ×100"), 0.04),
        ("home ×100", of_hello("home ×100"), 0.04),
        ("/scenes/ ×100", of_hello("/scenes/ ×100"), 0.04),
    ]
    print("\nTargets (issue 11, item 7), CPU per request as a share of hello's:")
    for name, value, goal in targets:
        shown = "—" if value is None else f"{100 * value:.1f}%"
        print(f"  {name:40} {shown:>7}  goal ≥ {100 * goal:.0f}%  {verdict(value, goal)}")
    for label in ("home ×100", "/scenes/ ×100"):
        size = by_label[(False, label)].size
        print(f"  {label + ' size':40} {size / 1000:6.0f}K  goal ≤ 40 KB  {'pass' if size <= 40_000 else 'MISS'}")
    hits = [row for row in rows if row.group.startswith("through") and row.cpu_share_of_static()]
    if hits:
        cpu = sorted(row.cpu_share_of_static() for row in hits)
        median, rps = statistics.median(cpu), statistics.median(r.load["rps"] / r.reference.load["rps"] for r in hits)
        print(
            f"  {'cache hits, median of the pages':40} {100 * median:6.1f}%  goal ≥ 90% of static  "
            f"{verdict(median, 0.9)} (pages {100 * cpu[0]:.0f}–{100 * cpu[-1]:.0f}%; req/s {100 * rps:.0f}%)"
        )
    most = max(row.queries or 0 for row in rows)
    print(f"  {'queries, most on any page':40} {most:>7}  goal ≤ 12  {'pass' if most <= 12 else 'MISS'}")
    clean = stress["errors"] == 0 and stress["non2xx"] == 0
    print(f"  {'load: socket errors + non-2xx':40} {stress['errors'] + stress['non2xx']:>7}  goal 0  "
          f"{'pass' if clean else 'MISS'}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
