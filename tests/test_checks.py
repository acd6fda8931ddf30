from __future__ import annotations

import sqlite3

from django.db import connections

from core.checks import sqlite_is_recent_enough


def test_old_sqlite_is_refused_with_a_clear_message(monkeypatch):
    if connections["default"].vendor == "sqlite":
        assert sqlite_is_recent_enough() == []
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.34.1")
    errors = sqlite_is_recent_enough()
    if connections["default"].vendor == "sqlite":
        assert [e.id for e in errors] == ["printbell.E001"]
        assert "3.35 or newer" in errors[0].msg and "3.34.1" in errors[0].msg
    else:
        assert errors == []  # PostgreSQL: SQLite's version does not matter
