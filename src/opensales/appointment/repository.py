"""Queries about appointments: their attendees, and the people and options they point at."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from opensales.db import Conn, Row
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal

# attendee_table -> attendee.type as responses write it
ATTENDEE_KINDS = {"users": "user", "contacts": "contact"}
# The sales-activity types whose outcomes an appointment may have.
MEETING_TYPES = ("meeting", "appointment")


async def attendees_of(conn: Conn, ids: Sequence[int]) -> dict[int, list[Row]]:
    """Each appointment's attendee rows, in the order they were added."""
    found: dict[int, list[Row]] = {i: [] for i in ids}
    if not ids:
        return found
    clause, params = in_clause("a", ids)
    rows = await conn.fetch_all(
        "SELECT id, appointment_id, attendee_table, attendee_id FROM appointment_attendees "
        f"WHERE appointment_id IN {clause} ORDER BY id",
        params,
    )
    for row in rows:
        found.setdefault(row["appointment_id"], []).append(row)
    return found


async def user_attendee_ids(conn: Conn, row: Row) -> list[int]:
    """The users taking part in an appointment (who may therefore see it)."""
    rows = await conn.fetch_all(
        "SELECT attendee_id FROM appointment_attendees WHERE appointment_id = :id "
        "AND attendee_table = 'users'",
        {"id": row["id"]},
    )
    return [r["attendee_id"] for r in rows]


async def active_users(conn: Conn, who: Principal, ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    clause, params = in_clause("u", wanted)
    rows = await conn.fetch_all(
        f"SELECT id FROM users WHERE workspace_id = :ws AND is_active = true AND id IN {clause}",
        {"ws": who.workspace_id, **params},
    )
    return {r["id"] for r in rows}


async def visible_contacts(conn: Conn, who: Principal, ids: Iterable[int]) -> list[Row]:
    """The live contacts among `ids` that the user may see, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    clause, params = in_clause("c", wanted)
    scope, scope_params = who.scope_sql()
    return await conn.fetch_all(
        "SELECT id, display_name FROM contacts WHERE workspace_id = :ws "
        f"AND is_deleted = false AND id IN {clause}{scope} ORDER BY id",
        {"ws": who.workspace_id, **params, **scope_params},
    )


async def meeting_outcome(conn: Conn, who: Principal, option_id: int) -> bool:
    """Whether the option is an outcome of the Meeting (or Appointment) activity type."""
    found = await conn.fetch_val(
        "SELECT o.id FROM selector_options o JOIN selector_options t ON t.id = o.parent_id "
        "WHERE o.id = :id AND o.workspace_id = :ws AND o.kind = 'sales_activity_outcomes' "
        "AND t.kind = 'sales_activity_types' AND lower(t.name) IN (:t0, :t1)",
        {"id": option_id, "ws": who.workspace_id, "t0": MEETING_TYPES[0], "t1": MEETING_TYPES[1]},
    )
    return found is not None


def mine_sql(alias: str = "a") -> str:
    """Appointments the user (`:me`) created or attends, off records in the recycle bin."""
    return (
        f"{alias}.workspace_id = :ws AND {alias}.target_deleted = false "
        f"AND ({alias}.creater_id = :me OR {alias}.id IN (SELECT appointment_id "
        "FROM appointment_attendees WHERE attendee_table = 'users' AND attendee_id = :me))"
    )


async def page_mine(
    conn: Conn, who: Principal, upcoming: bool, now: datetime, number: int, per_page: int
) -> tuple[list[Row], int]:
    """One page of the user's upcoming (soonest first) or past (latest first) appointments,
    and how many there are."""
    when = "a.end_date > :now" if upcoming else "a.end_date <= :now"
    order = "a.from_date, a.id" if upcoming else "a.from_date DESC, a.id DESC"
    params = {"ws": who.workspace_id, "me": who.user_id, "now": now}
    where = f"FROM appointments a WHERE {mine_sql()} AND {when}"
    count = int(await conn.fetch_val(f"SELECT count(*) {where}", params) or 0)
    rows: list[Row] = []
    if (number - 1) * per_page < count:
        rows = await conn.fetch_all(
            f"SELECT a.* {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            {**params, "limit": per_page, "offset": (number - 1) * per_page},
        )
    return rows, count
