"""An appointment's attendees, as `appointment_attendees_attributes` changes them (Rails
nested attributes, additive): an entry naming a user or contact adds them unless they are
there already; an entry with `"_destroy": true` removes the attendee it names, by the
attendee row's `id` or by `attendee_type` and `attendee_id`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opensales.appointment import repository
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.coerce import blank, to_bool, to_id
from opensales.kit.principal import Principal

KEY = "appointment_attendees_attributes"
MAX_ENTRIES = 100  # per request: bounds the statements (every id is bound)
TYPES = {
    "fdmultitenant::user": "users",
    "user": "users",
    "users": "users",
    "contact": "contacts",
    "contacts": "contacts",
}

Ref = tuple[str, int]


def _invalid(problem: str) -> ValidationError:
    return ValidationError(f"Invalid value for {KEY}: {problem}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of `appointment_attendees_attributes`."""

    ref: Ref | None  # (users|contacts, id)
    row_id: int | None  # an attendee row of this appointment
    destroy: bool


def _entry(item: Any) -> Entry:
    if not isinstance(item, dict):
        raise _invalid("each attendee must be an object")
    try:
        destroy = bool(to_bool(item.get("_destroy")))
        row_id = to_id(item.get("id"))
        attendee_id = to_id(item.get("attendee_id"))
    except ValueError as exc:
        raise _invalid(str(exc)) from None
    raw_type = item.get("attendee_type")
    ref = None
    if not blank(raw_type) or attendee_id is not None:
        table = TYPES.get(raw_type.strip().lower()) if isinstance(raw_type, str) else None
        if table is None:
            raise _invalid("attendee_type must be FdMultitenant::User or Contact")
        if attendee_id is None:
            raise _invalid("attendee_id is required")
        ref = (table, attendee_id)
    if ref is None and row_id is None:
        raise _invalid("attendee_type and attendee_id are required")
    return Entry(ref, row_id, destroy)


def entries(raw: Any) -> list[Entry]:
    if raw is None:
        return []
    if isinstance(raw, dict):  # Rails' form style: {"0": {...}, "1": {...}}
        raw = list(raw.values())
    if not isinstance(raw, list):
        raise _invalid("must be an array of attendees")
    if len(raw) > MAX_ENTRIES:
        raise _invalid(f"at most {MAX_ENTRIES} attendees per request")
    return [_entry(item) for item in raw]


async def _check_new(conn: Conn, who: Principal, refs: Sequence[Ref]) -> None:
    """New attendees are active users of the workspace and contacts the user may see."""
    users = [i for t, i in refs if t == "users"]
    contacts = [i for t, i in refs if t == "contacts"]
    found_users = await repository.active_users(conn, who, users)
    found_contacts = {r["id"] for r in await repository.visible_contacts(conn, who, contacts)}
    for table, attendee_id in refs:
        found = found_users if table == "users" else found_contacts
        if attendee_id not in found:
            kind = "user" if table == "users" else "contact"
            raise _invalid(f"no such {kind} {attendee_id}")


async def apply(
    conn: Conn, who: Principal, appointment_id: int, items: Sequence[Entry], current: list[Row]
) -> dict[str, list[dict[str, Any]]]:
    """Add the attendees named that are not there yet; remove those marked `_destroy` (by
    row id, or by type and id). Naming an attendee already there keeps it; removing one
    that is not there does nothing. Answers what changed."""
    by_ref = {(r["attendee_table"], r["attendee_id"]): r for r in current}
    by_id = {r["id"]: r for r in current}
    removed: dict[int, Row] = {}
    added: list[Ref] = []
    for entry in items:
        if entry.destroy:
            row = by_id.get(entry.row_id) if entry.row_id is not None else None
            row = row or (by_ref.get(entry.ref) if entry.ref is not None else None)
            if row is not None:
                removed[row["id"]] = row
        elif entry.ref is not None and entry.ref not in by_ref and entry.ref not in added:
            added.append(entry.ref)
    await _check_new(conn, who, added)
    for row_id in removed:
        await conn.execute("DELETE FROM appointment_attendees WHERE id = :id", {"id": row_id})
    if added:
        await conn.execute_many(
            "INSERT INTO appointment_attendees (workspace_id, appointment_id, attendee_table, "
            "attendee_id) VALUES (:ws, :appointment, :t, :a)",
            [
                {"ws": who.workspace_id, "appointment": appointment_id, "t": t, "a": a}
                for t, a in added
            ],
        )
    return {
        "added": [{"type": repository.ATTENDEE_KINDS[t], "id": a} for t, a in added],
        "removed": [
            {"type": repository.ATTENDEE_KINDS[r["attendee_table"]], "id": r["attendee_id"]}
            for r in removed.values()
        ],
    }
