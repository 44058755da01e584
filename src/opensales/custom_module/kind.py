"""What a custom module's records are to the API: a Kind built from the module's row.

Records have a name and an owner (the module's default form), custom fields, and the
columns every record has; they answer in the reference's shape, with `creator_id` (sic:
kit/modules.py), and sideload their users and the items on them as contacts do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opensales.appointment.schemas import include as include_appointments
from opensales.db import Row
from opensales.kit import modules, sideload
from opensales.kit.conditions import CREATED_LAST_30_DAYS, IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.fields import TEXT, Field
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW
from opensales.note.schemas import include as include_notes
from opensales.task.schemas import include as include_tasks

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
        return modules.render_record(self.singular, row)

    def view_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """As the reference shows a module's views: `user_id` 0 and no `is_public` for the
        default ones (a saved view keeps its sharing), `user_name`, `current_user_permissions`."""
        shown = dict(item)
        if item["is_default"]:
            del shown["is_public"]
            shown["user_id"] = 0
        return {**shown, "user_name": None, "current_user_permissions": []}

    def list_select(self, sort: str) -> str:
        names = {"id", "name", "owner_id", "creater_id", "updater_id", "custom_field"}
        return ", ".join(sorted({*names, "created_at", "updated_at", sort}))


def includes(table: str) -> dict[str, sideload.Include]:
    """A record's `include=` handles, as a contact's: its users and what hangs on it (the
    records of other modules that look it up are any record's: kit/sideload.py)."""
    return {
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "creator": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
        "notes": include_notes(table),
        "tasks": include_tasks(table),
        "appointments": include_appointments(table),
    }


def module_kind(module: Row) -> ModuleKind:
    entity = str(module["entity_name"])
    table = modules.table_of(module["workspace_id"], entity)
    return ModuleKind(
        table=table,
        singular=entity,
        model_class=model_class(module),
        label=str(module["singular_name"]),
        fields=FIELDS,
        partial=("name", "owner_id"),
        sort_fields=SORT_FIELDS,
        list_key=entity,
        includes=includes(table),
    )
