"""Calls logged by hand (`POST /api/phone_calls`), on a contact or an account.

The call names an existing contact or account by id, or a new contact (no id: its name,
numbers and optionally its company), which is created through the contact service's own
create path in the same transaction. The note taken during the call is an ordinary Note on
the same record. The call moves the record's last contacted forward (mode "Phone") and is
an entry on its timeline.
"""

from __future__ import annotations

from typing import Any

from opensales.contact.service import contact_service
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import engagement
from opensales.kit.coerce import blank, to_bool, to_id
from opensales.kit.dates import utcnow
from opensales.kit.http import unwrap
from opensales.kit.options import option
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.note import service as notes
from opensales.note.schemas import render as render_note
from opensales.phone_call.schemas import render, render_user, status

TABLE = "phone_calls"
LABEL = "Phone call"
MODE = "Phone"  # last_contacted_mode
TARGETS = ("contacts", "sales_accounts")
# The sales activity types whose outcomes a call may have (the default workspace's "Call").
CALL_TYPES = ("call", "phone", "phone call")


def strip_keys(value: Any) -> Any:
    """The same value with every object key trimmed (`"note "` is `note`); where a trimmed
    key collides with one written exactly, the exact one wins."""
    if isinstance(value, list):
        return [strip_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        name = key.strip() if isinstance(key, str) else key
        if name not in out or name == key:
            out[name] = strip_keys(item)
    return out


def _direction(raw: Any) -> bool:
    try:
        incoming = to_bool(raw)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for call_direction: {exc}") from None
    if incoming is None:
        raise ValidationError(
            "Invalid value for call_direction: is required (true: incoming, false: outgoing)"
        )
    return incoming


async def _outcome(conn: Conn, who: Principal, raw: Any) -> int | None:
    """An outcome of the Call sales activity type, or none."""
    try:
        outcome_id = to_id(raw)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for outcome_id: {exc}") from None
    if outcome_id is None:
        return None
    row = await option(conn, who.workspace_id, "sales_activity_outcomes", outcome_id)
    parent = None
    if row is not None and row["parent_id"] is not None:
        parent = await option(conn, who.workspace_id, "sales_activity_types", row["parent_id"])
    if parent is None or parent["name"].strip().lower() not in CALL_TYPES:
        raise ValidationError(
            f"Invalid value for outcome_id: {raw} is not an outcome of the Call activity type"
        )
    return outcome_id


def _note_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValidationError("Invalid value for note: must be an object with a description")
    return notes.description(raw.get("description"), "note.description")


def _company(raw: Any) -> str | None:
    name = raw.get("name") if isinstance(raw, dict) else raw
    if blank(name):
        return None
    if not isinstance(name, str):
        raise ValidationError("Invalid value for targetable.company: must be an object with a name")
    return name.strip()


async def _new_contact(conn: Conn, who: Principal, targetable: dict[str, Any]) -> int:
    """A contact made from the call's `targetable`, by the contact service's own rules."""
    payload = {
        k: v.strip() if isinstance(v, str) else v
        for k, v in targetable.items()
        if k not in ("id", "company")
    }
    if all(
        blank(payload.get(k)) for k in ("first_name", "last_name", "work_number", "mobile_number")
    ):
        raise ValidationError(
            "Invalid value for targetable: a new contact needs a name or a phone number"
        )
    company = _company(targetable.get("company"))
    if company:
        payload["sales_account"] = {"name": company}
    return await contact_service.create(conn, who, payload)


async def _target(conn: Conn, who: Principal, body: dict[str, Any]) -> engagement.Ref:
    """The record the call is on; a new contact is created here."""
    raw_type = body.get("targetable_type")
    raw_type = "contact" if blank(raw_type) else raw_type
    table = engagement.target_table(raw_type, TARGETS)
    targetable = body.get("targetable")
    if targetable is None:
        targetable = {}
    if not isinstance(targetable, dict):
        raise ValidationError("Invalid value for targetable: must be an object")
    raw_id = targetable.get("id")
    if blank(raw_id):
        raw_id = body.get("targetable_id")
    if not blank(raw_id):
        return await engagement.resolve_target(conn, who, raw_type, raw_id, TARGETS)
    if table != "contacts":
        raise ValidationError("Invalid value for targetable.id: the id of an existing account")
    return table, await _new_contact(conn, who, targetable)


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Log a call; answers it as Freshsales does, with its sideloads."""
    body = unwrap(strip_keys(data), "phone_call")
    incoming = _direction(body.get("call_direction"))
    outcome_id = await _outcome(conn, who, body.get("outcome_id"))
    text = _note_text(body.get("note"))
    target = await _target(conn, who, body)
    note_id = None
    if text is not None:
        note_id = (await notes.add(conn, who, target, text, mode=None))["id"]
    now = utcnow()
    values = {
        "workspace_id": who.workspace_id,
        "target_table": target[0],
        "target_id": target[1],
        "target_deleted": False,
        "call_direction": incoming,
        "outcome_id": outcome_id,
        "note_id": note_id,
        "cost": 0,
        "conversation_time": now,
        "creater_id": who.user_id,
        "updater_id": who.user_id,
        "created_at": now,
        "updated_at": now,
    }
    call_id = int(await conn.fetch_val(insert_sql(TABLE, list(values)), values))
    await engagement.touch_contacted(conn, who, [target], MODE, now)
    entry = {
        "call_direction": incoming,
        "status": status(incoming),
        "outcome_id": outcome_id,
        "note_id": note_id,
    }
    await engagement.log(conn, who, (TABLE, call_id), "CREATED", target, entry)
    return await get(conn, who, call_id)


async def find(conn: Conn, who: Principal, call_id: int | None) -> Row:
    """The call with this id that the user may see, on a live record; else 404."""
    return await engagement.find(conn, who, TABLE, LABEL, call_id)


async def get(conn: Conn, who: Principal, call_id: int | None) -> dict[str, Any]:
    row = await find(conn, who, call_id)
    return await envelope(conn, who, row)


async def _targetables(conn: Conn, who: Principal, table: str, record_id: int) -> list[Any]:
    if table == "contacts":
        sql = "SELECT id, display_name, email FROM contacts"
    else:
        sql = "SELECT id, name FROM sales_accounts"
    found = await conn.fetch_one(
        f"{sql} WHERE id = :id AND workspace_id = :ws", {"id": record_id, "ws": who.workspace_id}
    )
    return [found] if found is not None else []


async def envelope(conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
    """The documented answer: the record (partial), numbers and callers (none: calls are
    logged by hand), the call's note, the user who logged it, the record, the call."""
    table, record_id = row["target_table"], row["target_id"]
    note = None
    if row["note_id"] is not None:
        note = await conn.fetch_one("SELECT * FROM notes WHERE id = :id", {"id": row["note_id"]})
    user = None
    if row["creater_id"] is not None:
        user = await conn.fetch_one(
            "SELECT id, display_name, email, is_active FROM users WHERE id = :id",
            {"id": row["creater_id"]},
        )
    return {
        table: [{"partial": True, "id": record_id}],
        "phone_numbers": [],
        "phone_callers": [],
        "notes": [render_note(note)] if note is not None else [],
        "user": [render_user(user)] if user is not None else [],
        "targetables": await _targetables(conn, who, table, record_id),
        "phone_calls": render(row),
    }
