"""`include=` sideloading, written once: each handle names a response key and a loader.

Sideloads become top-level arrays beside the primary record (deduplicated by id); a nested
handle (contact `sales_accounts`) puts its rows inside each record instead.

Custom modules are data, so no kind declares their handles: on any record, a handle that
names one of the workspace's modules (`include=cm_property`) sideloads that module's live
records, among those the user may see, whose lookup fields point at the record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from opensales.db import Conn, Row
from opensales.kit import custom_fields, modules
from opensales.kit.options import in_clause, load_options, render_option
from opensales.kit.principal import Principal

TopLoader = Callable[[Conn, Principal, Sequence[Row]], Awaitable[list[dict[str, Any]]]]
NestLoader = Callable[[Conn, Principal, Sequence[Row]], Awaitable[dict[int, list[dict[str, Any]]]]]


@dataclass(frozen=True, slots=True)
class Include:
    key: str
    load: TopLoader | None = None
    nest: NestLoader | None = None


USER_COLUMNS = "id, display_name, email, is_active, time_zone, mobile_number, role"


def render_user(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "display_name": row["display_name"],
        "email": row["email"],
        "is_active": bool(row["is_active"]),
        "time_zone": row["time_zone"],
        "mobile_number": row["mobile_number"],
        "avatar": None,
        "type": "FdMultitenant::User",
    }


async def load_users(conn: Conn, workspace_id: int, ids: set[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    clause, params = in_clause("u", sorted(ids))
    rows = await conn.fetch_all(
        f"SELECT {USER_COLUMNS} FROM users WHERE workspace_id = :ws AND id IN {clause} ORDER BY id",
        {"ws": workspace_id, **params},
    )
    return [render_user(r) for r in rows]


async def visible_rows(
    conn: Conn, who: Principal, table: str, condition: str, params: dict[str, Any]
) -> list[Row]:
    """Live rows of a record table matching `condition` that the user may see, by id.

    Every condition names a few rows through an index of its own (ids, a foreign key); the
    unary `+` keeps SQLite from walking a (workspace_id, ...) index over the whole workspace
    instead, as it chose without statistics (a contact's deals: 40 ms of 500,000 deals)."""
    scope, scope_params = who.scope_sql()
    return await conn.fetch_all(
        f"SELECT * FROM {table} WHERE +workspace_id = :visible_ws AND is_deleted = false "
        f"AND {condition}{scope} ORDER BY id",
        {**params, **scope_params, "visible_ws": who.workspace_id},
    )


def users(*columns: str) -> Include:
    """The users a record points at through `columns` (owner_id, creater_id, ...)."""

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        ids = {r[c] for r in rows for c in columns if r.get(c) is not None}
        return await load_users(conn, who.workspace_id, ids)

    return Include("users", load=load)


def option(column: str, key: str) -> Include:
    """The configuration option a record points at through `column`."""

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        found = await load_options(conn, who.workspace_id, (r.get(column) for r in rows))
        return [render_option(r) for r in found]

    return Include(key, load=load)


def empty(key: str) -> Include:
    """A handle whose records arrive with a later resource: an empty array until then."""

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        return []

    return Include(key, load=load)


async def _looking_up(conn: Conn, who: Principal, table: str, handle: str) -> Include | None:
    """`include=cm_property` on a record of `table`: the module's records whose lookup fields
    hold its id. None when the handle names no module (an unknown handle is ignored), or
    names the record's own module, whose key the record itself holds."""
    if not modules.ENTITY_NAME.match(handle):
        return None
    module_table = modules.table_of(who.workspace_id, handle)
    exists = await conn.fetch_val(
        "SELECT id FROM custom_modules WHERE workspace_id = :ws AND entity_name = :e",
        {"ws": who.workspace_id, "e": handle},
    )
    if exists is None or module_table == table:
        return None
    defs = await custom_fields.definitions(conn, who.workspace_id, module_table)
    lookups = [
        name
        for name, field in defs.items()
        if field["type"] == "auto_complete"
        and custom_fields.lookup_table(who.workspace_id, custom_fields.lookup_type(field)) == table
    ]

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        # Lookups hold ids as JSON numbers: compared as text, as both dialects read them.
        clause, params = in_clause("p", [str(r["id"]) for r in rows])
        found: dict[int, Row] = {}
        for name in lookups:
            condition = f"{custom_fields.value_sql(conn)} IN {clause}"
            for row in await visible_rows(
                conn, who, module_table, condition, {"cf_name": name, **params}
            ):
                found[row["id"]] = row
        return [modules.render_record(handle, found[i]) for i in sorted(found)]

    return Include(handle, load=load)


async def apply(
    conn: Conn,
    who: Principal,
    includes: dict[str, Include],
    handles: Sequence[str],
    rows: Sequence[Row],
    outs: Sequence[dict[str, Any]],
    *,
    table: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Run the asked handles; nest where the handle nests, return the top-level arrays.
    `table`: the records' table, for the handles that name a custom module."""
    top: dict[str, dict[Any, dict[str, Any]]] = {}
    for handle in dict.fromkeys(handles):
        include = includes.get(handle)
        if include is None and table is not None and rows:
            include = await _looking_up(conn, who, table, handle)
        if include is None:
            continue
        if include.nest is not None:
            nested = await include.nest(conn, who, rows)
            for row, out in zip(rows, outs, strict=True):
                out[include.key] = nested.get(row["id"], [])
        elif include.load is not None:
            bucket = top.setdefault(include.key, {})
            for item in await include.load(conn, who, rows):
                bucket.setdefault(item.get("id", id(item)), item)
    return {key: list(items.values()) for key, items in top.items()}
