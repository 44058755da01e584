"""Appointments: meetings on a contact, account, deal or custom module's record (or on no
record), with users and contacts attending.

Who sees one: its creator, its user attendees, admins, and whoever may see the record it is
on (kit/engagement.py). The list (`GET /api/appointments`) is personal: the appointments the
user created or attends. All-day appointments run from the first day's 00:00:00 UTC to the
last day's 23:59:59 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from opensales.appointment import repository
from opensales.appointment.attendees import KEY as ATTENDEES
from opensales.appointment.attendees import apply as apply_attendees
from opensales.appointment.attendees import entries as attendee_entries
from opensales.appointment.schemas import render, render_attendee, render_contact
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import engagement
from opensales.kit.coerce import blank, to_bool, to_date, to_datetime, to_id, to_text
from opensales.kit.dates import format_timestamp, parse_datetime, utcnow
from opensales.kit.http import unwrap
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql, update_sql
from opensales.kit.sideload import load_users
from opensales.kit.views import meta
from opensales.note.service import notes_of

TABLE = "appointments"
LABEL = "Appointment"
CONTACT_MODE = "Appointment"  # last_contacted_mode of records met in an appointment
# Texts and their longest length (None: unbounded).
TEXTS: dict[str, int | None] = {
    "description": None,
    "location": None,
    "time_zone": 64,
    "latitude": 32,
    "longitude": 32,
}
# filter -> upcoming (True) or past (False)
FILTERS = {"open": True, "upcoming": True, "past": False, "complete": False, "completed": False}
DATETIMES = frozenset({"from_date", "end_date", "checkedin_at"})
SUMMARY = ("title", "description", "from_date", "end_date", "time_zone")

Ref = tuple[str, int]


def _invalid(name: str, problem: str) -> ValidationError:
    return ValidationError(f"Invalid value for {name}: {problem}")


def _stored(value: datetime | str | None) -> datetime | None:
    """A stored timestamp (text on SQLite) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _target_of(row: Row) -> Ref | None:
    table, target_id = row["target_table"], row["target_id"]
    return (table, target_id) if table is not None and target_id is not None else None


# --- reading a body -----------------------------------------------------------------------


def _text(body: Mapping[str, Any], name: str, limit: int | None) -> str | None:
    try:
        value = to_text(body.get(name))
    except ValueError as exc:
        raise _invalid(name, str(exc)) from None
    if value is not None and limit is not None and len(value) > limit:
        raise _invalid(name, f"at most {limit} characters")
    if value is not None and "\x00" in value:  # PostgreSQL refuses it in text
        raise _invalid(name, "must not contain a NUL character")
    return value


def _title(body: Mapping[str, Any]) -> str:
    title = (_text(body, "title", 255) or "").strip()
    if not title:
        raise _invalid("title", "is required")
    return title


def _day_bound(day: date, end: bool) -> datetime:
    return datetime.combine(day, time(23, 59, 59) if end else time(0), tzinfo=UTC)


def _when(raw: Any, name: str, allday: bool, end: bool) -> datetime | None:
    try:
        if allday:
            day = to_date(raw)
            return None if day is None else _day_bound(day, end)
        return to_datetime(raw)
    except ValueError as exc:
        raise _invalid(name, str(exc)) from None


def _allday(body: Mapping[str, Any], existing: Row | None) -> bool:
    current = existing is not None and bool(existing["is_allday"])
    if "is_allday" not in body:
        return current
    try:
        sent = to_bool(body["is_allday"])
    except ValueError as exc:
        raise _invalid("is_allday", str(exc)) from None
    return current if sent is None else sent


def _dates(body: Mapping[str, Any], existing: Row | None) -> dict[str, Any]:
    """`is_allday`, `from_date` and `end_date` as they will be stored; the end may not come
    before the start. An all-day appointment spans whole days (UTC)."""
    allday = _allday(body, existing)
    bounds: dict[str, datetime] = {}
    for name, end in (("from_date", False), ("end_date", True)):
        value: datetime | None
        if existing is None or name in body:
            value = _when(body.get(name), name, allday, end)
            if value is None:
                raise _invalid(name, "is required")
        else:
            value = _stored(existing[name])
            assert value is not None
            if allday:
                value = _day_bound(value.astimezone(UTC).date(), end)
        bounds[name] = value
    if bounds["end_date"] < bounds["from_date"]:
        raise _invalid("end_date", "must not be before from_date")
    return {"is_allday": allday, **bounds}


async def _outcome(conn: Conn, who: Principal, raw: Any) -> int | None:
    try:
        option_id = to_id(raw)
    except ValueError as exc:
        raise _invalid("outcome_id", str(exc)) from None
    if option_id is not None and not await repository.meeting_outcome(conn, who, option_id):
        raise _invalid("outcome_id", f"no outcome {raw} of the Meeting activity type")
    return option_id


async def _values(
    conn: Conn, who: Principal, body: Mapping[str, Any], existing: Row | None
) -> dict[str, Any]:
    """The columns the body sets (all of them on create)."""
    creating = existing is None
    values: dict[str, Any] = {}
    if creating or "title" in body:
        values["title"] = _title(body)
    for name, limit in TEXTS.items():
        if creating or name in body:
            values[name] = _text(body, name, limit)
    if creating or "checkedin_at" in body:
        try:
            values["checkedin_at"] = to_datetime(body.get("checkedin_at"))
        except ValueError as exc:
            raise _invalid("checkedin_at", str(exc)) from None
    if creating or "outcome_id" in body:
        values["outcome_id"] = await _outcome(conn, who, body.get("outcome_id"))
    values.update(_dates(body, existing))
    return values


async def _target(
    conn: Conn, who: Principal, body: Mapping[str, Any], existing: Row | None
) -> Ref | None:
    """The record the appointment is on: optional; both keys blank means none."""
    current = _target_of(existing) if existing is not None else None
    if "targetable_type" not in body and "targetable_id" not in body:
        return current
    raw_type, raw_id = body.get("targetable_type"), body.get("targetable_id")
    if blank(raw_type) and blank(raw_id):
        return None
    if current is not None:
        # Resending the record it is already on needs no new check (an attendee who may
        # not see that record resends it with the rest of the appointment).
        try:
            table = await engagement.table_named(conn, who, raw_type, engagement.ENGAGED)
            same = table == current[0] and to_id(raw_id) == current[1]
        except (ValidationError, ValueError):
            same = False
        if same:
            return current
    return await engagement.resolve_target(conn, who, raw_type, raw_id, engagement.ENGAGED)


# --- effects ------------------------------------------------------------------------------


def _summary(row: Row) -> dict[str, Any]:
    """What the record's timeline keeps of the appointment."""
    return {k: _wire(k, row[k]) for k in SUMMARY}


def _wire(name: str, value: Any) -> Any:
    if name in DATETIMES:
        return format_timestamp(value)
    if name == "is_allday":
        return bool(value)
    return value


def _changes(existing: Row, values: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, new in values.items():
        old_out, new_out = _wire(name, existing[name]), _wire(name, new)
        if old_out != new_out:
            found[name] = {"old": old_out, "new": new_out}
    return found


async def _touch(conn: Conn, who: Principal, row: Row, attendees: Sequence[Row]) -> None:
    """An appointment whose time has come (checked in, or started) is a contact made with
    its record and its contact attendees."""
    at = _stored(row["checkedin_at"]) or _stored(row["from_date"])
    refs = [("contacts", a["attendee_id"]) for a in attendees if a["attendee_table"] == "contacts"]
    target = _target_of(row)
    if target is not None:
        refs.insert(0, target)
    await engagement.touch_contacted(conn, who, refs, CONTACT_MODE, at)


# --- operations ---------------------------------------------------------------------------


async def find(conn: Conn, who: Principal, appointment_id: int | None) -> Row:
    """The appointment, if the user may see it (and its record is not in the recycle bin);
    else 404."""
    return await engagement.find(
        conn, who, TABLE, LABEL, appointment_id, repository.user_attendee_ids
    )


async def envelope(
    conn: Conn, who: Principal, row: Row, attendees: Sequence[Row] | None = None
) -> dict[str, Any]:
    """The appointment as create, view and update answer it: its attendees, the users and
    contacts among them (and the contact it is on), and its notes."""
    if attendees is None:
        attendees = (await repository.attendees_of(conn, [row["id"]]))[row["id"]]
    users = {a["attendee_id"] for a in attendees if a["attendee_table"] == "users"}
    contacts = [a["attendee_id"] for a in attendees if a["attendee_table"] == "contacts"]
    if row["target_table"] == "contacts" and row["target_id"] is not None:
        contacts.append(row["target_id"])
    return {
        "appointment_attendees": [render_attendee(a) for a in attendees],
        "users": await load_users(conn, who.workspace_id, users),
        "contacts": [
            render_contact(c) for c in await repository.visible_contacts(conn, who, contacts)
        ],
        "notes": await notes_of(conn, who, TABLE, [row["id"]]),
        "appointment": render(row, attendees),
    }


async def get(conn: Conn, who: Principal, appointment_id: int | None) -> dict[str, Any]:
    return await envelope(conn, who, await find(conn, who, appointment_id))


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> dict[str, Any]:
    body = unwrap(data, "appointment")
    values = await _values(conn, who, body, None)
    target = await _target(conn, who, body, None)
    entries = attendee_entries(body.get(ATTENDEES))
    now = utcnow()
    columns = {
        **values,
        "workspace_id": who.workspace_id,
        "target_table": target[0] if target else None,
        "target_id": target[1] if target else None,
        "target_deleted": False,
        "creater_id": who.user_id,
        "updater_id": who.user_id,
        "created_at": now,
        "updated_at": now,
    }
    new_id = int(await conn.fetch_val(insert_sql(TABLE, list(columns)), columns))
    await apply_attendees(conn, who, new_id, entries, [])
    row = await engagement.reload(conn, TABLE, new_id)
    await engagement.log(conn, who, (TABLE, new_id), "CREATED", target, _summary(row))
    return await _finish(conn, who, row)


async def _finish(conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
    """After a write: the records met are touched; the answer is the appointment."""
    attendees = (await repository.attendees_of(conn, [row["id"]]))[row["id"]]
    await _touch(conn, who, row, attendees)
    return await envelope(conn, who, row, attendees)


async def update(
    conn: Conn, who: Principal, appointment_id: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    row = await find(conn, who, appointment_id)
    body = unwrap(data, "appointment")
    values = await _values(conn, who, body, row)
    before, target = _target_of(row), await _target(conn, who, body, row)
    entries = attendee_entries(body.get(ATTENDEES))
    current = (await repository.attendees_of(conn, [row["id"]]))[row["id"]]
    moved = await apply_attendees(conn, who, row["id"], entries, current)
    diff = _changes(row, values)
    if target != before:
        diff["targetable"] = {
            "old": engagement.targetable(*before) if before else None,
            "new": engagement.targetable(*target) if target else None,
        }
        values.update(
            target_table=target[0] if target else None,
            target_id=target[1] if target else None,
            target_deleted=False,
        )
    if moved["added"] or moved["removed"]:
        diff["attendees"] = moved
    if not diff:  # an update that changes nothing writes nothing
        return await _finish(conn, who, row)
    values.update(updater_id=who.user_id, updated_at=utcnow())
    await conn.execute(
        update_sql(TABLE, list(values)),
        {**values, "id": row["id"], "workspace_id": who.workspace_id},
    )
    saved = await engagement.reload(conn, TABLE, row["id"])
    entry = {**_summary(saved), "changes": diff}
    for record in dict.fromkeys((target, before)):
        await engagement.log(conn, who, (TABLE, row["id"]), "UPDATED", record, entry)
    return await _finish(conn, who, saved)


async def delete(
    conn: Conn, who: Principal, appointment_id: int | None, data: dict[str, Any]
) -> dict[str, str]:
    """Delete an appointment; its attendees and notes go with it."""
    row = await find(conn, who, appointment_id)
    await engagement.forget_attached(conn, who, TABLE, [row["id"]])
    await conn.execute(
        "DELETE FROM appointment_attendees WHERE appointment_id = :id", {"id": row["id"]}
    )
    await conn.execute("DELETE FROM appointments WHERE id = :id", {"id": row["id"]})
    await engagement.log(conn, who, (TABLE, row["id"]), "DELETED", _target_of(row), _summary(row))
    return {"success": "200"}


async def upcoming_on_record(conn: Conn, who: Principal, target: Ref, limit: int) -> list[Row]:
    """The first `limit` appointments on a record (which the caller has checked the user may
    see, and with it its appointments) that have not ended, soonest first."""
    return await conn.fetch_all(
        f"SELECT * FROM {TABLE} WHERE target_table = :tt AND target_id = :tid "
        "AND workspace_id = :ws AND end_date >= :now ORDER BY from_date, id LIMIT :limit",
        {
            "tt": target[0],
            "tid": target[1],
            "ws": who.workspace_id,
            "now": utcnow(),
            "limit": limit,
        },
    )


# --- the list -----------------------------------------------------------------------------


def upcoming_filter(raw: str | None) -> bool:
    """`open`/`upcoming` (the default) or `past`/`complete`/`completed`; else 400."""
    if raw is None or not raw.strip():
        return True
    found = FILTERS.get(raw.strip().lower())
    if found is None:
        raise _invalid("filter", "must be one of open, upcoming, past, complete, completed")
    return found


async def page(
    conn: Conn,
    who: Principal,
    raw_filter: str | None,
    handles: Sequence[str],
    number: int,
    per_page: int,
) -> dict[str, Any]:
    """The user's upcoming or past appointments, with the sideloads asked for."""
    upcoming = upcoming_filter(raw_filter)
    rows, count = await repository.page_mine(conn, who, upcoming, utcnow(), number, per_page)
    attendees = await repository.attendees_of(conn, [r["id"] for r in rows])
    out: dict[str, Any] = {}
    if "creater" in handles or "creator" in handles:
        creators = {r["creater_id"] for r in rows if r["creater_id"] is not None}
        out["users"] = await load_users(conn, who.workspace_id, creators)
    if "targetable" in handles:
        refs = [(r["target_table"], r["target_id"]) for r in rows]
        out.update(await engagement.load_targets(conn, who, refs))
    if "appointment_attendees" in handles:
        out["appointment_attendees"] = [
            render_attendee(a) for r in rows for a in attendees[r["id"]]
        ]
    out["appointments"] = [render(r, attendees[r["id"]]) for r in rows]
    out["meta"] = meta(count, per_page)
    return out
