"""Accounts over the API: personal API tokens, sign-up, and the signed-in user's own record."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from tests.support.scan import tables_containing

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REGISTER_URL = "/api/v1/auth/register/"
ME_URL = "/api/v1/me/"
STRONG = "correct horse battery staple"


def _anon() -> APIClient:
    return APIClient()


def _with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _obtain(username="alice", password="pw-alice-123", **extra) -> str:  # noqa: S107 - test fixture password
    resp = _anon().post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")
    assert resp.status_code == 200, resp.content
    assert set(resp.json()) == {"token"}
    return resp.json()["token"]


# --- Tokens ----------------------------------------------------------------------------------


def test_token_for_right_password_authenticates_as_that_user(user):
    token = _obtain()

    resp = _with_token(token).get(ME_URL)

    assert resp.status_code == 200
    assert resp.json()["username"] == "alice"
    assert resp.json()["id"] == user.id


def test_each_login_gets_a_new_token_and_both_work(user):
    first, second = _obtain(), _obtain(name="laptop")

    assert first != second
    assert _with_token(first).get(ME_URL).status_code == 200
    assert _with_token(second).get(ME_URL).status_code == 200
    assert ApiToken.objects.get(key_hash=hashlib.sha256(second.encode()).hexdigest()).name == "laptop"


def test_wrong_password_is_400_naming_the_problem(user):
    resp = _anon().post(TOKEN_URL, {"username": "alice", "password": "nope"}, format="json")

    assert resp.status_code == 400
    assert "credentials" in resp.json()["non_field_errors"][0]
    assert ApiToken.objects.count() == 0


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(user):
    wrong_password = _anon().post(TOKEN_URL, {"username": "alice", "password": "nope"}, format="json")
    unknown_user = _anon().post(TOKEN_URL, {"username": "nobody", "password": "nope"}, format="json")

    assert unknown_user.status_code == wrong_password.status_code == 400
    assert unknown_user.json() == wrong_password.json()


def test_inactive_user_gets_no_token_and_loses_the_ones_it_had(user):
    token = _obtain()
    user.is_active = False
    user.save()

    assert _anon().post(TOKEN_URL, {"username": "alice", "password": "pw-alice-123"}, format="json").status_code == 400
    assert _with_token(token).get(ME_URL).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": "x"}, "username"),
        ({"username": "alice"}, "password"),
        ({"username": ["alice"], "password": "x"}, "username"),
        ({"username": "alice", "password": {"a": 1}}, "password"),
        ({"username": "alice", "password": None}, "password"),
        ({"username": "a" * 151, "password": "x"}, "username"),
        ({"username": "alice", "password": "pw-alice-123", "name": "n" * 101}, "name"),
    ],
)
def test_bad_token_requests_are_400_naming_the_field(user, body, field):
    resp = _anon().post(TOKEN_URL, body, format="json")

    assert resp.status_code == 400, resp.content
    assert field in resp.json()
    assert ApiToken.objects.count() == 0


def test_malformed_json_is_400(user):
    resp = _anon().post(TOKEN_URL, b'{"username": "alice",', content_type="application/json")

    assert resp.status_code == 400
    assert "JSON" in resp.json()["detail"]


def test_delete_revokes_only_the_token_it_is_made_with(user):
    kept, revoked = _obtain(), _obtain()

    resp = _with_token(revoked).delete(TOKEN_URL)

    assert resp.status_code == 204
    assert _with_token(revoked).get(ME_URL).status_code == 401
    assert _with_token(kept).get(ME_URL).status_code == 200


def test_delete_without_a_valid_token_is_401_and_revokes_nothing(user):
    token = _obtain()

    assert _anon().delete(TOKEN_URL).status_code == 401
    assert _with_token("pbu_not-a-real-token").delete(TOKEN_URL).status_code == 401
    assert _with_token(token).get(ME_URL).status_code == 200


def test_a_stale_token_header_does_not_stop_signing_in(user):
    revoked = _obtain()
    assert _with_token(revoked).delete(TOKEN_URL).status_code == 204

    resp = _with_token(revoked).post(TOKEN_URL, {"username": "alice", "password": "pw-alice-123"}, format="json")

    assert resp.status_code == 200
    assert _with_token(resp.json()["token"]).get(ME_URL).status_code == 200


def test_tokens_are_stored_only_as_their_sha256(user):
    token = _obtain()

    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.key_prefix) and len(row.key_prefix) < len(token) // 2
    assert tables_containing(token) == []


@pytest.mark.parametrize(
    "header",
    ["Token", "Token ", "Token a b", "Token pbu_unknown", "Token \u00e9\u00e8", "Bearer pbu_x"],
)
def test_bad_authorization_headers_are_401(user, header):
    resp = APIClient().get(ME_URL, HTTP_AUTHORIZATION=header)

    assert resp.status_code == 401


def test_unauthenticated_requests_are_401():
    assert _anon().get(ME_URL).status_code == 401
    assert _anon().get("/api/v1/printers/").status_code == 401


# --- Sign-up ---------------------------------------------------------------------------------


def test_first_account_becomes_the_administrator():
    resp = _anon().post(REGISTER_URL, {"username": "admin", "password": STRONG, "email": "a@x.org"}, format="json")

    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["username"] == "admin" and body["is_staff"] is True
    assert "password" not in body
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password(STRONG)
    assert STRONG not in resp.content.decode()


def test_second_sign_up_is_refused_when_signup_is_closed(settings):
    settings.ALLOW_SIGNUP = False
    assert _anon().post(REGISTER_URL, {"username": "admin", "password": STRONG}, format="json").status_code == 201

    resp = _anon().post(REGISTER_URL, {"username": "second", "password": STRONG}, format="json")

    assert resp.status_code == 403
    assert "closed" in resp.json()["detail"]
    assert not User.objects.filter(username="second").exists()


def test_closed_signup_does_not_reveal_which_usernames_exist(settings, user):
    settings.ALLOW_SIGNUP = False

    taken = _anon().post(REGISTER_URL, {"username": "alice", "password": STRONG}, format="json")
    free = _anon().post(REGISTER_URL, {"username": "carol", "password": "x"}, format="json")

    assert taken.status_code == free.status_code == 403
    assert taken.json() == free.json()


def test_open_signup_makes_ordinary_users(settings, user):
    settings.ALLOW_SIGNUP = True

    resp = _anon().post(
        REGISTER_URL,
        {
            "username": "carol",
            "password": STRONG,
            "is_staff": True,
            "is_superuser": True,
            "notification_enabled": False,
        },
        format="json",
    )

    assert resp.status_code == 201, resp.content
    carol = User.objects.get(username="carol")
    assert not carol.is_staff and not carol.is_superuser
    assert carol.notification_enabled is True
    assert _obtain("carol", STRONG)


def test_taken_username_is_400_on_username(settings, user):
    settings.ALLOW_SIGNUP = True

    resp = _anon().post(REGISTER_URL, {"username": "alice", "password": STRONG}, format="json")

    assert resp.status_code == 400
    assert "username" in resp.json()
    assert User.objects.filter(username="alice").count() == 1


@pytest.mark.parametrize("password", ["short", "12345678901234", "password123", "newcomer-x"])
def test_weak_password_is_400_naming_password(password):
    resp = _anon().post(REGISTER_URL, {"username": "newcomer-x", "password": password}, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["password"]
    assert resp.json()["password"]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": STRONG}, "username"),
        ({"username": "x"}, "password"),
        ({"username": "has space", "password": STRONG}, "username"),
        ({"username": "u" * 151, "password": STRONG}, "username"),
        ({"username": ["x"], "password": STRONG}, "username"),
        ({"username": "x", "password": STRONG, "email": "not-an-email"}, "email"),
        ({"username": "x", "password": STRONG, "first_name": "f" * 151}, "first_name"),
        ({"username": "x\x00y", "password": STRONG}, "username"),
    ],
)
def test_bad_sign_up_is_400_naming_the_field(body, field):
    resp = _anon().post(REGISTER_URL, body, format="json")

    assert resp.status_code == 400, resp.content
    assert field in resp.json()
    assert User.objects.count() == 0


# --- The signed-in user ----------------------------------------------------------------------


def test_me_shows_the_user(api, user):
    resp = api.get(ME_URL)

    assert resp.status_code == 200
    assert resp.json() == {
        "id": user.id,
        "username": "alice",
        "email": "alice@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
        "notification_enabled": True,
        "is_staff": False,
    }


def test_global_switch_can_be_turned_off_and_on(api, user):
    resp = api.patch(ME_URL, {"notification_enabled": False}, format="json")
    assert resp.status_code == 200
    assert resp.json()["notification_enabled"] is False
    user.refresh_from_db()
    assert user.notification_enabled is False

    assert api.patch(ME_URL, {"notification_enabled": True}, format="json").json()["notification_enabled"] is True
    user.refresh_from_db()
    assert user.notification_enabled is True


def test_username_and_is_staff_are_read_only(api, user):
    resp = api.patch(ME_URL, {"username": "mallory", "is_staff": True, "is_superuser": True}, format="json")

    assert resp.status_code == 200
    assert resp.json()["username"] == "alice" and resp.json()["is_staff"] is False
    user.refresh_from_db()
    assert (user.username, user.is_staff, user.is_superuser) == ("alice", False, False)


def test_names_and_email_can_be_changed(api, user):
    resp = api.patch(ME_URL, {"first_name": "Al", "email": "al@example.org"}, format="json")

    assert resp.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == ("Al", "Liddell", "al@example.org")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"notification_enabled": "sometimes"}, "notification_enabled"),
        ({"notification_enabled": None}, "notification_enabled"),
        ({"email": "nope"}, "email"),
        ({"first_name": "f" * 151}, "first_name"),
        ({"last_name": ["x"]}, "last_name"),
    ],
)
def test_bad_me_update_is_400_naming_the_field_and_changes_nothing(api, user, body, field):
    resp = api.patch(ME_URL, {"first_name": "Changed", **body}, format="json")

    assert resp.status_code == 400, resp.content
    assert field in resp.json()
    user.refresh_from_db()
    assert user.first_name == "Alice" and user.notification_enabled is True


# --- Password guessing ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [TOKEN_URL, REGISTER_URL])
def test_sign_in_and_sign_up_are_rate_limited_per_client(settings, user, url):
    from django.core.cache import cache

    cache.clear()
    settings.AUTH_RATE_LIMIT = "3/min"
    guesses = [
        _anon().post(url, {"username": "alice", "password": f"guess-{i}"}, format="json").status_code for i in range(4)
    ]
    assert guesses[:3] != [429, 429, 429] and 429 not in guesses[:3]
    assert guesses[3] == 429
    other = APIClient(REMOTE_ADDR="10.9.8.7").post(url, {"username": "alice", "password": "x"}, format="json")
    assert other.status_code != 429
    cache.clear()
