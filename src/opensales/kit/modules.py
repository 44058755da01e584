"""Custom modules' record tables, as every part of kit/ recognises them.

A module's records live in a table named after its workspace and entity name
(`w3_cm_property`), so the record machinery (records, views, timeline, notes...) keys on it
as on `contacts`, and the entity name a response shows is read off the table name without a
query. Entity names never change, so neither does the table.
"""

from __future__ import annotations

import re
from typing import Any

from opensales.db import Row
from opensales.kit.dates import format_timestamp
from opensales.kit.fields import json_value

# \Z, not $: a trailing newline must not pass.
ENTITY_NAME = re.compile(r"cm_[a-z0-9_]+\Z")
_TABLE = re.compile(r"w(\d+)_(cm_[a-z0-9_]+)\Z")
# Keys built from a table name ("fields:w3_cm_property") fit the 40 characters they are
# stored in, for any workspace id below 10**6.
MAX_ENTITY_NAME = 25


def table_of(workspace_id: int, entity_name: str) -> str:
    """The records table of the workspace's module `entity_name` (valid as ENTITY_NAME)."""
    return f"w{workspace_id}_{entity_name}"


def entity_of(table: str | None) -> str | None:
    """`cm_property` for `w3_cm_property`; None for any other table."""
    found = _TABLE.match(table) if table else None
    return found.group(2) if found else None


def is_module_table(table: str | None) -> bool:
    return entity_of(table) is not None


def is_runtime_table(name: str) -> bool:
    """Whether a table in the database is a module's (made at runtime, not by migrations)."""
    return _TABLE.match(name) is not None


def render_record(entity_name: str, row: Row) -> dict[str, Any]:
    """A module's record in the reference's shape (with `creator_id`, sic): as its own
    routes answer it and as the records that look another record up are sideloaded."""
    base = f"/custom_module/{entity_name}/{row['id']}"
    return {
        "id": row["id"],
        "name": row["name"],
        "owner_id": row["owner_id"],
        "custom_field": json_value(row["custom_field"]),
        "created_at": format_timestamp(row["created_at"]),
        "creator_id": row["creater_id"],
        "updated_at": format_timestamp(row["updated_at"]),
        "updater_id": row["updater_id"],
        "avatar": None,
        "recent_note": None,
        "links": {
            "document_associations": f"{base}/document_associations",
            "notes": f"{base}/notes?include=creater",
        },
    }
