"""One printer event through real processes: `manage.py serve` (gunicorn + worker), the HTTP API
as a script uses it, and a real HTTP server receiving the webhook."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.e2e


def test_print_done_travels_from_the_api_to_a_webhook_through_serve(stack, receiver):
    server = stack.serve()
    stack.wait_healthy(server)

    api = stack.api()
    admin = api.register("maker")
    assert admin["is_staff"] is True  # the first account on a new server is its administrator
    api.log_in("maker")
    printer = api.create_printer("Prusa MK4")
    printer_token = printer["auth_token"]
    channel = api.create_webhook(receiver.url)
    event_id = api.post_event(
        printer_token, {"type": "PrintDone", "print": {"job_key": "1", "filename": "benchy.gcode"}}
    )["id"]

    [request] = receiver.wait_for(1, timeout=30)
    body = request.json()
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert body["event"] == "PrintDone"
    assert body["printer"] == {"id": printer["id"], "name": "Prusa MK4"}
    assert set(body["print"]) == {"id", "filename", "started_at", "ended_at"}
    assert isinstance(body["print"]["id"], int) and body["print"]["filename"] == "benchy.gcode"
    assert body["print"]["started_at"] is None
    assert dt.datetime.fromisoformat(body["print"]["ended_at"])  # PrintDone ends the print
    assert "img_url" in body

    [delivery] = api.wait_for_deliveries(event_id, 1, timeout=30)
    assert delivery["status"] == "sent", delivery
    assert delivery["channel"] == channel["id"] and delivery["plugin"] == "webhook"
    assert delivery["attempt_count"] == 1
    assert [a["outcome"] for a in delivery["attempts"]] == ["sent"]
    assert request.headers["x-printbell-delivery"] == delivery["delivery_id"]
    assert len(receiver.requests) == 1
