"""The database side of one delivery and one fan-out, in plain SQL (see `core.sql` for why).

`claim` takes a due delivery for this worker, `load` reads everything its send needs in one
query, `finish` records the attempt and the delivery's new state in one short transaction, and
`fan_out_rows` turns an event into delivery rows. The rules themselves live in
`notifications.dispatch`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from core.sql import dt_param, table, to_dt, to_json, to_uuid, uuid_param
from notifications.models import Delivery, DeliveryAttempt, NotificationSetting
from notifications.plugin import Feature, PrintContext, PrinterContext, UserContext
from printers.models import Print, Printer, PrinterEvent

NO_PRINT = PrintContext(id=0, filename="", started_at=None, ended_at=None, alerted_at=None, alert_overwrite="")


@dataclasses.dataclass(frozen=True)
class EventData:
    id: int
    type: str
    is_warning: bool
    print_paused: bool
    extra: dict
    img_url: str
    printer: PrinterContext
    print: PrintContext


@dataclasses.dataclass(frozen=True)
class DeliveryJob:
    """Everything needed to make one attempt at a delivery."""

    id: int
    uuid: uuid.UUID
    attempt: int
    plugin_id: str
    config: dict
    user: UserContext
    event: EventData | None  # None for a test message


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a pending, due delivery until its lease expires; False if it is not ours to send."""
    due = now + dt.timedelta(seconds=1)  # the queue's clock and ours may differ slightly
    lease = now + dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Delivery)} SET status = %s, lease_expires_at = %s, attempt_count = attempt_count + 1 "
            "WHERE id = %s AND status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s)",
            [Delivery.SENDING, dt_param(lease), delivery_id, Delivery.PENDING, dt_param(due)],
        )
        return cursor.rowcount == 1


_LOAD = """
SELECT d.uuid, d.attempt_count, c.name, c.config,
       u.id, u.email, u.first_name, u.last_name, u.unsub_token, u.dh_balance, u.is_pro,
       e.id, e.type, e.is_warning, e.print_paused, e.extra, e.snapshot, e.img_url,
       p.id, p.name, p.pause_on_failure, p.watching_enabled,
       pr.id, pr.filename, pr.started_at, pr.ended_at, pr.alerted_at, pr.alert_overwrite
FROM {delivery} d
JOIN {channel} c ON c.id = d.channel_id
JOIN {user} u ON u.id = d.user_id
LEFT JOIN {event} e ON e.id = d.event_id
LEFT JOIN {printer} p ON p.id = e.printer_id
LEFT JOIN {print} pr ON pr.id = e.print_id
WHERE d.id = %s
"""


def load(delivery_id: int) -> DeliveryJob | None:
    """None if the delivery is gone (its channel was deleted since the claim)."""
    from django.contrib.auth import get_user_model

    sql = _LOAD.format(
        delivery=table(Delivery), channel=table(NotificationSetting), user=table(get_user_model()),
        event=table(PrinterEvent), printer=table(Printer), print=table(Print),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [delivery_id])
        r = cursor.fetchone()
    if r is None:
        return None
    user = UserContext(
        id=r[4], email=r[5] or "", first_name=r[6] or "", last_name=r[7] or "",
        unsub_token=str(to_uuid(r[8])), dh_balance=float(r[9]), is_pro=bool(r[10]),
    )  # fmt: skip
    event = None
    if r[11] is not None:
        print_ = NO_PRINT
        if r[22] is not None:
            print_ = PrintContext(
                id=r[22], filename=r[23], started_at=to_dt(r[24]), ended_at=to_dt(r[25]),
                alerted_at=to_dt(r[26]), alert_overwrite=r[27] or "",
            )  # fmt: skip
        event = EventData(
            id=r[11], type=r[12], is_warning=bool(r[13]), print_paused=bool(r[14]), extra=to_json(r[15]) or {},
            img_url=image_url(r[16], r[17]),
            printer=PrinterContext(id=r[18], name=r[19], pause_on_failure=bool(r[20]), watching_enabled=bool(r[21])),
            print=print_,
        )  # fmt: skip
    return DeliveryJob(
        id=delivery_id, uuid=to_uuid(r[0]), attempt=r[1], plugin_id=r[2], config=to_json(r[3]) or {},
        user=user, event=event,
    )  # fmt: skip


def image_url(snapshot_name: str | None, img_url: str | None) -> str:
    """The snapshot's absolute URL, or the agent's own img_url, or "" (never None)."""
    if snapshot_name:
        return f"{settings.SITE_URL}{settings.MEDIA_URL}{snapshot_name}"
    return img_url or ""


_FINISH_FIELDS = {"status", "next_attempt_at", "lease_expires_at", "last_error", "finished_at"}


def finish(
    delivery_id: int,
    number: int,
    fields: dict[str, Any],
    attempt: dict[str, Any],
) -> bool:
    """Apply `fields` to a delivery still held by attempt `number`, and record the attempt, in one
    transaction. False (and nothing written) if the lease was lost to another worker."""
    names = list(fields)
    if not set(names) <= _FINISH_FIELDS:
        raise ValueError(f"not a delivery field finish() may set: {set(names) - _FINISH_FIELDS}")
    values = [dt_param(v) if isinstance(v, dt.datetime) else v for v in fields.values()]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Delivery)} SET {', '.join(f'{n} = %s' for n in names)} "
            "WHERE id = %s AND status = %s AND attempt_count = %s",
            [*values, delivery_id, Delivery.SENDING, number],
        )
        if cursor.rowcount != 1:
            return False
        cursor.execute(
            f"INSERT INTO {table(DeliveryAttempt)} "
            "(delivery_id, number, started_at, duration_ms, outcome, http_status, error) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                delivery_id, number, dt_param(attempt["started_at"]), attempt["duration_ms"],
                attempt["outcome"], attempt["http_status"], attempt["error"],
            ],
        )  # fmt: skip
    return True


# --- Fan-out ---------------------------------------------------------------------------------


def claim_event(event_id: int, now: dt.datetime) -> tuple[str, int, int, bool] | None:
    """Mark the event fanned out; return (type, printer id, owner id, owner's switch), or None if
    another worker already did. Call inside the fan-out's transaction."""
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(PrinterEvent)} SET fanned_out_at = %s WHERE id = %s AND fanned_out_at IS NULL",
            [dt_param(now), event_id],
        )
        if cursor.rowcount != 1:
            return None
        cursor.execute(
            f"SELECT e.type, e.printer_id, p.owner_id, u.notification_enabled FROM {table(PrinterEvent)} e "
            f"JOIN {table(Printer)} p ON p.id = e.printer_id JOIN {table(get_user_model())} u ON u.id = p.owner_id "
            "WHERE e.id = %s",
            [event_id],
        )
        event_type, printer_id, owner_id, enabled = cursor.fetchone()
    return event_type, printer_id, owner_id, bool(enabled)


def channels_for(owner_id: int, printer_id: int, feature: Feature) -> list[tuple[int, str]]:
    """(id, plugin id) of the owner's enabled channels whose toggle for `feature` is on and whose
    printer list is empty or names the printer. Indexed lookups only."""
    through = table(NotificationSetting.printers.through)
    toggle = connection.ops.quote_name(Feature(feature).value)  # a Feature member: a known column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.name FROM {table(NotificationSetting)} c "
            f"WHERE c.user_id = %s AND c.enabled = %s AND c.{toggle} = %s "
            f"AND (NOT EXISTS (SELECT 1 FROM {through} t WHERE t.notificationsetting_id = c.id) "
            f"OR EXISTS (SELECT 1 FROM {through} t WHERE t.notificationsetting_id = c.id AND t.printer_id = %s)) "
            "ORDER BY c.id",
            [owner_id, True, True, printer_id],
        )
        return cursor.fetchall()


def insert_deliveries(
    event_id: int, owner_id: int, kind: str, rows: list[tuple[int, str, str]], now: dt.datetime
) -> list[int]:
    """Insert one delivery per (channel id, status, error); return the ids of the pending ones."""
    when = dt_param(now)
    params = [
        [
            uuid_param(uuid.uuid4()), owner_id, event_id, channel_id, kind, status, 0, when, error, when,
            when if status != Delivery.PENDING else None,
        ]
        for channel_id, status, error in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table(Delivery)} (uuid, user_id, event_id, channel_id, kind, status, attempt_count, "
            "next_attempt_at, last_error, created_at, finished_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            params,
        )
        cursor.execute(
            f"SELECT id FROM {table(Delivery)} WHERE event_id = %s AND status = %s ORDER BY id",
            [event_id, Delivery.PENDING],
        )
        return [row[0] for row in cursor.fetchall()]
