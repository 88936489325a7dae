"""Every kind of page is valid HTML, as the W3C Nu HTML Checker (vnu.jar) reads it."""

import json
import subprocess

import pytest
from django.template.loader import render_to_string

from iwojima_site.pages import page_types
from iwojima_site.tests.browser.tools import SUMMARY, node_tool, require_program

pytestmark = pytest.mark.django_db


def describe(message, pages):
    """E.g. 'home (/) line 46: Unclosed element “ul”.', then the start of the markup in question."""
    name = message.get("url", "").rsplit("/", 1)[-1].removesuffix(".html")
    extract = " ".join(message.get("extract", "").split())[:100]
    where = f"{name} ({pages.get(name, '?')}) line {message.get('lastLine', '?')}"
    return f"  {where}: {message['message']}\n      {extract}"


def test_every_page_is_valid_html(client, tmp_path):
    pages = dict(page_types())
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code in (200, 400, 404), f"{path} answered {response.status_code}"
        (tmp_path / f"{name}.html").write_bytes(response.content)
    # The 500 and 503 pages are rendered without a request, as Django's server_error view and the read snapshot do.
    for name, template in (("server-error", "500.html"), ("database-unreachable", "503.html")):
        pages[name] = template
        (tmp_path / f"{name}.html").write_text(render_to_string(template), encoding="utf-8")

    require_program("java", "Java 17 (e.g. Debian's openjdk-17-jre-headless) for the Nu HTML Checker")
    vnu = node_tool("vnu-jar", "build", "dist", "vnu.jar")
    # One call for every file: each start of the JVM costs seconds.
    result = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout", *sorted(tmp_path.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.strip(), f"vnu.jar gave no report (exit {result.returncode}):\n{result.stderr}"
    messages = json.loads(result.stdout)["messages"]
    errors = [describe(message, pages) for message in messages]
    SUMMARY.append(f"Nu HTML Checker: {len(pages)} pages checked, {len(errors)} errors")
    if errors:
        pytest.fail("The Nu HTML Checker found errors:\n" + "\n".join(errors), pytrace=False)
