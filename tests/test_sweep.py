"""Work left behind by a crashed worker is found and finished: expired leases, lost tasks,
events never fanned out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from notifications import dispatch
from notifications.models import Delivery, DeliveryAttempt
from notifications.sweep import sweep
from printers.models import PrinterEvent
from tests.support.queue import drain

pytestmark = pytest.mark.django_db(transaction=True)

DONE = {"type": "PrintDone", "print": {"job_key": "1"}}


@pytest.fixture
def pending_delivery(user, printer, make_channel, receiver, post_event):
    """A delivery created by fan-out whose task was lost (the queue is emptied)."""
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    post_event(printer[1], DONE)
    HUEY.dequeue()  # the fan-out task
    dispatch.fan_out(PrinterEvent.objects.get().id)
    HUEY.flush()  # lose the delivery's task, as a killed worker would
    return Delivery.objects.get()


def _age(queryset, field, seconds=3600):
    """Make rows look as old as a crash long ago would have left them."""
    queryset.update(**{field: timezone.now() - dt.timedelta(seconds=seconds)})


def test_expired_lease_records_a_lost_attempt_and_delivers_again(pending_delivery, receiver):
    assert dispatch.claim(pending_delivery.id, timezone.now())  # a worker took it ... and died
    _age(Delivery.objects.all(), "lease_expires_at")

    counts = sweep(queue_is_empty=True)
    drain()

    assert counts["lost"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.SENT
    assert [(a.number, a.outcome) for a in delivery.attempts.all()] == [(1, "lost"), (2, "sent")]
    assert len(receiver.requests) == 1


def test_lease_not_yet_expired_is_left_alone(pending_delivery):
    now = timezone.now()
    assert dispatch.claim(pending_delivery.id, now)
    assert sweep(queue_is_empty=True) == {"lost": 0, "requeued": 0, "refanned": 0}
    assert Delivery.objects.get().status == Delivery.SENDING


def test_lost_last_attempt_fails_the_delivery(settings, pending_delivery):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    dispatch.claim(pending_delivery.id, timezone.now())
    _age(Delivery.objects.all(), "lease_expires_at")
    sweep(queue_is_empty=True)
    drain()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.FAILED
    assert DeliveryAttempt.objects.get().outcome == "lost"


def test_overdue_pending_delivery_is_requeued_when_the_queue_is_empty(pending_delivery, receiver):
    assert sweep(queue_is_empty=True)["requeued"] == 0  # just created: its task may be on its way
    _age(Delivery.objects.all(), "next_attempt_at")
    assert sweep(queue_is_empty=False)["requeued"] == 0  # busy queue: its task may be waiting
    assert sweep(queue_is_empty=True)["requeued"] == 1
    drain()
    assert Delivery.objects.get().status == Delivery.SENT
    assert len(receiver.requests) == 1


def test_a_duplicate_task_sends_once(pending_delivery, receiver):
    dispatch.enqueue_delivery(pending_delivery.id)
    dispatch.enqueue_delivery(pending_delivery.id)
    drain()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().attempt_count == 1


def test_event_never_fanned_out_is_fanned_out(user, printer, make_channel, receiver, post_event):
    make_channel(user, config={"custom_webhook_URL": receiver.url})
    post_event(printer[1], DONE)
    HUEY.flush()  # the fan-out task is lost
    assert sweep(queue_is_empty=True)["refanned"] == 0  # too recent: may still be on its way
    _age(PrinterEvent.objects.all(), "created_at")
    counts = sweep(queue_is_empty=True)
    drain()
    assert counts["refanned"] == 1
    assert Delivery.objects.get().status == Delivery.SENT
    assert PrinterEvent.objects.get().fanned_out_at is not None


def test_test_message_cut_off_by_a_crash_is_marked_failed(user, make_channel):
    channel = make_channel(user, config={"custom_webhook_URL": "http://127.0.0.1:9/"})
    Delivery.objects.create(
        user=user, channel=channel, kind="TestMessage", status=Delivery.SENDING, attempt_count=1,
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1),
    )  # fmt: skip
    sweep(queue_is_empty=True)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.FAILED and "stopped" in delivery.last_error


def test_a_delivery_whose_channel_was_deleted_after_the_claim_is_dropped(pending_delivery, receiver):
    from notifications import delivery_store

    assert dispatch.claim(pending_delivery.id, timezone.now())
    pending_delivery.channel.delete()  # cascades to the delivery
    assert delivery_store.load(pending_delivery.id) is None
    dispatch.enqueue_delivery(pending_delivery.id)
    drain()
    assert receiver.requests == []
