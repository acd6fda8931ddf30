"""The delivery log over the API: real deliveries (events posted by a printer, sent by the queue
to real local HTTP servers), filters, attempts, and clean 400s for bad filter values."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.models import Delivery
from tests.support.queue import drain
from tests.support.receiver import Receiver, Reply

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/deliveries/"
FIELDS = {
    "id",
    "delivery_id",
    "event",
    "channel",
    "plugin",
    "kind",
    "status",
    "attempt_count",
    "next_attempt_at",
    "last_error",
    "created_at",
    "finished_at",
    "attempts",
}
ATTEMPT_FIELDS = {"number", "started_at", "duration_ms", "outcome", "http_status", "error"}


@pytest.fixture
def refusing_receiver():
    r = Receiver()
    r.default = Reply(400, b'{"error": "hook disabled"}')
    yield r
    r.close()


@pytest.fixture
def log(user, printer, make_channel, receiver, refusing_receiver, post_event):
    """Two events, each delivered to a channel that accepts and to one that refuses."""
    _, token = printer
    ok = make_channel(user, config={"custom_webhook_URL": receiver.url}, label="ok")
    bad = make_channel(user, config={"custom_webhook_URL": refusing_receiver.url}, label="bad")
    events = []
    for n, kind in enumerate(["PrintDone", "FilamentChange"]):
        resp = post_event(token, {"type": kind, "id": f"e{n}", "print": {"job_key": "j1", "filename": "cube.gcode"}})
        assert resp.status_code == 202, resp.content
        events.append(resp.json()["id"])
    drain()
    assert Delivery.objects.count() == 4
    return {"events": events, "ok": ok.id, "bad": bad.id}


def _get(api, **params) -> list[dict]:
    resp = api.get(URL, params)
    assert resp.status_code == 200, resp.content
    return resp.json()["results"]


def _pairs(results) -> set[tuple[int, int]]:
    return {(d["event"], d["channel"]) for d in results}


def test_every_delivery_is_listed_newest_first(api, log):
    results = _get(api)

    assert len(results) == 4
    assert [d["id"] for d in results] == sorted((d["id"] for d in results), reverse=True)
    assert all(set(d) == FIELDS for d in results)
    e1, e2 = log["events"]
    assert _pairs(results) == {(e1, log["ok"]), (e1, log["bad"]), (e2, log["ok"]), (e2, log["bad"])}


def test_filter_by_event(api, log):
    e1, e2 = log["events"]

    assert _pairs(_get(api, event=e1)) == {(e1, log["ok"]), (e1, log["bad"])}
    assert _pairs(_get(api, event=e2)) == {(e2, log["ok"]), (e2, log["bad"])}


def test_filter_by_channel(api, log):
    e1, e2 = log["events"]

    assert _pairs(_get(api, channel=log["bad"])) == {(e1, log["bad"]), (e2, log["bad"])}


def test_filter_by_status(api, log):
    e1, e2 = log["events"]

    assert _pairs(_get(api, status="sent")) == {(e1, log["ok"]), (e2, log["ok"])}
    assert _pairs(_get(api, status="failed")) == {(e1, log["bad"]), (e2, log["bad"])}
    assert _get(api, status="pending") == []


def test_filters_combine(api, log):
    e1, _ = log["events"]

    assert _pairs(_get(api, event=e1, status="failed")) == {(e1, log["bad"])}
    assert _pairs(_get(api, event=e1, channel=log["ok"])) == {(e1, log["ok"])}
    assert _get(api, channel=log["ok"], status="failed") == []


def test_filters_by_ids_that_do_not_exist_return_nothing(api, log):
    assert _get(api, event=10**9) == []
    assert _get(api, channel=10**9) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "bogus"}, "status"),
        ({"status": "SENT"}, "status"),
        ({"event": "abc"}, "event"),
        ({"event": "1.5"}, "event"),
        ({"event": "NaN"}, "event"),
        ({"event": "0"}, "event"),
        ({"event": "-3"}, "event"),
        ({"event": "99999999999999999999"}, "event"),
        ({"event": "-99999999999999999999"}, "event"),
        ({"channel": "1e400"}, "channel"),
        ({"channel": "x"}, "channel"),
        ({"channel": str(2**63)}, "channel"),
    ],
)
def test_invalid_filter_values_are_400_naming_the_parameter(api, user, params, field):
    resp = api.get(URL, params)

    assert resp.status_code == 400, resp.content
    assert list(resp.json()) == [field]


def test_each_delivery_shows_its_attempts(api, log):
    e1, _ = log["events"]
    (sent,) = _get(api, event=e1, channel=log["ok"])
    (failed,) = _get(api, event=e1, channel=log["bad"])

    assert sent["status"] == "sent" and sent["kind"] == "PrintDone" and sent["plugin"] == "webhook"
    assert sent["attempt_count"] == 1 and sent["last_error"] == "" and sent["finished_at"]
    (attempt,) = sent["attempts"]
    assert set(attempt) == ATTEMPT_FIELDS
    assert attempt["number"] == 1 and attempt["outcome"] == "sent"
    assert attempt["http_status"] is None and attempt["error"] == ""
    assert isinstance(attempt["duration_ms"], int) and attempt["duration_ms"] >= 0
    started = dt.datetime.fromisoformat(attempt["started_at"].replace("Z", "+00:00"))
    created = dt.datetime.fromisoformat(sent["created_at"].replace("Z", "+00:00"))
    assert started >= created

    assert failed["status"] == "failed" and failed["attempt_count"] == 1
    assert "HTTP 400" in failed["last_error"] and "hook disabled" in failed["last_error"]
    (attempt,) = failed["attempts"]
    assert attempt["outcome"] == "permanent" and attempt["http_status"] == 400
    assert "HTTP 400" in attempt["error"] and "hook disabled" in attempt["error"]


def test_a_retried_delivery_lists_every_attempt_in_order(api, user, printer, make_channel, receiver, post_event):
    _, token = printer
    channel = make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.reply(Reply(503, b"maintenance"), Reply(500, b"oops"))

    event_id = post_event(token, {"type": "PrintDone", "print": {"job_key": "j9"}}).json()["id"]
    drain()

    (delivery,) = _get(api, event=event_id)
    assert delivery["channel"] == channel.id and delivery["status"] == "sent" and delivery["attempt_count"] == 3
    attempts = delivery["attempts"]
    assert [(a["number"], a["outcome"], a["http_status"]) for a in attempts] == [
        (1, "transient", 503),
        (2, "transient", 500),
        (3, "sent", None),
    ]
    assert "maintenance" in attempts[0]["error"] and "oops" in attempts[1]["error"]
    assert attempts[0]["started_at"] <= attempts[1]["started_at"] <= attempts[2]["started_at"]
    ids = {r.headers["x-printbell-delivery"] for r in receiver.wait_for(3)}
    assert ids == {delivery["delivery_id"]}


def test_one_delivery_can_be_retrieved(api, log):
    first = _get(api)[0]

    resp = api.get(f"{URL}{first['id']}/")

    assert resp.status_code == 200
    assert resp.json() == first
    assert api.get(f"{URL}999999999/").status_code == 404


def test_the_log_is_paginated(api, log):
    resp = api.get(URL, {"page_size": 3})

    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"]
    second = api.get(URL, {"page_size": 3, "page": 2}).json()
    assert len(second["results"]) == 1
    assert {d["id"] for d in body["results"]} | {d["id"] for d in second["results"]} == set(
        Delivery.objects.values_list("id", flat=True)
    )


def test_the_log_is_read_only(api, log):
    delivery_id = _get(api)[0]["id"]

    assert api.post(URL, {"channel": log["ok"]}, format="json").status_code == 405
    assert api.patch(f"{URL}{delivery_id}/", {"status": "sent"}, format="json").status_code == 405
    assert api.delete(f"{URL}{delivery_id}/").status_code == 405
    assert Delivery.objects.count() == 4


def test_deleting_a_channel_removes_its_deliveries_from_the_log(api, log):
    assert api.delete(f"/api/v1/notification_settings/{log['bad']}/").status_code == 204

    assert {d["channel"] for d in _get(api)} == {log["ok"]}
