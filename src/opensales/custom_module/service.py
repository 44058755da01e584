"""Custom modules (`/api/settings/module_customizations`): admins create, change and delete
them, at most ten per workspace. A new module gets its records table, its default form and
its default views; deleting one removes all of that, its records and what hangs on them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from opensales.custom_module import fields
from opensales.custom_module.kind import default_views, module_kind
from opensales.db import Conn, Row
from opensales.errors import NotFoundError, PermissionDeniedError, ValidationError
from opensales.kit import custom_fields, engagement, modules, search_index, versions
from opensales.kit.coerce import path_id, to_bool, to_int, to_text
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.http import unwrap
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.kit.views import seed_views
from opensales.models.custom_records import create_statements

MAX_MODULES = 10
MAX_NAME = 255
# After the default modules (contacts, accounts, deals, ...) in the navigation.
FIRST_POSITION = 10
ICONS = frozenset(
    (
        "icon-cm-auction",
        "icon-cm-cart",
        "icon-cm-connection",
        "icon-cm-courses",
        "icon-cm-employee",
        "icon-cm-event",
        "icon-cm-inventory",
        "icon-cm-payments",
        "icon-cm-people",
        "icon-cm-project",
        "icon-cm-property",
        "icon-cm-schools",
        "icon-cm-sku",
        "icon-cm-subscription",
        "icon-cm-ticket",
        "icon-cm-transactions",
        "icon-cm-asset",
        "icon-cm-assistant",
        "icon-cm-category",
        "icon-cm-community",
        "icon-cm-competitor",
        "icon-cm-entitlement",
        "icon-cm-file-attachment",
        "icon-cm-fulfillment",
        "icon-cm-goals",
        "icon-cm-hierarchy",
        "icon-cm-id-card",
        "icon-cm-idea",
        "icon-cm-invoice",
        "icon-cm-items",
        "icon-cm-labels",
        "icon-cm-legal",
        "icon-cm-location",
        "icon-cm-milestone",
        "icon-cm-partner",
        "icon-cm-payment",
        "icon-cm-purchase-order",
        "icon-cm-queue",
        "icon-cm-relationship",
        "icon-cm-revenue-schedule",
        "icon-cm-skill",
        "icon-cm-storage",
        "icon-cm-survey",
        "icon-cm-timesheet",
    )
)


def _bad(key: str, why: str) -> ValidationError:
    return ValidationError(f"Invalid value for {key}: {why}")


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise PermissionDeniedError("Only admins may change custom modules")


# --- reading ------------------------------------------------------------------------------


async def find(conn: Conn, who: Principal, raw_id: str) -> Row:
    module_id = path_id(raw_id)
    row = None
    if module_id is not None:
        row = await conn.fetch_one(
            "SELECT * FROM custom_modules WHERE id = :id AND workspace_id = :ws",
            {"id": module_id, "ws": who.workspace_id},
        )
    if row is None:
        raise NotFoundError("Custom module not found")
    return row


async def by_entity(conn: Conn, workspace_id: int, entity_name: str) -> Row | None:
    if not modules.ENTITY_NAME.match(entity_name):
        return None
    return await conn.fetch_one(
        "SELECT * FROM custom_modules WHERE workspace_id = :ws AND entity_name = :e",
        {"ws": workspace_id, "e": entity_name},
    )


async def named(conn: Conn, who: Principal, entity_name: str) -> Row:
    """The workspace's module with this entity name (`cm_property`), else 404."""
    row = await by_entity(conn, who.workspace_id, entity_name)
    if row is None:
        raise NotFoundError(f"No custom module named {entity_name[:60]!r}")
    return row


async def all_modules(conn: Conn, workspace_id: int) -> list[Row]:
    return await conn.fetch_all(
        "SELECT * FROM custom_modules WHERE workspace_id = :ws ORDER BY position, id",
        {"ws": workspace_id},
    )


def render(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "singular_name": row["singular_name"],
        "plural_name": row["plural_name"],
        "entity_name": row["entity_name"],
        "description": row["description"],
        "icon": row["icon"],
        "position": row["position"],
        "show_in_navigation_menu": bool(row["show_in_navigation_menu"]),
        "custom": True,
        "resource_path_for_navigation": f"/custom_module/{row['entity_name']}",
        "layout_customizations": {"lookup_sections": [], "section_config": []},
        "status": row["status"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
        "configs": {"filters_v2_enabled": True},
    }


# --- attributes ---------------------------------------------------------------------------


def _name(spec: dict[str, Any], key: str, current: str | None) -> str:
    if key not in spec and current is not None:
        return current
    try:
        value = to_text(spec.get(key))
    except ValueError as exc:
        raise _bad(key, str(exc)) from None
    if value is None or not value.strip():
        raise _bad(key, "is required")
    if len(value.strip()) > MAX_NAME:
        raise _bad(key, f"must be at most {MAX_NAME} characters")
    return value.strip()


def _icon(spec: dict[str, Any], current: str | None) -> str:
    if "icon" not in spec and current is not None:
        return current
    icon = spec.get("icon")
    if not isinstance(icon, str) or icon not in ICONS:
        raise _bad("icon", f"must be one of {', '.join(sorted(ICONS))}")
    return icon


def _description(spec: dict[str, Any], current: str | None) -> str | None:
    if "description" not in spec:
        return current
    try:
        return to_text(spec["description"])
    except ValueError as exc:
        raise _bad("description", str(exc)) from None


def _flag(spec: dict[str, Any], current: bool) -> bool:
    try:
        found = to_bool(spec.get("show_in_navigation_menu"))
    except ValueError as exc:
        raise _bad("show_in_navigation_menu", str(exc)) from None
    return current if found is None else found


def _status(spec: dict[str, Any], current: int) -> int:
    value = spec.get("status")
    if isinstance(value, bool):
        return int(value)
    try:
        found = to_int(value, minimum=0, maximum=1)
    except ValueError:
        raise _bad("status", "must be 1 (active), 0 (inactive) or null") from None
    return current if found is None else found


def _derived_entity_name(singular: str) -> str:
    plain = unicodedata.normalize("NFKD", singular).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")
    if not slug:
        raise _bad("entity_name", "cannot be derived from the singular name: give one")
    return ("cm_" + slug)[: modules.MAX_ENTITY_NAME].rstrip("_")


def _entity_name(spec: dict[str, Any], singular: str) -> str:
    given = spec.get("entity_name")
    if given in (None, ""):
        return _derived_entity_name(singular)
    if not isinstance(given, str) or not modules.ENTITY_NAME.match(given):
        raise _bad(
            "entity_name", "must start with cm_ and hold lower case letters, digits, underscores"
        )
    if len(given) > modules.MAX_ENTITY_NAME:
        raise _bad("entity_name", f"must be at most {modules.MAX_ENTITY_NAME} characters")
    return given


# --- writing ------------------------------------------------------------------------------


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> Row:
    _admin(who)
    spec = unwrap(data, "module_customization")
    singular = _name(spec, "singular_name", None)
    plural = _name(spec, "plural_name", None)
    icon = _icon(spec, None)
    entity = _entity_name(spec, singular)
    existing = await all_modules(conn, who.workspace_id)
    if len(existing) >= MAX_MODULES:
        raise ValidationError(f"A workspace can have at most {MAX_MODULES} custom modules")
    if any(m["entity_name"] == entity for m in existing):
        raise _bad("entity_name", f"a custom module named {entity} already exists")
    now = utcnow()
    number = max([0, *(m["number"] for m in existing)]) + 1
    row = {
        "workspace_id": who.workspace_id,
        "number": number,
        "entity_name": entity,
        "singular_name": singular,
        "plural_name": plural,
        "description": _description(spec, None),
        "icon": icon,
        "position": FIRST_POSITION + number,
        "show_in_navigation_menu": _flag(spec, True),
        "status": _status(spec, 1),
        "created_at": now,
        "updated_at": now,
    }
    row["id"] = await conn.fetch_val(insert_sql("custom_modules", list(row)), row)
    kind = module_kind(row)
    for statement in create_statements(kind.table, conn.dialect):
        await conn.execute(statement)
    await fields.seed_fields(conn, who.workspace_id, kind.table, now)
    await seed_views(conn, who.workspace_id, kind.table, default_views(row))
    # Caches keyed on the table's versions may remember a module of the same name deleted
    # earlier: the versions move on from where it left them, never back.
    await versions.bump(conn, who.workspace_id, kind.table, "fields:" + kind.table)
    return row


async def update(conn: Conn, who: Principal, raw_id: str, data: dict[str, Any]) -> Row:
    """Names, description, icon, navigation flag and status; the entity name is fixed."""
    _admin(who)
    row = await find(conn, who, raw_id)
    spec = unwrap(data, "module_customization")
    entity = spec.get("entity_name")
    if entity not in (None, "", row["entity_name"]):
        raise _bad("entity_name", "a module's entity name cannot change")
    changes: dict[str, Any] = {
        "singular_name": _name(spec, "singular_name", row["singular_name"]),
        "plural_name": _name(spec, "plural_name", row["plural_name"]),
        "description": _description(spec, row["description"]),
        "icon": _icon(spec, row["icon"]),
        "show_in_navigation_menu": _flag(spec, bool(row["show_in_navigation_menu"])),
        "status": _status(spec, row["status"]),
        "updated_at": utcnow(),
    }
    sets = ", ".join(f"{c} = :{c}" for c in changes)
    await conn.execute(
        f"UPDATE custom_modules SET {sets} WHERE id = :id", {**changes, "id": row["id"]}
    )
    await _rename_views(conn, who, row, changes["plural_name"])
    return await find(conn, who, str(row["id"]))


async def _rename_views(conn: Conn, who: Principal, row: Row, plural: str) -> None:
    """Default views carry the plural name: they follow it."""
    old = default_views(row)
    new = default_views({**row, "plural_name": plural})
    table = modules.table_of(who.workspace_id, row["entity_name"])
    for number, (was, now) in enumerate(zip(old, new, strict=True), 1):
        if was["name"] != now["name"]:
            await conn.execute(
                "UPDATE views SET name = :name WHERE workspace_id = :ws AND entity_type = :t "
                "AND number = :n AND is_default = true AND name = :was",
                {
                    "name": now["name"],
                    "ws": who.workspace_id,
                    "t": table,
                    "n": number,
                    "was": was["name"],
                },
            )


async def delete(conn: Conn, who: Principal, raw_id: str) -> None:
    """The module, its records and everything keyed on them; lookups to it elsewhere too."""
    _admin(who)
    row = await find(conn, who, raw_id)
    table = modules.table_of(who.workspace_id, row["entity_name"])
    await engagement.forget_everything_on(conn, who, table)
    params = {"ws": who.workspace_id, "t": table}
    for sql in (
        "DELETE FROM activities WHERE workspace_id = :ws AND entity_type = :t",
        "DELETE FROM team_members WHERE entity_type = :t",
        "DELETE FROM views WHERE workspace_id = :ws AND entity_type = :t",
        "DELETE FROM fields WHERE workspace_id = :ws AND entity_type = :t",
    ):
        await conn.execute(sql, params)
    await _drop_lookups_to(conn, who, row["entity_name"])
    await conn.execute(f"DROP TABLE {table}")
    await search_index.drop_table(conn, who.workspace_id, table)
    await conn.execute("DELETE FROM custom_modules WHERE id = :id", {"id": row["id"]})
    await conn.execute(
        "UPDATE data_versions SET version = version + 1, live_count = 0 "
        "WHERE workspace_id = :ws AND entity_type IN (:t, :f)",
        {**params, "f": "fields:" + table},
    )


async def _drop_lookups_to(conn: Conn, who: Principal, entity_name: str) -> None:
    """Lookup fields of other kinds that point at the module go, with their values."""
    lookups = await conn.fetch_all(
        "SELECT id, entity_type, name, field_options FROM fields WHERE workspace_id = :ws "
        "AND type = 'auto_complete' AND is_default = false",
        {"ws": who.workspace_id},
    )
    for field in lookups:
        if custom_fields.lookup_type(field) != entity_name:
            continue
        await custom_fields.remove_values(conn, who, field["entity_type"], field["name"])
        await conn.execute("DELETE FROM fields WHERE id = :id", {"id": field["id"]})
        await versions.bump(conn, who.workspace_id, "fields:" + field["entity_type"])
