"""Sales activities: meetings, demos, coffees... logged on a contact, account or deal.

Bodies are read as Freshsales reads them: the `sales_activity` root key or the bare object,
ids as numbers or strings, dates in every accepted form, unknown keys ignored. A value that
cannot be read is a 400 naming the field. Who may see an activity is the engagement rule
(kit/engagement.py): admins all; others their own, those they created, and those on records
they may see.

An activity whose start has come counts as being in touch with its record: the record's
last-contacted time moves forward to the start, with the activity type's name as the mode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import custom_fields, engagement
from opensales.kit.coerce import to_bool, to_datetime, to_id, to_text
from opensales.kit.dates import utcnow
from opensales.kit.fields import json_value
from opensales.kit.http import unwrap
from opensales.kit.options import option
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql, update_sql
from opensales.kit.views import meta
from opensales.sales_activity.schemas import TABLE, as_datetime, render

ROOT = "sales_activity"
LABEL = "Sales activity"
TYPES = "sales_activity_types"
OUTCOMES = "sales_activity_outcomes"
MAX_TITLE = 255
MAX_TEXT = 65_535  # a Rails TEXT column, as notes
MAX_COORDINATE = 32
# The SQLite store writes timestamps as text that must sort: four-digit years only.
FIRST_YEAR = 1000
REQUIRED = ("title", "sales_activity_type_id", "start_date", "end_date")
TEXTS = ("notes", "location", "checkedout_location")
DATES = ("start_date", "end_date", "checkedin_at", "checkedout_at", "completed_date")
COORDINATES = {"latitude": 90.0, "longitude": 180.0}
# Keys of the rendered activity that an update's timeline entry does not list.
UNLISTED = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "updater_id",
        "conversation_time",
        "targetable",
        "checkedin_duration",
        "remote_id",
        "import_id",
        "custom_field",
    }
)
COMPLETION = ("status", "completed_date")


def _invalid(name: str, problem: Any) -> ValidationError:
    return ValidationError(f"Invalid value for {name}: {problem}")


# --- reading a body -----------------------------------------------------------------------


def _text(body: dict[str, Any], name: str) -> str | None:
    try:
        value = to_text(body[name])
    except ValueError as exc:
        raise _invalid(name, exc) from None
    if value is not None and len(value) > MAX_TEXT:
        raise _invalid(name, f"at most {MAX_TEXT} characters")
    if value is not None and "\x00" in value:
        raise _invalid(name, "must not contain a NUL character")
    return value


def _date(body: dict[str, Any], name: str) -> datetime | None:
    try:
        value = to_datetime(body[name])
    except ValueError as exc:
        raise _invalid(name, exc) from None
    if value is not None and value.year < FIRST_YEAR:
        raise _invalid(name, f"must be in the year {FIRST_YEAR} or later")
    return value


def _id(body: dict[str, Any], name: str) -> int | None:
    try:
        return to_id(body[name])
    except ValueError as exc:
        raise _invalid(name, exc) from None


def _coordinate(body: dict[str, Any], name: str) -> str | None:
    raw = body[name]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | type(None)):
        raise _invalid(name, "must be a number")
    text = None if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise _invalid(name, "must be a number") from None
    limit = COORDINATES[name]
    if not -limit <= number <= limit or len(text) > MAX_COORDINATE:
        raise _invalid(name, f"must be a number between -{limit:g} and {limit:g}")
    return text


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    """The columns whose values need nothing but the body."""
    values: dict[str, Any] = {}
    if "title" in body:
        title = (_text(body, "title") or "").strip()
        if len(title) > MAX_TITLE:
            raise _invalid("title", f"at most {MAX_TITLE} characters")
        values["title"] = title or None
    for name in TEXTS:
        if name in body:
            values[name] = _text(body, name)
    for name in DATES:
        if name in body:
            values[name] = _date(body, name)
    for name in COORDINATES:
        if name in body:
            values[name] = _coordinate(body, name)
    if "status" in body:
        try:
            values["status"] = bool(to_bool(body["status"]))
        except ValueError as exc:
            raise _invalid("status", exc) from None
    return values


async def _custom(
    conn: Conn, who: Principal, body: dict[str, Any], existing: Row | None
) -> dict[str, Any] | None:
    """The activity's custom fields after the write (None: unchanged)."""
    raw = body.get("custom_field")
    if existing is None:
        return await custom_fields.validate(conn, who, TABLE, raw, None)
    if raw is None:
        return None
    before = dict(render(existing)["custom_field"])
    return await custom_fields.validate(conn, who, TABLE, raw, before, existing["id"])


async def _type_and_outcome(
    conn: Conn, who: Principal, body: dict[str, Any], existing: Row | None
) -> dict[str, Any]:
    """The type must be a sales activity type; the outcome, one of that type's outcomes.
    A new type drops an outcome of the old type that the body does not replace."""
    values: dict[str, Any] = {}
    type_id = existing["sales_activity_type_id"] if existing else None
    if "sales_activity_type_id" in body:
        type_id = values["sales_activity_type_id"] = _id(body, "sales_activity_type_id")
        if type_id is not None and await option(conn, who.workspace_id, TYPES, type_id) is None:
            raise _invalid("sales_activity_type_id", f"no sales activity type {type_id}")
    outcome_id = existing["sales_activity_outcome_id"] if existing else None
    if "sales_activity_outcome_id" in body:
        outcome_id = _id(body, "sales_activity_outcome_id")
    if outcome_id is None:
        if "sales_activity_outcome_id" in body:
            values["sales_activity_outcome_id"] = None
        return values
    if type_id is None:
        raise _invalid("sales_activity_type_id", "is required with an outcome")
    found = await option(conn, who.workspace_id, OUTCOMES, outcome_id)
    if "sales_activity_outcome_id" not in body:
        if found is None or found["parent_id"] != type_id:
            values["sales_activity_outcome_id"] = None
        return values
    if found is None:
        raise _invalid("sales_activity_outcome_id", f"no sales activity outcome {outcome_id}")
    if found["parent_id"] != type_id:
        raise _invalid(
            "sales_activity_outcome_id",
            f"outcome {outcome_id} is not an outcome of sales activity type {type_id}",
        )
    values["sales_activity_outcome_id"] = outcome_id
    return values


async def _owner(conn: Conn, who: Principal, body: dict[str, Any], create: bool) -> dict[str, Any]:
    """The owner: a user of the workspace. As for records, blank means the requesting user
    on create and the current owner on update."""
    owner_id = _id(body, "owner_id") if "owner_id" in body else None
    if owner_id is None:
        return {"owner_id": who.user_id} if create else {}
    found = await conn.fetch_val(
        "SELECT id FROM users WHERE id = :id AND workspace_id = :ws",
        {"id": owner_id, "ws": who.workspace_id},
    )
    if found is None:
        raise _invalid("owner_id", f"no user {owner_id}")
    return {"owner_id": owner_id}


async def _target(
    conn: Conn, who: Principal, body: dict[str, Any], existing: Row | None
) -> dict[str, Any]:
    if existing is not None and "targetable_type" not in body and "targetable_id" not in body:
        return {}
    raw_type = body.get("targetable_type")
    raw_id = body.get("targetable_id")
    if existing is not None:
        if "targetable_type" not in body:
            raw_type = engagement.targetable_type(existing["target_table"])
        if "targetable_id" not in body:
            raw_id = existing["target_id"]
    table, record_id = await engagement.resolve_target(conn, who, raw_type, raw_id)
    return {"target_table": table, "target_id": record_id}


def _check(values: dict[str, Any], existing: Row | None) -> None:
    """The rules that span fields, on the activity as it will be."""
    for name in REQUIRED:
        if (existing is None or name in values) and values.get(name) is None:
            raise _invalid(name, "is required")

    def final(name: str) -> Any:
        if name in values or existing is None:
            return values.get(name)
        return as_datetime(existing[name])

    start, end = final("start_date"), final("end_date")
    if start is not None and end is not None and end < start:
        raise _invalid("end_date", "must not be before start_date")


def _completion(values: dict[str, Any], existing: Row | None) -> None:
    """`status` (completed) sets `completed_date` (now, unless given); reopened, none."""
    done = values.get("status", bool(existing["status"]) if existing else False)
    values["status"] = done
    if not done:
        values["completed_date"] = None
    elif values.get("completed_date") is None:
        already = existing["completed_date"] if existing and existing["status"] else None
        values["completed_date"] = as_datetime(already) or utcnow()


async def _values(
    conn: Conn, who: Principal, data: dict[str, Any], existing: Row | None
) -> dict[str, Any]:
    body = unwrap(data, ROOT)
    values = _plain(body)
    values.update(await _type_and_outcome(conn, who, body, existing))
    values.update(await _owner(conn, who, body, existing is None))
    custom = await _custom(conn, who, body, existing)
    if custom is not None:
        values["custom_field"] = custom
    _check(values, existing)
    values.update(await _target(conn, who, body, existing))
    _completion(values, existing)
    return values


# --- operations ---------------------------------------------------------------------------


async def get(conn: Conn, who: Principal, activity_id: int | None) -> Row:
    """The activity, if the user may see it; one on a record in the recycle bin is gone
    until the record comes back (as it is from the lists)."""
    return await engagement.find(conn, who, TABLE, LABEL, activity_id)


async def _touch(conn: Conn, who: Principal, row: Row) -> None:
    """The record was in touch at the activity's start, by the activity's type."""
    mode = LABEL
    if row["sales_activity_type_id"] is not None:
        found = await option(conn, who.workspace_id, TYPES, row["sales_activity_type_id"])
        mode = found["name"] if found else LABEL
    target = (row["target_table"], row["target_id"])
    await engagement.touch_contacted(conn, who, [target], mode, as_datetime(row["start_date"]))


def _target_of(row: Row) -> engagement.Ref | None:
    if row["target_table"] is None or row["target_id"] is None:
        return None
    return row["target_table"], int(row["target_id"])


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> Row:
    values = await _values(conn, who, data, None)
    now = utcnow()
    values.update(
        workspace_id=who.workspace_id,
        target_deleted=False,
        creater_id=who.user_id,
        updater_id=None,
        created_at=now,
        updated_at=now,
    )
    new_id = int(await conn.fetch_val(insert_sql(TABLE, list(values)), values))
    row = await engagement.reload(conn, TABLE, new_id)
    await engagement.log(
        conn, who, (TABLE, new_id), "CREATED", _target_of(row), {"title": row["title"]}
    )
    await _touch(conn, who, row)
    return row


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old and new value of each changed field, in wire form (custom fields one by one)."""
    found = {
        key: {"old": before[key], "new": value}
        for key, value in after.items()
        if key not in UNLISTED and before[key] != value
    }
    old_custom, new_custom = before["custom_field"], after["custom_field"]
    custom = {
        k: {"old": old_custom.get(k), "new": v}
        for k, v in new_custom.items()
        if old_custom.get(k) != v
    }
    if custom:
        found["custom_field"] = custom
    return found


async def update(conn: Conn, who: Principal, activity_id: int | None, data: dict[str, Any]) -> Row:
    existing = await get(conn, who, activity_id)
    asked = await _values(conn, who, data, existing)
    values = {k: v for k, v in asked.items() if _differs(existing, k, v)}
    if not values:  # nothing changes: nothing is written
        return existing
    values.update(updater_id=who.user_id, updated_at=utcnow())
    await conn.execute(
        update_sql(TABLE, list(values)),
        {**values, "id": existing["id"], "workspace_id": who.workspace_id},
    )
    row = await engagement.reload(conn, TABLE, existing["id"])
    await _log_update(conn, who, existing, row)
    await _touch(conn, who, row)
    return row


def _differs(existing: Row, name: str, value: Any) -> bool:
    """Whether writing `value` changes the stored column (read back in Python terms)."""
    old: Any = existing[name]
    if name in DATES:
        old = as_datetime(old)
    elif name == "status":
        old = bool(old)
    elif name == "custom_field":
        old = dict(json_value(old))
    return bool(old != value)


async def _log_update(conn: Conn, who: Principal, existing: Row, row: Row) -> None:
    """UPDATED with the changes on the record's timeline (both records' when it moved);
    COMPLETED when the activity was marked completed."""
    item = (TABLE, int(row["id"]))
    changes = _changes(render(existing), render(row))
    completed = bool(row["status"]) and not existing["status"]
    if completed:
        await engagement.log(conn, who, item, "COMPLETED", _target_of(row), {"title": row["title"]})
        for name in COMPLETION:
            changes.pop(name, None)
    if not changes:
        return
    data = {"title": row["title"], "changes": changes}
    for target in dict.fromkeys((_target_of(existing), _target_of(row))):
        await engagement.log(conn, who, item, "UPDATED", target, data)


async def delete(conn: Conn, who: Principal, activity_id: int | None) -> None:
    row = await get(conn, who, activity_id)
    await conn.execute(
        f"DELETE FROM {TABLE} WHERE id = :id AND workspace_id = :ws",
        {"id": row["id"], "ws": who.workspace_id},
    )
    await engagement.log(
        conn, who, (TABLE, int(row["id"])), "DELETED", _target_of(row), {"title": row["title"]}
    )


# --- listing ------------------------------------------------------------------------------


def _visible(who: Principal) -> tuple[str, dict[str, Any]]:
    """The activities the user may see, as SQL: admins all; others their own, those they
    created, and those on records they may see. None on a record in the recycle bin."""
    where = "s.workspace_id = :ws AND s.target_deleted = false"
    params: dict[str, Any] = {"ws": who.workspace_id}
    if who.scope == "all":
        return where, params
    scope, scope_params = who.scope_sql("r")
    either = ["s.owner_id = :me", "s.creater_id = :me"]
    for n, table in enumerate(engagement.RECORD_TARGETS):
        either.append(
            f"(s.target_table = :table{n} AND s.target_id IN (SELECT r.id FROM {table} r "
            f"WHERE r.workspace_id = :ws AND r.is_deleted = false{scope}))"
        )
        params[f"table{n}"] = table
    params.update(scope_params, me=who.user_id)
    return f"{where} AND ({' OR '.join(either)})", params


async def page(conn: Conn, who: Principal, number: int, per_page: int) -> dict[str, Any]:
    """One page of the activities the user may see, newest first."""
    where, params = _visible(who)
    count = int(await conn.fetch_val(f"SELECT count(*) FROM {TABLE} s WHERE {where}", params) or 0)
    rows = await conn.fetch_all(
        f"SELECT s.* FROM {TABLE} s WHERE {where} ORDER BY s.id DESC LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (number - 1) * per_page},
    )
    sizes = meta(count, per_page)
    return {
        "sales_activities": [render(r) for r in rows],
        "meta": {"total_pages": sizes["total_pages"], "total": sizes["total"]},
    }
