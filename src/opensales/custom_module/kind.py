"""What a custom module's records are to the API: a Kind built from the module's row.

Records have a name and an owner (the module's default form), custom fields, and the
columns every record has; they answer in the reference's shape, with `creator_id` (sic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opensales.db import Row
from opensales.kit import modules
from opensales.kit.conditions import CREATED_LAST_30_DAYS, IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.dates import format_timestamp
from opensales.kit.fields import TEXT, Field, json_value
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW

FIELDS = (Field("name", TEXT, "Name", required=True),)
SORT_FIELDS = ("name", "created_at", "updated_at")


def model_class(module: Row) -> str:
    """`CustomModule6`: how views and forms name the module's records."""
    return f"CustomModule{module['number']}"


def default_views(module: Row) -> tuple[dict[str, Any], ...]:
    plural = module["plural_name"]
    return (
        {"name": f"All {plural}", "rules": []},
        {"name": f"My {plural}", "rules": OWNED_BY_ME},
        # No separate import path exists for module records: the newest ones stand in.
        {"name": "Recently Imported", "rules": CREATED_LAST_30_DAYS, "sort": "created_at"},
        {"name": f"My Territory {plural}", "rules": IN_MY_TERRITORY},
        RECYCLE_BIN_VIEW,
    )


@dataclass(frozen=True)
class ModuleKind(Kind):
    """A module's records; `table` is its records table, `singular` its entity name."""

    def render(self, row: Row, *, partial: bool = False) -> dict[str, Any]:
        entity, record_id = self.singular, row["id"]
        base = f"/custom_module/{entity}/{record_id}"
        return {
            "id": record_id,
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

    def list_select(self, sort: str) -> str:
        names = {"id", "name", "owner_id", "creater_id", "updater_id", "custom_field"}
        return ", ".join(sorted({*names, "created_at", "updated_at", sort}))


def module_kind(module: Row) -> ModuleKind:
    entity = str(module["entity_name"])
    return ModuleKind(
        table=modules.table_of(module["workspace_id"], entity),
        singular=entity,
        model_class=model_class(module),
        label=str(module["singular_name"]),
        fields=FIELDS,
        partial=("name", "owner_id"),
        sort_fields=SORT_FIELDS,
        list_key=entity,
    )
