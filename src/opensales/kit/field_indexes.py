"""An index for each custom field that views sort and filter on, made in the transaction that
creates the field and dropped with it.

The index holds the field's typed value (custom_fields.typed_sql), live rows first and ids
last, as a view orders them: `(is_deleted, <value>, id)`. A custom module's table holds one
workspace's records; on the shared tables (contacts, deals...) the index is partial, `WHERE
workspace_id = <id>`, so that it covers only the rows of the workspace that defined the
field. Its name comes from the field's id (`ix_cf_42`), never from what a user typed.
"""

from __future__ import annotations

from opensales.db import Conn, Row
from opensales.kit import custom_fields, modules

PREFIX = "ix_cf_"
# A URL may hold 2,048 characters, up to 8 KB of UTF-8: more than a PostgreSQL index entry
# takes (2,704 bytes), and a write of such a value would fail. Views sort and filter on URLs
# without an index.
_UNINDEXED = frozenset({"url"})
# Tables whose rows are never soft-deleted: their indexes start with the value.
_NO_SOFT_DELETE = frozenset({"sales_activities"})


def name_of(field_id: int) -> str:
    return f"{PREFIX}{int(field_id)}"


def indexed(field: Row) -> bool:
    """Whether the field has an index: views can sort and filter on its values, and every
    value fits in an index entry."""
    return field["type"] in custom_fields.ORDERED_TYPES and field["type"] not in _UNINDEXED


async def create(conn: Conn, workspace_id: int, entity: str, field: Row) -> None:
    """The index of a new field of `entity` (a table that carries custom fields)."""
    if not indexed(field) or not custom_fields.carries_fields(entity):
        return
    columns = [custom_fields.typed_sql(conn.dialect, field), "id"]
    if entity not in _NO_SOFT_DELETE:
        columns.insert(0, "is_deleted")
    only = "" if modules.is_module_table(entity) else f" WHERE workspace_id = {int(workspace_id)}"
    await conn.execute(
        f"CREATE INDEX {name_of(field['id'])} ON {entity} ({', '.join(columns)}){only}"
    )


async def drop(conn: Conn, field: Row) -> None:
    """The index of a field being deleted, if it has one."""
    if indexed(field):
        await conn.execute(f"DROP INDEX IF EXISTS {name_of(field['id'])}")
