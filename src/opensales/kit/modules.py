"""Custom modules' record tables, as every part of kit/ recognises them.

A module's records live in a table named after its workspace and entity name
(`w3_cm_property`), so the record machinery (records, views, timeline, notes...) keys on it
as on `contacts`, and the entity name a response shows is read off the table name without a
query. Entity names never change, so neither does the table.
"""

from __future__ import annotations

import re

ENTITY_NAME = re.compile(r"^cm_[a-z0-9_]+$")
_TABLE = re.compile(r"^w(\d+)_(cm_[a-z0-9_]+)$")
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
