"""Queries for what hangs off a contact: emails, linked accounts, deals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.db import Conn, Row
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import visible_rows


async def emails_of(conn: Conn, contact_ids: Sequence[int]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {i: [] for i in contact_ids}
    if not contact_ids:
        return found
    clause, params = in_clause("c", contact_ids)
    rows = await conn.fetch_all(
        f"SELECT * FROM contact_emails WHERE contact_id IN {clause} "
        "ORDER BY is_primary DESC, position, id",
        params,
    )
    for row in rows:
        found[row["contact_id"]].append(row)
    return found


async def contacts_with_email(conn: Conn, workspace_id: int, values: Sequence[str]) -> list[Row]:
    clause, params = in_clause("e", values)
    return await conn.fetch_all(
        f"SELECT contact_id, value FROM contact_emails WHERE workspace_id = :ws "
        f"AND is_deleted = false AND value IN {clause}",
        {"ws": workspace_id, **params},
    )


async def attachments(
    conn: Conn, contact_ids: Sequence[int]
) -> tuple[dict[int, list[Row]], dict[int, int], dict[int, list[int]]]:
    """Each contact's emails (primary first), live primary account and team user ids, in
    one query: a contact's full shape costs two statements in all."""
    emails: dict[int, list[Row]] = {i: [] for i in contact_ids}
    primaries: dict[int, int] = {}
    teams: dict[int, list[int]] = {i: [] for i in contact_ids}
    clause, params = in_clause("c", contact_ids)
    rows = await conn.fetch_all(
        "SELECT 'email' AS part, contact_id, id, value, is_primary, label, position "
        f"FROM contact_emails WHERE contact_id IN {clause} "
        "UNION ALL SELECT 'account', l.contact_id, l.sales_account_id, NULL, l.is_primary, "
        "NULL, 0 FROM contact_accounts l JOIN sales_accounts a ON a.id = l.sales_account_id "
        f"WHERE l.contact_id IN {clause} AND l.is_primary = true AND a.is_deleted = false "
        "UNION ALL SELECT 'team', entity_id, user_id, NULL, false, NULL, id FROM team_members "
        f"WHERE entity_type = 'contacts' AND entity_id IN {clause}",
        params,
    )
    for row in sorted(rows, key=lambda r: (not r["is_primary"], r["position"], r["id"])):
        if row["part"] == "email":
            emails[row["contact_id"]].append(row)
        elif row["part"] == "team":
            teams[row["contact_id"]].append(row["id"])
        else:
            primaries[row["contact_id"]] = row["id"]
    return emails, primaries, teams


async def account_links(conn: Conn, contact_ids: Sequence[int]) -> list[Row]:
    if not contact_ids:
        return []
    clause, params = in_clause("c", contact_ids)
    return await conn.fetch_all(
        "SELECT l.contact_id, l.is_primary, a.* FROM contact_accounts l "
        "JOIN sales_accounts a ON a.id = l.sales_account_id "
        f"WHERE l.contact_id IN {clause} AND a.is_deleted = false "
        "ORDER BY l.is_primary DESC, l.id",
        params,
    )


def render_link(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "is_primary": bool(row["is_primary"]),
        "avatar": None,
        "website": row["website"],
        "partial": True,
    }


async def nest_accounts(conn: Conn, who: Principal, rows: Sequence[Row]) -> dict[int, list[Any]]:
    links = await account_links(conn, [r["id"] for r in rows])
    clause, params = in_clause("a", [link["id"] for link in links])
    visible = {
        a["id"] for a in await visible_rows(conn, who, "sales_accounts", f"id IN {clause}", params)
    }
    nested: dict[int, list[Any]] = {}
    for link in links:
        if link["id"] in visible:
            nested.setdefault(link["contact_id"], []).append(render_link(link))
    return nested


async def primary_accounts(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.account.kind import ACCOUNT

    if not rows:
        return []
    clause, params = in_clause("c", [r["id"] for r in rows])
    accounts = await visible_rows(
        conn,
        who,
        "sales_accounts",
        "id IN (SELECT sales_account_id FROM contact_accounts "
        f"WHERE is_primary = true AND contact_id IN {clause})",
        params,
    )
    return [ACCOUNT.render(a) for a in accounts]


async def deals_of(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
    from opensales.deal.kind import DEAL

    if not rows:
        return []
    clause, params = in_clause("c", [r["id"] for r in rows])
    deals = await visible_rows(
        conn,
        who,
        "deals",
        f"id IN (SELECT deal_id FROM deal_contacts WHERE contact_id IN {clause})",
        params,
    )
    return [DEAL.render(d) for d in deals]
