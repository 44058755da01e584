"""Queries for a deal's links and for the deal totals kept on contacts and accounts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from opensales.db import Conn, Row
from opensales.kit import versions
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import visible_rows


async def contact_ids(conn: Conn, deal_ids: Sequence[int]) -> dict[int, list[int]]:
    """The live contacts of each deal (a deleted contact stays linked, for a restore)."""
    found: dict[int, list[int]] = {i: [] for i in deal_ids}
    if not deal_ids:
        return found
    clause, params = in_clause("d", deal_ids)
    for row in await conn.fetch_all(
        "SELECT l.deal_id, l.contact_id FROM deal_contacts l "
        "JOIN contacts c ON c.id = l.contact_id "
        f"WHERE l.deal_id IN {clause} AND c.is_deleted = false ORDER BY l.id",
        params,
    ):
        found[row["deal_id"]].append(row["contact_id"])
    return found


async def contacts_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.contact.kind import CONTACT

    if not rows:
        return []
    clause, params = in_clause("d", [r["id"] for r in rows])
    contacts = await visible_rows(
        conn,
        who,
        "contacts",
        f"id IN (SELECT contact_id FROM deal_contacts WHERE deal_id IN {clause})",
        params,
    )
    return [CONTACT.render(c) for c in contacts]


async def account_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.account.kind import ACCOUNT

    ids = sorted({r["sales_account_id"] for r in rows if r["sales_account_id"]})
    if not ids:
        return []
    clause, params = in_clause("a", ids)
    accounts = await visible_rows(conn, who, "sales_accounts", f"id IN {clause}", params)
    return [ACCOUNT.render(a) for a in accounts]


_TOTALS = """
    open_deals_amount = coalesce((SELECT sum(d.base_currency_amount) {deals}
        AND d.forecast_type = 'open'), 0),
    open_deals_count = (SELECT count(*) {deals} AND d.forecast_type = 'open'),
    won_deals_amount = coalesce((SELECT sum(d.base_currency_amount) {deals}
        AND d.forecast_type = 'won'), 0),
    won_deals_count = (SELECT count(*) {deals} AND d.forecast_type = 'won')
"""
_ACCOUNT_DEALS = (
    "FROM deals d WHERE d.sales_account_id = sales_accounts.id AND d.is_deleted = false"
)
_CONTACT_DEALS = (
    "FROM deals d JOIN deal_contacts l ON l.deal_id = d.id "
    "WHERE l.contact_id = contacts.id AND d.is_deleted = false"
)


async def refresh_totals(conn: Conn, account_ids: set[int], contact_ids: set[int]) -> None:
    """Recount open and won deal amounts on the given accounts and contacts."""
    if account_ids:
        clause, params = in_clause("a", sorted(account_ids))
        await conn.execute(
            f"UPDATE sales_accounts SET {_TOTALS.format(deals=_ACCOUNT_DEALS)} "
            f"WHERE id IN {clause}",
            params,
        )
    if contact_ids:
        clause, params = in_clause("c", sorted(contact_ids))
        await conn.execute(
            f"UPDATE contacts SET {_TOTALS.format(deals=_CONTACT_DEALS)} WHERE id IN {clause}",
            params,
        )


# What a card on the pipeline board shows of a deal.
_CARD_COLUMNS = (
    "id, name, amount, currency_id, sales_account_id, owner_id, expected_close, deal_stage_id"
)
# Stage totals by filter and data version of the deals (kit.versions), so that a board
# sums a large pipeline once per write rather than once per request.
_stage_totals: dict[tuple[Any, ...], dict[int, tuple[int, Decimal]]] = {}
_TOTALS_KEPT = 2_000


async def stage_totals(
    conn: Conn, workspace_id: int, stage_ids: Sequence[int], where: str, params: dict[str, Any]
) -> dict[int, tuple[int, Decimal]]:
    """Per stage: how many live deals the AND-clauses `where` keep, and their amount in the
    base currency."""
    if not stage_ids:
        return {}
    version, _ = await versions.current(conn, workspace_id, "deals")
    key = (conn.url, workspace_id, version, tuple(stage_ids), where, repr(sorted(params.items())))
    found = _stage_totals.get(key)
    if found is None:
        found = await _sum_stages(conn, workspace_id, stage_ids, where, params)
        if len(_stage_totals) >= _TOTALS_KEPT:
            del _stage_totals[next(iter(_stage_totals))]
        _stage_totals[key] = found
    return found


async def _sum_stages(
    conn: Conn, workspace_id: int, stage_ids: Sequence[int], where: str, params: dict[str, Any]
) -> dict[int, tuple[int, Decimal]]:
    clause, stages = in_clause("stage", stage_ids)
    rows = await conn.fetch_all(
        "SELECT deal_stage_id, count(*) AS deals, sum(base_currency_amount) AS amount "
        f"FROM deals WHERE workspace_id = :ws AND deal_stage_id IN {clause} "
        f"AND is_deleted = false{where} GROUP BY deal_stage_id",
        {"ws": workspace_id, **stages, **params},
    )
    return {r["deal_stage_id"]: (int(r["deals"]), Decimal(str(r["amount"] or 0))) for r in rows}


async def account_names(conn: Conn, who: Principal, ids: set[int]) -> dict[int, str]:
    """The names of the live accounts among `ids` that the user may see."""
    if not ids:
        return {}
    clause, params = in_clause("a", sorted(ids))
    rows = await visible_rows(conn, who, "sales_accounts", f"id IN {clause}", params)
    return {r["id"]: r["name"] for r in rows}


async def stage_cards(
    conn: Conn,
    workspace_id: int,
    stage_id: int,
    where: str,
    params: dict[str, Any],
    limit: int,
) -> list[Row]:
    """The first `limit` live deals of a stage that `where` keeps, biggest first (the order
    of ix_deals_stage)."""
    return await conn.fetch_all(
        f"SELECT {_CARD_COLUMNS} FROM deals WHERE workspace_id = :ws "
        f"AND deal_stage_id = :board_stage AND is_deleted = false{where} "
        "ORDER BY base_currency_amount DESC, id DESC LIMIT :board_limit",
        {"ws": workspace_id, "board_stage": stage_id, "board_limit": limit, **params},
    )
