"""Queries for what hangs off an account: its contacts, deals and child accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.db import Conn, Row
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import visible_rows


async def contacts_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.contact.kind import CONTACT

    if not rows:
        return []
    clause, params = in_clause("a", [r["id"] for r in rows])
    contacts = await visible_rows(
        conn,
        who,
        "contacts",
        f"id IN (SELECT contact_id FROM contact_accounts WHERE sales_account_id IN {clause})",
        params,
    )
    return [CONTACT.render(c) for c in contacts]


async def deals_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.deal.kind import DEAL

    if not rows:
        return []
    clause, params = in_clause("a", [r["id"] for r in rows])
    deals = await visible_rows(conn, who, "deals", f"sales_account_id IN {clause}", params)
    return [DEAL.render(d) for d in deals]


async def children_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.account.kind import ACCOUNT

    if not rows:
        return []
    clause, params = in_clause("a", [r["id"] for r in rows])
    children = await visible_rows(
        conn, who, "sales_accounts", f"parent_sales_account_id IN {clause}", params
    )
    return [ACCOUNT.render(c) for c in children]


async def id_by_name(conn: Conn, workspace_id: int, name: str) -> int | None:
    found = await conn.fetch_val(
        "SELECT id FROM sales_accounts WHERE workspace_id = :ws AND lower(name) = :name "
        "AND is_deleted = false ORDER BY id LIMIT 1",
        {"ws": workspace_id, "name": name.strip().lower()},
    )
    return int(found) if found else None
