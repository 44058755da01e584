"""Field specs: one declaration per attribute gives input coercion, output rendering and the
OpenAPI models of a kind of record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from opensales.kit import coerce
from opensales.kit.dates import format_date, format_timestamp

TEXT, INT, ID, MONEY, DECIMAL, DATE, DATETIME, BOOL = (
    "text",
    "int",
    "id",
    "money",
    "decimal",
    "date",
    "datetime",
    "bool",
)


@dataclass(frozen=True, slots=True)
class Field:
    """One attribute of a record as the API sees it; `column` defaults to `name`."""

    name: str
    type: str = TEXT
    label: str = ""
    writable: bool = True
    # Where an id points: "users", a record table, or a selector kind ("lead_sources").
    ref: str | None = None
    digits: int = 15
    places: int = 2
    minimum: int | None = None
    maximum: int | None = None
    # What the settings/fields API calls it ("text", "dropdown", "number", "date", ...).
    ui_type: str | None = None
    required: bool = False
    # Marked unique in the field settings: usable as an upsert identifier.
    unique: bool = False
    nullable: bool = True
    # Fixed choices of a dropdown that no selector feeds: (stored value, label) pairs.
    choices: tuple[tuple[int, str], ...] = ()


def model(
    name: str, definitions: dict[str, Any], *, base: type[BaseModel] | None = None
) -> type[BaseModel]:
    """A pydantic model built from field definitions (for generated OpenAPI shapes)."""
    built: type[BaseModel] = create_model(name, __base__=base, **definitions)
    return built


# --- input --------------------------------------------------------------------------------


def _int_in(f: Field, value: Any) -> int | None:
    minimum = coerce.MAX_ID * -1 if f.minimum is None else f.minimum
    maximum = coerce.MAX_ID if f.maximum is None else f.maximum
    return coerce.to_int(value, minimum=minimum, maximum=maximum)


def _reader(f: Field) -> Callable[[Any], Any]:
    if f.type == INT:
        return partial(_int_in, f)
    if f.type in (MONEY, DECIMAL):
        return partial(coerce.to_decimal, digits=f.digits, places=f.places)
    return {
        TEXT: coerce.to_text,
        ID: coerce.to_id,
        DATE: coerce.to_date,
        DATETIME: coerce.to_datetime,
        BOOL: coerce.to_bool,
    }[f.type]


_PY_INPUT: dict[str, Any] = {
    TEXT: str,
    INT: int,
    ID: int,
    MONEY: Decimal,
    DECIMAL: Decimal,
    DATE: date,
    DATETIME: datetime,
    BOOL: bool,
}
# How the OpenAPI document shows what each type accepts (strings too, as Rails does).
_INPUT_SCHEMA: dict[str, Any] = {
    TEXT: {"type": "string"},
    INT: {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]},
    ID: {
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"},
        ]
    },
    MONEY: {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": "^-?[0-9]{1,12}(\\.[0-9]+)?$"}]
    },
    DECIMAL: {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": "^-?[0-9]{1,12}(\\.[0-9]+)?$"}]
    },
    DATE: {"type": "string", "format": "date"},
    DATETIME: {"type": "string", "format": "date-time"},
    BOOL: {"type": "boolean"},
}


def input_annotation(f: Field) -> Any:
    from pydantic import WithJsonSchema

    schema = dict(_INPUT_SCHEMA[f.type])
    if f.type in (INT,) and (f.minimum is not None or f.maximum is not None):
        schema = {"type": "integer"}
        if f.minimum is not None:
            schema["minimum"] = f.minimum
        if f.maximum is not None:
            schema["maximum"] = f.maximum
    return Annotated[
        _PY_INPUT[f.type] | None,
        BeforeValidator(_reader(f)),
        WithJsonSchema({"anyOf": [schema, {"type": "null"}]}),
    ]


class LenientInput(BaseModel):
    """Unknown attributes are ignored, as Freshsales ignores them."""

    model_config = ConfigDict(extra="ignore")


def input_model(name: str, fields: tuple[Field, ...], extra: dict[str, Any]) -> type[BaseModel]:
    definitions: dict[str, Any] = {
        f.name: (input_annotation(f), None) for f in fields if f.writable
    }
    definitions.update(extra)
    return model(name, definitions, base=LenientInput)


# --- output -------------------------------------------------------------------------------


def format_money(value: Any) -> str | None:
    """Money as Freshsales renders it on contacts, accounts and deals: "23456.0", "99.5"."""
    if value is None:
        return None
    if isinstance(value, int):  # SQLite hands whole amounts back as integers
        return f"{value}.0"
    if isinstance(value, float):  # ... and others as floats of at most 4 decimals
        return f"{int(value)}.0" if value.is_integer() else repr(value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number)}.0"
    return format(number.normalize(), "f")


def _bool_out(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _int_out(value: Any) -> int | None:
    return None if value is None else int(value)


def _decimal_out(value: Any) -> float | None:
    return None if value is None else float(value)


RENDER: dict[str, Callable[[Any], Any] | None] = {
    TEXT: None,
    INT: _int_out,
    ID: None,
    MONEY: format_money,
    DECIMAL: _decimal_out,
    DATE: format_date,
    DATETIME: format_timestamp,
    BOOL: _bool_out,
}

_PY_OUTPUT: dict[str, Any] = {
    TEXT: str,
    INT: int,
    ID: int,
    MONEY: str,
    DECIMAL: float,
    DATE: str,
    DATETIME: str,
    BOOL: bool,
}


def output_annotation(f: Field) -> Any:
    kind = _PY_OUTPUT[f.type]
    return kind | None if f.nullable else kind


def output_model(name: str, fields: list[Field], extra: dict[str, Any]) -> type[BaseModel]:
    definitions: dict[str, Any] = {f.name: (output_annotation(f), ...) for f in fields}
    definitions.update(extra)
    return model(name, definitions)


def json_value(value: Any) -> Any:
    """A JSON column: text on SQLite, already decoded on PostgreSQL."""
    if isinstance(value, str | bytes):
        return {} if value == "{}" else orjson.loads(value)
    return value if value is not None else {}
