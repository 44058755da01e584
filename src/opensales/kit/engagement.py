"""What every engagement item shares (notes, tasks, appointments, sales activities, phone
calls, files): the record it hangs on (its "targetable"), who may see it, how it shows in
that record's `include=` and timeline, and what it does to the record's last-contacted time.

Items keep their record as (`target_table`, `target_id`). Clients name it with
`targetable_type` in any of the spellings Freshsales clients send ("Contact", "contact",
"SalesAccount", "salesAccount", "sales_account", "Deal", ...) and get it back as
`targetable: {"type": "contact", "id": 1}`. A custom module's records (kit/modules.py) are
named by the module's entity name (`cm_property`) or model class (`CustomModule6`), and come
back as the entity name: they take part wherever `allowed` holds MODULE_RECORDS.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import modules, storage, timeline, versions
from opensales.kit.coerce import to_id
from opensales.kit.dates import utcnow
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import Include

Ref = tuple[str, int]

# Every table of items attached to a record.
ITEM_TABLES = ("notes", "tasks", "appointments", "sales_activities", "phone_calls", "files")

# table -> (targetable_type as the API writes it, targetable.type, name column)
TARGETS: dict[str, tuple[str, str, str]] = {
    "contacts": ("Contact", "contact", "display_name"),
    "sales_accounts": ("SalesAccount", "sales_account", "name"),
    "deals": ("Deal", "deal", "name"),
    "products": ("Product", "product", "name"),
    "leads": ("Lead", "lead", "display_name"),
}
RECORD_TARGETS = ("contacts", "sales_accounts", "deals", "leads")
# In `allowed`: the records of any custom module of the workspace.
MODULE_RECORDS = "custom module records"
# What notes, tasks and appointments hang on.
ENGAGED = (*RECORD_TARGETS, MODULE_RECORDS)
# Files also hang on products.
FILE_TARGETS = (*RECORD_TARGETS, "products", MODULE_RECORDS)
# Items other items hang on: an appointment's notes.
ITEM_TARGETS: dict[str, tuple[str, str, str]] = {
    "appointments": ("Appointment", "appointment", "title"),
}
_NAMES = {**TARGETS, **ITEM_TARGETS}


def _spellings() -> dict[str, str]:
    found: dict[str, str] = {}
    for table, (api_type, short, _) in _NAMES.items():
        for spelling in (api_type, short, table, short.replace("_", "")):
            found[spelling.lower()] = table
    return found


_BY_SPELLING = _spellings()
_MODEL_CLASS = re.compile(r"^custommodule(\d{1,9})$")


def _among(table: str | None, tables: Collection[str]) -> bool:
    """`table` is one of `tables`, or a custom module's records table."""
    return table in tables or modules.is_module_table(table)


def is_record(table: str | None) -> bool:
    """Whether items on `table` are on a record: its timeline, last contacted, recycle bin."""
    return _among(table, RECORD_TARGETS)


def _allowed_names(allowed: Sequence[str]) -> str:
    names = [_NAMES[t][0] for t in allowed if t in _NAMES]
    if MODULE_RECORDS in allowed:
        names.append("a custom module's entity name (cm_...) or model class (CustomModuleN)")
    return ", ".join(names)


def target_table(raw: Any, allowed: Sequence[str] = RECORD_TARGETS) -> str:
    """The table a `targetable_type` names, in any spelling clients use; else 400.
    Custom modules' spellings need the workspace: `table_named` reads them."""
    table = _BY_SPELLING.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    if table is None or table not in allowed:
        names = _allowed_names(allowed)
        raise ValidationError(f"Invalid value for targetable_type: must be one of {names}")
    return table


def _module_key(spelling: str) -> tuple[str, Any] | None:
    """The custom_modules column and value a module's spelling names it by, if it is one."""
    number = _MODEL_CLASS.match(spelling)
    if number is not None:
        return "number", int(number.group(1))
    return ("entity_name", spelling) if modules.ENTITY_NAME.match(spelling) else None


async def table_named(
    conn: Conn, who: Principal, raw: Any, allowed: Sequence[str] = RECORD_TARGETS
) -> str:
    """The table a `targetable_type` names, custom modules' spellings included when
    `allowed` holds MODULE_RECORDS; a module that does not exist is a 400."""
    spelling = raw.strip().lower() if isinstance(raw, str) else ""
    key = _module_key(spelling) if MODULE_RECORDS in allowed else None
    if key is None:
        return target_table(raw, allowed)
    entity = await conn.fetch_val(
        f"SELECT entity_name FROM custom_modules WHERE workspace_id = :ws AND {key[0]} = :v",
        {"ws": who.workspace_id, "v": key[1]},
    )
    if entity is None:
        shown = spelling[:60]
        raise ValidationError(f"Invalid value for targetable_type: no custom module {shown}")
    return modules.table_of(who.workspace_id, entity)


def targetable_type(table: str | None) -> str | None:
    """`Contact`, `SalesAccount`, `Deal`, `cm_property`: how responses name the record's
    type."""
    return _NAMES[table][0] if table in _NAMES else modules.entity_of(table)


def targetable(table: str | None, record_id: int | None) -> dict[str, Any] | None:
    """`{"type": "contact", "id": 1}` (`{"type": "cm_property", ...}` on a module's record)."""
    short = _NAMES[table][1] if table in _NAMES else modules.entity_of(table)
    if short is None or record_id is None:
        return None
    return {"type": short, "id": record_id}


async def visible_record(conn: Conn, who: Principal, table: str, record_id: int) -> Row | None:
    """The live record (or item: an appointment) the user may see, else None."""
    if table in ITEM_TARGETS:
        row = await conn.fetch_one(
            f"SELECT * FROM {table} WHERE id = :id AND workspace_id = :ws",
            {"id": record_id, "ws": who.workspace_id},
        )
        return row if row is not None and await may_see(conn, who, row) else None
    scope, params = who.scope_sql()
    return await conn.fetch_one(
        f"SELECT * FROM {table} WHERE id = :id AND workspace_id = :ws AND is_deleted = false"
        f"{scope}",
        {"id": record_id, "ws": who.workspace_id, **params},
    )


async def resolve_target(
    conn: Conn,
    who: Principal,
    raw_type: Any,
    raw_id: Any,
    allowed: Sequence[str] = RECORD_TARGETS,
) -> Ref:
    """The live record a `targetable_type` / `targetable_id` pair names, which the user may
    see (one they may not see is, to them, one that does not exist); else 400."""
    if raw_type is None or raw_id is None or raw_id == "":
        raise ValidationError("Invalid value for targetable: targetable_type and targetable_id")
    table = await table_named(conn, who, raw_type, allowed)
    try:
        record_id = to_id(raw_id)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for targetable_id: {exc}") from None
    if record_id is None or await visible_record(conn, who, table, record_id) is None:
        label = targetable_type(table)
        raise ValidationError(f"Invalid value for targetable_id: no such {label} {raw_id}")
    return table, record_id


async def load_targets(
    conn: Conn, who: Principal, refs: Iterable[tuple[str | None, int | None]]
) -> dict[str, list[dict[str, Any]]]:
    """The records items hang on, among those the user may see, as the top-level arrays
    Freshsales sideloads: `{"contacts": [{id, display_name, email, avatar}],
    "sales_accounts": [{id, name, avatar}], "deals": [{id, name, avatar}]}`; a module's
    records under its entity name (`"cm_property": [{id, name, avatar}]`)."""
    wanted: dict[str, set[int]] = {}
    for table, record_id in refs:
        if _among(table, TARGETS) and record_id is not None:
            wanted.setdefault(str(table), set()).add(record_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for table, ids in wanted.items():
        name = TARGETS[table][2] if table in TARGETS else "name"
        extra = ", email" if table == "contacts" else ""
        clause, params = in_clause("g", sorted(ids))
        scope, scope_params = who.scope_sql()
        rows = await conn.fetch_all(
            f"SELECT id, {name}{extra} FROM {table} WHERE workspace_id = :ws "
            f"AND is_deleted = false AND id IN {clause}{scope} ORDER BY id",
            {"ws": who.workspace_id, **params, **scope_params},
        )
        out[modules.entity_of(table) or table] = [{**r, "avatar": None} for r in rows]
    return out


# --- who may see an item ------------------------------------------------------------------


async def may_see(conn: Conn, who: Principal, row: Row, people: Iterable[int] = ()) -> bool:
    """Admins see every item; others the items they own, created or take part in (`people`),
    and the items on records they may see."""
    if who.scope == "all":
        return True
    mine = {row.get("owner_id"), row.get("creater_id"), *people}
    if who.user_id in mine:
        return True
    table, record_id = row.get("target_table"), row.get("target_id")
    if table is None or record_id is None:
        return False
    return await visible_record(conn, who, table, record_id) is not None


async def find(
    conn: Conn,
    who: Principal,
    table: str,
    label: str,
    item_id: int | None,
    people: Callable[[Conn, Row], Awaitable[Iterable[int]]] | None = None,
) -> Row:
    """The item with this id that the user may see, else 404; one on a record in the
    recycle bin is gone until the record comes back, as it is from the lists.
    `people(conn, row)` gives the users taking part (a task's collaborators, an
    appointment's attendees)."""
    row = None
    if item_id is not None:
        row = await conn.fetch_one(
            f"SELECT * FROM {table} WHERE id = :id AND workspace_id = :ws",
            {"id": item_id, "ws": who.workspace_id},
        )
    if row is not None and row["target_deleted"]:
        row = None
    if row is not None:
        members = await people(conn, row) if people is not None else ()
        if not await may_see(conn, who, row, members):
            row = None
    if row is None:
        raise NotFoundError(f"{label} not found")
    return row


# --- effects on the record ----------------------------------------------------------------


async def reload(conn: Conn, table: str, item_id: int) -> Row:
    """An item as it now stands, after a write of this transaction."""
    row = await conn.fetch_one(f"SELECT * FROM {table} WHERE id = :id", {"id": item_id})
    assert row is not None
    return row


async def touch_contacted(
    conn: Conn, who: Principal, refs: Iterable[Ref], mode: str, at: datetime | None
) -> None:
    """The records were in touch at `at` (by note, call, meeting...): their last-contacted
    time moves forward to it, never back, and never to a time still to come."""
    if at is None:
        return
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at > utcnow():
        return
    touched: set[str] = set()
    for table, record_id in dict.fromkeys(refs):
        if not is_record(table):
            continue
        await conn.execute(
            f"UPDATE {table} SET last_contacted = :at, last_contacted_mode = :mode "
            "WHERE id = :id AND workspace_id = :ws "
            "AND (last_contacted IS NULL OR last_contacted <= :at)",
            {"at": at, "mode": mode, "id": record_id, "ws": who.workspace_id},
        )
        touched.add(table)
    if touched:
        await versions.bump(conn, who.workspace_id, *sorted(touched))


async def log(
    conn: Conn,
    who: Principal,
    item: Ref,
    verb: str,
    target: Ref | None,
    data: Mapping[str, Any],
) -> None:
    """An entry on the record's timeline naming the item (`NOTE_CREATED`, `TASK_COMPLETED`)."""
    if target is None or not is_record(target[0]):
        return
    await timeline.append(
        conn, who, timeline.action(item[0], verb), data, [target], actionable=item
    )


# --- the record's side: include=, delete, restore, forget ---------------------------------


def attached(
    table: str,
    key: str,
    record_table: str,
    render: Callable[[Row], dict[str, Any]],
    order: str = "id",
) -> Include:
    """`include=<key>` on a record: its items of `table`, rendered, as a top-level array."""

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        if not ids:
            return []
        clause, params = in_clause("t", ids)
        found = await conn.fetch_all(
            f"SELECT * FROM {table} WHERE workspace_id = :ws AND target_table = :tt "
            f"AND target_id IN {clause} ORDER BY {order}, id",
            {"ws": who.workspace_id, "tt": record_table, **params},
        )
        return [render(r) for r in found]

    return Include(key, load=load)


async def record_deleted(conn: Conn, table: str, ids: Sequence[int], deleted: bool) -> None:
    """Items on records moved to (or back from) the recycle bin leave (or rejoin) lists."""
    if not ids or not _among(table, TARGETS):
        return
    clause, params = in_clause("r", ids)
    for item_table in ITEM_TABLES:
        await conn.execute(
            f"UPDATE {item_table} SET target_deleted = :deleted WHERE target_table = :t "
            f"AND target_id IN {clause}",
            {"deleted": deleted, "t": table, **params},
        )


async def forget_everything_on(conn: Conn, who: Principal, table: str) -> None:
    """Every item on any record of `table` goes (a custom module being deleted)."""
    where = "workspace_id = :ws AND target_table = :t"
    params = {"ws": who.workspace_id, "t": table}
    stored = await conn.fetch_all(
        f"SELECT storage_key FROM files WHERE {where} AND storage_key IS NOT NULL", params
    )
    await storage.remove_later(conn, who, [r["storage_key"] for r in stored])
    for item_table in ("phone_calls", *(t for t in ITEM_TABLES if t != "phone_calls")):
        await conn.execute(f"DELETE FROM {item_table} WHERE {where}", params)


async def forget_attached(conn: Conn, who: Principal, table: str, ids: Sequence[int]) -> None:
    """A forgotten record's items go with it (and a deleted appointment's notes)."""
    if not ids or not _among(table, _NAMES):
        return
    clause, params = in_clause("r", ids)
    where = f"target_table = :t AND target_id IN {clause}"
    # Stored files leave storage by a job queued in this transaction: once it commits.
    stored = await conn.fetch_all(
        f"SELECT storage_key FROM files WHERE {where} AND storage_key IS NOT NULL",
        {"t": table, **params},
    )
    await storage.remove_later(conn, who, [r["storage_key"] for r in stored])
    # Calls point at their notes: they go first.
    for item_table in ("phone_calls", *(t for t in ITEM_TABLES if t != "phone_calls")):
        await conn.execute(f"DELETE FROM {item_table} WHERE {where}", {"t": table, **params})
    if table == "contacts":  # a forgotten contact no longer attends anything
        await conn.execute(
            "DELETE FROM appointment_attendees WHERE attendee_table = 'contacts' "
            f"AND attendee_id IN {clause}",
            params,
        )
