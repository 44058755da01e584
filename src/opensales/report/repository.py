"""The dashboard's aggregates: one GROUP BY each, over the rows the user may see.

Deals are limited by `Principal.scope_sql`; activities by their creator's scope (see
`people_scope`). Each query reads a bounded period through an index that holds what it
sums: deals closed in the last months (ix_deals_closed), expected to close this quarter
(ix_deals_forecast), activities made lately (ix_<table>_created). The value of each
stage is the pipeline board's own sum (deal/repository.py `stage_totals`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from opensales.db import Conn, Row
from opensales.kit.principal import Principal

# A deal's value in the workspace's base currency (as the pipeline board sums it).
AMOUNT = "d.base_currency_amount"
ACTIVITY_TABLES = ("notes", "tasks", "appointments", "phone_calls")


def people_scope(who: Principal) -> tuple[str, dict[str, Any]]:
    """The users (alias `u`) whose activity this user may see: as with records, an admin
    everyone, a manager their territory's users and themselves, a rep themselves."""
    if who.scope == "all":
        return "", {}
    if who.scope == "territory" and who.territory_id is not None:
        return (
            " AND (u.territory_id = :scope_territory OR u.id = :scope_user)",
            {"scope_territory": who.territory_id, "scope_user": who.user_id},
        )
    return " AND u.id = :scope_user", {"scope_user": who.user_id}


async def pipelines(conn: Conn, workspace_id: int) -> list[Row]:
    """The workspace's deal pipelines, the default first."""
    return await conn.fetch_all(
        "SELECT id, name, is_default FROM selector_options WHERE workspace_id = :ws "
        "AND kind = 'deal_pipelines' ORDER BY is_default DESC, position, id",
        {"ws": workspace_id},
    )


async def open_stages(conn: Conn, workspace_id: int, pipeline_id: int) -> list[Row]:
    """The pipeline's open stages (not won or lost), in board order."""
    return await conn.fetch_all(
        "SELECT id, name FROM selector_options WHERE workspace_id = :ws "
        "AND kind = 'deal_stages' AND parent_id = :pipeline "
        "AND (forecast_type IS NULL OR forecast_type = 'open') ORDER BY position, id",
        {"ws": workspace_id, "pipeline": pipeline_id},
    )


async def closed_by_day(conn: Conn, who: Principal, since: date, until: date) -> list[Row]:
    """Won and lost deals closed in [since, until], per day and forecast type (grouped in
    the index's order: no sort)."""
    scope, params = who.scope_sql("d")
    return await conn.fetch_all(
        f"SELECT d.closed_date AS day, d.forecast_type, count(*) AS deals, "
        f"sum({AMOUNT}) AS amount FROM deals d WHERE d.workspace_id = :ws "
        "AND d.is_deleted = false AND d.forecast_type IN ('won', 'lost') "
        f"AND d.closed_date >= :since AND d.closed_date <= :until{scope} "
        "GROUP BY d.closed_date, d.forecast_type",
        {"ws": who.workspace_id, "since": since, "until": until, **params},
    )


async def forecast(conn: Conn, who: Principal, start: date, end: date) -> Row:
    """Open deals expected to close in [start, end] (count, value, and value times each
    deal's probability, which is its stage's unless set) and the value won in it."""
    scope, params = who.scope_sql("d")
    live = "d.workspace_id = :ws AND d.is_deleted = false"
    won = (
        f"SELECT coalesce(sum({AMOUNT}), 0) FROM deals d WHERE {live} "
        f"AND d.forecast_type = 'won' AND d.closed_date >= :start AND d.closed_date <= :end{scope}"
    )
    row = await conn.fetch_one(
        f"SELECT count(*) AS deals, coalesce(sum({AMOUNT}), 0) AS amount, "
        f"coalesce(sum({AMOUNT} * coalesce(d.probability, 0)), 0) AS weighted, "
        f"({won}) AS won FROM deals d WHERE {live} AND d.forecast_type = 'open' "
        f"AND d.expected_close >= :start AND d.expected_close <= :end{scope}",
        {"ws": who.workspace_id, "start": start, "end": end, **params},
    )
    assert row is not None  # an aggregate always answers one row
    return row


async def activities_by_user(conn: Conn, who: Principal, since: datetime) -> list[Row]:
    """Each active user this user may see, with how many notes, tasks, appointments and
    phone calls they created since `since` (one index range per user and kind)."""
    scope, params = people_scope(who)
    counts = ", ".join(
        f"(SELECT count(*) FROM {table} x WHERE x.workspace_id = :ws AND x.creater_id = u.id "
        f"AND x.created_at >= :since) AS {table}"
        for table in ACTIVITY_TABLES
    )
    return await conn.fetch_all(
        f"SELECT u.id, u.display_name, {counts} FROM users u "
        f"WHERE u.workspace_id = :ws AND u.is_active = true{scope} ORDER BY u.id",
        {"ws": who.workspace_id, "since": since, **params},
    )
