"""The site behind deploy/'s nginx cache, as `deploy/run-local` starts it on this machine (nginx on a port of its
own, gunicorn with debug off): pages come from the cache, an editor can sign in, and one client's wrong passwords
do not lock another out."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-editor-password"


def free_ports(count):
    """The first of `count` consecutive ports on 127.0.0.1 that nothing listens on (nginx's, then gunicorn's)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("No free ports on 127.0.0.1.")


def test_behind_the_proxy_pages_are_cached_and_an_editor_signs_in_whatever_another_client_tries(tmp_path):
    home = tmp_path / "home"  # where gunicorn would put a control socket (see the end)
    home.mkdir()
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("XDG_RUNTIME_DIR", "DJANGO_API_RATE")},
        "HOME": str(home),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "iwojima_site.settings",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "RUN_LOCAL_PORT": str(free_ports(2)),
        "RUN_LOCAL_INSTANCES": "1",
        "RUN_LOCAL_WORKERS": "1",
        "RUN_LOCAL_ACCESS_LOG": "off",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", "editor", "--email", "editor@example.org"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    client = [sys.executable, str(Path(__file__).with_name("proxy_client.py")), PASSWORD]
    run = subprocess.run(["deploy/run-local", *client], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["views"] == ["MISS", "HIT"]
    # The sign-in throttle counts 127.0.0.2's failures (nginx passes its address on): the fifth locks it out.
    assert seen["wrong"] == [200, 200, 200, 200, 429, 429]
    # nginx passes the Host with its port, so Django's CSRF check accepts the browser's Origin on any port, and the
    # editor at 127.0.0.1 is not locked out by the other client.
    assert seen["editor"] == [302, "/admin/"]
    # A client's SCRIPT_NAME and PATH_INFO headers change nothing, through nginx (which drops them) or straight to
    # gunicorn (deploy/gunicorn.conf.py takes none): without it, gunicorn answered 500 before Django ran.
    assert seen["forwarded"] == [[302, "/scenes/"], [302, "/scenes/"]]
    # A client's X-Forwarded-Proto is the site's to trust (DJANGO_HTTPS), not gunicorn's: it is off here.
    assert seen["next"].startswith("http://")
    # run-local leaves the API's throttle at the site's default (it used to lift it, silently, for the benchmark).
    assert seen["api_rate"] is None
    # The site's own absolute addresses name nginx's port, where it is served, not the default :8000.
    assert seen["canonical"] == seen["base"] + "/"
    # No instance opens gunicorn's control socket, a path all instances on a machine would share.
    assert not (home / ".gunicorn").exists()
