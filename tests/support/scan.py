"""Looks for a value anywhere in the database: every column of every table, as text."""

from __future__ import annotations

from django.db import connection


def tables_containing(text: str) -> list[str]:
    """The tables that hold `text` in any column (as a substring of the column's text form)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
            for row in cursor.fetchall():
                if any(text in _as_text(value) for value in row):
                    found.append(table)
                    break
    return found


def _as_text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)
