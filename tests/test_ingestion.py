"""POST /api/v1/printer/events/: a printer reports an event with its own token; the event is stored
once per idempotency key, its print is kept up to date, and a snapshot is stored under an
unguessable name, served back, and handed to plugins as an absolute URL."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from notifications.models import Delivery
from printers.models import Print, PrinterEvent
from tests.support.queue import drain

URL = "/api/v1/printer/events/"
SNAPSHOT_NAME = re.compile(r"^snapshots/[0-9a-f]{64}\.(jpg|png|webp|gif)$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A media folder of this test's own, so files can be counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt: str = "PNG", size=(32, 24), color=(200, 30, 90)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def upload(data: bytes, name: str = "cam.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def fetch(path: str):
    """GET a URL path with no credentials at all, as a provider fetching an image would."""
    response = Client().get(path)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    response.close()
    return response, body


def snapshot_files(media) -> list:
    folder = media / "snapshots"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- JSON ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event_type",
    [
        "PrintStarted",
        "PrintDone",
        "PrintCancelled",
        "PrintPaused",
        "PrintResumed",
        "FilamentChange",
        "HeaterCooledDown",
        "HeaterTargetReached",
        "FailureAlert",
    ],
)
def test_every_event_type_is_accepted_and_stored(printer, post_event, event_type):
    p, token = printer
    resp = post_event(token, {"type": event_type})

    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get()
    assert resp.json() == {"id": event.id, "duplicate": False}
    assert (event.printer_id, event.type, event.print, event.extra) == (p.id, event_type, None, {})


@pytest.mark.django_db
def test_json_event_stores_every_field(printer, post_event):
    p, token = printer
    body = {
        "type": "HeaterTargetReached",
        "id": "evt-1",
        "print": {"job_key": "job-7", "filename": "benchy.gcode"},
        "extra": {"heater_name": "extruder", "heater_actual": 214.6, "heater_target": 215},
        "img_url": "https://cam.example.com/still.jpg",
    }
    resp = post_event(token, body)

    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get(id=resp.json()["id"])
    assert event.printer_id == p.id
    assert event.type == "HeaterTargetReached"
    assert event.idempotency_key == "evt-1"
    assert event.extra == {"heater_name": "extruder", "heater_actual": 214.6, "heater_target": 215}
    assert event.img_url == "https://cam.example.com/still.jpg"
    assert not event.snapshot
    assert (event.print.job_key, event.print.filename, event.print.printer_id) == ("job-7", "benchy.gcode", p.id)


@pytest.mark.django_db
def test_failure_alert_keeps_its_flags(printer, post_event):
    _, token = printer
    resp = post_event(token, {"type": "FailureAlert", "is_warning": True, "print_paused": True})

    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get()
    assert (event.type, event.is_warning, event.print_paused) == ("FailureAlert", True, True)


@pytest.mark.django_db
def test_the_printer_comes_from_the_token_never_from_the_body(user, other_user, make_printer, post_event):
    mine, token = make_printer(user)
    theirs, _ = make_printer(other_user, "Theirs")

    resp = post_event(token, {"type": "PrintDone", "printer": theirs.id, "print": {"job_key": "j"}})

    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get()
    assert event.printer_id == mine.id
    assert event.print.printer_id == mine.id
    assert not theirs.events.exists() and not theirs.prints.exists()


# --- the Print row ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_print_started_without_a_time_is_stamped_now(printer, post_event):
    _, token = printer
    before = timezone.now()
    resp = post_event(token, {"type": "PrintStarted", "print": {"job_key": "j1", "filename": "cube.gcode"}})
    after = timezone.now()

    assert resp.status_code == 202, resp.content
    print_obj = Print.objects.get()
    assert (print_obj.job_key, print_obj.filename) == ("j1", "cube.gcode")
    assert before <= print_obj.started_at <= after
    assert print_obj.ended_at is None and print_obj.alerted_at is None


@pytest.mark.django_db
def test_print_started_keeps_the_time_the_agent_sent(printer, post_event):
    _, token = printer
    resp = post_event(
        token, {"type": "PrintStarted", "print": {"job_key": "j1", "started_at": "2024-05-01T10:00:00+02:00"}}
    )

    assert resp.status_code == 202, resp.content
    assert Print.objects.get().started_at == dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["PrintDone", "PrintCancelled"])
def test_a_print_is_found_again_by_job_key_and_ended(printer, post_event, ending):
    _, token = printer
    started = "2024-05-01T08:00:00Z"
    post_event(
        token, {"type": "PrintStarted", "print": {"job_key": "j1", "filename": "a.gcode", "started_at": started}}
    )
    post_event(token, {"type": "PrintPaused", "print": {"job_key": "j1"}})
    before = timezone.now()
    resp = post_event(token, {"type": ending, "print": {"job_key": "j1", "filename": "renamed.gcode"}})

    assert resp.status_code == 202, resp.content
    print_obj = Print.objects.get()  # still one print
    assert print_obj.filename == "renamed.gcode"
    assert print_obj.started_at == dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)  # not overwritten by "now"
    assert print_obj.ended_at >= before
    assert list(PrinterEvent.objects.order_by("id").values_list("print_id", flat=True)) == [print_obj.id] * 3


@pytest.mark.django_db
def test_print_done_keeps_the_end_time_the_agent_sent(printer, post_event):
    _, token = printer
    resp = post_event(token, {"type": "PrintDone", "print": {"job_key": "j1", "ended_at": "2024-05-01T12:30:00Z"}})

    assert resp.status_code == 202, resp.content
    assert Print.objects.get().ended_at == dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_failure_alert_marks_the_print_alerted(printer, post_event):
    _, token = printer
    post_event(token, {"type": "PrintStarted", "print": {"job_key": "j1"}})
    assert Print.objects.get().alerted_at is None
    before = timezone.now()

    resp = post_event(token, {"type": "FailureAlert", "is_warning": True, "print": {"job_key": "j1"}})

    assert resp.status_code == 202, resp.content
    print_obj = Print.objects.get()
    assert print_obj.alerted_at >= before
    assert print_obj.ended_at is None


@pytest.mark.django_db
def test_job_keys_are_per_printer(user, make_printer, post_event):
    a, token_a = make_printer(user, "A")
    b, token_b = make_printer(user, "B")
    post_event(token_a, {"type": "PrintStarted", "print": {"job_key": "1", "filename": "a.gcode"}})
    post_event(token_b, {"type": "PrintStarted", "print": {"job_key": "1", "filename": "b.gcode"}})

    assert a.prints.get().filename == "a.gcode"
    assert b.prints.get().filename == "b.gcode"


# --- snapshots -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fmt,ext,content_type",
    [("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"), ("WEBP", "webp", "image/webp")],
)
def test_multipart_snapshot_is_stored_unguessably_and_served_back(printer, post_event, media, fmt, ext, content_type):
    p, token = printer
    data = image_bytes(fmt)
    body = {
        "type": "FailureAlert",
        "is_warning": "true",
        "print_paused": "false",
        "print": '{"job_key": "j9", "filename": "vase.gcode"}',
        "extra": '{"score": 0.93}',
        "snapshot": upload(data, name="../../etc/evil.php"),
    }
    resp = post_event(token, body, format="multipart")

    assert resp.status_code == 202, resp.content
    event = PrinterEvent.objects.get(id=resp.json()["id"])
    assert (event.type, event.is_warning, event.print_paused, event.extra) == (
        "FailureAlert",
        True,
        False,
        {"score": 0.93},
    )
    assert (event.print.job_key, event.print.filename) == ("j9", "vase.gcode")
    assert SNAPSHOT_NAME.match(event.snapshot.name), event.snapshot.name
    assert event.snapshot.name.endswith(f".{ext}")  # named by what the bytes are, not by the client
    assert snapshot_files(media) == [media / event.snapshot.name]

    served, served_bytes = fetch(f"/media/{event.snapshot.name}")
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served_bytes == data


@pytest.mark.django_db
def test_the_same_image_twice_gets_two_different_names(printer, post_event, media):
    _, token = printer
    data = image_bytes()
    for _ in range(2):
        resp = post_event(token, {"type": "PrintDone", "snapshot": upload(data)}, format="multipart")
        assert resp.status_code == 202, resp.content
    names = {e.snapshot.name for e in PrinterEvent.objects.all()}
    assert len(names) == 2 and len(snapshot_files(media)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/snapshots/" + "0" * 64 + ".png",  # well-formed, no such file
        "/media/snapshots/abc.png",
        "/media/snapshots/..%2F..%2Fsettings.py",
        "/media/",
    ],
)
def test_unknown_snapshot_paths_are_404(printer, post_event, path):
    _, token = printer
    assert (
        post_event(token, {"type": "PrintDone", "snapshot": upload(image_bytes())}, format="multipart").status_code
        == 202
    )

    response, _ = fetch(path)
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_plugin_receives_the_snapshot_as_an_absolute_url(user, printer, make_channel, receiver, post_event):
    _, token = printer
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    data = image_bytes("JPEG")

    resp = post_event(token, {"type": "PrintDone", "snapshot": upload(data, "x.jpg", "image/jpeg")}, format="multipart")
    assert resp.status_code == 202, resp.content
    drain()

    event = PrinterEvent.objects.get()
    [request] = receiver.requests
    img_url = request.json()["img_url"]
    assert img_url == f"{settings.SITE_URL}/media/{event.snapshot.name}"
    assert img_url.startswith("http://printbell.test/media/snapshots/")
    served, served_bytes = fetch(img_url.removeprefix(settings.SITE_URL))
    assert served.status_code == 200 and served_bytes == data


@pytest.mark.django_db(transaction=True)
def test_plugin_receives_the_agents_img_url(user, printer, make_channel, receiver, post_event):
    _, token = printer
    make_channel(user, config={"custom_webhook_URL": receiver.url})

    resp = post_event(token, {"type": "PrintDone", "img_url": "https://cam.example.com/a.jpg?t=1"})
    assert resp.status_code == 202, resp.content
    drain()

    [request] = receiver.requests
    assert request.json()["img_url"] == "https://cam.example.com/a.jpg?t=1"


# --- idempotency -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_key_returns_the_first_event_and_creates_nothing(printer, post_event, media):
    _, token = printer
    first = post_event(
        token,
        {
            "type": "PrintStarted",
            "id": "k-1",
            "print": '{"job_key": "j1", "filename": "a.gcode"}',
            "snapshot": upload(image_bytes()),
        },
        format="multipart",
    )
    assert first.status_code == 202, first.content
    files = snapshot_files(media)

    again = post_event(
        token,
        {
            "type": "PrintDone",
            "id": "k-1",
            "print": '{"job_key": "j2", "filename": "b.gcode"}',
            "snapshot": upload(image_bytes(color=(0, 0, 0))),
        },
        format="multipart",
    )

    assert again.status_code == 200, again.content
    assert again.json() == {"id": first.json()["id"], "duplicate": True}
    assert PrinterEvent.objects.count() == 1
    assert PrinterEvent.objects.get().type == "PrintStarted"
    assert list(Print.objects.values_list("job_key", "filename", "ended_at")) == [("j1", "a.gcode", None)]
    assert snapshot_files(media) == files


@pytest.mark.django_db
def test_without_a_key_every_post_is_a_new_event(printer, post_event):
    _, token = printer
    ids = {post_event(token, {"type": "PrintPaused"}).json()["id"] for _ in range(3)}
    assert len(ids) == 3 and PrinterEvent.objects.count() == 3


@pytest.mark.django_db
def test_the_same_key_on_two_printers_is_two_events(user, make_printer, post_event):
    a, token_a = make_printer(user, "A")
    b, token_b = make_printer(user, "B")

    ra = post_event(token_a, {"type": "PrintDone", "id": "same"})
    rb = post_event(token_b, {"type": "PrintDone", "id": "same"})

    assert (ra.status_code, rb.status_code) == (202, 202)
    assert ra.json()["id"] != rb.json()["id"]
    assert a.events.count() == 1 and b.events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_repeated_key_is_delivered_once(user, printer, make_channel, receiver, post_event):
    _, token = printer
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    body = {"type": "PrintDone", "id": "done-42", "print": {"job_key": "42", "filename": "benchy.gcode"}}

    first = post_event(token, body)
    drain()
    second = post_event(token, body)
    third = post_event(token, body)
    drain()

    assert (first.status_code, second.status_code, third.status_code) == (202, 200, 200)
    assert first.json()["id"] == second.json()["id"] == third.json()["id"]
    assert PrinterEvent.objects.count() == 1
    delivery = Delivery.objects.get()
    assert (delivery.event_id, delivery.status, delivery.attempt_count) == (first.json()["id"], Delivery.SENT, 1)
    [request] = receiver.requests
    assert request.json()["event"] == "PrintDone"
    assert request.json()["print"]["filename"] == "benchy.gcode"


@pytest.mark.django_db(transaction=True)
def test_a_key_stored_by_a_concurrent_request_is_answered_as_a_duplicate(printer, post_event, media):
    """Another request stores the same key just after this one looked for it: the unique constraint
    catches it, this request answers with that event, and its own print change and file are undone."""
    from django.db import connection

    p, token = printer
    table = PrinterEvent._meta.db_table
    seen = {"inserts": 0, "rival": None}

    def race(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{table}"'):
            seen["inserts"] += 1
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and "idempotency_key" in sql and seen["rival"] is None:
            seen["rival"] = PrinterEvent.objects.create(printer=p, type="PrintStarted", idempotency_key="k-race")
        return result

    body = {"type": "PrintDone", "id": "k-race", "print": '{"job_key": "j1"}', "snapshot": upload(image_bytes())}
    with connection.execute_wrapper(race):
        resp = post_event(token, body, format="multipart")

    assert resp.status_code == 200, resp.content
    assert resp.json() == {"id": seen["rival"].id, "duplicate": True}
    assert seen["inserts"] == 2  # the rival's, then this request's, refused by the constraint
    assert list(PrinterEvent.objects.values_list("id", flat=True)) == [seen["rival"].id]
    assert not Print.objects.exists()
    assert snapshot_files(media) == []


# --- authentication --------------------------------------------------------------------------------


def _post_with(headers: dict, client=None):
    client = client or APIClient()
    return client.post(URL, {"type": "PrintDone"}, format="json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer not-a-real-token"},
        {"HTTP_AUTHORIZATION": "Bearer two words"},
        {"HTTP_AUTHORIZATION": "Basic YWxpY2U6cHctYWxpY2UtMTIz"},  # alice's own password
    ],
    ids=["none", "bearer-empty", "bearer-blank", "bearer-unknown", "bearer-two-words", "basic"],
)
def test_missing_or_invalid_credentials_are_401(printer, headers):
    resp = _post_with(headers)
    assert resp.status_code == 401, resp.content
    assert "detail" in resp.json()
    assert not PrinterEvent.objects.exists()


@pytest.mark.django_db
def test_a_replaced_token_stops_working(api, printer, post_event):
    p, old = printer
    new = api.post(f"/api/v1/printers/{p.id}/regenerate_token/").json()["auth_token"]

    assert post_event(old, {"type": "PrintDone"}).status_code == 401
    assert post_event(new, {"type": "PrintDone"}).status_code == 202
    assert PrinterEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_deleted_printers_token_is_401(api, printer, post_event):
    p, token = printer
    assert api.delete(f"/api/v1/printers/{p.id}/").status_code == 204

    assert post_event(token, {"type": "PrintDone"}).status_code == 401
    assert not PrinterEvent.objects.exists()


@pytest.mark.django_db
def test_a_deactivated_owners_printer_is_401(user, printer, post_event):
    _, token = printer
    user.is_active = False
    user.save()

    assert post_event(token, {"type": "PrintDone"}).status_code == 401
    assert not PrinterEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_user_api_token_is_not_a_printer_token(user, printer, keyword):
    token = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}, format="json")
    assert token.status_code == 200, token.content
    key = token.json()["token"]
    assert APIClient().get("/api/v1/printers/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200  # it is valid

    resp = _post_with({"HTTP_AUTHORIZATION": f"{keyword} {key}"})

    assert resp.status_code == 401, resp.content
    assert not PrinterEvent.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_browser_session_is_not_a_printer_token(user, printer):
    client = APIClient()
    assert client.login(username="alice", password="pw-alice-123")

    resp = _post_with({}, client=client)

    assert resp.status_code == 401, resp.content
    assert not PrinterEvent.objects.exists()
