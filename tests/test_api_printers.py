"""Printers over the API: CRUD for their owner, a token shown once and stored hashed, token
regeneration, and clean 400s for bad names."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from printers.models import Printer, PrinterEvent
from tests.support.scan import tables_containing

pytestmark = pytest.mark.django_db

URL = "/api/v1/printers/"
EVENT = {"type": "PrintStarted", "print": {"job_key": "j1", "filename": "cube.gcode"}}


def _create(api, **body) -> dict:
    resp = api.post(URL, {"name": "Voron", **body}, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def _assert_no_token(content: bytes, token: str) -> None:
    text = content.decode()
    assert token not in text
    assert hashlib.sha256(token.encode()).hexdigest() not in text
    assert "auth_token" not in text and "token_hash" not in text


def test_create_answers_with_the_printer_and_its_token_once(api, user, post_event):
    body = _create(api, pause_on_failure=True)

    assert set(body) == {
        "id",
        "name",
        "pause_on_failure",
        "watching_enabled",
        "token_prefix",
        "created_at",
        "updated_at",
        "auth_token",
    }
    assert body["name"] == "Voron" and body["pause_on_failure"] is True and body["watching_enabled"] is True
    token = body["auth_token"]
    assert token.startswith(body["token_prefix"]) and len(token) >= 40
    printer = Printer.objects.get(id=body["id"])
    assert printer.owner == user
    assert printer.token_hash == hashlib.sha256(token.encode()).hexdigest()

    resp = post_event(token, EVENT)

    assert resp.status_code == 202, resp.content
    assert PrinterEvent.objects.get(id=resp.json()["id"]).printer_id == printer.id


def test_the_printer_token_is_stored_only_hashed(api):
    token = _create(api)["auth_token"]

    assert tables_containing(token) == []


def test_list_retrieve_and_update_never_show_the_token(api):
    body = _create(api)
    token, pid = body["auth_token"], body["id"]

    answers = [
        api.get(URL),
        api.get(f"{URL}{pid}/"),
        api.patch(f"{URL}{pid}/", {"name": "Voron 2.4"}, format="json"),
        api.put(f"{URL}{pid}/", {"name": "Voron 2.4r2", "watching_enabled": False}, format="json"),
    ]

    for resp in answers:
        assert resp.status_code == 200, resp.content
        _assert_no_token(resp.content, token)
    assert api.get(URL).json() == [api.get(f"{URL}{pid}/").json()]


def test_owner_can_update_and_delete(api, post_event):
    body = _create(api)
    pid, token = body["id"], body["auth_token"]

    resp = api.patch(f"{URL}{pid}/", {"name": "  Renamed  ", "pause_on_failure": True}, format="json")
    assert resp.status_code == 200
    assert resp.json()["name"] == "Renamed" and resp.json()["pause_on_failure"] is True
    printer = Printer.objects.get(id=pid)
    assert (printer.name, printer.pause_on_failure) == ("Renamed", True)

    assert api.delete(f"{URL}{pid}/").status_code == 204
    assert not Printer.objects.filter(id=pid).exists()
    assert api.get(f"{URL}{pid}/").status_code == 404
    assert post_event(token, EVENT).status_code == 401


def test_read_only_and_unknown_fields_are_ignored(api, user, other_user):
    body = _create(api, owner=other_user.id, token_hash="0" * 64, token_prefix="pwned", auth_token="pbp_mine", id=999)

    printer = Printer.objects.get(id=body["id"])
    assert printer.owner == user
    assert printer.token_hash != "0" * 64 and printer.token_prefix != "pwned"
    assert body["auth_token"] != "pbp_mine"

    resp = api.patch(f"{URL}{printer.id}/", {"token_prefix": "x", "token_hash": "1" * 64}, format="json")
    assert resp.status_code == 200
    printer.refresh_from_db()
    assert printer.token_prefix == body["token_prefix"]
    assert printer.token_hash == hashlib.sha256(body["auth_token"].encode()).hexdigest()


def test_regenerate_token_replaces_the_old_one(api, post_event):
    body = _create(api)
    old = body["auth_token"]

    resp = api.post(f"{URL}{body['id']}/regenerate_token/")

    assert resp.status_code == 200
    new = resp.json()["auth_token"]
    assert new != old and resp.json()["id"] == body["id"]
    assert resp.json()["token_prefix"] == new[: len(resp.json()["token_prefix"])]
    assert post_event(old, EVENT).status_code == 401
    assert post_event(new, EVENT).status_code == 202
    _assert_no_token(api.get(f"{URL}{body['id']}/").content, new)


def test_printer_token_is_not_a_user_api_token_and_vice_versa(api, user):
    printer_token = _create(api)["auth_token"]
    client = APIClient()

    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {printer_token}").status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {printer_token}").status_code == 401

    user_token = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}, format="json"
    ).json()["token"]
    resp = client.post("/api/v1/printer/events/", EVENT, format="json", HTTP_AUTHORIZATION=f"Bearer {user_token}")
    assert resp.status_code == 401
    resp = client.post("/api/v1/printer/events/", EVENT, format="json", HTTP_AUTHORIZATION=f"Token {user_token}")
    assert resp.status_code == 401
    assert PrinterEvent.objects.count() == 0


def test_a_deactivated_owner_s_printer_token_stops_working(api, user, post_event):
    token = _create(api)["auth_token"]
    user.is_active = False
    user.save()

    assert post_event(token, EVENT).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": None},
        {"name": ["Voron"]},
        {"name": {"first": "Voron"}},
        {"name": True},
        {"name": "Vor\x00on"},
    ],
    ids=["missing", "empty", "blank", "too-long", "null", "list", "object", "bool", "nul-char"],
)
def test_bad_name_on_create_is_400_naming_name_and_saves_nothing(api, body):
    resp = api.post(URL, body, format="json")

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == ["name"]
    assert Printer.objects.count() == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, None, ["x"], "a\x00b"])
def test_bad_name_on_update_is_400_naming_name_and_changes_nothing(api, name):
    pid = _create(api)["id"]

    resp = api.patch(f"{URL}{pid}/", {"name": name, "pause_on_failure": True}, format="json")

    assert resp.status_code == 400, resp.content
    assert "name" in resp.json()
    printer = Printer.objects.get(id=pid)
    assert (printer.name, printer.pause_on_failure) == ("Voron", False)


def test_longest_allowed_name_is_accepted(api):
    assert _create(api, name="x" * 200)["name"] == "x" * 200


@pytest.mark.parametrize("field", ["pause_on_failure", "watching_enabled"])
def test_bad_booleans_are_400_naming_the_field(api, field):
    resp = api.post(URL, {"name": "Voron", field: "sometimes"}, format="json")

    assert resp.status_code == 400
    assert list(resp.json()) == [field]
    assert Printer.objects.count() == 0


def test_malformed_json_and_wrong_body_type_are_400(api):
    assert api.post(URL, b'{"name": ', content_type="application/json").status_code == 400
    assert api.post(URL, b'["Voron"]', content_type="application/json").status_code == 400
    assert Printer.objects.count() == 0


def test_unknown_printer_id_is_404(api):
    assert api.get(f"{URL}999999/").status_code == 404
    assert api.get(f"{URL}99999999999999999999999/").status_code == 404
    assert api.post(f"{URL}999999/regenerate_token/").status_code == 404


def test_printers_are_listed_in_creation_order(api):
    ids = [_create(api, name=n)["id"] for n in ("a", "b", "c")]

    assert [p["id"] for p in api.get(URL).json()] == ids
