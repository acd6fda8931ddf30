"""Start-up checks (`manage.py check`, and before every command that serves)."""

from __future__ import annotations

import sqlite3

from django.core.checks import Error, register
from django.db import connections

MIN_SQLITE = (3, 35)


@register("database")
def sqlite_is_recent_enough(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """The hot paths use RETURNING, which SQLite has since 3.35 (2021)."""
    if connections["default"].vendor != "sqlite" or sqlite3.sqlite_version_info >= MIN_SQLITE:
        return []
    return [
        Error(
            f"Printbell needs SQLite {'.'.join(map(str, MIN_SQLITE))} or newer; this Python has "
            f"{sqlite3.sqlite_version}.",
            hint="Use a newer Python build, or PostgreSQL (DATABASE_URL).",
            id="printbell.E001",
        )
    ]
