"""Queries for a deal's links and for the deal totals kept on contacts and accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.db import Conn, Row
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
