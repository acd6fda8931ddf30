"""The embedded task queue: Huey on a SQLite file in the data folder.

Huey's own SQLite storage offers only synchronous=FULL (an fsync per enqueue) or OFF (can corrupt
on power loss). NORMAL is the right middle for WAL mode: never corrupt, and a power cut can only
lose the last few tasks, which the delivery sweep finds again because the database, not the
queue, is the record of what is still to be sent.
"""

from __future__ import annotations

from huey import Huey
from huey.storage import SqliteStorage


class WalNormalSqliteStorage(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")  # NORMAL
        return conn


class EmbeddedHuey(Huey):
    storage_class = WalNormalSqliteStorage
