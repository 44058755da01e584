"""The whole database saved and put back: the reset, named snapshots and id sequences.

SQLite (here): a snapshot is an in-memory copy made with the online backup API, and
restoring it copies it back over the server's own connection (a few milliseconds: measured
faster than deleting and re-inserting every table's rows, and it also drops or brings back
the custom modules' runtime tables). PostgreSQL: pg_state.py.

Process caches are keyed on the per-kind data versions (kit/versions.py), which only ever
grow; a restore would take them back to numbers those caches already hold answers for, so
every version is lifted past the highest one seen before the restore.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any, Protocol

from opensales.db import Conn, SqliteDatabase
from opensales.errors import ConflictError, ValidationError
from opensales.kit.modules import is_runtime_table
from opensales.models import Base
from opensales.user.service import forget_cached_keys

IDLE_SECONDS = 10
# A backup step that finds the database busy (the checkpoint thread reading it) is retried
# after this long; sqlite3's default, a quarter of a second, would be most of a reset.
RETRY_SECONDS = 0.001
LIFT = "UPDATE data_versions SET version = version + :lift"
HIGHEST = "SELECT coalesce(max(version), 0) FROM data_versions"


class Store(Protocol):
    async def capture(self) -> Any: ...
    async def restore(self, snapshot: Any) -> None: ...
    async def discard(self, snapshot: Any) -> None: ...
    async def start_ids(self, start: int) -> None: ...


def never_reuses_ids(table: str) -> bool:
    """The tables of records (and of users and workspaces): those whose ids a test may want
    to choose. Migrated tables say so with `sqlite_autoincrement`; modules' tables all do."""
    known = Base.metadata.tables.get(table)
    if known is None:
        return is_runtime_table(table)
    return bool(known.dialect_options["sqlite"]["autoincrement"])


async def check_start(tx: Conn, start: int, tables: list[str]) -> None:
    """Ids only grow: `start` must be past every id the tables hold."""
    for table in sorted(tables):
        top = await tx.fetch_val(f'SELECT coalesce(max(id), 0) FROM "{table}"')
        if top >= start:
            raise ValidationError(
                f"Invalid value for start: ids up to {top} are already taken in {table}"
            )


class SqliteStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def _idle(self) -> sqlite3.Connection:
        """The connection, once no transaction is open on it (one may be waiting on
        something else mid-way); the caller then works without awaiting."""
        deadline = time.monotonic() + IDLE_SECONDS
        while self.db.conn.in_transaction:
            if time.monotonic() > deadline:
                raise ConflictError(f"A transaction has been open for {IDLE_SECONDS}s: retry")
            await asyncio.sleep(0.001)
        return self.db.conn

    async def capture(self) -> sqlite3.Connection:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        (await self._idle()).backup(copy, sleep=RETRY_SECONDS)
        return copy

    async def restore(self, snapshot: sqlite3.Connection) -> None:
        conn = await self._idle()
        highest = conn.execute(HIGHEST).fetchone()[0]
        snapshot.backup(conn, sleep=RETRY_SECONDS)
        conn.execute(LIFT, {"lift": highest + 1})
        forget_cached_keys()

    async def discard(self, snapshot: sqlite3.Connection) -> None:
        snapshot.close()

    async def start_ids(self, start: int) -> None:
        """Every table that never reuses ids (each kind of record) hands out `start` next."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = [r["name"] for r in rows if never_reuses_ids(r["name"])]
            await check_start(tx, start, tables)
            await tx.execute("DELETE FROM sqlite_sequence")
            await tx.execute_many(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)",
                [{"name": t, "seq": start - 1} for t in tables],
            )
