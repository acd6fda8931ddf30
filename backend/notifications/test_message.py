"""The "Test" button: send a test message now, wait for the answer, record it as a delivery."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.utils import timezone

from notifications import loader
from notifications.contexts import user_context
from notifications.delivery_store import DeliveryJob
from notifications.dispatch import call_plugin, finish, safe
from notifications.models import Delivery, NotificationSetting
from notifications.outcome import PERMANENT, TRANSIENT, Outcome

KIND = "TestMessage"
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="test-message")


def send_test_message(channel: NotificationSetting) -> tuple[Delivery, Outcome]:
    """Send synchronously, bounded by TEST_MESSAGE_TIMEOUT_SECONDS. Never retried: the user is
    looking at the result."""
    started = timezone.now()
    delivery = Delivery.objects.create(
        user=channel.user,
        channel=channel,
        kind=KIND,
        status=Delivery.SENDING,
        attempt_count=1,
        lease_expires_at=started + dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
    )
    job = DeliveryJob(
        id=delivery.id,
        uuid=delivery.uuid,
        attempt=1,
        plugin_id=channel.name,
        config=dict(channel.config or {}),
        user=user_context(channel.user),
        event=None,
    )
    plugin = loader.registry().get(channel.name)
    t0 = time.monotonic()
    if plugin is None:
        outcome = Outcome(PERMANENT, f"Plugin {channel.name!r} is not loaded on this server")
    else:
        future = _executor.submit(call_plugin, plugin.instance, job)
        timeout = settings.TEST_MESSAGE_TIMEOUT_SECONDS
        try:
            outcome = future.result(timeout=timeout)
        except FutureTimeout:
            outcome = Outcome(TRANSIENT, f"The channel did not answer within {timeout:g} s")
    duration_ms = int((time.monotonic() - t0) * 1000)
    outcome = safe(outcome, plugin.instance if plugin else None, channel.config)
    delivery.status = finish(job, outcome, started, duration_ms, retry=False)
    return delivery, outcome
