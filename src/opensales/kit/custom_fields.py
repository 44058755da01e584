"""Custom field values: every write of a record's `custom_field` object is checked against
the workspace's definitions (rows of `fields` with is_default = false) and stored typed.

Definitions are cached per process, keyed on the data version `fields:<entity>` that every
write of a definition bumps, so a write pays one small query for them. Values are stored in
the record's `custom_field` JSON in the form they are returned: numbers as numbers, dates as
"YYYY-MM-DD", date-times as UTC "YYYY-MM-DDTHH:MM:SSZ", multi-select choices as "a;b",
lookups as the looked-up record's id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import modules, versions
from opensales.kit.coerce import blank, to_bool, to_date, to_datetime, to_id, to_int, to_text
from opensales.kit.fields import json_value
from opensales.kit.principal import Principal

# The kinds of record that carry custom fields: their table is their entity type (and every
# custom module's records table).
ENTITIES = (
    "contacts",
    "sales_accounts",
    "deals",
    "products",
    "cpq_documents",
    "sales_activities",
    "leads",
)
# What a lookup's `field_options.lookup_type` names, as the table of its records.
LOOKUP_TABLES = {
    "contact": "contacts",
    "lead": "leads",
    "sales_account": "sales_accounts",
    "account": "sales_accounts",
    "deal": "deals",
    "product": "products",
}
MAX_TEXT = 255
MAX_PARAGRAPH = 65_535
MAX_URL = 2048
MAX_NAME_SHOWN = 100
# A decimal's whole part: 15 digits, as money columns hold.
DECIMAL_LIMIT = Decimal(10) ** 15
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CACHE_SIZE = 10_000

_cache: dict[tuple[str, int, str], tuple[int, dict[str, Row]]] = {}


async def definitions(conn: Conn, workspace_id: int, entity: str) -> dict[str, Row]:
    """The entity's custom fields by name (`choices` and `field_options` decoded)."""
    version, _ = await versions.current(conn, workspace_id, "fields:" + entity)
    key = (conn.url, workspace_id, entity)
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    rows = await conn.fetch_all(
        "SELECT * FROM fields WHERE workspace_id = :ws AND entity_type = :entity "
        "AND is_default = false ORDER BY position, id",
        {"ws": workspace_id, "entity": entity},
    )
    found = {
        r["name"]: {
            **r,
            "choices": json_value(r["choices"]) or {},
            "field_options": json_value(r["field_options"]) or {},
        }
        for r in rows
    }
    if len(_cache) > _CACHE_SIZE:
        _cache.clear()
    _cache[key] = (version, found)
    return found


def carries_fields(entity: str) -> bool:
    return entity in ENTITIES or modules.is_module_table(entity)


def lookup_type(field: Row) -> str:
    """What a lookup field looks up: contact, sales_account, deal, product or cm_<module>."""
    options = json_value(field["field_options"]) or {}
    return str(options.get("lookup_type") or "").lower()


def lookup_table(workspace_id: int, kind: str) -> str | None:
    """The table of the records a lookup of `kind` points at."""
    if modules.ENTITY_NAME.match(kind):
        return modules.table_of(workspace_id, kind)
    return LOOKUP_TABLES.get(kind)


def _invalid(name: str, problem: Any) -> ValidationError:
    return ValidationError(f"Invalid value for custom_field.{name[:MAX_NAME_SHOWN]}: {problem}")


async def validate(
    conn: Conn,
    who: Principal,
    entity: str,
    sent: Any,
    existing: Mapping[str, Any] | None,
    record_id: int | None = None,
) -> dict[str, Any]:
    """The record's custom field values after the write: `sent` checked and typed, over the
    `existing` values on update (None on create, when required fields must be given). A
    unique field's value must not be another live record's (`record_id`: this one)."""
    if sent is None:
        sent = {}
    if not isinstance(sent, Mapping):
        raise ValidationError(
            "Invalid value for custom_field: must be an object of field names and values"
        )
    if not sent and existing is not None:
        return dict(existing)
    defs = await definitions(conn, who.workspace_id, entity)
    typed: dict[str, Any] = {}
    for name, value in sent.items():
        field = defs.get(name)
        if field is None:
            raise _invalid(str(name), "no such custom field")
        typed[name] = await _typed(conn, who, field, value)
        if field["is_unique"] and typed[name] is not None:
            await _check_unique(conn, who, entity, name, typed[name], record_id)
    if existing is None:
        for name, field in defs.items():
            if field["required"] and typed.get(name) is None:
                raise _invalid(name, "is required")
    return {**(existing or {}), **typed}


def value_sql(conn: Conn) -> str:
    """The text of the custom field the bound `:cf_name` names, in the dialect's JSON."""
    if conn.dialect == "postgresql":
        return "(custom_field::jsonb ->> CAST(:cf_name AS text))"
    return "CAST(json_extract(custom_field, '$.\"' || :cf_name || '\"') AS TEXT)"


async def ids_with_value(
    conn: Conn, workspace_id: int, entity: str, name: str, value: Any
) -> list[int]:
    """Live records of the entity whose custom field `name` holds `value` (text compared
    without case): a unique field's upsert matches, and its duplicates."""
    if not carries_fields(entity) or '"' in name:
        return []
    # Records in a recycle bin do not hold their values (a deleted record's value is free).
    live = "" if entity == "sales_activities" else " AND is_deleted = false"
    rows = await conn.fetch_all(
        f"SELECT id FROM {entity} WHERE workspace_id = :ws{live} "
        f"AND lower({value_sql(conn)}) = :value ORDER BY id",
        {"ws": workspace_id, "cf_name": name, "value": str(value).strip().lower()},
    )
    return [r["id"] for r in rows]


async def _check_unique(
    conn: Conn, who: Principal, entity: str, name: str, value: Any, record_id: int | None
) -> None:
    taken = await ids_with_value(conn, who.workspace_id, entity, name, value)
    others = [i for i in taken if i != record_id]
    if others:
        raise value_taken(name, others[0])


def value_taken(name: str, record_id: int) -> ValidationError:
    """A unique field's value that record `record_id` already holds."""
    return _invalid(name, f"must be unique: record {record_id} already has it")


async def still_valid(
    conn: Conn, who: Principal, entity: str, stored: Mapping[str, Any]
) -> dict[str, Any]:
    """The stored values a copy of the record can take: those of fields still defined that
    still pass (a lookup to a record deleted since, a choice removed since, are left out)."""
    defs = await definitions(conn, who.workspace_id, entity)
    kept: dict[str, Any] = {}
    for name, value in stored.items():
        if name not in defs:
            continue
        try:
            kept[name] = await _typed(conn, who, defs[name], value)
        except ValidationError:
            continue
    return kept


async def remove_values(conn: Conn, who: Principal, entity: str, name: str) -> None:
    """Drop the field `name` from every record of the entity (a deleted field's values)."""
    if not carries_fields(entity):
        raise ValidationError(f"Custom fields are not supported on {entity[:MAX_NAME_SHOWN]}")
    params = {"ws": who.workspace_id, "name": name}
    if conn.dialect == "postgresql":
        await conn.execute(
            f"UPDATE {entity} SET custom_field = (custom_field::jsonb - CAST(:name AS text))::json "
            "WHERE workspace_id = :ws AND custom_field::jsonb ? CAST(:name AS text)",
            params,
        )
    else:
        # The path quotes the key: a field name is a key, never a path of its own.
        if '"' in name:
            raise ValidationError("Invalid custom field name")
        await conn.execute(
            f"UPDATE {entity} SET custom_field = json_remove(custom_field, '$.\"' || :name || "
            "'\"') WHERE workspace_id = :ws AND json_type(custom_field, '$.\"' || :name || "
            "'\"') IS NOT NULL",
            params,
        )
    await versions.bump(conn, who.workspace_id, entity)


# --- in views: a field's value as SQL ----------------------------------------------------

# How values compare and sort in views. Numbers are compared as numbers. Dates and
# date-times are compared as the ISO text they are stored in, which is in time order. Text is
# compared byte by byte, so case-sensitively (SQLite's BINARY, PostgreSQL's "C" collation:
# the same order on both). Checkboxes sort false before true.
NUMERIC_TYPES = frozenset({"number", "decimal"})
DATE_TYPES = frozenset({"date", "date_time", "datetime"})
TEXT_TYPES = frozenset({"text", "email", "url", "dropdown", "radio"})
ORDERED_TYPES = NUMERIC_TYPES | DATE_TYPES | TEXT_TYPES | {"checkbox"}
# The names the forms API makes: the only ones that go into SQL as literals.
_SQL_NAME = re.compile(r"cf_[a-z0-9_]+")


def typed_sql(dialect: str, field: Row) -> str:
    """The field's value in a record as SQL, typed as it compares and sorts. It is also the
    expression of the field's index (kit/field_indexes), so a query must use exactly this
    text for the index to serve it. The index needs the name as a literal, not a parameter."""
    name = str(field["name"])
    if not _SQL_NAME.fullmatch(name):
        raise ValidationError(f"Custom field {name[:MAX_NAME_SHOWN]} cannot be used in a view")
    if dialect != "postgresql":
        return f"json_extract(custom_field, '$.\"{name}\"')"
    text = f"(custom_field::jsonb ->> '{name}')"
    type_ = field["type"]
    if type_ in NUMERIC_TYPES:
        return f"({text}::numeric)"
    if type_ == "checkbox":
        return f"({text}::boolean)"
    if type_ in DATE_TYPES | TEXT_TYPES:
        return f'({text} COLLATE "C")'
    return text


def comparable(field: Row, value: Any) -> Any:
    """A view's value for the field, typed as the field's values are stored (a relative date
    such as "30 days ago" comes as a datetime); a 400 naming the field when it is not one."""
    if isinstance(value, datetime):
        value = value.isoformat()
    if blank(value):
        return None
    reader: Callable[[Row, Any], Any] = _READERS.get(str(field["type"]), _text)
    try:
        typed = reader(field, value)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for filter on {field['name']}: {exc}") from None
    if field["type"] in NUMERIC_TYPES and typed is not None:
        # PostgreSQL compares the value as numeric.
        return Decimal(str(typed))
    return typed


# --- one value ----------------------------------------------------------------------------


async def _typed(conn: Conn, who: Principal, field: Row, value: Any) -> Any:
    """The value to store for `field`, or a 400 naming it."""
    name = field["name"]
    if blank(value) or (isinstance(value, list) and not value):
        if field["required"]:
            raise _invalid(name, "is required")
        return None
    try:
        if field["type"] == "auto_complete":
            return await _lookup(conn, who, field, value)
        reader: Callable[[Row, Any], Any] = _READERS.get(str(field["type"]), _text)
        return reader(field, value)
    except ValueError as exc:
        raise _invalid(name, exc) from None


def _string(value: Any, limit: int) -> str:
    text = to_text(value)
    if text is None:
        raise ValueError("must not be blank")
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters")
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


def _text(field: Row, value: Any) -> str:
    return _string(value, MAX_TEXT)


def _paragraph(field: Row, value: Any) -> str:
    return _string(value, MAX_PARAGRAPH)


def _number(field: Row, value: Any) -> int | None:
    return to_int(value)


def _decimal(field: Row, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite() or abs(number) >= DECIMAL_LIMIT:
        raise ValueError("must be a number below 10^15")
    # A whole number comes back as it was sent (12345, as the reference shows, not 12345.0).
    return int(number) if number == number.to_integral_value() else float(number)


def _checkbox(field: Row, value: Any) -> bool | None:
    return to_bool(value)


def _date(field: Row, value: Any) -> str | None:
    day = to_date(value)
    return None if day is None else day.isoformat()


def _date_time(field: Row, value: Any) -> str | None:
    moment = to_datetime(value)
    if moment is None:
        return None
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


def _url(field: Row, value: Any) -> str:
    text = _string(value, MAX_URL).strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        raise ValueError("must be an http or https URL")
    return text


def _email(field: Row, value: Any) -> str:
    text = _string(value, MAX_TEXT).strip()
    if not _EMAIL.match(text):
        raise ValueError("must be an email address")
    return text


def _choice_values(field: Row) -> dict[str, str]:
    """The configured choices: lower-cased value -> its configured spelling."""
    items = field["choices"].get("items", []) if isinstance(field["choices"], dict) else []
    return {str(i["value"]).strip().lower(): str(i["value"]) for i in items if "value" in i}


def _choice(field: Row, value: Any) -> str:
    text = _string(value, MAX_TEXT).strip()
    found = _choice_values(field).get(text.lower())
    if found is None:
        raise ValueError(f"{text[:MAX_NAME_SHOWN]!r} is not one of the field's choices")
    return found


def _multi_choice(field: Row, value: Any) -> str | None:
    if isinstance(value, list):
        parts = [to_text(v) or "" for v in value]
    else:
        parts = _string(value, MAX_PARAGRAPH).split(";")
    chosen = [_choice(field, p) for p in parts if p.strip()]
    return ";".join(dict.fromkeys(chosen)) or None


async def _lookup(conn: Conn, who: Principal, field: Row, value: Any) -> int | None:
    kind = lookup_type(field)
    table = lookup_table(who.workspace_id, kind)
    if table is None:
        raise ValueError(f"lookups to {kind or 'nothing'!r} are not supported")
    record_id = to_id(value)
    found = await conn.fetch_val(
        f"SELECT id FROM {table} WHERE id = :id AND workspace_id = :ws AND is_deleted = false",
        {"id": record_id, "ws": who.workspace_id},
    )
    if found is None:
        raise ValueError(f"no {kind} with id {record_id}")
    return record_id


_READERS: dict[str, Callable[[Row, Any], Any]] = {
    "text": _text,
    "paragraph": _paragraph,
    "textarea": _paragraph,
    "number": _number,
    "decimal": _decimal,
    "checkbox": _checkbox,
    "date": _date,
    "date_time": _date_time,
    "datetime": _date_time,
    "url": _url,
    "email": _email,
    "dropdown": _choice,
    "radio": _choice,
    "multi_select_dropdown": _multi_choice,
}
