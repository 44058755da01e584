"""Per-kind data versions: every write bumps one, so caches keyed on it never serve stale data."""

from __future__ import annotations

from opensales.db import Conn

_BUMP = (
    "INSERT INTO data_versions (workspace_id, entity_type, version) VALUES (:ws, :entity, 1) "
    "ON CONFLICT (workspace_id, entity_type) DO UPDATE SET version = data_versions.version + 1"
)


async def bump(conn: Conn, workspace_id: int, *entities: str) -> None:
    for entity in entities:
        await conn.execute(_BUMP, {"ws": workspace_id, "entity": entity})


async def current(conn: Conn, workspace_id: int, entity: str) -> int:
    version = await conn.fetch_val(
        "SELECT version FROM data_versions WHERE workspace_id = :ws AND entity_type = :entity",
        {"ws": workspace_id, "entity": entity},
    )
    return int(version or 0)
