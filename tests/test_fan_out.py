"""Which channels get an event: each rule suppresses a delivery on its own."""

from __future__ import annotations

import pytest

from notifications.models import Delivery
from tests.support.queue import drain

from .conftest import PLUGIN_FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)

DONE = {"type": "PrintDone", "print": {"job_key": "1", "filename": "a.gcode"}}


def _post(post_event, token, body=DONE):
    resp = post_event(token, body)
    assert resp.status_code in (200, 202), resp.content
    drain()
    return resp.json()["id"]


def test_a_matching_channel_gets_exactly_one_delivery(user, printer, make_channel, receiver, post_event):
    channel = make_channel(user, config={"custom_webhook_URL": receiver.url})
    event_id = _post(post_event, printer[1])
    assert list(Delivery.objects.values_list("event_id", "channel_id", "status")) == [
        (event_id, channel.id, Delivery.SENT)
    ]
    assert len(receiver.requests) == 1


def test_event_toggle_off_suppresses(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url}, notify_on_print_done=False)
    _post(post_event, printer[1])
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_toggle_default_off_suppresses_print_start(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})  # notify_on_print_start defaults to False
    _post(post_event, printer[1], {"type": "PrintStarted", "print": {"job_key": "1"}})
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_disabled_channel_suppresses(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url}, enabled=False)
    _post(post_event, printer[1])
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_global_switch_off_suppresses(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    user.notification_enabled = False
    user.save()
    _post(post_event, printer[1])
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_unsupported_feature_suppresses(user, printer, make_channel, plugin_dirs, post_event):
    plugin_dirs(PLUGIN_FIXTURES / "dummy")
    import notifications.plugins.dummy as dummy

    dummy.SENT.clear()
    make_channel(user, name="dummy", config={"target": "t"}, notify_on_print_resume=True, notify_on_print_pause=True)
    _post(post_event, printer[1], {"type": "PrintResumed", "print": {"job_key": "1"}})  # dummy lacks print_resume
    assert Delivery.objects.count() == 0 and dummy.SENT == []
    _post(post_event, printer[1], {"type": "PrintPaused", "print": {"job_key": "1"}})  # but has print_pause
    assert Delivery.objects.get().status == Delivery.SENT and len(dummy.SENT) == 1


def test_printer_filter_suppresses_other_printers(user, make_printer, make_channel, receiver, post_event):
    (p1, t1), (_, t2) = make_printer(user, "one"), make_printer(user, "two")
    limited = make_channel(user, config={"custom_webhook_URL": receiver.url}, printers=[p1])
    _post(post_event, t2)
    assert Delivery.objects.count() == 0 and receiver.requests == []
    _post(post_event, t1)
    assert list(Delivery.objects.values_list("channel_id", flat=True)) == [limited.id]


def test_channel_without_printers_gets_every_printer(user, make_printer, make_channel, receiver, post_event):
    (_, t1), (_, t2) = make_printer(user, "one"), make_printer(user, "two")
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    _post(post_event, t1)
    _post(post_event, t2)
    assert Delivery.objects.count() == 2


def test_another_users_channels_never_get_my_events(user, other_user, printer, make_channel, receiver, post_event):
    make_channel(other_user, config={"custom_webhook_URL": receiver.url})
    _post(post_event, printer[1])
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_duplicate_idempotency_key_creates_no_second_delivery(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    body = {**DONE, "id": "job-1-done"}
    first = _post(post_event, printer[1], body)
    again = post_event(printer[1], body)
    drain()
    assert again.status_code == 200 and again.json() == {"id": first, "duplicate": True}
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_several_channels_each_get_their_own_delivery(user, printer, make_channel, receiver, post_event):
    for _ in range(3):
        make_channel(user, config={"custom_webhook_URL": receiver.url})
    _post(post_event, printer[1])
    requests = receiver.wait_for(3)
    assert len({r.headers["x-printbell-delivery"] for r in requests}) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.SENT}


def test_channel_whose_plugin_is_gone_shows_a_failed_delivery(user, printer, make_channel, post_event):
    make_channel(user, name="uninstalled_plugin", config={})
    _post(post_event, printer[1])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.FAILED
    assert "'uninstalled_plugin' is not loaded" in delivery.last_error


def test_fan_out_twice_is_harmless(user, printer, make_channel, receiver, post_event):
    from notifications.dispatch import fan_out

    make_channel(user, config={"custom_webhook_URL": receiver.url})
    event_id = _post(post_event, printer[1])
    assert fan_out(event_id) == 0
    drain()
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 1
