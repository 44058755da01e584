"""A new module's default form: name and owner, then who created and changed the record and
its latest note (read-only), in the Basic information section, as the reference lists them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Conn
from opensales.settings.service import field_row, insert_fields

USER_LOOKUP = {"lookup_type": "user"}
# name, label, type, required, editable, field_options
DEFAULT_FIELDS: tuple[tuple[str, str, str, bool, bool, dict[str, Any] | None], ...] = (
    ("name", "Name", "text", True, True, None),
    ("owner_id", "Sales owner", "auto_complete", False, True, USER_LOOKUP),
    ("creator_id", "Created by", "auto_complete", False, False, USER_LOOKUP),
    ("created_at", "Created at", "date_time", False, False, None),
    ("updater_id", "Updated by", "auto_complete", False, False, USER_LOOKUP),
    ("updated_at", "Updated at", "date_time", False, False, None),
    ("recent_note", "Recent note", "paragraph", False, False, None),
)


async def seed_fields(conn: Conn, workspace_id: int, table: str, now: datetime) -> None:
    rows = []
    for position, (name, label, type_, required, editable, options) in enumerate(DEFAULT_FIELDS, 1):
        row = field_row(workspace_id, table, position, now, name, label, type_, required=required)
        rows.append({**row, "editable": editable, "field_options": options})
    await insert_fields(conn, rows)
