"""The condition language of views: a list of {attribute, operator, value} rules, ANDed.

Default views are stored in it, so one engine serves every view. Values may be `$me`
(the asking user), `$my_territory`, or relative dates such as "30 days ago".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from opensales.db import Row
from opensales.errors import ValidationError
from opensales.kit import custom_fields
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal

# Rules the default views of several kinds share.
OWNED_BY_ME = [{"attribute": "owner_id", "operator": "is", "value": "$me"}]
IN_MY_TERRITORY = [{"attribute": "territory_id", "operator": "is", "value": "$my_territory"}]
CREATED_LAST_30_DAYS = [{"attribute": "created_at", "operator": "is_after", "value": "30 days ago"}]

MAX_SHOWN = 100
_RELATIVE = re.compile(r"^(\d+) (day|hour|minute)s? ago$")
_COMPARE = {
    "is": "=",
    "is_not": "<>",
    "greater_than": ">",
    "less_than": "<",
    "is_after": ">",
    "is_before": "<",
}
# What a custom field of each kind of type may be filtered with.
_EMPTY = frozenset({"is_empty", "is_not_empty"})
_EQUAL = _EMPTY | {"is", "is_not", "is_in"}
_RANGE = _EQUAL | {"greater_than", "less_than", "between"}
_DATE = _RANGE | {"is_after", "is_before"}
_COMPARED = frozenset({*_COMPARE, "is_in", "between"})


def _resolve(value: Any, who: Principal) -> Any:
    if value == "$me":
        return who.user_id
    if value == "$my_territory":
        return who.territory_id
    if isinstance(value, str):
        match = _RELATIVE.match(value)
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            # Whole minutes, so that cached totals and cursors are reused within a minute.
            moment = utcnow().replace(second=0, microsecond=0)
            return moment - timedelta(**{f"{unit}s": amount})
    return value


def requires_value(rules: Sequence[Mapping[str, Any]], attribute: str) -> bool:
    """Whether the rules keep only records with a value for `attribute`: any rule on it but
    is_empty and `is null` does (a comparison with NULL is never true)."""
    return any(
        rule.get("attribute") == attribute
        and (
            rule.get("operator") == "is_not_empty"
            or (rule.get("operator") in _COMPARED and rule.get("value") is not None)
        )
        for rule in rules
    )


@dataclass(frozen=True, slots=True)
class _Attribute:
    """What a rule's attribute is in SQL, how its values are typed, what it may be asked."""

    name: str
    sql: str
    typed: Callable[[Any], Any]
    operators: frozenset[str] | None  # None: every operator


def _as_is(value: Any) -> Any:
    return value


def _custom_operators(type_: str) -> frozenset[str]:
    if type_ in custom_fields.DATE_TYPES:
        return _DATE
    if type_ in custom_fields.NUMERIC_TYPES:
        return _RANGE
    if type_ in custom_fields.ORDERED_TYPES:
        return _EQUAL
    return _EMPTY  # multi-select, paragraph, lookup: only whether they hold a value


def _attribute(
    name: Any, columns: frozenset[str], dialect: str, custom: Mapping[str, Row]
) -> _Attribute:
    if name in columns:
        return _Attribute(str(name), str(name), _as_is, None)
    field = custom.get(name) if isinstance(name, str) else None
    if field is None:
        raise ValidationError(f"Unknown attribute in filter: {str(name)[:MAX_SHOWN]}")
    return _Attribute(
        name,
        custom_fields.typed_sql(dialect, field),
        lambda value: custom_fields.comparable(field, value),
        _custom_operators(str(field["type"])),
    )


def compile_rules(
    rules: Sequence[Mapping[str, Any]],
    columns: frozenset[str],
    who: Principal,
    *,
    dialect: str = "",
    custom: Mapping[str, Row] | None = None,
) -> tuple[str, dict[str, Any]]:
    """SQL AND-clauses for the rules, every value bound as a parameter. An attribute is a
    column, or one of the `custom` field definitions (by name), typed by its definition."""
    sql: list[str] = []
    params: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        attribute = _attribute(rule.get("attribute"), columns, dialect, custom or {})
        operator = rule.get("operator")
        if attribute.operators is not None and operator not in attribute.operators:
            raise ValidationError(
                f"Invalid operator for {attribute.name}: {str(operator)[:MAX_SHOWN]} "
                f"(one of {', '.join(sorted(attribute.operators))})"
            )
        sql.append(_clause(attribute, operator, rule.get("value"), f"c{index}", who, params))
    return "".join(f" AND {clause}" for clause in sql), params


def _clause(
    attribute: _Attribute,
    operator: Any,
    raw: Any,
    name: str,
    who: Principal,
    params: dict[str, Any],
) -> str:
    """One rule's SQL; its values go into `params` under names starting with `name`."""
    column = attribute.sql

    def typed(value: Any) -> Any:
        return attribute.typed(_resolve(value, who))

    if operator in _COMPARE:
        value = typed(raw)
        if value is None:
            # A user without a territory has no "my territory" records, not the unassigned.
            return f"{column} IS NULL" if operator == "is" and raw is None else "1 = 0"
        params[name] = value
        return f"{column} {_COMPARE[operator]} :{name}"
    if operator == "is_empty":
        return f"{column} IS NULL"
    if operator == "is_not_empty":
        return f"{column} IS NOT NULL"
    if operator == "is_in":
        if not isinstance(raw, list | None):
            raise ValidationError(f"Invalid value for {attribute.name} is_in: must be a list")
        names = [f"{name}_{i}" for i in range(len(raw or []))]
        params.update(zip(names, [typed(v) for v in raw or []], strict=True))
        return f"{column} IN ({', '.join(':' + n for n in names)})" if names else "1 = 0"
    if operator == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValidationError(
                f"Invalid value for {attribute.name} between: must be a list of two values"
            )
        params.update({f"{name}_lo": typed(raw[0]), f"{name}_hi": typed(raw[1])})
        return f"{column} >= :{name}_lo AND {column} <= :{name}_hi"
    raise ValidationError(
        f"Unknown operator in filter on {attribute.name}: {str(operator)[:MAX_SHOWN]}"
    )
