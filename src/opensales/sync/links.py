"""The id map of a sync: source (kind, id) -> local id, with the source's `updated_at` when
copied. Kept in `sync_links`, written in the same transaction as the records it maps, so a
crash never leaves a copied record without its link (which would duplicate it on rerun)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from opensales.db import Conn, Database
from opensales.kit.dates import utcnow

_UPSERT = (
    "INSERT INTO sync_links (workspace_id, source, kind, source_id, local_id, "
    "source_updated_at, created_at, updated_at) "
    "VALUES (:ws, :source, :kind, :sid, :lid, :stamp, :now, :now) "
    "ON CONFLICT (workspace_id, source, kind, source_id) DO UPDATE SET "
    "local_id = :lid, source_updated_at = :stamp, updated_at = :now"
)


def source_key(base_url: str) -> str:
    """The source as links name it: its URL, lower case, without a trailing slash."""
    return base_url.strip().rstrip("/").lower()


@dataclass
class Links:
    """Every link of one source in memory (read once per run), written through to the table."""

    workspace_id: int
    source: str
    _local: dict[tuple[str, str], tuple[int, str | None]] = field(default_factory=dict)
    _staged: dict[tuple[str, str], tuple[int, str | None]] | None = None

    async def load(self, conn: Conn) -> None:
        rows = await conn.fetch_all(
            "SELECT kind, source_id, local_id, source_updated_at FROM sync_links "
            "WHERE workspace_id = :ws AND source = :source",
            {"ws": self.workspace_id, "source": self.source},
        )
        self._local = {
            (r["kind"], r["source_id"]): (int(r["local_id"]), r["source_updated_at"]) for r in rows
        }

    def _get(self, kind: str, source_id: Any) -> tuple[int, str | None] | None:
        key = (kind, str(source_id))
        if self._staged is not None and key in self._staged:
            return self._staged[key]
        return self._local.get(key)

    def local(self, kind: str, source_id: Any) -> int | None:
        if source_id is None:
            return None
        found = self._get(kind, source_id)
        return found[0] if found else None

    def is_current(self, kind: str, source_id: Any, updated_at: Any) -> bool:
        """Copied already, and unchanged at the source since."""
        found = self._get(kind, source_id)
        return found is not None and updated_at is not None and found[1] == str(updated_at)

    async def save(
        self, conn: Conn, kind: str, source_id: Any, local_id: int, updated_at: Any
    ) -> None:
        """Link a source record to its copy; `updated_at` None makes a rerun copy it again."""
        stamp = None if updated_at is None else str(updated_at)
        await conn.execute(
            _UPSERT,
            {
                "ws": self.workspace_id,
                "source": self.source,
                "kind": kind,
                "sid": str(source_id),
                "lid": local_id,
                "stamp": stamp,
                "now": utcnow(),
            },
        )
        assert self._staged is not None, "links are saved inside Links.batch()"
        self._staged[(kind, str(source_id))] = (local_id, stamp)

    @asynccontextmanager
    async def batch(self, db: Database) -> AsyncIterator[Conn]:
        """One transaction; its links count in memory only once it has committed."""
        staged: dict[tuple[str, str], tuple[int, str | None]] = {}
        self._staged = staged
        try:
            async with db.transaction() as tx:
                yield tx
        finally:
            self._staged = None
        self._local.update(staged)
