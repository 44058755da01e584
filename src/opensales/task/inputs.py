"""Reading a task's attributes from a request body, leniently, as Freshsales does: each
reader answers the checked value or raises a 400 naming the field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import engagement, timezones
from opensales.kit.coerce import to_bool, to_id, to_int, to_text
from opensales.kit.dates import DateFormatError, parse_datetime
from opensales.kit.options import in_clause, option
from opensales.kit.principal import Principal
from opensales.task.repository import DONE, OPEN

MAX_TITLE = 255
MAX_DESCRIPTION = 65_535  # a Rails TEXT column
MAX_COLLABORATORS = 100
MIN_YEAR, MAX_YEAR = 1000, 9999
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def bad(field: str, problem: str) -> ValidationError:
    return ValidationError(f"Invalid value for {field}: {problem}")


def title(raw: Any) -> str:
    try:
        text = (to_text(raw) or "").strip()
    except ValueError as exc:
        raise bad("title", str(exc)) from None
    if not text:
        raise bad("title", "is required")
    if "\x00" in text:
        raise bad("title", "must not contain a NUL character")
    if len(text) > MAX_TITLE:
        raise bad("title", f"at most {MAX_TITLE} characters")
    return text


def description(raw: Any) -> str | None:
    try:
        text = to_text(raw)
    except ValueError as exc:
        raise bad("description", str(exc)) from None
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise bad("description", f"at most {MAX_DESCRIPTION} characters")
    if text is not None and "\x00" in text:
        raise bad("description", "must not contain a NUL character")
    return text


def due_date(raw: Any, who: Principal) -> datetime:
    """Any accepted format; a date alone is due at the end of that day (23:59:59) in the
    requesting user's time zone, so that it is due "today" all that day."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise bad("due_date", "is required")
    if not isinstance(raw, str):
        raise bad("due_date", "must be a date and time")
    try:
        value = parse_datetime(raw)
    except DateFormatError:
        raise bad("due_date", f"'{raw}' is not a valid date and time") from None
    try:
        if _DATE_ONLY.match(raw):
            tz = timezones.zone(who.time_zone)
            local = datetime.combine(value.date(), time(23, 59, 59), tzinfo=tz)
            value = local.astimezone(value.tzinfo)
    except OverflowError:
        value = value.replace(year=1)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise bad("due_date", f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def status(raw: Any) -> int:
    if isinstance(raw, bool):
        return DONE if raw else OPEN
    try:
        value = to_int(raw)
    except ValueError:
        value = None
    if value not in (OPEN, DONE):
        raise bad("status", "must be 0 (open) or 1 (completed)")
    return value


def ref(field: str, raw: Any) -> int | None:
    try:
        return to_id(raw)
    except ValueError as exc:
        raise bad(field, str(exc)) from None


async def user(conn: Conn, who: Principal, field: str, raw: Any) -> int | None:
    user_id = ref(field, raw)
    if user_id is None:
        return None
    found = await conn.fetch_val(
        "SELECT id FROM users WHERE id = :id AND workspace_id = :ws",
        {"id": user_id, "ws": who.workspace_id},
    )
    if not found:
        raise bad(field, f"no such user with id {user_id}")
    return user_id


def _entries(raw: Any) -> list[tuple[int, bool]]:
    """`[{"user_id": "1"}, {"user_id": 2, "_destroy": true}]` as (user id, destroy)."""
    field = "task_users_attributes"
    if isinstance(raw, Mapping):  # Rails also takes {"0": {...}, "1": {...}}
        raw = list(raw.values())
    if not isinstance(raw, list):
        raise bad(field, "must be an array of {user_id}")
    if len(raw) > MAX_COLLABORATORS:
        raise bad(field, f"at most {MAX_COLLABORATORS} entries")
    entries = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise bad(field, "each entry must be an object with user_id")
        user_id = ref(f"{field}.user_id", entry.get("user_id"))
        if user_id is None:
            raise bad(f"{field}.user_id", "is required")
        try:
            destroy = bool(to_bool(entry.get("_destroy")))
        except ValueError as exc:
            raise bad(f"{field}._destroy", str(exc)) from None
        entries.append((user_id, destroy))
    return entries


async def collaborators(conn: Conn, who: Principal, raw: Any, current: Sequence[int]) -> list[int]:
    """The collaborators after a write. Entries without `_destroy` replace the set; a list
    of `_destroy` entries only removes those users; `[]` removes everyone."""
    entries = _entries(raw)
    kept = list(dict.fromkeys(u for u, destroy in entries if not destroy))
    dropped = {u for u, destroy in entries if destroy}
    if not kept and dropped:
        return [u for u in current if u not in dropped]
    result = [u for u in kept if u not in dropped]
    if result:
        clause, params = in_clause("u", result)
        rows = await conn.fetch_all(
            f"SELECT id FROM users WHERE workspace_id = :ws AND id IN {clause}",
            {"ws": who.workspace_id, **params},
        )
        missing = sorted(set(result) - {r["id"] for r in rows})
        if missing:
            listed = ", ".join(str(u) for u in missing)
            raise bad("task_users_attributes", f"no such user with id {listed}")
    return result


async def activity_type(
    conn: Conn, who: Principal, body: Mapping[str, Any], existing: Row | None
) -> tuple[int | None, int | None]:
    """`task_type_id` (a sales activity type) and `outcome_id` (a sales activity outcome,
    of that type when there is one). A new type drops an outcome of another type."""
    type_id = existing["task_type_id"] if existing else None
    outcome_id = existing["outcome_id"] if existing else None
    if "task_type_id" in body:
        type_id = ref("task_type_id", body["task_type_id"])
        if type_id is not None and not await option(
            conn, who.workspace_id, "sales_activity_types", type_id
        ):
            raise bad("task_type_id", f"no such sales activity type {type_id}")
    given = "outcome_id" in body
    if given:
        outcome_id = ref("outcome_id", body["outcome_id"])
    if outcome_id is None:
        return type_id, None
    outcome = await option(conn, who.workspace_id, "sales_activity_outcomes", outcome_id)
    if outcome is None:
        raise bad("outcome_id", f"no such sales activity outcome {outcome_id}")
    if type_id is not None and outcome["parent_id"] != type_id:
        if not given:
            return type_id, None
        raise bad("outcome_id", f"{outcome_id} is not an outcome of task type {type_id}")
    return type_id, outcome_id


async def target(
    conn: Conn, who: Principal, body: Mapping[str, Any], existing: Row | None
) -> engagement.Ref:
    raw_type, raw_id = body.get("targetable_type"), body.get("targetable_id")
    allowed = engagement.ENGAGED
    if existing is None:
        return await engagement.resolve_target(conn, who, raw_type, raw_id, allowed)
    old: engagement.Ref = (existing["target_table"], existing["target_id"])
    if raw_type is None and raw_id is None:
        return old
    raw_type = raw_type if raw_type is not None else engagement.targetable_type(old[0])
    raw_id = raw_id if raw_id is not None else old[1]
    # Naming the record it already hangs on is no move (the example update sends it).
    table = await engagement.table_named(conn, who, raw_type, allowed)
    if table == old[0] and ref("targetable_id", raw_id) == old[1]:
        return old
    return await engagement.resolve_target(conn, who, raw_type, raw_id, allowed)
