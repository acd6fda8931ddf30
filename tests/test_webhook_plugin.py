"""The webhook plugin's wire format, signature and delivery id, against a real local server."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from notifications.models import Delivery
from tests.support.queue import drain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hook(user, make_channel, receiver):
    def make(**config):
        return make_channel(user, config={"custom_webhook_URL": receiver.url, **config}, notify_on_heater_status=True)

    return make


def _send(post_event, token, body, receiver, count=1):
    assert post_event(token, body).status_code == 202
    drain()
    return receiver.wait_for(count)[-1]


def test_print_done_payload(printer, hook, receiver, post_event):
    hook()
    printer_obj, token = printer
    got = _send(
        post_event,
        token,
        {
            "type": "PrintDone",
            "img_url": "https://cam.example/s.jpg",
            "print": {"job_key": "7", "filename": "b<&>.gcode", "started_at": "2026-12-01T10:00:00Z"},
        },
        receiver,
    )
    assert got.method == "POST" and got.path == "/hook"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-printbell-event"] == "PrintDone"
    assert "x-printbell-signature" not in got.headers
    body = got.json()
    assert body["event"] == "PrintDone"
    assert body["printer"] == {"id": printer_obj.id, "name": "Prusa MK4"}
    assert body["print"]["filename"] == "b<&>.gcode"  # JSON needs no markup escaping
    assert body["print"]["started_at"] == "2026-12-01T10:00:00+00:00"
    assert body["print"]["ended_at"]  # set when the print ended
    assert body["img_url"] == "https://cam.example/s.jpg"
    delivery = Delivery.objects.get()
    assert got.headers["x-printbell-delivery"] == str(delivery.uuid)


def test_failure_alert_payload(printer, hook, receiver, post_event):
    hook()
    body = _send(
        post_event,
        printer[1],
        {"type": "FailureAlert", "is_warning": True, "print_paused": False, "print": {"job_key": "1"}},
        receiver,
    ).json()
    assert body["event"] == "PrintFailure"
    assert body["is_warning"] is True and body["print_paused"] is False
    assert body["img_url"] == ""


def test_heater_payload_without_a_print(printer, hook, receiver, post_event):
    hook()
    extra = {"heater_name": "bed", "heater_actual": 60.5, "heater_target": 60}
    body = _send(post_event, printer[1], {"type": "HeaterTargetReached", "extra": extra}, receiver).json()
    assert body["event"] == "HeaterTargetReached"
    assert body["print"] is None
    assert body["heater"] == {"name": "bed", "actual": 60.5, "target": 60}


def test_signature_is_hmac_sha256_of_the_exact_body(printer, hook, receiver, post_event):
    hook(secret="s3cret-signing-key")
    got = _send(post_event, printer[1], {"type": "PrintDone", "print": {"job_key": "1"}}, receiver)
    expected = hmac.new(b"s3cret-signing-key", got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-printbell-signature"] == f"sha256={expected}"


@pytest.mark.django_db
def test_test_message_payload(api, user, make_channel, receiver):
    channel = make_channel(user, config={"custom_webhook_URL": receiver.url})
    resp = api.post(f"/api/v1/notification_settings/{channel.id}/send_test_message/")
    assert resp.status_code == 200, resp.content
    (got,) = receiver.requests
    assert got.json() == {"event": "TestEvent"}
    assert got.headers["x-printbell-delivery"] == str(Delivery.objects.get(event=None).uuid)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "http:// or https://"),
        ("not a url", "Enter a valid URL."),
        ("", "This field may not be blank."),
    ],
)
def test_config_is_validated(api, url, message):
    resp = api.post(
        "/api/v1/notification_settings/",
        {"name": "webhook", "config": {"custom_webhook_URL": url}},
        format="json",
    )
    assert resp.status_code == 400
    assert message in str(resp.json()["config"]["custom_webhook_URL"])
