"""The queue's tasks. Each delivery is its own task, so a slow or broken channel never holds up
another; the work itself lives in `notifications.dispatch`."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import HUEY, db_task

from notifications import dispatch


@db_task(name="fan_out_event")
def fan_out_event(event_id: int) -> None:
    dispatch.fan_out(event_id)


@db_task(name="deliver")
def deliver(delivery_id: int) -> None:
    dispatch.deliver(delivery_id)


def _enqueue(delivery_id: int, eta: dt.datetime | None = None) -> None:
    if eta is None or eta <= dt.datetime.now(dt.UTC):
        deliver(delivery_id)
    else:
        deliver.schedule(args=(delivery_id,), eta=eta)


def queue_is_empty() -> bool:
    return HUEY.pending_count() == 0


dispatch.set_enqueuer(_enqueue)
