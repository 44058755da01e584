"""The recycle bin of every kind of record: deleted records wait there until restored,
forgotten one by one, or emptied by an admin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, PermissionDeniedError
from opensales.kit import engagement, search_index, timeline, versions
from opensales.kit.dates import utcnow
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal

if TYPE_CHECKING:
    from opensales.kit.records import RecordService

# The view each kind's /filters lists for its bin (the one view that shows deleted rows).
RECYCLE_BIN_VIEW = {
    "name": "Recycle Bin",
    "rules": [{"attribute": "is_deleted", "operator": "is", "value": True}],
}


async def deleted_page(
    service: RecordService, conn: Conn, who: Principal, page: int, per_page: int
) -> tuple[list[Row], int]:
    """One page of the kind's bin within the user's scope, the last deleted first, and the
    bin's size. A deleted row is not written again, so `updated_at` is when it was deleted
    (and the listing index walks it); `updater_id` is who deleted it."""
    scope, scope_params = who.scope_sql()
    source = f"FROM {service.kind.table} WHERE workspace_id = :ws AND is_deleted = true{scope}"
    params = {"ws": who.workspace_id, **scope_params}
    total = int(await conn.fetch_val(f"SELECT count(*) {source}", params) or 0)
    rows = await conn.fetch_all(
        f"SELECT * {source} ORDER BY updated_at DESC, id DESC LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    return rows, total


async def deleted_rows(
    service: RecordService, conn: Conn, who: Principal, ids: Sequence[int]
) -> list[Row]:
    if not ids:
        return []
    clause, params = in_clause("r", ids)
    scope, scope_params = who.scope_sql()
    return await conn.fetch_all(
        f"SELECT * FROM {service.kind.table} WHERE workspace_id = :ws AND is_deleted = true "
        f"AND id IN {clause}{scope}",
        {"ws": who.workspace_id, **params, **scope_params},
    )


async def restore(
    service: RecordService, conn: Conn, who: Principal, ids: Sequence[int]
) -> set[int]:
    """Bring records back from the bin, with the links they had."""
    rows = await deleted_rows(service, conn, who, ids)
    if not rows:
        return set()
    await service.before_restore(conn, who, rows)
    clause, params = in_clause("r", [r["id"] for r in rows])
    await conn.execute(
        f"UPDATE {service.kind.table} SET is_deleted = false, deleted_at = NULL, "
        f"updated_at = :now, updater_id = :me WHERE id IN {clause}",
        {"now": utcnow(), "me": who.user_id, **params},
    )
    await timeline.each(conn, who, service.kind.table, [r["id"] for r in rows], "RESTORED")
    await engagement.record_deleted(conn, service.kind.table, [r["id"] for r in rows], False)
    await service.after_restore(conn, who, rows)
    await search_index.changed(conn, service.kind.table, [r["id"] for r in rows], company=True)
    await versions.bump(conn, who.workspace_id, service.kind.table, live=len(rows))
    return {r["id"] for r in rows}


async def restore_one(
    service: RecordService, conn: Conn, who: Principal, record_id: int | None
) -> int:
    restored = await restore(service, conn, who, [record_id] if record_id else [])
    if not restored:
        raise NotFoundError(f"{service.kind.label} not found in the recycle bin")
    return restored.pop()


async def empty(service: RecordService, conn: Conn, who: Principal) -> list[int]:
    """Forget every record in the kind's bin (admins only)."""
    if not who.is_admin:
        raise PermissionDeniedError("Only an admin can empty the recycle bin")
    rows = await conn.fetch_all(
        f"SELECT id FROM {service.kind.table} WHERE workspace_id = :ws AND is_deleted = true "
        "ORDER BY id",
        {"ws": who.workspace_id},
    )
    for row in rows:
        await service.forget(conn, who, row["id"])
    return [r["id"] for r in rows]
