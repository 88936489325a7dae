"""A strict Content-Security-Policy on every kind of page, the admin's included, and nothing in any page that
the policy would have to allow: no inline script, event handler, <style>, style attribute or javascript: URL."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse

from characters.models import Character
from iwojima_site.pages import page_types
from iwojima_site.story import parts_as_text
from scenes.models import Appearance, Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

CONTENT = [Character, Location, Scene, Appearance, Flashback, Letter]
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class InlineCode(HTMLParser):
    """What a strict policy blocks, as ["<style>", "style attribute on <div>", …]."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in <{tag} {name}>")

    handle_startendtag = handle_starttag


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def policy(response):
    """{"script-src": ["'self'"], …} from the response's Content-Security-Policy header."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_strict(response, url):
    directives = policy(response)
    assert directives, f"{url} has no Content-Security-Policy"
    assert directives["default-src"] == ["'none'"], url
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"], url
    assert not any("unsafe" in value for values in directives.values() for value in values), url


def test_every_kind_of_page_has_the_strict_policy_and_no_inline_code(client):
    for name, url in page_types():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), f"{name}: {url} answered {response.status_code}"
        assert_strict(response, url)
        assert inline_code(response.content.decode()) == [], f"{name} ({url})"


def test_the_pages_that_answer_without_a_view_have_no_inline_code_either():
    assert inline_code(render_to_string("500.html")) == []
    assert inline_code(render_to_string("503.html")) == []


def test_the_icon_and_every_static_file_carry_no_inline_style():
    for path in Path(settings.BASE_DIR, "static").rglob("*"):
        if path.suffix in {".svg", ".html"}:
            text = path.read_text(encoding="utf-8")
            assert "<style" not in text and " style=" not in text and "<script" not in text, path
        if path.suffix == ".js":
            # Scripts change the page only through the DOM: no markup strings a policy would have to trust.
            text = path.read_text(encoding="utf-8")
            assert "innerHTML" not in text and ".style" not in text and "eval(" not in text, path


def admin_urls():
    urls = [reverse("admin:index"), reverse("admin:auth_user_changelist"), reverse("admin:auth_group_add")]
    for model in CONTENT:
        info = model._meta.app_label, model._meta.model_name
        urls += [
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_add".format(*info)),
            reverse("admin:{}_{}_change".format(*info), args=[model.objects.first().pk]),
        ]
    return urls


def test_every_admin_page_has_the_strict_policy_and_no_inline_code(admin_client):
    for url in admin_urls():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)
        assert inline_code(response.content.decode()) == [], url


def test_the_admin_sign_in_and_a_save_work_under_the_policy(client):
    User.objects.create_superuser("admin", password="a-long-admin-password")
    login = client.get(reverse("admin:login"))
    assert_strict(login, "login")
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "a-long-admin-password", "next": "/admin/"}
    )
    assert response.status_code == 302 and response.url == "/admin/"
    place = Location.objects.first()
    url = reverse("admin:scenes_location_change", args=[place.pk])
    data = {
        "slug": place.slug,
        "name": "A clearer name",
        "region": place.region,
        "description": parts_as_text(place.description),
    }
    saved = client.post(url, data, follow=True)
    assert saved.status_code == 200 and "was changed successfully" in saved.content.decode()
    assert_strict(saved, url)
    place.refresh_from_db()
    assert place.name == "A clearer name"
