"""Finds work that a crashed or killed worker left behind and puts it back in the queue.

- A delivery whose lease expired while `sending` gets a `lost` attempt on record and becomes
  pending again (or failed, if its attempts are used up).
- When the queue is empty, deliveries that are overdue and events never fanned out must have lost
  their task; they are queued again. (Claims make any duplicate task harmless.)

Every worker runs this every DELIVERY_SWEEP_SECONDS and once at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.dispatch import enqueue_delivery
from notifications.models import Delivery, DeliveryAttempt
from printers.models import PrinterEvent

logger = logging.getLogger(__name__)
BATCH = 500


def sweep(queue_is_empty: bool) -> dict[str, int]:
    now = timezone.now()
    counts = {"lost": _recover_expired_leases(now)}
    counts["requeued"] = counts["refanned"] = 0
    if queue_is_empty:
        grace = dt.timedelta(seconds=max(2.0, settings.DELIVERY_SWEEP_SECONDS))
        counts["requeued"] = _requeue_overdue(now - grace)
        counts["refanned"] = _refan_events(now - grace)
    if any(counts.values()):
        logger.warning("Sweep recovered work: %s", counts)
    return counts


def _recover_expired_leases(now: dt.datetime) -> int:
    expired = list(
        Delivery.objects.filter(status=Delivery.SENDING, lease_expires_at__lt=now)
        .exclude(event__isnull=True)
        .values_list("id", "attempt_count", "lease_expires_at")[:BATCH]
    )
    recovered = []
    for delivery_id, number, lease in expired:
        error = "The worker stopped during this attempt; it will be tried again."
        exhausted = number >= settings.DELIVERY_MAX_ATTEMPTS
        fields = {"status": Delivery.PENDING, "next_attempt_at": now, "lease_expires_at": None, "last_error": error}
        if exhausted:
            error = "The worker stopped during the last allowed attempt."
            fields.update(status=Delivery.FAILED, finished_at=now, last_error=error)
        with transaction.atomic():
            if not Delivery.objects.filter(id=delivery_id, status=Delivery.SENDING, attempt_count=number).update(
                **fields
            ):
                continue
            started = lease - dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
            DeliveryAttempt.objects.create(
                delivery_id=delivery_id, number=number, started_at=started, outcome=DeliveryAttempt.LOST, error=error
            )
        if not exhausted:
            recovered.append(delivery_id)
    for delivery_id in recovered:
        enqueue_delivery(delivery_id)
    # Test messages are sent in the web request; one left `sending` was cut off with its process.
    Delivery.objects.filter(status=Delivery.SENDING, lease_expires_at__lt=now, event__isnull=True).update(
        status=Delivery.FAILED, finished_at=now, lease_expires_at=None, last_error="The server stopped while sending."
    )
    return len(recovered)


def _requeue_overdue(before: dt.datetime) -> int:
    ids = list(
        Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lt=before).values_list("id", flat=True)[
            :BATCH
        ]
    )
    for delivery_id in ids:
        enqueue_delivery(delivery_id)
    return len(ids)


def _refan_events(before: dt.datetime) -> int:
    from notifications.tasks import fan_out_event

    ids = list(
        PrinterEvent.objects.filter(fanned_out_at__isnull=True, created_at__lt=before).values_list("id", flat=True)[
            :BATCH
        ]
    )
    for event_id in ids:
        fan_out_event(event_id)
    return len(ids)
