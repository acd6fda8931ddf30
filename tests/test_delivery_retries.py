"""Transient failures retry with the same delivery id; permanent ones stop at once; Retry-After
is honoured; the budget is respected. Real webhook plugin, real local HTTP server."""

from __future__ import annotations

import pytest

from notifications.models import Delivery
from tests.support.queue import drain
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver_one(printer, post_event):
    _, token = printer
    resp = post_event(token, {"type": "PrintDone", "print": {"job_key": "j1", "filename": "cube.gcode"}})
    assert resp.status_code == 202, resp.content
    drain()
    return Delivery.objects.get(event_id=resp.json()["id"])


def test_503_twice_then_200_arrives_on_third_attempt_with_same_delivery_id(
    user, printer, make_channel, receiver, post_event
):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.reply(Reply(503, b"busy"), Reply(503, b"busy"))

    delivery = _deliver_one(printer, post_event)

    requests = receiver.wait_for(3)
    assert len(requests) == 3
    ids = {r.headers["x-printbell-delivery"] for r in requests}
    assert ids == {str(delivery.uuid)}
    assert delivery.status == Delivery.SENT
    assert delivery.attempt_count == 3
    outcomes = list(delivery.attempts.values_list("number", "outcome", "http_status"))
    assert outcomes == [(1, "transient", 503), (2, "transient", 503), (3, "sent", None)]
    assert "HTTP 503" in delivery.attempts.get(number=1).error


def test_400_is_permanent_one_attempt_and_failed_with_reason(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.reply(Reply(400, b'{"error": "unknown chat"}'))

    delivery = _deliver_one(printer, post_event)

    assert len(receiver.requests) == 1
    assert delivery.status == Delivery.FAILED
    assert delivery.attempt_count == 1
    assert "HTTP 400" in delivery.last_error and "unknown chat" in delivery.last_error
    attempt = delivery.attempts.get()
    assert (attempt.outcome, attempt.http_status) == ("permanent", 400)


def test_429_retry_after_is_respected(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.reply(Reply(429, b"slow down", {"Retry-After": "1"}))

    delivery = _deliver_one(printer, post_event)

    first, second = receiver.wait_for(2)
    assert second.at - first.at >= 1.0
    assert delivery.status == Delivery.SENT
    a1, a2 = delivery.attempts.all()
    assert (a2.started_at - a1.started_at).total_seconds() >= 1.0
    assert a1.http_status == 429


def test_transient_failures_stop_at_the_budget(settings, user, printer, make_channel, receiver, post_event):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.default = Reply(500, b"down")

    delivery = _deliver_one(printer, post_event)

    assert len(receiver.requests) == 3
    assert delivery.status == Delivery.FAILED
    assert "gave up after 3 attempts" in delivery.last_error


def test_connection_refused_is_transient(settings, user, printer, make_channel, post_event):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    make_channel(user, config={"custom_webhook_URL": "http://127.0.0.1:9/hook"})

    delivery = _deliver_one(printer, post_event)

    assert [a.outcome for a in delivery.attempts.all()] == ["transient", "transient"]
    assert "Could not connect to http://127.0.0.1:9" in delivery.last_error


def test_timeout_is_transient_and_bounded(settings, user, printer, make_channel, receiver, post_event):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    settings.OUTBOUND_READ_TIMEOUT = 0.3
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    receiver.reply(Reply(200, delay=2))

    delivery = _deliver_one(printer, post_event)

    attempt = delivery.attempts.get()
    assert attempt.outcome == "transient"
    assert "No answer from" in attempt.error
    assert attempt.duration_ms < 1500
