"""The default fields of sales activities (`/api/settings/sales_activities/fields`).

They are data (rows of `fields`), seeded for every new workspace; the engagement migration
inserts the same rows for the workspaces that existed before it (as literals: migrations do
not import the application). Keep the two in step: tests compare them.

What the sales-activity items carry beyond the core field keys (`quick_add_position`,
`visible`, `auto_suggest_url`) is kept in the row's `choices` JSON under `attributes`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Conn
from opensales.settings.service import field_row, insert_fields

ENTITY = "sales_activities"
# opensales' targetables are contacts, accounts and deals (no leads).
SEARCH_URL = "/search?per_page=5&include=contact,sales_account,deal&q="
STATUS_CHOICES = (
    {"id": "1", "value": "true", "position": 1},
    {"id": "0", "value": "false", "position": 2},
)

# name, label, type, required, selector feeding the choices, quick_add_position
DEFAULT_FIELDS: tuple[tuple[str, str, str, bool, str | None, int | None], ...] = (
    ("title", "Title", "text", True, None, 1),
    ("start_date", "Start date", "date_time_split", True, None, 2),
    ("end_date", "End date", "date_time_split", True, None, 3),
    ("targetable", "Related to", "auto_complete", True, None, 4),
    ("owner_id", "Owner", "dropdown", False, "users", 5),
    ("notes", "Notes", "textarea", False, None, 6),
    ("sales_activity_type_id", "Sales activity type", "dropdown", True, "sales_activity_types", 8),
    ("location", "Location", "text", False, None, None),
    ("checkedin_at", "Checked in time", "date", False, None, None),
    ("checkedout_location", "Checked out location", "text", False, None, None),
    ("checkedout_at", "Checked out time", "date", False, None, None),
    ("checkedin_duration", "Time spent (in seconds)", "number", False, None, None),
    ("status", "Mark as completed", "checkbox", False, None, None),
    ("completed_date", "Completed date", "date_time_split", False, None, None),
    ("sales_activity_outcome_id", "Outcome", "dropdown", False, "sales_activity_outcomes", None),
)


def _choices(name: str, quick_add: int | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"quick_add_position": quick_add, "visible": True}
    if name == "targetable":
        attributes["auto_suggest_url"] = SEARCH_URL
    items = [dict(c) for c in STATUS_CHOICES] if name == "status" else []
    return {"items": items, "attributes": attributes}


def field_rows(workspace_id: int, now: datetime) -> list[dict[str, Any]]:
    """The rows of `fields` a workspace's sales activities start with."""
    return [
        field_row(
            workspace_id,
            ENTITY,
            position,
            now,
            name,
            label,
            type_,
            required=required,
            choices_kind=choices_kind,
            choices=_choices(name, quick_add),
            actionable=True,
        )
        for position, (name, label, type_, required, choices_kind, quick_add) in enumerate(
            DEFAULT_FIELDS, 1
        )
    ]


async def seed_fields(conn: Conn, workspace_id: int, now: datetime) -> None:
    await insert_fields(conn, field_rows(workspace_id, now))
