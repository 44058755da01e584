"""Queries of a lead's own: the workspace switch, and moving its items to its contact."""

from __future__ import annotations

from opensales.db import Conn
from opensales.kit.engagement import ITEM_TABLES


async def leads_enabled(conn: Conn, workspace_id: int) -> bool:
    found = await conn.fetch_val(
        "SELECT leads_enabled FROM workspaces WHERE id = :ws", {"ws": workspace_id}
    )
    return bool(found)


async def set_leads_enabled(conn: Conn, workspace_id: int, enabled: bool) -> None:
    await conn.execute(
        "UPDATE workspaces SET leads_enabled = :on WHERE id = :ws",
        {"on": enabled, "ws": workspace_id},
    )


async def move_items(conn: Conn, workspace_id: int, lead_id: int, contact_id: int) -> None:
    """Every item on the lead (notes, tasks, appointments, ...) now hangs on the contact."""
    for table in ITEM_TABLES:
        await conn.execute(
            f"UPDATE {table} SET target_table = 'contacts', target_id = :contact "
            "WHERE workspace_id = :ws AND target_table = 'leads' AND target_id = :lead",
            {"ws": workspace_id, "lead": lead_id, "contact": contact_id},
        )


async def first_stage(conn: Conn, workspace_id: int) -> int | None:
    """The stage a new lead starts in when none is given: the first (New), as in Classic."""
    found = await conn.fetch_val(
        "SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = 'lead_stages' "
        "ORDER BY position, id LIMIT 1",
        {"ws": workspace_id},
    )
    return None if found is None else int(found)
