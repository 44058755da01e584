"""The condition language of views: a list of {attribute, operator, value} rules, ANDed.

Default views are stored in it, so one engine serves every view. Values may be `$me`
(the asking user), `$my_territory`, or relative dates such as "30 days ago".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from opensales.errors import ValidationError
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal

# Rules the default views of several kinds share.
OWNED_BY_ME = [{"attribute": "owner_id", "operator": "is", "value": "$me"}]
IN_MY_TERRITORY = [{"attribute": "territory_id", "operator": "is", "value": "$my_territory"}]
CREATED_LAST_30_DAYS = [{"attribute": "created_at", "operator": "is_after", "value": "30 days ago"}]

_RELATIVE = re.compile(r"^(\d+) (day|hour|minute)s? ago$")
_COMPARE = {
    "is": "=",
    "is_not": "<>",
    "greater_than": ">",
    "less_than": "<",
    "is_after": ">",
    "is_before": "<",
}


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


def compile_rules(
    rules: Sequence[Mapping[str, Any]], columns: frozenset[str], who: Principal
) -> tuple[str, dict[str, Any]]:
    """SQL AND-clauses for the rules, every value bound as a parameter."""
    sql: list[str] = []
    params: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        column, operator = rule.get("attribute"), rule.get("operator")
        if column not in columns:
            raise ValidationError(f"Unknown attribute in filter: {column}")
        name = f"c{index}"
        value = _resolve(rule.get("value"), who)
        if operator in _COMPARE:
            if value is None:
                # A user without a territory has no "my territory" records, not the unassigned.
                literal = rule.get("value") is None
                sql.append(f"{column} IS NULL" if operator == "is" and literal else "1 = 0")
                continue
            sql.append(f"{column} {_COMPARE[operator]} :{name}")
            params[name] = value
        elif operator == "is_empty":
            sql.append(f"{column} IS NULL")
        elif operator == "is_not_empty":
            sql.append(f"{column} IS NOT NULL")
        elif operator == "is_in":
            values = [_resolve(v, who) for v in value or []]
            names = [f"{name}_{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            sql.append(f"{column} IN ({', '.join(':' + n for n in names)})" if names else "1 = 0")
        elif operator == "between":
            low, high = (_resolve(v, who) for v in value)
            sql.append(f"{column} >= :{name}_lo AND {column} <= :{name}_hi")
            params.update({f"{name}_lo": low, f"{name}_hi": high})
        else:
            raise ValidationError(f"Unknown operator in filter: {operator}")
    return "".join(f" AND {clause}" for clause in sql), params
