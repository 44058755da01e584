"""Saved views: users make their own views of a kind of record from the condition language
of the default views (kit/conditions.py), rename them, change them and delete them.

A view is private (its owner's) or public (everyone's in the workspace). Its owner may
change or delete it; an admin may change or delete a public view too. Default views cannot
be changed or deleted (403). Numbers continue after the highest number ever given to a view
of the kind, so a deleted view's number is never reused: the row `views:<table>` of
data_versions keeps that highest number.
"""

from __future__ import annotations

from typing import Any

from opensales.db import Conn, Row
from opensales.errors import PermissionDeniedError, ValidationError
from opensales.kit import views
from opensales.kit.coerce import to_bool
from opensales.kit.dates import utcnow
from opensales.kit.fields import json_value
from opensales.kit.http import unwrap
from opensales.kit.kind import Kind
from opensales.kit.principal import Principal

MAX_NAME = 255
DEFAULTS = {"filter_rule": [], "sort": "updated_at", "sort_type": "desc", "is_public": False}
# Names the rules may come under: Freshsales' filtered search and the issue's own word.
RULE_KEYS = ("filter_rule", "conditions")


def _name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise ValidationError("Invalid value for name: is required")
    if len(name) > MAX_NAME or "\x00" in name:
        raise ValidationError(f"Invalid value for name: at most {MAX_NAME} characters, no NUL")
    return name


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"Invalid value for {key}: must be a string")
    return value


def _flag(value: Any) -> bool:
    try:
        found = to_bool(value)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for is_public: {exc}") from None
    return bool(found)


def _given(data: dict[str, Any]) -> dict[str, Any]:
    """What the body sets, read and typed; the rules under `filter_rule`."""
    spec = unwrap(data, "filter")
    given: dict[str, Any] = {}
    if "name" in spec:
        given["name"] = _name(spec["name"])
    for key in RULE_KEYS:
        if key in spec:
            given["filter_rule"] = [] if spec[key] is None else spec[key]
    for key in ("sort", "sort_type"):
        if spec.get(key) is not None:
            given[key] = _text(key, spec[key])
    if "is_public" in spec:
        given["is_public"] = _flag(spec["is_public"])
    return given


def _stored(view: Row) -> dict[str, Any]:
    return {
        "name": view["name"],
        "filter_rule": json_value(view["conditions"]).get("rules", []),
        "sort": view["sort_field"],
        "sort_type": view["sort_type"],
        "is_public": bool(view["is_public"]),
    }


async def _checked(conn: Conn, who: Principal, kind: Kind, values: dict[str, Any]) -> None:
    values["sort_type"] = values["sort_type"].lower()
    await views.check_rules(
        conn, who, kind, values["filter_rule"], values["sort"], values["sort_type"]
    )


async def _next_number(conn: Conn, who: Principal, kind: Kind) -> int:
    """One more than the highest number a view of the kind ever had."""
    key = {"ws": who.workspace_id, "entity": "views:" + kind.table}
    # The upsert takes the counter's row lock first: concurrent creates wait their turn.
    await conn.execute(
        "INSERT INTO data_versions (workspace_id, entity_type, version, live_count) "
        "VALUES (:ws, :entity, 0, 0) ON CONFLICT (workspace_id, entity_type) DO UPDATE "
        "SET version = data_versions.version",
        key,
    )
    issued = int(
        await conn.fetch_val(
            "SELECT version FROM data_versions WHERE workspace_id = :ws AND entity_type = :entity",
            key,
        )
    )
    highest = await conn.fetch_val(
        "SELECT max(number) FROM views WHERE workspace_id = :ws AND entity_type = :table",
        {"ws": who.workspace_id, "table": kind.table},
    )
    number = max(issued, int(highest or 0)) + 1
    await conn.execute(
        "UPDATE data_versions SET version = :n WHERE workspace_id = :ws AND entity_type = :entity",
        {**key, "n": number},
    )
    return number


async def create(conn: Conn, who: Principal, kind: Kind, data: dict[str, Any]) -> Row:
    given = _given(data)
    if "name" not in given:
        raise ValidationError("Invalid value for name: is required")
    values = {**DEFAULTS, **given}
    await _checked(conn, who, kind, values)
    now = utcnow()
    row = {
        "workspace_id": who.workspace_id,
        "entity_type": kind.table,
        "number": await _next_number(conn, who, kind),
        "name": values["name"],
        "is_default": False,
        "is_public": values["is_public"],
        "user_id": who.user_id,
        "conditions": {"rules": values["filter_rule"]},
        "sort_field": values["sort"],
        "sort_type": values["sort_type"],
        "created_at": now,
        "updated_at": now,
    }
    await conn.execute(
        f"INSERT INTO views ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row
    )
    return await _row(conn, who, kind, row["number"])


async def _row(conn: Conn, who: Principal, kind: Kind, number: int) -> Row:
    """The view as saved (an admin who made someone's view private no longer sees it)."""
    row = await conn.fetch_one(
        "SELECT * FROM views WHERE workspace_id = :ws AND entity_type = :table AND number = :n",
        {"ws": who.workspace_id, "table": kind.table, "n": number},
    )
    assert row is not None
    return row


async def _own(conn: Conn, who: Principal, kind: Kind, number: int | None) -> Row:
    """A view the user may change: theirs, or a public one when they are an admin."""
    view = await views.find_view(conn, who, kind, number)
    if view["is_default"] or view["user_id"] is None:
        raise PermissionDeniedError("Default views cannot be changed or deleted")
    mine = view["user_id"] == who.user_id
    if not mine and not (who.is_admin and view["is_public"]):
        raise PermissionDeniedError("Only the view's owner (or an admin, if it is shared) may")
    return view


async def update(
    conn: Conn, who: Principal, kind: Kind, number: int | None, data: dict[str, Any]
) -> Row:
    view = await _own(conn, who, kind, number)
    values = {**_stored(view), **_given(data)}
    await _checked(conn, who, kind, values)
    await conn.execute(
        "UPDATE views SET name = :name, conditions = :conditions, sort_field = :sort, "
        "sort_type = :sort_type, is_public = :is_public, updated_at = :now WHERE id = :id",
        {
            "id": view["id"],
            "name": values["name"],
            "conditions": {"rules": values["filter_rule"]},
            "sort": values["sort"],
            "sort_type": values["sort_type"],
            "is_public": values["is_public"],
            "now": utcnow(),
        },
    )
    return await _row(conn, who, kind, view["number"])


async def delete(conn: Conn, who: Principal, kind: Kind, number: int | None) -> None:
    view = await _own(conn, who, kind, number)
    await conn.execute("DELETE FROM views WHERE id = :id", {"id": view["id"]})
