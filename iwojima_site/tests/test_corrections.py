"""Corrections from readers: a link on every content page, a short form, stored for editors, never a 5xx."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.http import urlencode

from iwojima_site.corrections import SUGGESTIONS_PER_HOUR, site_path
from iwojima_site.models import Suggestion
from iwojima_site.pages import site_pages

pytestmark = pytest.mark.django_db

CONTENT_PAGES = {"scene", "character", "letter", "flashback", "place-list", "place", "cast", "source"}


def suggest(client, page="/cast/", address="198.51.100.7", **fields):
    data = {"page": page, "text": "The actor's name is misspelt.", "source": "", "email": "", "website": ""}
    return client.post(reverse("suggest"), {**data, **fields}, REMOTE_ADDR=address)


@pytest.fixture
def pages():
    return {name: path for name, path in site_pages() if name in CONTENT_PAGES}


def test_every_content_page_links_to_the_form_for_itself(client, pages):
    assert set(pages) == CONTENT_PAGES
    for name, path in pages.items():
        html = client.get(path).content.decode()
        link = f"{reverse('suggest')}?{urlencode({'page': path})}"
        assert f'href="{link.replace("&", "&amp;")}"' in html, name


def test_the_form_opens_for_the_page_it_came_from_and_is_never_cached(client):
    response = client.get(reverse("suggest"), {"page": "/cast/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="page" value="/cast/"' in html and 'href="/cast/">Back to the page' in html
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert " style=" not in html and "<style" not in html and "<script>" not in html and " onclick" not in html


def test_a_suggestion_is_stored_for_the_editors_and_the_reader_is_thanked(client):
    response = suggest(client, source="The credits", email="reader@example.org")
    assert response.status_code == 302
    thanks = client.get(response.url)
    assert thanks.status_code == 200 and 'href="/cast/">Back to the page' in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]
    suggestion = Suggestion.objects.get()
    assert (suggestion.page, suggestion.source, suggestion.email, suggestion.status) == (
        "/cast/",
        "The credits",
        "reader@example.org",
        "open",
    )
    assert "198.51.100.7" not in suggestion.client  # a keyed hash, not the address


def test_a_filled_honeypot_is_thanked_as_usual_and_stores_nothing(client):
    response = suggest(client, website="https://spam.example/")
    assert response.status_code == 302 and response.url.startswith(reverse("suggestion_thanks"))
    assert not Suggestion.objects.exists()


def test_each_address_may_send_five_an_hour_then_gets_a_clear_429(client):
    statuses = [suggest(client).status_code for _ in range(SUGGESTIONS_PER_HOUR)]
    assert statuses == [302] * SUGGESTIONS_PER_HOUR
    over = suggest(client)
    assert over.status_code == 429 and over["Retry-After"] == "3600"
    assert "in the last hour" in over.content.decode()
    assert "What you wrote" in over.content.decode() and "The actor&#x27;s name is misspelt." in over.content.decode()
    assert suggest(client, address="203.0.113.9").status_code == 302  # someone else is not held up
    assert Suggestion.objects.count() == SUGGESTIONS_PER_HOUR + 1


def test_an_hour_later_the_address_may_send_again(client):
    from datetime import timedelta

    for _ in range(SUGGESTIONS_PER_HOUR):
        suggest(client)
    Suggestion.objects.update(created=Suggestion.objects.first().created - timedelta(hours=1, seconds=1))
    assert suggest(client).status_code == 302


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text": ""}, "This field is required."),
        ({"text": "   "}, "This field is required."),
        ({"text": "x" * 2001}, "at most 2000 characters"),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"email": "a@" + "b" * 300 + ".org"}, "at most 254 characters"),
        ({"source": "s" * 501}, "at most 500 characters"),
    ],
)
def test_a_form_that_is_not_right_says_what_to_fix(client, fields, message):
    response = suggest(client, **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert 'href="/cast/">Back to the page' in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": "ok", "page": "x" * 100_000},
        {"text": "a" * 1_000_000},
        {"text": ["one", "two"], "page": ["/cast/", "//evil.example/"]},
        {"text": "ok\x00"},
        {"text": "ok", "page": "/scenes/%00/"},
    ],
    ids=["nothing", "huge-page", "huge-text", "repeated", "nul", "nul-in-page"],
)
def test_no_input_gives_a_server_error(client, data):
    response = client.post(reverse("suggest"), data)
    assert response.status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        b"text=%FF%FE%C0&email=%C0%80@example.org&page=%FF",  # not UTF-8
        b"text=" + b"a" * 3_000_000,  # over Django's 2.5 MB limit for a form
        b"&".join(b"f%d=1" % n for n in range(2000)),  # over its 1,000 fields
        b"%%%&&&===",
    ],
    ids=["not-utf8", "over-2.5-MB", "too-many-fields", "garbled"],
)
def test_no_raw_body_gives_a_server_error(client, body):
    response = client.post(reverse("suggest"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "page",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/%0a/evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/no-such-page/",
        "/static/css/site.css",
        "",
    ],
)
def test_only_a_path_on_this_site_is_stored_and_the_way_back_never_leaves_the_site(client, page):
    response = suggest(client, page=page)
    assert response.status_code == 302
    assert Suggestion.objects.get().page == ""
    assert parse_qs(urlsplit(response.url).query).get("page", [""]) == [""]
    for html in [
        client.get(response.url).content.decode(),
        client.get(reverse("suggestion_thanks"), {"page": page}).content.decode(),
        client.get(reverse("suggest"), {"page": page}).content.decode(),
    ]:
        assert "evil.example" not in html
        assert 'href="/">Back to the home page' in html


@pytest.mark.parametrize("page", ["/cast/", "/scenes/?character=saigo&period=1945", "/characters/saigo/?at=12"])
def test_a_path_on_this_site_is_kept_with_its_query(page):
    assert site_path(page) == page


def test_editors_find_suggestions_newest_first_with_the_page_linked_and_filtered_by_status(admin_client):
    older = Suggestion.objects.create(page="/cast/", text="Older one.")
    newer = Suggestion.objects.create(page="/source/", text="Newer one.", status="done")
    changelist = reverse("admin:iwojima_site_suggestion_changelist")
    response = admin_client.get(changelist)
    assert list(response.context["cl"].result_list) == [newer, older]
    html = response.content.decode()
    assert '<a href="/cast/">/cast/</a>' in html and '<a href="/source/">/source/</a>' in html
    opened = admin_client.get(changelist, {"status__exact": "open"})
    assert list(opened.context["cl"].result_list) == [older]
    change = admin_client.get(reverse("admin:iwojima_site_suggestion_change", args=[older.pk])).content.decode()
    assert "View on site" in change and "Older one." in change


def test_marking_suggestions_done_in_bulk_is_logged(admin_client):
    suggestion = Suggestion.objects.create(page="/cast/", text="A typo.")
    changelist = reverse("admin:iwojima_site_suggestion_changelist")
    response = admin_client.post(changelist, {"action": "mark_done", "_selected_action": [suggestion.pk]})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "done"
    assert LogEntry.objects.get().object_repr == str(suggestion)
