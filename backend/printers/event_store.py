"""The database side of accepting an event, in plain SQL (see `core.sql` for why): the printer
behind a token, the event already stored under an idempotency key, the print upsert and the event
row. Run once per event, so each is one statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from core.sql import dt_param, insert_returning_id, json_param, table
from notifications import notification_types
from printers.models import Print, Printer, PrinterEvent


def printer_for_token(token_hash: str) -> Printer | None:
    """The printer (with its owner attached) whose token has this hash, if its owner is active."""
    user_model = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.name, p.owner_id, p.pause_on_failure, p.watching_enabled FROM {table(Printer)} p "
            f"JOIN {table(user_model)} u ON u.id = p.owner_id WHERE p.token_hash = %s AND u.is_active = %s",
            [token_hash, True],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    printer = Printer(id=row[0], name=row[1], owner_id=row[2], pause_on_failure=row[3], watching_enabled=row[4])
    printer.owner = user_model(id=row[2], is_active=True)  # enough for permission checks; no query
    return printer


def event_for_key(printer_id: int, key: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table(PrinterEvent)} WHERE printer_id = %s AND idempotency_key = %s",
            [printer_id, key],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def upsert_print(printer_id: int, event_type: str, info: dict, now: dt.datetime) -> int:
    """Create or update the print the agent calls `info["job_key"]`; return its id.

    Given fields win; PrintStarted fills a missing start, PrintDone/PrintCancelled a missing end,
    and FailureAlert stamps alerted_at."""
    started = dt_param(now) if event_type == notification_types.PrintStarted else None
    ended = dt_param(now) if event_type in (notification_types.PrintDone, notification_types.PrintCancelled) else None
    alerted = dt_param(now) if event_type == notification_types.FailureAlert else None
    filename = info.get("filename")
    given_start, given_end = dt_param(info.get("started_at")), dt_param(info.get("ended_at"))
    t = table(Print)
    # COALESCE only next to a column: PostgreSQL must see each NULL's type.
    sql = (
        f"INSERT INTO {t} (printer_id, job_key, filename, started_at, ended_at, alerted_at, alert_overwrite, "
        "created_at) VALUES (%s, %s, %s, %s, %s, %s, '', %s) "
        "ON CONFLICT (printer_id, job_key) DO UPDATE SET "
        f"filename = COALESCE(%s, {t}.filename), "
        f"started_at = COALESCE(%s, {t}.started_at, %s), "
        f"ended_at = COALESCE(%s, {t}.ended_at, %s), "
        f"alerted_at = COALESCE(%s, {t}.alerted_at)"
    )
    params: list[Any] = [
        printer_id, info["job_key"], filename or "", given_start or started, given_end or ended, alerted,
        dt_param(now), filename, given_start, started, given_end, ended, alerted,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        return insert_returning_id(cursor, sql, params)


def insert_event(printer_id: int, print_id: int | None, data: dict, snapshot: str, now: dt.datetime) -> int:
    t = table(PrinterEvent)
    sql = (
        f"INSERT INTO {t} (printer_id, print_id, type, is_warning, print_paused, extra, snapshot, img_url, "
        "idempotency_key, created_at, fanned_out_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL)"
    )
    params = [
        printer_id, print_id, data["type"], data.get("is_warning", False), data.get("print_paused", False),
        json_param(data.get("extra") or {}), snapshot, data.get("img_url") or "", data.get("id") or None,
        dt_param(now),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        return insert_returning_id(cursor, sql, params)
