"""Per-kind data versions and live-row counts, kept in the same transaction as every write.

Caches keyed on the version (page cursors, view totals) never serve stale data, and a view
without conditions reads its total from the count instead of counting rows.
"""

from __future__ import annotations

from opensales.db import Conn

_BUMP = (
    "INSERT INTO data_versions (workspace_id, entity_type, version, live_count) "
    "VALUES (:ws, :entity, 1, :live) ON CONFLICT (workspace_id, entity_type) DO UPDATE "
    "SET version = data_versions.version + 1, live_count = data_versions.live_count + :live"
)


async def bump(conn: Conn, workspace_id: int, *entities: str, live: int = 0) -> None:
    """Record a write to each kind; `live` is how many live rows it added (or removed)."""
    for entity in entities:
        await conn.execute(_BUMP, {"ws": workspace_id, "entity": entity, "live": live})


async def current(conn: Conn, workspace_id: int, entity: str) -> tuple[int, int]:
    """The kind's data version and its number of live rows."""
    row = await conn.fetch_one(
        "SELECT version, live_count FROM data_versions WHERE workspace_id = :ws "
        "AND entity_type = :entity",
        {"ws": workspace_id, "entity": entity},
    )
    return (int(row["version"]), int(row["live_count"])) if row else (0, 0)
