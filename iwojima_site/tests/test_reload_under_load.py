"""Reloads while readers load pages: every page read is whole (one snapshot), never half-loaded, never a 5xx.

A real server (gunicorn, two threads) serves a database of its own (a SQLite file, or a fresh database on the
PostgreSQL server the suite runs against) while the test reloads it, back and forth, between two versions of the
fixtures that differ in one scene: its title and the people in it. A page that shows one version's title with
the other's people was read half before and half after a reload.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import ConnectionHandler

from iwojima_site.snapshots import read_snapshot
from scenes.content import fixtures_dir

SCENE = "the-night-march"  # no memory is shown in it and no one's fate needs all of its people
READ_SECONDS = 4
RELOADS = 3


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def variant_b(directory):
    """A copy of the fixtures where SCENE has another title and only its first person."""
    path = directory / "scenes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    people = [i for i in data if i["model"] == "scenes.appearance" and i["fields"]["scene"] == [SCENE]]
    for item in data:
        if item["model"] == "scenes.scene" and item["fields"]["slug"] == SCENE:
            item["fields"]["title"] = "Variant B of the march"
    data = [i for i in data if i not in people[1:]]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return len(people)


@pytest.fixture
def server_database(tmp_path):
    """A DATABASE_URL of the server's own: a SQLite file, or a new database beside the PostgreSQL test database."""
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    name = f"load_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield urlunsplit(parts._replace(path=f"/{quote(name)}"))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_pages_read_during_reloads_are_whole_and_never_fail(tmp_path, server_database, capsys):
    version_a, version_b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(fixtures_dir(), version_a)
    shutil.copytree(fixtures_dir(), version_b)
    people_in_a = variant_b(version_b)
    env = {
        **os.environ,
        "DATABASE_URL": server_database,
        "DJANGO_SECRET_KEY": "load-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "1",  # static files served from the sources, nothing collected
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def reload(version):
        subprocess.run(
            [*manage, "reload_content", "--force", "--fixtures", str(version)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120)
    reload(version_a)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "iwojima_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--threads",
            "4",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/scenes/{SCENE}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        seen, problems, stop = {"a": 0, "b": 0}, [], threading.Event()

        def read_pages():
            while not stop.is_set():
                try:
                    html = urllib.request.urlopen(url, timeout=10).read().decode()
                except urllib.error.HTTPError as error:
                    problems.append(f"HTTP {error.code}")
                    continue
                people = len(re.findall(r'<span class="ways">', html))
                title_b = "Variant B of the march" in html
                if title_b and people == 1:
                    seen["b"] += 1
                elif not title_b and people == people_in_a:
                    seen["a"] += 1
                else:
                    problems.append(f"half a page: title {'B' if title_b else 'A'} with {people} people")

        readers = [threading.Thread(target=read_pages) for _ in range(3)]
        started = time.monotonic()
        for reader in readers:
            reader.start()
        for turn in range(RELOADS):
            reload(version_b if turn % 2 == 0 else version_a)
        while time.monotonic() - started < READ_SECONDS:
            time.sleep(0.1)
        stop.set()
        for reader in readers:
            reader.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    with capsys.disabled():
        print(
            f"\nreads during {RELOADS} reloads on {connection.vendor}: {seen['a']} before, {seen['b']} after, "
            f"{len(problems)} problems, {(seen['a'] + seen['b']) / elapsed:.0f} pages/s"
        )
    assert not problems, problems[:5]
    assert seen["a"] and seen["b"], "the readers saw both versions"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("snapshot", [True, False], ids=["in-a-snapshot", "without"])
def test_a_read_snapshot_does_not_see_a_commit_made_during_it(snapshot):
    """The site's connection reads twice; a second connection to the same database commits in between. Inside
    `read_snapshot` both reads agree; without it the second sees the commit (so the check can fail)."""
    writer = ConnectionHandler({"default": {**connection.settings_dict}})["default"]
    try:
        with writer.cursor() as cursor:
            cursor.execute("CREATE TABLE snapshot_probe (value integer)")
            cursor.execute("INSERT INTO snapshot_probe VALUES (1)")
        with read_snapshot() if snapshot else nullcontext():
            with connection.cursor() as cursor:
                cursor.execute("SELECT value FROM snapshot_probe")
                first = cursor.fetchone()[0]
            with writer.cursor() as cursor:
                cursor.execute("UPDATE snapshot_probe SET value = 2")
            with connection.cursor() as cursor:
                cursor.execute("SELECT value FROM snapshot_probe")
                second = cursor.fetchone()[0]
        assert (first, second) == ((1, 1) if snapshot else (1, 2))
    finally:
        with writer.cursor() as cursor:
            cursor.execute("DROP TABLE snapshot_probe")
        writer.close()
