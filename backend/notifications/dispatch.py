"""The life of an event after it is stored: fan-out to channels, then one delivery at a time.

Durability rests on the database, not on the queue: a delivery row exists before any send, is
claimed with a conditional UPDATE (so duplicate tasks are harmless and several workers can run),
holds a lease while it is being sent, and is finished in one short transaction together with the
attempt's record. `notifications.sweep` re-queues whatever a crashed worker left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import contexts, loader, notification_types
from notifications.backoff import retry_delay
from notifications.config_schema import secret_values
from notifications.models import Delivery, DeliveryAttempt, NotificationSetting
from notifications.outcome import PERMANENT, SENT, SKIPPED, TRANSIENT, Outcome, classify, redact
from printers.models import PrinterEvent

logger = logging.getLogger(__name__)

# Set by notifications.tasks: how a delivery is handed to the queue (now, or at a given time).
Enqueuer = Callable[[int, "dt.datetime | None"], None]
_enqueue_delivery: Enqueuer | None = None


def set_enqueuer(fn: Enqueuer) -> None:
    global _enqueue_delivery
    _enqueue_delivery = fn


def enqueue_delivery(delivery_id: int, eta: dt.datetime | None = None) -> None:
    assert _enqueue_delivery is not None, "notifications.tasks has not been imported"
    _enqueue_delivery(delivery_id, eta)


# --- Fan-out ---------------------------------------------------------------------------------


def channels_for(event: PrinterEvent):
    """The channels that want this event: user's switch, channel enabled, the event's toggle,
    and the channel's printer filter (empty = all printers). Indexed lookups only."""
    feature = notification_types.feature_for(event.type)
    return (
        NotificationSetting.objects.filter(user_id=event.printer.owner_id, enabled=True, **{feature.value: True})
        .filter(Q(printers__isnull=True) | Q(printers=event.printer_id))
        .distinct()
    )


def fan_out(event_id: int) -> int:
    """Create one delivery per interested channel and queue them. Returns how many were queued.
    Safe to run twice: the event is claimed, and (event, channel) is unique."""
    now = timezone.now()
    to_queue: list[int] = []
    with transaction.atomic():
        if not PrinterEvent.objects.filter(id=event_id, fanned_out_at__isnull=True).update(fanned_out_at=now):
            return 0
        event = PrinterEvent.objects.select_related("printer__owner").get(id=event_id)
        owner = event.printer.owner
        if not owner.notification_enabled:
            return 0
        feature = notification_types.feature_for(event.type)
        registry = loader.registry()
        rows = []
        for channel in channels_for(event):
            plugin = registry.get(channel.name)
            if plugin is not None and feature not in plugin.features:
                continue  # the plugin cannot send this kind of notification
            row = Delivery(
                user_id=owner.id, event_id=event.id, channel_id=channel.id, kind=event.type, next_attempt_at=now
            )
            if plugin is None:
                row.status = Delivery.FAILED
                row.last_error = f"Plugin {channel.name!r} is not loaded on this server"
                row.finished_at = now
            rows.append(row)
        if rows:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            to_queue = list(
                Delivery.objects.filter(event_id=event.id, status=Delivery.PENDING).values_list("id", flat=True)
            )
        transaction.on_commit(lambda: [enqueue_delivery(i) for i in to_queue])
    return len(to_queue)


# --- One delivery ----------------------------------------------------------------------------


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a pending, due delivery for this worker until its lease expires."""
    due = now + dt.timedelta(seconds=1)  # the queue's clock and ours may differ slightly
    lease = now + dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    return bool(
        Delivery.objects.filter(id=delivery_id, status=Delivery.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=due))
        .update(status=Delivery.SENDING, lease_expires_at=lease, attempt_count=F("attempt_count") + 1)
    )


def deliver(delivery_id: int) -> str | None:
    """Make one attempt at a delivery. Returns the attempt's outcome, or None if the delivery was
    not ours to send (already done, not yet due, or claimed by another worker)."""
    started = timezone.now()
    if not claim(delivery_id, started):
        return None
    delivery = Delivery.objects.select_related("channel", "user", "event__printer", "event__print").get(id=delivery_id)
    plugin = loader.registry().get(delivery.channel.name)
    t0 = time.monotonic()
    if plugin is None:
        outcome = Outcome(PERMANENT, f"Plugin {delivery.channel.name!r} is not loaded on this server")
    else:
        outcome = _call_plugin(plugin.instance, delivery)
    duration_ms = int((time.monotonic() - t0) * 1000)
    outcome = _safe(outcome, plugin.instance if plugin else None, delivery.channel.config)
    finish(delivery, outcome, started, duration_ms)
    return outcome.kind


def _call_plugin(plugin, delivery: Delivery) -> Outcome:
    config = dict(delivery.channel.config or {})
    try:
        if delivery.event is None:
            plugin.send_test_message(contexts.test_context(delivery, config))
        elif delivery.event.type == notification_types.FailureAlert:
            plugin.send_failure_alert(contexts.event_context(delivery, config))
        else:
            plugin.send_printer_notification(contexts.event_context(delivery, config))
    except Exception as exc:  # noqa: BLE001 - every plugin error is recorded, none escapes
        return classify(exc)
    return classify(None)


def _safe(outcome: Outcome, plugin, config: dict) -> Outcome:
    if not outcome.error:
        return outcome
    error = redact(outcome.error, secret_values(plugin, config))
    return Outcome(outcome.kind, error, outcome.http_status, outcome.retry_after)


def finish(delivery: Delivery, outcome: Outcome, started: dt.datetime, duration_ms: int, retry: bool = True) -> None:
    """Record the attempt and move the delivery on: sent, skipped, failed, or pending a retry."""
    number = delivery.attempt_count
    now = timezone.now()
    fields: dict = {"lease_expires_at": None, "last_error": outcome.error}
    next_at = None
    if outcome.kind == SENT:
        fields.update(status=Delivery.SENT, finished_at=now, last_error="")
    elif outcome.kind == SKIPPED:
        fields.update(status=Delivery.SKIPPED, finished_at=now)
    elif outcome.kind == TRANSIENT and retry and number < settings.DELIVERY_MAX_ATTEMPTS:
        next_at = now + dt.timedelta(seconds=retry_delay(number, outcome.retry_after))
        fields.update(status=Delivery.PENDING, next_attempt_at=next_at)
    else:
        if outcome.kind == TRANSIENT and retry:
            fields["last_error"] = f"{outcome.error} (gave up after {number} attempts)"
        fields.update(status=Delivery.FAILED, finished_at=now)

    with transaction.atomic():
        updated = Delivery.objects.filter(id=delivery.id, status=Delivery.SENDING, attempt_count=number).update(
            **fields
        )
        if not updated:
            # Our lease expired and the sweep handed the delivery to someone else.
            logger.warning(
                "Delivery %s attempt %s finished after its lease expired (%s)", delivery.id, number, outcome.kind
            )
            return
        DeliveryAttempt.objects.create(
            delivery_id=delivery.id,
            number=number,
            started_at=started,
            duration_ms=duration_ms,
            outcome=outcome.kind,
            http_status=outcome.http_status,
            error=outcome.error,
        )
        if next_at is not None:
            transaction.on_commit(lambda: enqueue_delivery(delivery.id, next_at))
    for key, value in fields.items():
        setattr(delivery, key, value)
    if outcome.kind in (TRANSIENT, PERMANENT):
        logger.info("Delivery %s attempt %s: %s: %s", delivery.id, number, outcome.kind, outcome.error)
