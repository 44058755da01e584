"""Creating, changing and deleting field definitions (`/api/settings/{entity}/forms/{form_id}
/fields`): admins only; every write bumps the entity's `fields:` data version so caches of
the definitions refresh.

Positions count from 1 within a section and stay 1..n after every write.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import PermissionDeniedError, ValidationError
from opensales.kit import custom_fields, field_indexes, modules, versions
from opensales.kit.coerce import to_bool, to_id, to_int, to_text
from opensales.kit.dates import utcnow
from opensales.kit.http import unwrap
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.settings.forms import (
    CHOICE_TYPES,
    Form,
    fixed_choices,
    group_of,
    load_form,
    render_one,
    stored_options,
    version_key,
)

TYPES = frozenset(
    {
        "text",
        "paragraph",
        "textarea",
        "number",
        "decimal",
        "dropdown",
        "radio",
        "checkbox",
        "date",
        "date_time",
        "multi_select_dropdown",
        "url",
        "email",
        "auto_complete",
    }
)
TYPE_ALIASES = {"datetime": "date_time"}
LOOKUP_TYPES = {
    "contact": "contact",
    "sales_account": "sales_account",
    "account": "sales_account",
    "deal": "deal",
    "product": "product",
}
LOCALES = ("en", "es", "en-IN", "fi")
UNIQUE_TYPES = frozenset({"text", "number", "decimal", "email", "url"})
MAX_LABEL = 255
MAX_INTERNAL_NAME = 60
MAX_CHOICES = 500
MAX_POSITION = 10_000
_INTERNAL_NAME = re.compile(r"[a-z0-9_]+\Z")
# What default fields let change through the forms API.
DEFAULT_CHANGEABLE = frozenset({"label", "required", "visible", "position"})
# Keys of the rendered field that a client may send back as they are: never written.
READ_ONLY = frozenset(
    {
        "id",
        "fields",
        "field_class",
        "custom",
        "link",
        "form_id",
        "default_value",
        "allow_clearing_default_value",
        "placeholder",
        "original_label",
        "original_placeholder",
        "quick_add_position",
    }
)


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise PermissionDeniedError("Only admins may change the fields of a form")


def _bad(key: str, why: str) -> ValidationError:
    return ValidationError(f"Invalid value for {key}: {why}")


async def _open(conn: Conn, who: Principal, entity: str, base_model: str, form_id: str) -> Form:
    _admin(who)
    form = await load_form(conn, who, entity, base_model)
    form.check_id(form_id)
    return form


# --- create -------------------------------------------------------------------------------


async def create_field(
    conn: Conn,
    who: Principal,
    entity: str,
    base_model: str,
    form_id: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Add a custom field to the entity's form; answers it as the forms API shows it."""
    form = await _open(conn, who, entity, base_model, form_id)
    spec = unwrap(data, "field")
    label = _label(spec.get("label"))
    type_ = _type(spec.get("type"))
    name = "cf_" + _internal_name(spec.get("internal_name"), label)
    if any(r["name"] == name for r in form.rows):
        raise _bad("internal_name", f"a field named {name} already exists")
    unique = _flag(spec, "unique", spec.get("is_unique")) or False
    _check_unique(type_, unique)
    group = form.section_of(spec.get("parent_id"))
    options = _options(type_, spec.get("field_options"), None)
    await _check_lookup_module(conn, who, options)
    now = utcnow()
    row = {
        "workspace_id": who.workspace_id,
        "entity_type": entity,
        "name": name,
        "label": label,
        "type": type_,
        "is_default": False,
        "actionable": type_ in CHOICE_TYPES,
        "required": _flag(spec, "required") or False,
        "is_unique": unique,
        "position": MAX_POSITION + 1,  # placed below, among its section
        "field_group": group,
        "choices_kind": None,
        "choices": _new_choices(type_, spec.get("choices")),
        "uid": str(uuid.uuid4()),
        "hint": _hint(spec.get("hint")),
        "editable": _flag(spec, "editable", default=True),
        "visible": _flag(spec, "visible", default=True),
        "field_options": options,
        "created_at": now,
        "updated_at": now,
    }
    row["id"] = await conn.fetch_val(insert_sql("fields", list(row)), row)
    await field_indexes.create(conn, who.workspace_id, entity, row)
    section = form.in_section(group)
    position = _position(spec.get("position")) or _new_field_position(section)
    await _place(conn, who, [r["id"] for r in section], row["id"], position)
    return await _done(conn, who, form, row["id"])


def _new_field_position(section: list[Row]) -> int:
    """Where a new field goes unless told: after the section's fields, but before the
    read-only default ones that close it (a custom module's "Created by", "Updated at"...)."""
    end = len(section)
    while end and section[end - 1]["is_default"] and not section[end - 1]["editable"]:
        end -= 1
    return end + 1


async def _check_lookup_module(conn: Conn, who: Principal, options: dict[str, Any] | None) -> None:
    lookup = (options or {}).get("lookup_type", "")
    if modules.ENTITY_NAME.match(lookup) and not await conn.fetch_val(
        "SELECT id FROM custom_modules WHERE workspace_id = :ws AND entity_name = :e",
        {"ws": who.workspace_id, "e": lookup},
    ):
        raise _bad("field_options.lookup_type", f"no custom module named {lookup}")


async def _done(conn: Conn, who: Principal, form: Form, field_id: int) -> dict[str, Any]:
    await versions.bump(conn, who.workspace_id, version_key(form.entity))
    fresh = await load_form(conn, who, form.entity, form.base_model)
    return {"field": await render_one(conn, who, fresh, fresh.find(str(field_id)))}


async def _place(
    conn: Conn, who: Principal, section: list[int], field_id: int, position: int | None
) -> None:
    """Put `field_id` at `position` (1-based; the end if None) among the section's other
    fields (ids in order), and number them all 1..n."""
    ids = [i for i in section if i != field_id]
    index = len(ids) if position is None else min(position, len(ids) + 1) - 1
    ids.insert(index, field_id)
    await _renumber(conn, who, ids)


async def _renumber(conn: Conn, who: Principal, ids: list[int]) -> None:
    for position, field_id in enumerate(ids, 1):
        await conn.execute(
            "UPDATE fields SET position = :p WHERE id = :id AND workspace_id = :ws "
            "AND position <> :p",
            {"p": position, "id": field_id, "ws": who.workspace_id},
        )


# --- reading the attributes ---------------------------------------------------------------


def _label(value: Any) -> str:
    try:
        label = to_text(value)
    except ValueError as exc:
        raise _bad("label", str(exc)) from None
    if label is None or not label.strip():
        raise _bad("label", "is required")
    if len(label) > MAX_LABEL:
        raise _bad("label", f"must be at most {MAX_LABEL} characters")
    return label.strip()


def _type(value: Any) -> str:
    if value is None or value == "":
        raise _bad("type", "is required")
    type_ = _type_name(value)
    if type_ not in TYPES:
        shown = str(value)[:40]
        raise _bad("type", f"{shown!r} is not a supported field type ({', '.join(sorted(TYPES))})")
    return type_


def _type_name(value: Any) -> str:
    """A type as sent, its alias resolved; anything not a string names no type."""
    return TYPE_ALIASES.get(value, value) if isinstance(value, str) else ""


def _internal_name(value: Any, label: str) -> str:
    if value is None or value == "":
        ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        name = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")
        if not name:
            raise _bad("internal_name", "cannot be derived from the label: give one")
        return name[:MAX_INTERNAL_NAME].rstrip("_")
    if not isinstance(value, str) or not _INTERNAL_NAME.match(value):
        raise _bad("internal_name", "must be lower case letters, digits and underscores")
    if len(value) > MAX_INTERNAL_NAME:
        raise _bad("internal_name", f"must be at most {MAX_INTERNAL_NAME} characters")
    return value


def _flag(spec: dict[str, Any], key: str, fallback: Any = None, default: bool = False) -> Any:
    value = spec.get(key, fallback)
    try:
        found = to_bool(value)
    except ValueError as exc:
        raise _bad(key, str(exc)) from None
    return default if found is None else found


def _hint(value: Any) -> str | None:
    try:
        return to_text(value)
    except ValueError as exc:
        raise _bad("hint", str(exc)) from None


def _position(value: Any) -> int | None:
    try:
        return to_int(value, minimum=1, maximum=MAX_POSITION)
    except ValueError as exc:
        raise _bad("position", str(exc)) from None


def _check_unique(type_: str, unique: bool) -> None:
    if unique and type_ not in UNIQUE_TYPES:
        raise _bad("unique", f"a {type_} field cannot be unique")


def _options(type_: str, value: Any, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored field_options: a lookup's `lookup_type`, a decimal's `locale`."""
    if value is not None and not isinstance(value, dict):
        raise _bad("field_options", "must be an object")
    given = value or {}
    out: dict[str, Any] = {}
    if type_ == "auto_complete":
        lookup = given.get("lookup_type", (current or {}).get("lookup_type"))
        if isinstance(lookup, str) and modules.ENTITY_NAME.match(lookup):
            out["lookup_type"] = lookup  # a custom module's: checked to exist on create
        elif isinstance(lookup, str) and lookup in LOOKUP_TYPES:
            out["lookup_type"] = LOOKUP_TYPES[lookup]
        else:
            kinds = ", ".join(sorted(LOOKUP_TYPES))
            raise _bad("field_options.lookup_type", f"must be one of {kinds} or a custom module")
    if type_ == "decimal":
        locale = given.get("locale", (current or {}).get("locale"))
        if locale is not None and locale not in LOCALES:
            raise _bad("field_options.locale", f"must be one of {', '.join(LOCALES)}")
        if locale is not None:
            out["locale"] = locale
    return out or None


def _new_choices(type_: str, raw: Any) -> dict[str, Any] | None:
    return _merge_choices(type_, [], raw, creating=True)


def _merge_choices(
    type_: str, existing: list[dict[str, Any]], raw: Any, *, creating: bool = False
) -> dict[str, Any] | None:
    """The field's choices after `raw`: the full new list. Items keep their id (given, or
    found by value); new values get new ids; items left out (or `_destroy`ed) go."""
    if type_ not in CHOICE_TYPES:
        if raw:
            raise _bad("choices", f"a {type_} field has no choices")
        return None
    if raw is None and not creating:
        return {"items": existing}
    if not isinstance(raw, list) or len(raw) > MAX_CHOICES:
        raise _bad("choices", f"must be an array of at most {MAX_CHOICES} choices")
    by_id = {c["id"]: c for c in existing}
    by_value = {str(c["value"]).casefold(): c["id"] for c in existing}
    next_id = max([0, *by_id]) + 1
    kept: list[tuple[int, int, int, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        choice = _choice_in(item)
        if choice is None:
            continue
        given_id, value, position = choice
        if given_id is not None and given_id not in by_id:
            raise _bad("choices", f"no choice with id {given_id}")
        if value.casefold() in seen:
            raise _bad("choices", f"{value!r} appears twice")
        seen.add(value.casefold())
        choice_id = given_id or by_value.get(value.casefold())
        if choice_id is None:
            choice_id, next_id = next_id, next_id + 1
        kept.append((position or MAX_POSITION + index, index, choice_id, value))
    if not kept:
        raise _bad("choices", f"a {type_} field needs at least one choice")
    kept.sort()
    items = [{"id": i, "value": v, "position": n} for n, (_, _, i, v) in enumerate(kept, 1)]
    return {"items": items}


def _choice_in(item: Any) -> tuple[int | None, str, int | None] | None:
    """(id, value, position) of one choice sent; None for one to remove."""
    if isinstance(item, str):
        item = {"value": item}
    if not isinstance(item, dict):
        raise _bad("choices", "each choice must be an object with a value")
    try:
        if to_bool(item.get("_destroy")):
            return None
        choice_id = to_id(item.get("id"))
        value = to_text(item.get("value"))
        position = to_int(item.get("position"), minimum=1, maximum=MAX_POSITION)
    except ValueError as exc:
        raise _bad("choices", str(exc)) from None
    if value is None or not value.strip():
        raise _bad("choices", "a choice needs a value")
    if len(value) > MAX_LABEL:
        raise _bad("choices", f"values must be at most {MAX_LABEL} characters")
    return choice_id, value.strip(), position


# --- update -------------------------------------------------------------------------------


async def update_field(
    conn: Conn,
    who: Principal,
    entity: str,
    base_model: str,
    form_id: str,
    field_ref: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Change a field; default fields take only label, required, visible and position."""
    form = await _open(conn, who, entity, base_model, form_id)
    row = form.find(field_ref)
    spec = unwrap(data, "field")
    _check_fixed(form, row, spec)
    if row["is_default"]:
        await _check_default(conn, who, form, row, spec)
        changes = _common_changes(row, spec)
    else:
        changes = {**_common_changes(row, spec), **_custom_changes(row, spec)}
    changes["updated_at"] = utcnow()
    sets = ", ".join(f"{c} = :{c}" for c in changes)
    await conn.execute(
        f"UPDATE fields SET {sets} WHERE id = :id AND workspace_id = :ws",
        {**changes, "id": row["id"], "ws": who.workspace_id},
    )
    await _move(conn, who, form, row, spec)
    return await _done(conn, who, form, row["id"])


def _check_fixed(form: Form, row: Row, spec: dict[str, Any]) -> None:
    if "name" in spec and spec["name"] != row["name"]:
        raise _bad("name", "a field's name cannot change")
    internal = spec.get("internal_name")
    if internal not in (None, "") and "cf_" + str(internal) != row["name"]:
        raise _bad("internal_name", "a field's name cannot change")
    if "type" in spec and _type_name(spec["type"]) != row["type"]:
        raise _bad("type", "a field's type cannot change")


async def _check_default(
    conn: Conn, who: Principal, form: Form, row: Row, spec: dict[str, Any]
) -> None:
    """A default field's other attributes may be sent back as they are, not changed."""
    shown = await render_one(conn, who, form, row)
    for key, value in spec.items():
        if key in DEFAULT_CHANGEABLE or key in READ_ONLY or key in ("name", "type"):
            continue
        current = shown.get("unique" if key == "is_unique" else key)
        if key == "internal_name" or (value in (None, "") and current in (None, "", [])):
            continue
        if key == "choices" and isinstance(value, list):
            same = [c.get("value") if isinstance(c, dict) else c for c in value] == [
                c["value"] for c in current or []
            ]
        else:
            same = value == current
        if not same:
            raise _bad(key, "cannot be changed on a default field")


def _common_changes(row: Row, spec: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "label" in spec:
        changes["label"] = _label(spec["label"])
    for key in ("required", "visible"):
        if spec.get(key) is not None:
            changes[key] = _flag(spec, key)
    return changes


def _custom_changes(row: Row, spec: dict[str, Any]) -> dict[str, Any]:
    type_ = row["type"]
    changes: dict[str, Any] = {}
    if "hint" in spec:
        changes["hint"] = _hint(spec["hint"])
    if spec.get("editable") is not None:
        changes["editable"] = _flag(spec, "editable")
    unique = _flag(spec, "unique", spec.get("is_unique"), default=bool(row["is_unique"]))
    _check_unique(type_, unique)
    changes["is_unique"] = unique
    if spec.get("field_options") is not None:
        current = stored_options(row)
        options = _options(type_, spec["field_options"], current)
        was = current.get("lookup_type")
        if was is not None and (options or {}).get("lookup_type") != LOOKUP_TYPES.get(was, was):
            raise _bad("field_options.lookup_type", "a lookup's type cannot change")
        changes["field_options"] = options
    if spec.get("choices") is not None:
        changes["choices"] = _merge_choices(type_, fixed_choices(row), spec["choices"])
    return changes


async def _move(conn: Conn, who: Principal, form: Form, row: Row, spec: dict[str, Any]) -> None:
    """Reorder within the section, or move to the section `parent_id` names (custom only)."""
    position = _position(spec.get("position"))
    old = new = group_of(row)
    if not row["is_default"] and spec.get("parent_id"):
        new = form.section_of(spec["parent_id"])
    if new != old:
        await conn.execute(
            "UPDATE fields SET field_group = :g WHERE id = :id AND workspace_id = :ws",
            {"g": new, "id": row["id"], "ws": who.workspace_id},
        )
        await _renumber(conn, who, [r["id"] for r in form.in_section(old) if r["id"] != row["id"]])
    elif position is None:
        return
    await _place(conn, who, [r["id"] for r in form.in_section(new)], row["id"], position)


# --- delete -------------------------------------------------------------------------------


async def delete_field(
    conn: Conn,
    who: Principal,
    entity: str,
    base_model: str,
    form_id: str,
    field_ref: str,
) -> dict[str, Any]:
    """Remove a custom field and its values on every record of the entity."""
    form = await _open(conn, who, entity, base_model, form_id)
    row = form.find(field_ref)
    if row["is_default"]:
        raise ValidationError(f"{row['name']} is a default field: it cannot be deleted")
    await field_indexes.drop(conn, row)
    await custom_fields.remove_values(conn, who, entity, row["name"])
    await conn.execute(
        "DELETE FROM fields WHERE id = :id AND workspace_id = :ws",
        {"id": row["id"], "ws": who.workspace_id},
    )
    section = [r["id"] for r in form.in_section(group_of(row)) if r["id"] != row["id"]]
    await _renumber(conn, who, section)
    await versions.bump(conn, who.workspace_id, version_key(entity))
    return {"message": "Field deleted successfully"}
