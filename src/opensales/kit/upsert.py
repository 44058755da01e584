"""Upsert: find a record by one unique identifier, then update it or create it.

An identifier is `id` or a field whose definition is marked unique (field settings show
which); a kind may name aliases (a contact's `emails` is its email field) and refuse some
(a contact's deprecated `email`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opensales.db import Conn
from opensales.errors import ValidationError
from opensales.kit.coerce import to_id, to_text
from opensales.kit.principal import Principal

if TYPE_CHECKING:
    from opensales.kit.records import RecordService


def identifier_pair(identifier: Any) -> tuple[str, Any]:
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise ValidationError(
            "Invalid value for unique_identifier: name exactly one field and its value"
        )
    ((name, value),) = identifier.items()
    if value is None or value == "" or isinstance(value, dict | list):
        raise ValidationError(f"Invalid value for unique_identifier.{name}: a value is required")
    return str(name), value


async def unique_fields(conn: Conn, who: Principal, entity_type: str) -> set[str]:
    rows = await conn.fetch_all(
        "SELECT name FROM fields WHERE workspace_id = :ws AND entity_type = :e "
        "AND is_unique = true",
        {"ws": who.workspace_id, "e": entity_type},
    )
    return {r["name"] for r in rows}


async def matching_ids(
    service: RecordService, conn: Conn, who: Principal, name: str, value: Any
) -> tuple[str, list[int]]:
    """The field the identifier names and the ids of the live records it matches."""
    if name in service.refused_identifiers:
        raise ValidationError(service.refused_identifiers[name])
    if name == "id":
        try:
            record_id = to_id(value)
        except ValueError as exc:
            raise ValidationError(f"Invalid value for unique_identifier.id: {exc}") from None
        row = await conn.fetch_one(
            f"SELECT id FROM {service.kind.table} WHERE id = :id AND workspace_id = :ws "
            "AND is_deleted = false",
            {"id": record_id, "ws": who.workspace_id},
        )
        if row is None:
            raise ValidationError(f"No {service.kind.label.lower()} with id {value} to update")
        return name, [row["id"]]
    field = service.identifier_aliases.get(name, name)
    if field not in await unique_fields(conn, who, service.kind.table):
        raise ValidationError(
            f"Invalid value for unique_identifier: {name} is not a unique field of "
            f"{service.kind.plural}"
        )
    text = to_text(value)
    assert text is not None
    return field, await service.ids_by_field(conn, who, field, text)


async def upsert(
    service: RecordService, conn: Conn, who: Principal, identifier: Any, data: dict[str, Any]
) -> tuple[int, bool]:
    """(record id, created?) for one identifier and the attributes to write."""
    name, value = identifier_pair(identifier)
    field, ids = await matching_ids(service, conn, who, name, value)
    if len(ids) > 1:
        listed = ", ".join(str(i) for i in sorted(ids))
        raise ValidationError(
            f"{len(ids)} {service.kind.plural} match {name} {value}: [{listed}]. "
            "Merge them, then try again"
        )
    if ids:
        row = await service.update(conn, who, ids[0], data)
        return int(row["id"]), False
    return await service.create(conn, who, _with_identifier(field, value, data)), True


def _with_identifier(field: str, value: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A new record's attributes: the body's, with the identifier's value (a custom field's
    among the custom fields, unless the body sets it too)."""
    if not field.startswith("cf_"):
        return {field: value, **data}
    custom = data.get("custom_field")
    custom = custom if isinstance(custom, dict) else {}
    return {**data, "custom_field": {field: value, **custom}}
