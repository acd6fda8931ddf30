"""Bad input never produces a 500. Every rejection of an event is a 4xx whose JSON names the field
(or the body, when the body itself is the problem), and nothing is half-saved: no event, no print,
no snapshot file. The user-facing endpoints answer garbage with a JSON 4xx as well."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from printers.models import Print, PrinterEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/printer/events/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client(printer):
    _, token = printer
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


# --- helpers -----------------------------------------------------------------------------------


def image_bytes(fmt="PNG", size=(32, 24), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A real 1-bit PNG of all zeros: a few kB on the wire, width*height pixels once decoded."""
    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def corrupted_png() -> bytes:
    data = bytearray(image_bytes())
    data[data.index(b"IDAT") + 6] ^= 0xFF  # the chunk's CRC no longer matches
    return bytes(data)


def upload(data: bytes, name="cam.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def nested(depth: int):
    """{"a": {"a": ... 1}} with the 1 `depth` levels down."""
    value = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def post_raw(client, raw: bytes, content_type="application/json"):
    return client.post(URL, data=raw, content_type=content_type)


def messages(errors) -> list[str]:
    """Every message under a point of an error body; anything that is not a string counts as empty."""
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in messages(v)]
    if isinstance(errors, list):
        return [m for v in errors for m in messages(v)]
    return [errors if isinstance(errors, str) else ""]


def assert_rejected(resp, media, status=400, field=None):
    """A JSON 4xx naming `field` (a path into the error body), and nothing saved anywhere."""
    assert resp.status_code == status, (resp.status_code, resp.content[:500])
    assert resp["Content-Type"].startswith("application/json")
    errors = resp.json()
    if field is not None:
        for key in field:
            assert isinstance(errors, dict) and key in errors, (field, resp.json())
            errors = errors[key]
        found = messages(errors)
        assert found and all(found), resp.json()
    assert not PrinterEvent.objects.exists()
    assert not Print.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def encode(body) -> bytes:
    # json.dumps escapes NULs and lone surrogates (\u0000, \ud800) so they reach the server as a
    # client would send them; raw bytes are sent as they are.
    return body if isinstance(body, bytes) else json.dumps(body).encode()


JOB = {"job_key": "j1"}
BODY = ("detail",)  # the body as a whole is the problem
ROOT = ("non_field_errors",)

JSON_CASES = [
    # the body itself
    ("malformed", b'{"type": "PrintDone",', BODY),
    ("trailing-garbage", b'{"type": "PrintDone"} xyz', BODY),
    ("invalid-utf8", b'{"type": "Print\xffDone"}', BODY),
    ("nan-literal", b'{"type": "PrintDone", "extra": {"x": NaN}}', BODY),
    ("int-with-5000-digits", b'{"type": "PrintDone", "extra": {"x": ' + b"9" * 5000 + b"}}", BODY),
    ("nested-100k-deep", b"[" * 100_000 + b"]" * 100_000, BODY),
    ("extra-100k-deep", b'{"type": "PrintDone", "extra": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", BODY),
    ("empty-body", b"", ("type",)),
    ("empty-object", {}, ("type",)),
    ("list", [{"type": "PrintDone"}], ROOT),
    ("string", "PrintDone", ROOT),
    ("number", 42, ROOT),
    ("null", None, ROOT),
    ("true", True, ROOT),
    # type
    ("type-int", {"type": 1}, ("type",)),
    ("type-null", {"type": None}, ("type",)),
    ("type-list", {"type": ["PrintDone"]}, ("type",)),
    ("type-unknown", {"type": "PrintExploded"}, ("type",)),
    ("type-wrong-case", {"type": "printdone"}, ("type",)),
    ("type-nul", {"type": "PrintDone\x00"}, ("type",)),
    ("type-surrogate", {"type": "\ud800"}, ("type",)),
    # id (idempotency key)
    ("id-object", {"type": "PrintDone", "id": {"k": 1}}, ("id",)),
    ("id-list", {"type": "PrintDone", "id": ["k"]}, ("id",)),
    ("id-too-long", {"type": "PrintDone", "id": "k" * 201}, ("id",)),
    ("id-nul", {"type": "PrintDone", "id": "k\x00"}, ("id",)),
    ("id-surrogate", {"type": "PrintDone", "id": "k\udfff"}, ("id",)),
    # print
    ("print-string", {"type": "PrintDone", "print": "j1"}, ("print",)),
    ("print-list", {"type": "PrintDone", "print": [JOB]}, ("print",)),
    ("print-number", {"type": "PrintDone", "print": 7}, ("print",)),
    ("job-key-missing", {"type": "PrintDone", "print": {"filename": "a.gcode"}}, ("print", "job_key")),
    ("job-key-null", {"type": "PrintDone", "print": {"job_key": None}}, ("print", "job_key")),
    ("job-key-blank", {"type": "PrintDone", "print": {"job_key": "  "}}, ("print", "job_key")),
    ("job-key-too-long", {"type": "PrintDone", "print": {"job_key": "k" * 201}}, ("print", "job_key")),
    ("job-key-object", {"type": "PrintDone", "print": {"job_key": {}}}, ("print", "job_key")),
    ("job-key-nul", {"type": "PrintDone", "print": {"job_key": "\x00"}}, ("print", "job_key")),
    ("filename-too-long", {"type": "PrintDone", "print": {**JOB, "filename": "f" * 501}}, ("print", "filename")),
    ("filename-list", {"type": "PrintDone", "print": {**JOB, "filename": ["a"]}}, ("print", "filename")),
    ("filename-nul", {"type": "PrintDone", "print": {**JOB, "filename": "a\x00.gcode"}}, ("print", "filename")),
    ("filename-surrogate", {"type": "PrintDone", "print": {**JOB, "filename": "\udc00.gcode"}}, ("print", "filename")),
    (
        "started-at-garbage",
        {"type": "PrintStarted", "print": {**JOB, "started_at": "yesterday"}},
        ("print", "started_at"),
    ),
    (
        "started-at-number",
        {"type": "PrintStarted", "print": {**JOB, "started_at": 1714550400}},
        ("print", "started_at"),
    ),
    (
        "started-at-impossible",
        {"type": "PrintStarted", "print": {**JOB, "started_at": "2024-13-45T25:61:00Z"}},
        ("print", "started_at"),
    ),
    (
        "started-at-overflows",
        {"type": "PrintStarted", "print": {**JOB, "started_at": "9999-12-31T23:59:59-23:00"}},
        ("print", "started_at"),
    ),
    (
        "ended-at-underflows",
        {"type": "PrintDone", "print": {**JOB, "ended_at": "0001-01-01T00:00:00+05:00"}},
        ("print", "ended_at"),
    ),
    ("ended-at-object", {"type": "PrintDone", "print": {**JOB, "ended_at": {}}}, ("print", "ended_at")),
    # extra
    ("extra-list", {"type": "PrintDone", "extra": [1, 2]}, ("extra",)),
    ("extra-string", {"type": "PrintDone", "extra": "heater"}, ("extra",)),
    ("extra-null", {"type": "PrintDone", "extra": None}, ("extra",)),
    ("extra-too-big", {"type": "PrintDone", "extra": {"blob": "x" * 17_000}}, ("extra",)),
    ("extra-21-deep", {"type": "PrintDone", "extra": nested(21)}, ("extra",)),
    ("extra-500-deep", b'{"type": "PrintDone", "extra": {"a": ' + b"[" * 500 + b"]" * 500 + b"}}", ("extra",)),
    (
        "heater-actual-string",
        {"type": "HeaterTargetReached", "extra": {"heater_actual": "215"}},
        ("extra", "heater_actual"),
    ),
    (
        "heater-actual-bool",
        {"type": "HeaterTargetReached", "extra": {"heater_actual": True}},
        ("extra", "heater_actual"),
    ),
    (
        "heater-target-null",
        {"type": "HeaterTargetReached", "extra": {"heater_target": None}},
        ("extra", "heater_target"),
    ),
    (
        "heater-target-list",
        {"type": "HeaterTargetReached", "extra": {"heater_target": [215]}},
        ("extra", "heater_target"),
    ),
    ("heater-name-number", {"type": "HeaterCooledDown", "extra": {"heater_name": 0}}, ("extra", "heater_name")),
    ("extra-value-nul", {"type": "PrintDone", "extra": {"note": "a\x00b"}}, ("extra",)),
    ("extra-key-nul", {"type": "PrintDone", "extra": {"a\x00": 1}}, ("extra",)),
    ("extra-value-surrogate", {"type": "PrintDone", "extra": {"note": "\ud800"}}, ("extra",)),
    ("extra-key-surrogate", {"type": "PrintDone", "extra": {"\udbff": 1}}, ("extra",)),
    ("extra-deep-surrogate", {"type": "PrintDone", "extra": {"a": [{"b": ["ok", "\udc00"]}]}}, ("extra",)),
    ("heater-name-nul", {"type": "HeaterCooledDown", "extra": {"heater_name": "bed\x00"}}, ("extra",)),
    # huge numbers (1e400 parses to infinity; no database stores it, no plugin can send it)
    ("extra-infinite", b'{"type": "PrintDone", "extra": {"x": 1e400}}', ("extra",)),
    ("extra-minus-infinite-nested", b'{"type": "PrintDone", "extra": {"a": [{"b": -1e999}]}}', ("extra",)),
    ("heater-actual-infinite", b'{"type": "HeaterTargetReached", "extra": {"heater_actual": 1e400}}', ("extra",)),
    ("is-warning-huge", b'{"type": "FailureAlert", "is_warning": 1e400}', ("is_warning",)),
    ("print-paused-huge-int", b'{"type": "FailureAlert", "print_paused": ' + b"9" * 400 + b"}", ("print_paused",)),
    (
        "started-at-huge",
        b'{"type": "PrintStarted", "print": {"job_key": "j", "started_at": 1e400}}',
        ("print", "started_at"),
    ),
    # flags
    ("is-warning-maybe", {"type": "FailureAlert", "is_warning": "maybe"}, ("is_warning",)),
    ("is-warning-list", {"type": "FailureAlert", "is_warning": [True]}, ("is_warning",)),
    ("print-paused-object", {"type": "FailureAlert", "print_paused": {}}, ("print_paused",)),
    ("print-paused-2", {"type": "FailureAlert", "print_paused": 2}, ("print_paused",)),
    # img_url
    ("img-url-javascript", {"type": "PrintDone", "img_url": "javascript:alert(1)"}, ("img_url",)),
    ("img-url-ftp-bare", {"type": "PrintDone", "img_url": "ftp://x"}, ("img_url",)),
    ("img-url-ftp", {"type": "PrintDone", "img_url": "ftp://example.com/a.jpg"}, ("img_url",)),
    ("img-url-file", {"type": "PrintDone", "img_url": "file:///etc/passwd"}, ("img_url",)),
    ("img-url-data", {"type": "PrintDone", "img_url": "data:image/png;base64,AAAA"}, ("img_url",)),
    ("img-url-relative", {"type": "PrintDone", "img_url": "/media/a.png"}, ("img_url",)),
    ("img-url-number", {"type": "PrintDone", "img_url": 5}, ("img_url",)),
    ("img-url-too-long", {"type": "PrintDone", "img_url": "https://example.com/" + "a" * 2000}, ("img_url",)),
    ("img-url-nul", {"type": "PrintDone", "img_url": "https://example.com/\x00"}, ("img_url",)),
    ("img-url-surrogate", {"type": "PrintDone", "img_url": "https://example.com/\ud800"}, ("img_url",)),
    # a snapshot can only come as a file
    ("snapshot-as-text", {"type": "PrintDone", "snapshot": "iVBORw0KGgo="}, ("snapshot",)),
]


@pytest.mark.parametrize("body,field", [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_bad_json_is_rejected_naming_the_field(client, media, body, field):
    # Each case also carries a valid print, where it has room for one, so a half-save would show.
    if isinstance(body, dict) and "print" not in body and field[0] != "print":
        body = {**body, "print": {"job_key": "would-be-created"}}
    assert_rejected(post_raw(client, encode(body)), media, field=field)


MULTIPART_CASES = [
    ("print-invalid-json", lambda: {"type": "PrintDone", "print": "{job_key: 1}"}, ("print",)),
    ("print-json-list", lambda: {"type": "PrintDone", "print": "[]"}, ("print",)),
    ("print-json-string", lambda: {"type": "PrintDone", "print": '"j1"'}, ("print",)),
    ("print-job-key-missing", lambda: {"type": "PrintDone", "print": "{}"}, ("print", "job_key")),
    (
        "extra-invalid-json",
        lambda: {"type": "PrintDone", "print": '{"job_key": "j"}', "extra": "heater=bed"},
        ("extra",),
    ),
    ("extra-json-list", lambda: {"type": "PrintDone", "extra": "[1]"}, ("extra",)),
    ("extra-json-null", lambda: {"type": "PrintDone", "extra": "null"}, ("extra",)),
    ("extra-100k-deep", lambda: {"type": "PrintDone", "extra": "[" * 100_000 + "]" * 100_000}, ("extra",)),
    ("extra-infinite", lambda: {"type": "PrintDone", "extra": '{"x": 1e400}'}, ("extra",)),
    (
        "extra-heater-string",
        lambda: {"type": "HeaterCooledDown", "extra": '{"heater_actual": "30"}'},
        ("extra", "heater_actual"),
    ),
    ("type-missing", lambda: {"print": '{"job_key": "j"}', "snapshot": upload(image_bytes())}, ("type",)),
    ("is-warning-maybe", lambda: {"type": "FailureAlert", "is_warning": "maybe"}, ("is_warning",)),
    # the snapshot: each with a valid print too, so a half-saved print or file would show
    ("snapshot-as-text", lambda: {"type": "PrintDone", "snapshot": "not a file"}, ("snapshot",)),
    ("snapshot-empty", lambda: {"type": "PrintDone", "snapshot": upload(b"")}, ("snapshot",)),
    ("snapshot-not-an-image", lambda: {"type": "PrintDone", "snapshot": upload(b"hello, world")}, ("snapshot",)),
    (
        "snapshot-html",
        lambda: {"type": "PrintDone", "snapshot": upload(b"<html><script>alert(1)</script>")},
        ("snapshot",),
    ),
    (
        "snapshot-svg",
        lambda: {
            "type": "PrintDone",
            "snapshot": upload(
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", "image/svg+xml"
            ),
        },
        ("snapshot",),
    ),
    ("snapshot-bmp", lambda: {"type": "PrintDone", "snapshot": upload(image_bytes("BMP"), "a.png")}, ("snapshot",)),
    ("snapshot-tiff", lambda: {"type": "PrintDone", "snapshot": upload(image_bytes("TIFF"), "a.jpg")}, ("snapshot",)),
    ("snapshot-truncated", lambda: {"type": "PrintDone", "snapshot": upload(image_bytes()[:-20])}, ("snapshot",)),
    ("snapshot-bad-crc", lambda: {"type": "PrintDone", "snapshot": upload(corrupted_png())}, ("snapshot",)),
    # 20000 x 20000 = 400 megapixels in ~40 kB: Pillow itself refuses to open it
    (
        "snapshot-decompression-bomb",
        lambda: {"type": "PrintDone", "snapshot": upload(bomb_png(20_000, 20_000))},
        ("snapshot",),
    ),
    # 7000 x 7000 = 49 megapixels: under Pillow's own limit, over MAX_SNAPSHOT_PIXELS' default (40M)
    (
        "snapshot-over-default-pixels",
        lambda: {"type": "PrintDone", "snapshot": upload(bomb_png(7_000, 7_000))},
        ("snapshot",),
    ),
    # a good image with something else wrong: the image must not be written
    ("good-snapshot-bad-type", lambda: {"type": "Nope", "snapshot": upload(image_bytes())}, ("type",)),
    (
        "good-snapshot-bad-extra",
        lambda: {"type": "PrintDone", "extra": '{"a": "\\u0000"}', "snapshot": upload(image_bytes())},
        ("extra",),
    ),
]


@pytest.mark.parametrize("make,field", [c[1:] for c in MULTIPART_CASES], ids=[c[0] for c in MULTIPART_CASES])
def test_bad_multipart_is_rejected_naming_the_field(client, media, make, field):
    body = make()
    if field[0] != "print" and "print" not in body:
        body["print"] = '{"job_key": "would-be-created"}'
    assert_rejected(client.post(URL, body, format="multipart"), media, field=field)


def test_decompression_bomb_is_named_as_such(client, media):
    resp = client.post(URL, {"type": "PrintDone", "snapshot": upload(bomb_png(20_000, 20_000))}, format="multipart")
    assert_rejected(resp, media, field=("snapshot",))
    assert "too many pixels" in resp.json()["snapshot"][0]


def test_within_every_limit_is_accepted(client, media):
    """The edges the rejections above sit next to: so they reject for their reason, not by accident."""
    body = {
        "type": "FailureAlert",
        "id": "k" * 200,
        "is_warning": 1,
        "print": {"job_key": "j" * 200, "filename": "f" * 500, "started_at": "2024-01-01T00:00:00Z"},
        "extra": {**nested(20), "heater_actual": 10**300, "heater_target": -1.5e308, "heater_name": "bed ✓"},
        "img_url": "https://example.com/" + "a" * 1980,
    }
    resp = post_raw(client, encode(body))
    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get()
    assert event.extra["heater_actual"] == 10**300 and event.extra["a"]["a"]["a"]
    assert event.is_warning is True and len(event.print.filename) == 500


# --- sizes ---------------------------------------------------------------------------------------


def test_json_body_over_the_limit_is_413(client, media):
    small = b'{"type": "PrintDone", "print": {"job_key": "j"}}'
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    at_limit = small + b" " * (limit - len(small))  # whitespace: valid JSON of exactly `limit` bytes
    assert_rejected(post_raw(client, at_limit + b" "), media, status=413, field=BODY)

    assert post_raw(client, at_limit).status_code == 202


def test_multipart_body_over_the_limit_is_413(client, media):
    padding = b"\x89PNG\r\n\x1a\n" + b"\0" * settings.MAX_EVENT_REQUEST_BYTES
    resp = client.post(URL, {"type": "PrintDone", "snapshot": upload(padding)}, format="multipart")
    assert_rejected(resp, media, status=413, field=BODY)


def test_a_form_field_over_the_json_limit_is_413(client, media):
    big = json.dumps({"blob": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    resp = client.post(URL, {"type": "PrintDone", "extra": big}, format="multipart")
    assert_rejected(resp, media, status=413, field=BODY)


def test_too_many_form_fields_is_400(client, media):
    body = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    resp = client.post(URL, {**body, "type": "PrintDone"}, format="multipart")
    assert_rejected(resp, media, field=BODY)


def test_snapshot_over_max_snapshot_bytes_is_rejected(client, media, settings):
    data = image_bytes(size=(64, 64), mode="L")
    settings.MAX_SNAPSHOT_BYTES = len(data) - 1
    resp = client.post(URL, {"type": "PrintDone", "snapshot": upload(data)}, format="multipart")
    assert_rejected(resp, media, field=("snapshot",))
    assert str(settings.MAX_SNAPSHOT_BYTES) in resp.json()["snapshot"][0]

    settings.MAX_SNAPSHOT_BYTES = len(data)
    assert client.post(URL, {"type": "PrintDone", "snapshot": upload(data)}, format="multipart").status_code == 202


def test_snapshot_with_too_many_pixels_is_rejected(client, media, settings):
    settings.MAX_SNAPSHOT_PIXELS = 100
    resp = client.post(URL, {"type": "PrintDone", "snapshot": upload(image_bytes(size=(101, 1)))}, format="multipart")
    assert_rejected(resp, media, field=("snapshot",))
    assert "101x1" in resp.json()["snapshot"][0]

    ok = client.post(URL, {"type": "PrintDone", "snapshot": upload(image_bytes(size=(10, 10)))}, format="multipart")
    assert ok.status_code == 202, ok.content


# --- content types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type,raw",
    [
        ("text/plain", b'{"type": "PrintDone"}'),
        ("application/x-www-form-urlencoded", b"type=PrintDone"),
        ("application/xml", b"<event><type>PrintDone</type></event>"),
        ("application/octet-stream", b"\x00\x01"),
        ("image/png", image_bytes()),
    ],
)
def test_unsupported_content_types_are_415(client, media, content_type, raw):
    assert_rejected(post_raw(client, raw, content_type), media, status=415, field=BODY)


def test_multipart_without_a_boundary_is_400(client, media):
    assert_rejected(post_raw(client, b"--x\r\n\r\n", "multipart/form-data"), media, field=BODY)


def test_authentication_is_checked_before_the_body(printer, media):
    resp = APIClient(HTTP_AUTHORIZATION="Bearer wrong").post(URL, data=b"{", content_type="application/json")
    assert_rejected(resp, media, status=401, field=BODY)


# --- the user-facing endpoints ---------------------------------------------------------------------

ENDPOINTS = [
    ("post", "/api/v1/printers/"),
    ("put", "/api/v1/printers/{printer}/"),
    ("patch", "/api/v1/printers/{printer}/"),
    ("post", "/api/v1/notification_settings/"),
    ("put", "/api/v1/notification_settings/{channel}/"),
    ("patch", "/api/v1/notification_settings/{channel}/"),
    ("post", "/api/v1/auth/token/"),
    ("post", "/api/v1/auth/register/"),
    ("put", "/api/v1/me/"),
    ("patch", "/api/v1/me/"),
]

GARBAGE = [
    b'{"name": ',
    b"\xff\xfe{}",
    b"[]",
    b'[{"name": "webhook"}]',
    b"null",
    b'"webhook"',
    b"42",
    b"true",
    b'{"name": null, "username": null, "password": null, "config": null, "printers": null, "email": null}',
    b'{"name": ["x"], "config": "x", "printers": "x", "enabled": "maybe", "username": 5, "password": {}}',
    b'{"name": "webhook", "config": [1], "printers": [null, {}, []], "notify_on_print_done": "maybe"}',
    b'{"name": "webhook", "config": {"custom_webhook_URL": 5}, "printers": [-1, 0, "1", 99999999999999999999999}}',
    b'{"name": 1e400, "label": 1e400, "config": {"custom_webhook_URL": 1e400}, "email": 1e400, "password": 1e400}',
    b'{"name": "webhook", "config": {"custom_webhook_URL": "http://h.example/", "secret": 1e400}}',
    b'{"name": "a\\u0000", "username": "a\\u0000", "password": "pw\\u0000pw-long", "email": "a\\u0000@x.com",'
    b' "first_name": "\\u0000", "config": {"custom_webhook_URL": "http://h.example/\\u0000", "secret": "\\u0000"}}',
    b'{"name": "\\ud800", "username": "\\ud800", "password": "\\udfff\\udfffabcdefgh", "first_name": "\\ud800",'
    b' "label": "\\ud800", "email": "\\ud800@x.com", "config": {"\\ud800": "\\ud800", "secret": "\\ud800"}}',
    b'{"name": "webhook", "config": {"custom_webhook_URL": "http://h.example/", "x": '
    + b"[" * 900
    + b"]" * 900
    + b"}}",
    b"[" * 100_000,
    b'{"notification_enabled": "maybe", "pause_on_failure": [], "watching_enabled": {}, "is_staff": "yes"}',
    b'{"username": "' + b"u" * 10_000 + b'", "password": "' + b"p" * 10_000 + b'", "name": "' + b"n" * 10_000 + b'"}',
]


@pytest.mark.parametrize("body", GARBAGE, ids=[f"body{i}" for i in range(len(GARBAGE))])
@pytest.mark.parametrize("method,url", ENDPOINTS, ids=[f"{m}:{u}" for m, u in ENDPOINTS])
def test_user_endpoints_never_500_on_garbage(api, printer, make_channel, user, method, url, body):
    channel = make_channel(user, config={"custom_webhook_URL": "http://127.0.0.1:9/hook"})
    url = url.format(printer=printer[0].id, channel=channel.id)

    resp = getattr(api, method)(url, data=body, content_type="application/json")

    assert resp.status_code < 500, (resp.status_code, resp.content[:300])
    assert resp["Content-Type"].startswith("application/json"), resp["Content-Type"]
    resp.json()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_channel_printers_with_an_infinite_id_is_not_a_500(api, user, make_channel, method):
    channel = make_channel(user, config={"custom_webhook_URL": "http://127.0.0.1:9/hook"})
    url = "/api/v1/notification_settings/" + ("" if method == "post" else f"{channel.id}/")

    resp = getattr(api, method)(url, data=b'{"name": "webhook", "printers": [1e400]}', content_type="application/json")

    assert resp.status_code == 400, resp.status_code
    assert "printers" in resp.json()


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_after_the_snapshot_is_written_leaves_no_file(client, media):
    from django.db import OperationalError, connection

    def locked(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{PrinterEvent._meta.db_table}"'):  # the file is in storage by now
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    body = {"type": "PrintStarted", "print": '{"job_key": "j1"}', "snapshot": upload(image_bytes())}
    with connection.execute_wrapper(locked), pytest.raises(OperationalError):
        client.post(URL, body, format="multipart")

    assert not PrinterEvent.objects.exists() and not Print.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
