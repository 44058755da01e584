"""Field definitions (`/api/settings/{entity}/fields`): data, so custom fields can join them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import NotFoundError
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.fields import BOOL, DATE, DATETIME, DECIMAL, INT, MONEY, json_value
from opensales.kit.kind import Kind
from opensales.kit.options import render_option
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.kit.sideload import USER_COLUMNS

_UI_TYPES = {
    INT: "number",
    MONEY: "number",
    DECIMAL: "number",
    DATE: "date",
    DATETIME: "datetime",
    BOOL: "checkbox",
}
BASIC_GROUP = "Basic information"
ACTIVITY_KINDS = ("sales_activity_types", "sales_activity_outcomes")
ACTIVITY_CHOICE_TYPE = 2


async def seed_fields(conn: Conn, workspace_id: int, kind: Kind) -> None:
    """The kind's default fields, with labels, in declaration order."""
    now = utcnow()
    rows = []
    for position, f in enumerate((f for f in kind.all_fields if f.label), 1):
        choices_kind = f.ref if f.ref not in (None, "sales_accounts", "contacts", "deals") else None
        rows.append(
            {
                "workspace_id": workspace_id,
                "entity_type": kind.table,
                "name": f.name,
                "label": f.label,
                "type": f.ui_type or _UI_TYPES.get(f.type, "text"),
                "is_default": True,
                "actionable": choices_kind is not None or bool(f.choices),
                "required": f.required,
                "is_unique": f.unique,
                "position": position,
                "field_group": BASIC_GROUP,
                "choices_kind": choices_kind,
                "choices": _fixed_choices(f.choices),
                "uid": str(uuid.uuid4()),
                "created_at": now,
                "updated_at": now,
            }
        )
    await conn.execute_many(insert_sql("fields", list(rows[0]), returning=False), rows)


def field_row(
    workspace_id: int,
    entity: str,
    position: int,
    now: datetime,
    name: str,
    label: str,
    type_: str,
    *,
    required: bool = False,
    unique: bool = False,
    choices_kind: str | None = None,
    choices: dict[str, Any] | None = None,
    actionable: bool | None = None,
) -> dict[str, Any]:
    """One default field of `entity` as a row of `fields` (actionable when it has choices)."""
    return {
        "workspace_id": workspace_id,
        "entity_type": entity,
        "name": name,
        "label": label,
        "type": type_,
        "is_default": True,
        "actionable": choices_kind is not None if actionable is None else actionable,
        "required": required,
        "is_unique": unique,
        "position": position,
        "field_group": BASIC_GROUP,
        "choices_kind": choices_kind,
        "choices": choices,
        "uid": str(uuid.uuid4()),
        "created_at": now,
        "updated_at": now,
    }


async def insert_fields(conn: Conn, rows: list[dict[str, Any]]) -> None:
    await conn.execute_many(insert_sql("fields", list(rows[0]), returning=False), rows)


def _fixed_choices(choices: tuple[tuple[int, str], ...]) -> dict[str, Any] | None:
    if not choices:
        return None
    items = [{"id": v, "value": label, "position": n} for n, (v, label) in enumerate(choices, 1)]
    return {"items": items}


async def list_fields(
    conn: Conn, who: Principal, entity: str, base_model: str, with_group: bool
) -> dict[str, Any]:
    """The fields of `entity` (a table: contacts, sales_activities...), in order."""
    rows = await conn.fetch_all(
        "SELECT * FROM fields WHERE workspace_id = :ws AND entity_type = :entity "
        "ORDER BY position, id",
        {"ws": who.workspace_id, "entity": entity},
    )
    if not rows:
        raise NotFoundError("Unknown entity type")
    choices = await selector_choices(
        conn, who, {r["choices_kind"] for r in rows if r["choices_kind"]}
    )
    groups = dict.fromkeys([BASIC_GROUP, *(r["field_group"] or BASIC_GROUP for r in rows)])
    order = {g: n for n, g in enumerate(groups)}
    rows.sort(key=lambda r: (order[r["field_group"] or BASIC_GROUP], r["position"], r["id"]))
    fields = [_render(base_model, r, choices, with_group) for r in rows]
    out: dict[str, Any] = {"fields": fields}
    if with_group:
        groups = dict.fromkeys(r["field_group"] for r in rows if r["field_group"])
        out["field_groups"] = [{"id": n, "name": g, "position": n} for n, g in enumerate(groups, 1)]
    return out


def _render(
    base_model: str, row: Row, choices: dict[str, list[dict[str, Any]]], with_group: bool
) -> dict[str, Any]:
    stored = _stored(row)
    attributes = dict(stored.get("attributes") or {})
    if row["entity_type"] == "sales_activities":
        # Every sales activity item carries these (custom ones too); the column is the truth.
        attributes.setdefault("quick_add_position", None)
        attributes["visible"] = bool(row["visible"])
    out = {
        "id": row["id"],
        "label": row["label"],
        "name": row["name"],
        "type": row["type"],
        "default": bool(row["is_default"]),
        "actionable": bool(row["actionable"]),
        "position": row["position"],
        "choices": choices.get(row["choices_kind"] or "", []) or list(stored.get("items", [])),
        "base_model": base_model,
        "required": bool(row["required"]),
        # Keys some kinds' fields carry (sales activities: quick_add_position, visible...).
        **attributes,
        "unique": bool(row["is_unique"]),
        "updated_at": format_timestamp(row["updated_at"]),
    }
    if with_group:
        out["field_group"] = row["field_group"]
    return out


def _stored(row: Row) -> dict[str, Any]:
    """The row's `choices` JSON: fixed choices under `items`, extra keys under `attributes`."""
    raw = json_value(row["choices"])
    return raw if isinstance(raw, dict) else {}


async def selector_choices(
    conn: Conn, who: Principal, kinds: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """The choices of fields fed by a selector (or the users), per selector kind."""
    found: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        if kind == "users":
            rows = await conn.fetch_all(
                f"SELECT {USER_COLUMNS} FROM users WHERE workspace_id = :ws AND is_active = true "
                "ORDER BY id",
                {"ws": who.workspace_id},
            )
            found[kind] = [
                {"id": r["id"], "value": r["display_name"], "position": n, "is_active": True}
                for n, r in enumerate(rows, 1)
            ]
            continue
        rows = await conn.fetch_all(
            "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
            "ORDER BY parent_id, position, id",
            {"ws": who.workspace_id, "kind": kind},
        )
        found[kind] = [_choice(r) for r in rows]
    return found


def _choice(row: Row) -> dict[str, Any]:
    option = render_option(row)
    choice = {"id": option["id"], "value": option["name"], "position": option["position"]}
    if "choice_type" in option:
        choice["choice_type"] = option["choice_type"]
        choice["deal_pipeline_id"] = option["deal_pipeline_id"]
    elif row["kind"] in ACTIVITY_KINDS:
        # As the reference shows sales activity types and outcomes.
        choice["choice_type"] = ACTIVITY_CHOICE_TYPE
        if "sales_activity_type_id" in option:
            choice["sales_activity_type_id"] = option["sales_activity_type_id"]
    return choice
