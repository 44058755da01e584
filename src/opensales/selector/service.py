"""Configuration lists (`/api/selector/...`): the workspace's own data, not constants."""

from __future__ import annotations

from typing import Any

from opensales.db import Conn
from opensales.errors import NotFoundError
from opensales.kit.options import render_option
from opensales.kit.principal import Principal
from opensales.kit.sideload import USER_COLUMNS, render_user
from opensales.kit.views import meta
from opensales.selector.seeds import option_rows

KINDS = frozenset(row["kind"] for row in option_rows())
# Options listed inside each option of another kind: a pipeline's stages, a stage's statuses.
CHILDREN = {
    "deal_pipelines": "deal_stages",
    "lifecycle_stages": "contact_statuses",
    "sales_activity_types": "sales_activity_outcomes",
}


async def list_options(
    conn: Conn, who: Principal, kind: str, page: int, per_page: int, parent_id: int | None = None
) -> dict[str, Any]:
    if kind == "owners":
        return await _owners(conn, who, page, per_page)
    if kind not in KINDS:
        raise NotFoundError(f"Unknown selector: {kind}")
    where = "workspace_id = :ws AND kind = :kind" + (
        " AND parent_id = :parent" if parent_id is not None else ""
    )
    params: dict[str, Any] = {"ws": who.workspace_id, "kind": kind}
    if parent_id is not None:
        params["parent"] = parent_id
    count = int(
        await conn.fetch_val(f"SELECT count(*) FROM selector_options WHERE {where}", params) or 0
    )
    rows = await conn.fetch_all(
        f"SELECT * FROM selector_options WHERE {where} ORDER BY parent_id, position, id "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    items = [render_option(r) for r in rows]
    if kind in CHILDREN:
        await _nest_children(conn, who, CHILDREN[kind], items)
    return {kind: items, "meta": meta(count, per_page)}


async def children(
    conn: Conn, who: Principal, parent_kind: str, parent_id: int | None, page: int, per_page: int
) -> dict[str, Any]:
    """A pipeline's stages, or an activity type's outcomes (404 for an unknown parent)."""
    parent = None
    if parent_id is not None:
        parent = await conn.fetch_one(
            "SELECT id FROM selector_options WHERE id = :id AND workspace_id = :ws "
            "AND kind = :kind",
            {"id": parent_id, "ws": who.workspace_id, "kind": parent_kind},
        )
    if parent is None:
        raise NotFoundError(f"Unknown {parent_kind.removesuffix('s').replace('_', ' ')}")
    return await list_options(conn, who, CHILDREN[parent_kind], page, per_page, parent["id"])


async def _nest_children(
    conn: Conn, who: Principal, kind: str, items: list[dict[str, Any]]
) -> None:
    rows = await conn.fetch_all(
        "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
        "ORDER BY position, id",
        {"ws": who.workspace_id, "kind": kind},
    )
    for item in items:
        item[kind] = [render_option(r) for r in rows if r["parent_id"] == item["id"]]


async def _owners(conn: Conn, who: Principal, page: int, per_page: int) -> dict[str, Any]:
    params = {"ws": who.workspace_id}
    count = int(
        await conn.fetch_val(
            "SELECT count(*) FROM users WHERE workspace_id = :ws AND is_active = true", params
        )
        or 0
    )
    rows = await conn.fetch_all(
        f"SELECT {USER_COLUMNS} FROM users WHERE workspace_id = :ws AND is_active = true "
        "ORDER BY id LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    return {"users": [render_user(r) for r in rows], "meta": meta(count, per_page)}
