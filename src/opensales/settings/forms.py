"""The forms API (`/api/settings/{entity}/forms`): each entity's one form, its sections and
its fields, default and custom, in the shape of the reference's "List all forms" example.

The form is the entity's rows of `fields` grouped by `field_group`: a group is a section
(`type: "section"`) whose id is a UUID derived from the workspace, the entity and the
section's name, so it is stable without being stored. The form's id is the smallest id of
the entity's field rows (docs/custom_fields/definitions.md).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import modules
from opensales.kit.coerce import path_id
from opensales.kit.fields import json_value
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.settings.service import BASIC_GROUP, selector_choices

HIDDEN_GROUP = "Hidden fields"
# The reference's examples post to forms/1 whatever the form's id: accepted too.
DOCUMENTED_FORM_ID = 1
_NAMESPACE = uuid.UUID("6f1d3c1e-5b0e-4f39-9a53-2f4c1d0b7e21")
CHOICE_TYPES = frozenset({"dropdown", "radio", "multi_select_dropdown"})
_PLACEHOLDERS = {
    "dropdown": "Choose a value",
    "multi_select_dropdown": "Choose value(s)",
    "radio": "",
    "checkbox": "",
    "auto_complete": "",
    "section": "",
}
_FLAG_NAMES = (
    "can_editable_be_changed",
    "can_editable_be_changed_field_permission",
    "can_required_be_changed",
    "can_label_be_renamed",
    "can_choices_be_customized",
    "can_not_be_hidden",
    "allow_fields_to_be_added",
    "system_field",
)


def version_key(entity: str) -> str:
    """The data version that caches of the entity's field definitions key on."""
    return "fields:" + entity


def section_name(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "section"


def group_of(row: Row) -> str:
    return str(row["field_group"] or BASIC_GROUP)


@dataclass(frozen=True)
class Form:
    workspace_id: int
    entity: str
    base_model: str
    id: int
    rows: list[Row]  # in form order: by section, then position

    @property
    def sections(self) -> list[str]:
        found = dict.fromkeys([BASIC_GROUP, *(group_of(r) for r in self.rows), HIDDEN_GROUP])
        # Hidden fields is always the last section.
        return [g for g in found if g != HIDDEN_GROUP] + [HIDDEN_GROUP]

    def section_uid(self, group: str) -> str:
        key = f"{self.workspace_id}/{self.entity}/{section_name(group)}"
        return str(uuid.uuid5(_NAMESPACE, key))

    def section_of(self, parent_id: Any) -> str:
        """The section a `parent_id` names (a section's UUID); Basic information if none."""
        if parent_id is None or parent_id == "":
            return BASIC_GROUP
        for group in self.sections:
            if self.section_uid(group) == parent_id:
                return group
        shown = str(parent_id)[:40]
        raise ValidationError(f"Invalid value for parent_id: no section with id {shown!r}")

    def in_section(self, group: str) -> list[Row]:
        return [r for r in self.rows if group_of(r) == group]

    def check_id(self, raw: str) -> None:
        if path_id(raw) not in (self.id, DOCUMENTED_FORM_ID):
            raise NotFoundError(f"No form {raw} for {self.entity}")

    def find(self, ref: str) -> Row:
        """A field by its forms-API id (the uid) or its number."""
        number = path_id(ref)
        for row in self.rows:
            if row["uid"] == ref or (number is not None and row["id"] == number):
                return row
        raise NotFoundError(f"No field {ref} in {self.entity}")


async def load_form(conn: Conn, who: Principal, entity: str, base_model: str) -> Form:
    rows = await conn.fetch_all(
        "SELECT * FROM fields WHERE workspace_id = :ws AND entity_type = :entity "
        "ORDER BY position, id",
        {"ws": who.workspace_id, "entity": entity},
    )
    if not rows:
        raise NotFoundError(f"Unknown entity type: {entity}")
    form = Form(who.workspace_id, entity, base_model, min(r["id"] for r in rows), rows)
    order = {g: n for n, g in enumerate(form.sections)}
    rows.sort(key=lambda r: (order[group_of(r)], r["position"], r["id"]))
    return form


async def list_forms(
    conn: Conn, who: Principal, entity: str, base_model: str, entities: dict[str, str]
) -> dict[str, Any]:
    """`{"forms": [the entity's form], "meta": {"latest_forms_version_data": ...}}`;
    `entities` maps every form's name (`contacts`, `cm_property`) to its table."""
    form = await load_form(conn, who, entity, base_model)
    choices = await _choices(conn, who, form.rows)
    sections = []
    for position, group in enumerate(form.sections, 1):
        fields = [render_field(form, r, choices) for r in form.in_section(group)]
        sections.append(_render_section(form, group, position, fields))
    out = {
        "id": form.id,
        "name": f"Default form for {modules.entity_of(entity) or entity}",
        "description": "",
        "active": True,
        "form_class": f"{base_model}Form",
        "field_class": base_model,
        "grouped_mandatory_fields": [],
        "fields": sections,
    }
    versions = await _versions(conn, who, entities)
    return {"forms": [out], "meta": {"latest_forms_version_data": versions}}


async def render_one(conn: Conn, who: Principal, form: Form, row: Row) -> dict[str, Any]:
    return render_field(form, row, await _choices(conn, who, [row]))


async def _choices(conn: Conn, who: Principal, rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    return await selector_choices(conn, who, {r["choices_kind"] for r in rows if r["choices_kind"]})


async def _versions(conn: Conn, who: Principal, entities: dict[str, str]) -> dict[str, str]:
    keys = {version_key(table): shown for shown, table in entities.items()}
    clause, params = in_clause("v", keys)
    rows = await conn.fetch_all(
        f"SELECT entity_type, version FROM data_versions WHERE workspace_id = :ws "
        f"AND entity_type IN {clause}",
        {"ws": who.workspace_id, **params},
    )
    found = {keys[r["entity_type"]]: str(r["version"]) for r in rows}
    return {e: found.get(e, "0") for e in sorted(entities)}


def _stored(row: Row) -> dict[str, Any]:
    raw = json_value(row["choices"])
    return raw if isinstance(raw, dict) else {}


def fixed_choices(row: Row) -> list[dict[str, Any]]:
    """The choices a field keeps itself (custom fields, a few default ones), as stored."""
    items = _stored(row).get("items")
    return [dict(c) for c in items] if isinstance(items, list) else []


def stored_options(row: Row) -> dict[str, Any]:
    raw = json_value(row["field_options"])
    return dict(raw) if isinstance(raw, dict) else {}


def render_field(form: Form, row: Row, choices: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    custom = not row["is_default"]
    type_ = row["type"]
    options = stored_options(row)
    lookup = options.get("lookup_type") if type_ == "auto_complete" else None
    if lookup:
        options["lookup_prefetch_url"] = f"/options_prefetch.json?include={lookup}&q[]="
    options.update(_flags(custom, type_))
    if row["choices_kind"]:
        shown = [dict(c) for c in choices.get(row["choices_kind"], [])]
    else:
        shown = [_choice(c) for c in fixed_choices(row)]
    attributes = _stored(row).get("attributes") or {}
    return {
        "id": row["uid"],
        "parent_id": form.section_uid(group_of(row)),
        "name": row["name"],
        "label": row["label"],
        "placeholder": _PLACEHOLDERS.get(type_, "Enter value"),
        "type": type_,
        "position": row["position"],
        "fields": [],
        "field_class": form.base_model,
        "required": bool(row["required"]),
        "custom": custom,
        "editable": bool(row["editable"]),
        "visible": bool(row["visible"]),
        "unique": bool(row["is_unique"]),
        "link": f"/search.json?include={lookup}&q=" if lookup else None,
        "choices": shown,
        "field_options": options,
        "hint": row["hint"] or "",
        "original_label": row["label"] if custom else row["name"],
        "original_placeholder": "" if custom else row["name"],
        "default_value": None,
        "allow_clearing_default_value": True,
        "form_id": form.id,
        "quick_add_position": attributes.get("quick_add_position"),
    }


def _choice(item: dict[str, Any]) -> dict[str, Any]:
    # As the reference shows a custom field's choices (no dependent fields here).
    return {**item, "type": None, "dependent_ids": {}, "dependency_mapping_id": item.get("id")}


def _flags(custom: bool, type_: str) -> dict[str, bool]:
    if type_ == "section":
        values = (False, False, False, False, False, False, True, False)
    elif custom:
        values = (True, True, True, True, type_ in CHOICE_TYPES, False, False, False)
    else:
        # Default fields: label, required, visibility and position may change (forms writes).
        values = (False, False, True, True, False, False, False, False)
    return dict(zip(_FLAG_NAMES, values, strict=True))


def _render_section(
    form: Form, group: str, position: int, fields: list[dict[str, Any]]
) -> dict[str, Any]:
    name = section_name(group)
    return {
        "id": form.section_uid(group),
        "parent_id": None,
        "name": name,
        "label": group,
        "placeholder": "",
        "type": "section",
        "position": position,
        "fields": fields,
        "field_class": form.base_model,
        "required": False,
        "custom": False,
        "editable": True,
        "visible": group != HIDDEN_GROUP,
        "unique": False,
        "link": None,
        "choices": [],
        "field_options": _flags(False, "section"),
        "hint": "",
        "original_label": name,
        "original_placeholder": name,
        "default_value": None,
        "allow_clearing_default_value": True,
        "form_id": form.id,
        "quick_add_position": None,
    }
