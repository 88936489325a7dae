"""Admin security: sign-in throttling per client, the client address behind a proxy, NUL bytes, editors' reach."""

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from iwojima_site.clients import client_address
from iwojima_site.models import Suggestion
from scenes.models import Scene

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-for-tests"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Each wrong password is hashed as a real one would be: a fast hasher keeps forty of them quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff():
    return User.objects.create_user("okubo", password=PASSWORD, is_staff=True)


def sign_in(client, username, password, address="198.51.100.7", **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail(client, times, username="okubo", **kwargs):
    return [sign_in(client, username, "wrong", **kwargs).status_code for _ in range(times)]


def test_the_fifth_wrong_password_locks_the_pair_out_and_then_even_the_right_one_gets_429(client, staff):
    assert fail(client, LIMIT - 1) == [200] * (LIMIT - 1)  # the login form again, with its error
    fifth = sign_in(client, "okubo", "wrong")
    assert fifth.status_code == 429
    sixth = sign_in(client, "okubo", PASSWORD)
    assert sixth.status_code == 429 and not signed_in(sixth)
    page = sixth.content.decode()
    assert "Too many attempts to sign in" in page and "15 minutes" in page
    assert sixth["Retry-After"] == str(15 * 60)


def test_the_readme_says_which_wrong_password_gets_the_429_page():
    """The README tells editors what the test above shows: the LIMIT-th wrong password is itself refused."""
    readme = " ".join((Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8").split())
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert (
        f"the {LIMIT}th wrong password for one username from one address is itself answered with a `429` page" in readme
    )
    assert LIMIT == 5 and "(the first four get the form again, with its error)" in readme
    assert f"for {minutes} minutes; each try meanwhile starts the wait again" in readme
    assert f"after {LIMIT} wrong passwords" not in readme


def test_a_lockout_is_per_address_and_username_so_one_attacker_cannot_lock_out_an_editor(client, staff):
    fail(client, LIMIT, address="203.0.113.66")  # a stranger hammering okubo's account
    assert sign_in(client, "okubo", PASSWORD, address="203.0.113.66").status_code == 429
    assert signed_in(sign_in(client, "okubo", PASSWORD, address="198.51.100.7"))  # okubo, from okubo's address


def test_other_usernames_from_the_same_address_are_not_locked(client, staff):
    User.objects.create_user("nishi", password=PASSWORD, is_staff=True)
    fail(client, LIMIT, username="okubo")
    assert signed_in(sign_in(client, "nishi", PASSWORD))


def test_a_right_password_before_the_limit_clears_the_count(client, staff):
    fail(client, LIMIT - 1)
    assert signed_in(sign_in(client, "okubo", PASSWORD))
    client.logout()
    assert fail(client, LIMIT - 1) == [200] * (LIMIT - 1)


def test_after_the_cool_off_the_right_password_works_again(client, staff):
    from axes.models import AccessAttempt

    fail(client, LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert signed_in(sign_in(client, "okubo", PASSWORD))


def test_a_forged_forwarded_header_does_not_escape_the_lockout_without_a_trusted_proxy(client, staff):
    fail(client, LIMIT, address="203.0.113.66")
    forged = sign_in(client, "okubo", PASSWORD, address="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_by_the_address_the_proxy_saw(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    fail(client, LIMIT, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    attacker = sign_in(client, "okubo", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert attacker.status_code == 429
    # The attacker may prepend any address; only the one the proxy appended counts.
    forged = sign_in(client, "okubo", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66")
    assert forged.status_code == 429
    assert signed_in(sign_in(client, "okubo", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"))


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "198.51.100.7", "", "198.51.100.7"),
        (0, "198.51.100.7", "192.0.2.1", "198.51.100.7"),  # no proxy trusted: the header is anyone's to write
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.66", "203.0.113.66"),
        (2, "10.0.0.2", "192.0.2.1, 203.0.113.66, 10.0.0.1", "203.0.113.66"),
        (2, "10.0.0.2", "203.0.113.66", "10.0.0.2"),  # fewer hops than proxies: only the connection is known
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_axes_refuses_before_the_password_backend_and_its_middleware_comes_last():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/scenes/scene/?part__exact=%00",
        "/admin/scenes/scene/?q=%00",
        "/admin/characters/character/?side__exact=a%00b",
        "/admin/scenes/letter/?%00=1",
        "/admin/recent-changes/?page=%00",
        "/admin/iwojima_site/suggestion/?status__exact=%00",
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_bad_request_not_a_server_error(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "This address cannot be read" in response.content.decode()


def test_a_nul_byte_in_an_admin_address_is_logged_as_one_line_without_a_traceback(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/admin/login/?next=%00").status_code == 400
    assert [(record.levelname, record.getMessage(), record.exc_info) for record in caplog.records] == [
        ("WARNING", "Bad Request: /admin/login/", None)
    ]


def test_a_nul_byte_in_admin_form_data_is_a_bad_request(admin_client):
    scene_url = reverse("admin:scenes_scene_changelist")
    assert admin_client.post(scene_url, {"action": "delete_selected", "_selected_action": "1\x00"}).status_code == 400
    login = admin_client.post(reverse("admin:login"), {"username": "okubo\x00", "password": "x"})
    assert login.status_code == 400


def changelists_with_actions():
    from django.contrib import admin

    return [model for model, model_admin in admin.site._registry.items() if model_admin.actions is not None]


@pytest.mark.parametrize("model", changelists_with_actions(), ids=lambda model: model._meta.label)
@pytest.mark.parametrize("selected", [["x"], ["1", "x"], ["1.5"], [""], ["99999999999999999999"]])
def test_an_action_on_a_key_that_is_not_a_records_key_brings_the_list_back_with_a_message(
    admin_client, model, selected
):
    """Only a hand-made request sends such a key; it was a 500, on every list of the admin."""
    before = model._default_manager.count()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 302 and response.url == url
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors == [
        f"Nothing was done: “{selected[-1]}” is not the key of any {model._meta.verbose_name}. Tick the "
        f"{model._meta.verbose_name_plural} in the list and choose the action again."
    ]
    assert model._default_manager.count() == before
    assert admin_client.get(url).status_code == 200


def test_an_action_on_a_key_of_no_record_does_nothing(admin_client):
    url = reverse("admin:scenes_scene_changelist")
    before = Scene.objects.count()
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": ["-1"], "post": "yes"})
    assert response.status_code == 302 and Scene.objects.count() == before


@pytest.mark.parametrize("url", ["/scenes/?q=%00", "/characters/?side=%00", "/search/?q=%00"])
def test_public_pages_answer_a_nul_byte_with_their_own_form_error(client, url):
    response = client.get(url)
    assert response.status_code == 400 and "This address cannot be read" not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/search/?q=a%00b", 400),
        ("/scenes/?q=a%00b", 400),
        ("/scenes/?character=a%00b", 400),
        ("/?at=1%00", 400),
        ("/scenes/?page=1%00", 404),
        ("/timeline/?highlight=a%00b", 200),
        ("/timeline/?part=a%00b", 200),
    ],
)
def test_a_page_never_holds_the_nul_byte_its_address_brought(client, url, status):
    # HTML allows no U+0000: the value a page quotes or refills its form with shows U+FFFD instead.
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert "\x00" not in page and "\ufffd" in page
    assert int(response.get("Content-Length", len(response.content))) == len(response.content)


def test_the_correction_form_sent_with_a_nul_byte_refills_its_box_without_it(client):
    response = client.post(reverse("suggest"), {"page": "/cast/", "text": "a\x00b is misspelt on this page."})
    assert response.status_code == 400 and "\x00" not in response.content.decode()


def test_a_nul_byte_in_the_path_is_a_bad_request(admin_client):
    assert admin_client.get("/admin/scenes/scene/%00/change/").status_code == 400


def test_editors_work_through_suggestions_but_cannot_add_them_nor_reach_users_or_groups(editor):
    suggestion = Suggestion.objects.create(page="/cast/", text="A name is misspelt.")
    assert editor.get(reverse("admin:iwojima_site_suggestion_changelist")).status_code == 200
    change_url = reverse("admin:iwojima_site_suggestion_change", args=[suggestion.pk])
    assert editor.post(change_url, {"status": "done"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "done"
    assert editor.get(reverse("admin:iwojima_site_suggestion_add")).status_code == 403
    delete_url = reverse("admin:iwojima_site_suggestion_delete", args=[suggestion.pk])
    assert editor.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Suggestion.objects.exists()
    assert editor.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert editor.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
