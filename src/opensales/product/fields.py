"""The default fields of products (`/api/settings/products/fields`).

They are data (rows of `fields`), seeded for every new workspace; the CPQ migration inserts
the same rows for the workspaces that existed before it (as literals: migrations do not
import the application). Keep the two in step: tests compare them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Conn
from opensales.settings.service import field_row, insert_fields

ENTITY = "products"

# name, label, type, required, unique, selector (or "users") feeding the choices
DEFAULT_FIELDS: tuple[tuple[str, str, str, bool, bool, str | None], ...] = (
    ("name", "Name", "text", True, True, None),
    ("description", "Description", "textarea", False, False, None),
    ("category", "Category", "dropdown", False, False, "product_categories"),
    ("is_active", "Active", "checkbox", False, False, None),
    ("product_code", "Product code", "text", False, False, None),
    ("sku_number", "SKU number", "text", False, False, None),
    ("owner_id", "Owner", "dropdown", False, False, "users"),
    ("valid_till", "Valid till", "date", False, False, None),
    ("parent_product", "Parent product", "auto_complete", False, False, None),
)


def field_rows(workspace_id: int, now: datetime) -> list[dict[str, Any]]:
    """The rows of `fields` a workspace's products start with."""
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
            unique=unique,
            choices_kind=choices_kind,
        )
        for position, (name, label, type_, required, unique, choices_kind) in enumerate(
            DEFAULT_FIELDS, 1
        )
    ]


async def seed_fields(conn: Conn, workspace_id: int, now: datetime) -> None:
    await insert_fields(conn, field_rows(workspace_id, now))
