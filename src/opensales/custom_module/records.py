"""The records of a custom module: the shared record service (kit/records.py) over the
module's table, with the module's own rules: a name, and the fields its form makes required.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from opensales.custom_module.kind import ModuleKind, module_kind
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService

_CACHE_SIZE = 1_000
MAX_NAME = 255


class ModuleRecords(RecordService):
    def __init__(self, kind: ModuleKind) -> None:
        self.kind = kind

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> None:
        if existing is None or "name" in values:
            values["name"] = _name(values.get("name"))
        if "owner_id" in payload.model_fields_set and getattr(payload, "owner_id", None) is None:
            # "If empty, the record has no sales owner" (§2.17): where the shared service
            # gives a record its creator or keeps its current owner, a null clears it here.
            values["owner_id"] = None
        if "owner_id" in values or existing is None:
            await self._owner_required(conn, who, values, existing)

    async def _owner_required(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> None:
        """An admin may make the owner mandatory on the module's form."""
        owner = values.get("owner_id", existing["owner_id"] if existing else None)
        if owner is not None:
            return
        required = await conn.fetch_val(
            "SELECT required FROM fields WHERE workspace_id = :ws AND entity_type = :t "
            "AND name = 'owner_id'",
            {"ws": who.workspace_id, "t": self.kind.table},
        )
        if required:
            raise ValidationError("Invalid value for owner_id: is required")

    async def render_full(
        self, conn: Conn, who: Principal, rows: Sequence[Row]
    ) -> list[dict[str, Any]]:
        return [self.kind.render(r) for r in rows]


def _name(value: str | None) -> str:
    """The record's name: given, and within its column on every database."""
    name = (value or "").strip()
    if not name:
        raise ValidationError("Invalid value for name: is required")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Invalid value for name: at most {MAX_NAME} characters")
    if "\x00" in name:
        raise ValidationError("Invalid value for name: must not contain a NUL character")
    return name


_services: dict[tuple[Any, ...], ModuleRecords] = {}


def records_of(module: Row) -> ModuleRecords:
    """The record service of a module, as its row now stands (names change its messages)."""
    key = tuple(module[k] for k in ("workspace_id", "id", "entity_name", "updated_at"))
    found = _services.get(key)
    if found is None:
        if len(_services) > _CACHE_SIZE:
            _services.clear()
        found = _services[key] = ModuleRecords(module_kind(module))
    return found
