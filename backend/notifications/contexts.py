"""Builds the seed's context objects from the database rows of one delivery."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from notifications import notification_types
from notifications.plugin import (
    FailureAlertContext,
    PrintContext,
    PrinterContext,
    PrinterNotificationContext,
    TestMessageContext,
    UserContext,
)

NO_PRINT = PrintContext(id=0, filename="", started_at=None, ended_at=None, alerted_at=None, alert_overwrite="")


def user_context(user) -> UserContext:
    return UserContext(
        id=user.id,
        email=user.email or "",
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        unsub_token=str(user.unsub_token),
        dh_balance=float(user.dh_balance),
        is_pro=bool(user.is_pro),
    )


def printer_context(printer) -> PrinterContext:
    return PrinterContext(
        id=printer.id,
        name=printer.name,
        pause_on_failure=printer.pause_on_failure,
        watching_enabled=printer.watching_enabled,
    )


def print_context(print_) -> PrintContext:
    if print_ is None:
        return NO_PRINT
    return PrintContext(
        id=print_.id,
        filename=print_.filename,
        started_at=print_.started_at,
        ended_at=print_.ended_at,
        alerted_at=print_.alerted_at,
        alert_overwrite=print_.alert_overwrite or "",
    )


def image_url(event) -> str:
    """The snapshot's absolute URL, or the agent's own img_url, or "" (never None)."""
    if event.snapshot:
        return f"{settings.SITE_URL}{settings.MEDIA_URL}{event.snapshot.name}"
    return event.img_url or ""


def extra_context(delivery, event=None) -> dict[str, Any]:
    extra: dict[str, Any] = dict(event.extra) if event is not None else {}
    extra.update(
        delivery_id=str(delivery.uuid),
        attempt=delivery.attempt_count,
        event_id=event.id if event is not None else None,
        site_url=settings.SITE_URL,
    )
    return extra


def event_context(delivery, config: dict):
    """The FailureAlertContext or PrinterNotificationContext for an event's delivery."""
    event = delivery.event
    common = dict(
        config=config,
        user=user_context(delivery.user),
        printer=printer_context(event.printer),
        print=print_context(event.print),
        extra_context=extra_context(delivery, event),
        img_url=image_url(event),
    )
    if event.type == notification_types.FailureAlert:
        return FailureAlertContext(**common, is_warning=event.is_warning, print_paused=event.print_paused)
    return PrinterNotificationContext(
        **common, feature=notification_types.feature_for(event.type), notification_type=event.type
    )


def test_context(delivery, config: dict) -> TestMessageContext:
    return TestMessageContext(config=config, user=user_context(delivery.user), extra_context=extra_context(delivery))
