"""Helpers for the few hot paths written in plain SQL (one delivery, one event).

Django's ORM spends 300-700 µs of CPU building each query; on paths that run once per event or
per delivery that is most of the cost, so those few statements are written out. They are
portable between SQLite and PostgreSQL, and these helpers convert values the way the ORM would.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils.dateparse import parse_datetime


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def dt_param(value: dt.datetime | None) -> Any:
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def to_dt(value: Any) -> dt.datetime | None:
    """A datetime column as read: aware, in UTC (SQLite hands back text)."""
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(value)
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def json_param(value: Any) -> Any:
    return connection.ops.adapt_json_value(value, None)


def to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def uuid_param(value: uuid.UUID) -> Any:
    return value if connection.features.has_native_uuid_field else value.hex


def to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def insert_returning_id(cursor, sql: str, params: list) -> int:
    """Run an INSERT (or upsert) and return the row's id (RETURNING: SQLite 3.35+, PostgreSQL;
    `core.checks` refuses to start on an older SQLite)."""
    cursor.execute(sql + " RETURNING id", params)
    return cursor.fetchone()[0]
