"""Notes: text written on a contact, account, deal or custom module's record (or on an
appointment: its meeting notes).

A note on a record counts as contact with it: the record's `last_contacted` moves forward to
the note's time, with mode "Note". Each create, update and delete is an entry on the record's
timeline. Whoever may see a note (kit/engagement.py: its record, or having written it) may
change and delete it; a note on a record in the recycle bin answers 404 until the record is
restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import engagement
from opensales.kit.coerce import to_text
from opensales.kit.dates import parse_datetime, utcnow
from opensales.kit.http import include_handles, unwrap
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.kit.sideload import load_users
from opensales.kit.views import meta
from opensales.note.schemas import render

TABLE = "notes"
LABEL = "Note"
MODE = "Note"  # last_contacted_mode
# What a note may hang on: records, and appointments (meeting notes).
TARGETS = (*engagement.ENGAGED, "appointments")
# Rails keeps a note in a TEXT column: 64 KiB.
MAX_DESCRIPTION = 65_535


def description(raw: Any, where: str = "description") -> str:
    """The text of a note, as sent (not trimmed); blank is a 400."""
    try:
        text = to_text(raw)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {where}: {exc}") from None
    if text is None or not text.strip():
        raise ValidationError(f"Invalid value for {where}: is required")
    if "\x00" in text:  # PostgreSQL cannot store it; nobody means to write it
        raise ValidationError(f"Invalid value for {where}: must not contain NUL characters")
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(f"Invalid value for {where}: at most {MAX_DESCRIPTION} characters")
    return text


async def find(conn: Conn, who: Principal, note_id: int | None) -> Row:
    """The note with this id that the user may see, on a live record; else 404."""
    return await engagement.find(conn, who, TABLE, LABEL, note_id)


async def add(
    conn: Conn,
    who: Principal,
    target: engagement.Ref,
    text: str,
    *,
    mode: str | None = MODE,
) -> Row:
    """Write a note on a record the caller has resolved, inside the caller's transaction:
    timeline entry, and last contacted (with `mode`; None leaves it to the caller, as a
    phone call does with its own mode)."""
    now = utcnow()
    values = {
        "workspace_id": who.workspace_id,
        "target_table": target[0],
        "target_id": target[1],
        "target_deleted": False,
        "description": text,
        "creater_id": who.user_id,
        "updater_id": who.user_id,
        "created_at": now,
        "updated_at": now,
    }
    note_id = int(await conn.fetch_val(insert_sql(TABLE, list(values)), values))
    await engagement.log(conn, who, (TABLE, note_id), "CREATED", target, {"description": text})
    if mode is not None:
        await engagement.touch_contacted(conn, who, [target], mode, now)
    return await engagement.reload(conn, TABLE, note_id)


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> Row:
    body = unwrap(data, "note")
    text = description(body.get("description"))
    target = await engagement.resolve_target(
        conn, who, body.get("targetable_type"), body.get("targetable_id"), TARGETS
    )
    return await add(conn, who, target, text)


async def update(conn: Conn, who: Principal, note_id: int | None, data: dict[str, Any]) -> Row:
    """New text, and (with `targetable_type` / `targetable_id`) another record to hang on."""
    row = await find(conn, who, note_id)
    body = unwrap(data, "note")
    old_target: engagement.Ref = (row["target_table"], row["target_id"])
    values: dict[str, Any] = {}
    if "description" in body:
        values["description"] = description(body["description"])
    target = old_target
    raw_type, raw_id = body.get("targetable_type"), body.get("targetable_id")
    if raw_type is not None or raw_id is not None:
        target = await engagement.resolve_target(
            conn,
            who,
            raw_type if raw_type is not None else engagement.targetable_type(old_target[0]),
            raw_id if raw_id is not None else old_target[1],
            TARGETS,
        )
    changes = {k: {"old": row[k], "new": v} for k, v in values.items() if row[k] != v}
    if target != old_target:
        changes["targetable"] = {
            "old": engagement.targetable(*old_target),
            "new": engagement.targetable(*target),
        }
    if not changes:
        return row
    now = utcnow()
    await conn.execute(
        f"UPDATE {TABLE} SET description = :description, target_table = :tt, target_id = :tid, "
        "updater_id = :me, updated_at = :now WHERE id = :id",
        {
            "description": values.get("description", row["description"]),
            "tt": target[0],
            "tid": target[1],
            "me": who.user_id,
            "now": now,
            "id": row["id"],
        },
    )
    entry = {"description": values.get("description", row["description"]), "changes": changes}
    for timeline in dict.fromkeys((target, old_target)):
        await engagement.log(conn, who, (TABLE, row["id"]), "UPDATED", timeline, entry)
    if target != old_target:
        # A record a note moves to has had this contact with it too.
        written = row["created_at"]
        if isinstance(written, str):  # SQLite hands back stored text
            written = parse_datetime(written)
        await engagement.touch_contacted(conn, who, [target], MODE, written)
    return await engagement.reload(conn, TABLE, row["id"])


async def delete(conn: Conn, who: Principal, note_id: int | None) -> Row:
    """Delete a note; answers it as it was. A call logged with it keeps no note."""
    row = await find(conn, who, note_id)
    await conn.execute(f"DELETE FROM {TABLE} WHERE id = :id", {"id": row["id"]})
    target = (row["target_table"], row["target_id"])
    await engagement.log(
        conn, who, (TABLE, row["id"]), "DELETED", target, {"description": row["description"]}
    )
    return row


async def sideloads(
    conn: Conn, who: Principal, rows: Sequence[Row], query: Any
) -> dict[str, list[dict[str, Any]]]:
    """`include=creater` (or `users`): the notes' writers, as `users`."""
    handles = include_handles(query)
    if "creater" not in handles and "users" not in handles:
        return {}
    ids = {r["creater_id"] for r in rows if r["creater_id"] is not None}
    return {"users": await load_users(conn, who.workspace_id, ids)}


async def record_notes(
    conn: Conn,
    who: Principal,
    table: str,
    record_id: int | None,
    number: int,
    per_page: int,
    query: Any,
    label: str | None = None,
) -> dict[str, Any]:
    """A record's notes, newest first: `{"notes": [...], "meta": {...}}`; 404 (naming
    `label`, else the record's type) for a record the user may not see."""
    if record_id is None or not await engagement.visible_record(conn, who, table, record_id):
        raise NotFoundError(f"{label or engagement.targetable_type(table)} not found")
    where = "workspace_id = :ws AND target_table = :tt AND target_id = :tid"
    params = {"ws": who.workspace_id, "tt": table, "tid": record_id}
    count = int(await conn.fetch_val(f"SELECT count(*) FROM {TABLE} WHERE {where}", params) or 0)
    rows: list[Row] = []
    if (number - 1) * per_page < count:
        rows = await conn.fetch_all(
            f"SELECT * FROM {TABLE} WHERE {where} ORDER BY id DESC LIMIT :limit OFFSET :offset",
            {**params, "limit": per_page, "offset": (number - 1) * per_page},
        )
    out: dict[str, Any] = {"notes": [render(r) for r in rows], "meta": meta(count, per_page)}
    out.update(await sideloads(conn, who, rows, query))
    return out


async def notes_of(
    conn: Conn, who: Principal, table: str, ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Rendered notes on any of these items of `table` (an appointment's notes), oldest
    first; the caller has checked that the user may see the items."""
    if not ids:
        return []
    clause, params = in_clause("n", list(dict.fromkeys(ids)))
    rows = await conn.fetch_all(
        f"SELECT * FROM {TABLE} WHERE workspace_id = :ws AND target_table = :tt "
        f"AND target_id IN {clause} ORDER BY id",
        {"ws": who.workspace_id, "tt": table, **params},
    )
    return [render(r) for r in rows]
