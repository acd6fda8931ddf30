"""The life of an event after it is stored: fan-out to channels, then one delivery at a time.

Durability rests on the database, not on the queue: a delivery row exists before any send, is
claimed with a conditional UPDATE (so duplicate tasks are harmless and several workers can run),
holds a lease while it is being sent, and is finished in one short transaction together with the
attempt's record. `notifications.sweep` re-queues whatever a crashed worker left behind. The SQL
itself is in `notifications.delivery_store`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import contexts, delivery_store, loader, notification_types
from notifications.backoff import retry_delay
from notifications.config_schema import secret_values
from notifications.delivery_store import DeliveryJob
from notifications.models import Delivery
from notifications.outcome import PERMANENT, SENT, SKIPPED, TRANSIENT, Outcome, classify, redact

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


def fan_out(event_id: int) -> int:
    """Create one delivery per interested channel and queue them; return how many were queued.

    A channel gets the event when its owner's global switch is on, it is enabled, its toggle for
    the event's feature is on, its printer list is empty or names the printer, and its plugin
    supports the feature. A channel whose plugin is not loaded gets a failed delivery saying so.
    Safe to run twice: the event is claimed in the same transaction."""
    now = timezone.now()
    with transaction.atomic():
        claimed = delivery_store.claim_event(event_id, now)
        if claimed is None:
            return 0
        event_type, printer_id, owner_id, notifications_on = claimed
        if not notifications_on:
            return 0
        feature = notification_types.feature_for(event_type)
        registry = loader.registry()
        rows = []
        for channel_id, plugin_id in delivery_store.channels_for(owner_id, printer_id, feature):
            plugin = registry.get(plugin_id)
            if plugin is None:
                rows.append((channel_id, Delivery.FAILED, f"Plugin {plugin_id!r} is not loaded on this server"))
            elif feature in plugin.features:
                rows.append((channel_id, Delivery.PENDING, ""))
        if not rows:
            return 0
        pending = delivery_store.insert_deliveries(event_id, owner_id, event_type, rows, now)
        transaction.on_commit(lambda: [enqueue_delivery(i) for i in pending])
    return len(pending)


# --- One delivery ----------------------------------------------------------------------------


def claim(delivery_id: int, now: dt.datetime) -> bool:
    return delivery_store.claim(delivery_id, now)


def deliver(delivery_id: int) -> str | None:
    """Make one attempt at a delivery. Returns the attempt's outcome, or None if the delivery was
    not ours to send (already done, not yet due, or claimed by another worker)."""
    started = timezone.now()
    if not delivery_store.claim(delivery_id, started):
        return None
    job = delivery_store.load(delivery_id)
    if job is None:
        return None
    plugin = loader.registry().get(job.plugin_id)
    t0 = time.monotonic()
    if plugin is None:
        outcome = Outcome(PERMANENT, f"Plugin {job.plugin_id!r} is not loaded on this server")
    else:
        outcome = call_plugin(plugin.instance, job)
    duration_ms = int((time.monotonic() - t0) * 1000)
    outcome = safe(outcome, plugin.instance if plugin else None, job.config)
    finish(job, outcome, started, duration_ms)
    return outcome.kind


def call_plugin(plugin, job: DeliveryJob) -> Outcome:
    try:
        if job.event is None:
            plugin.send_test_message(contexts.test_context(job))
        elif job.event.type == notification_types.FailureAlert:
            plugin.send_failure_alert(contexts.event_context(job))
        else:
            plugin.send_printer_notification(contexts.event_context(job))
    except Exception as exc:  # noqa: BLE001 - every plugin error is recorded, none escapes
        return classify(exc)
    return classify(None)


def safe(outcome: Outcome, plugin, config: dict) -> Outcome:
    """The outcome with every secret removed from its error."""
    if not outcome.error:
        return outcome
    error = redact(outcome.error, secret_values(plugin, config))
    return Outcome(outcome.kind, error, outcome.http_status, outcome.retry_after)


def finish(job: DeliveryJob, outcome: Outcome, started: dt.datetime, duration_ms: int, retry: bool = True) -> str:
    """Record the attempt and move the delivery on: sent, skipped, failed, or pending a retry.
    Returns the delivery's new status."""
    number = job.attempt
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

    attempt = {
        "started_at": started,
        "duration_ms": duration_ms,
        "outcome": outcome.kind,
        "http_status": outcome.http_status,
        "error": outcome.error,
    }
    if not delivery_store.finish(job.id, number, fields, attempt):
        # Our lease expired and the sweep handed the delivery to someone else.
        logger.warning("Delivery %s attempt %s finished after its lease expired (%s)", job.id, number, outcome.kind)
        return Delivery.SENDING
    if next_at is not None:
        enqueue_delivery(job.id, next_at)
    if outcome.kind in (TRANSIENT, PERMANENT):
        logger.info("Delivery %s attempt %s: %s: %s", job.id, number, outcome.kind, outcome.error)
    return fields["status"]
