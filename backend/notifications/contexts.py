"""Builds the seed's context objects for one delivery."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from notifications import notification_types
from notifications.delivery_store import DeliveryJob
from notifications.plugin import (
    FailureAlertContext,
    PrinterNotificationContext,
    TestMessageContext,
    UserContext,
)


def user_context(user) -> UserContext:
    """From a User row (the test-message path; deliveries read it with their own query)."""
    return UserContext(
        id=user.id,
        email=user.email or "",
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        unsub_token=str(user.unsub_token),
        dh_balance=float(user.dh_balance),
        is_pro=bool(user.is_pro),
    )


def extra_context(job: DeliveryJob) -> dict[str, Any]:
    extra: dict[str, Any] = dict(job.event.extra) if job.event is not None else {}
    extra.update(
        delivery_id=str(job.uuid),
        attempt=job.attempt,
        event_id=job.event.id if job.event is not None else None,
        site_url=settings.SITE_URL,
    )
    return extra


def event_context(job: DeliveryJob):
    """The FailureAlertContext or PrinterNotificationContext for an event's delivery."""
    event = job.event
    common = dict(
        config=job.config,
        user=job.user,
        printer=event.printer,
        print=event.print,
        extra_context=extra_context(job),
        img_url=event.img_url,
    )
    if event.type == notification_types.FailureAlert:
        return FailureAlertContext(**common, is_warning=event.is_warning, print_paused=event.print_paused)
    return PrinterNotificationContext(
        **common, feature=notification_types.feature_for(event.type), notification_type=event.type
    )


def test_context(job: DeliveryJob) -> TestMessageContext:
    return TestMessageContext(config=job.config, user=job.user, extra_context=extra_context(job))
