"""Admins' writes of the configuration lists: add, rename, change, reorder and delete options
(territories, pipelines and their stages, reasons, sources, currencies...).

Positions count from 1 among an option's siblings (same kind and parent) and stay 1..n.
An option that records still point at cannot be deleted (the records would silently lose
their stage, pipeline or territory); neither can a default one (the default pipeline, the
base currency...), nor the last stage of a pipeline.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, PermissionDeniedError, ValidationError
from opensales.kit.coerce import to_decimal, to_int, to_text
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.selector.service import CHILDREN, KINDS

PARENTS = {child: parent for parent, child in CHILDREN.items()}
FORECAST_TYPES = ("open", "won", "lost")
MAX_NAME = 255
# Where records point at options whose loss would change what they mean.
IN_USE: dict[str, tuple[tuple[str, str], ...]] = {
    "deal_pipelines": (("deals", "deal_pipeline_id"),),
    "deal_stages": (("deals", "deal_stage_id"),),
    "currencies": (("deals", "currency_id"),),
    "territories": tuple(
        (table, "territory_id") for table in ("users", "contacts", "sales_accounts", "deals")
    ),
    "lifecycle_stages": (("contacts", "lifecycle_stage_id"),),
    "contact_statuses": (("contacts", "contact_status_id"),),
}


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise PermissionDeniedError("Only admins may change the configuration lists")


def _bad(key: str, why: str) -> ValidationError:
    return ValidationError(f"Invalid value for {key}: {why}")


async def find(conn: Conn, who: Principal, kind: str, option_id: int) -> Row:
    row = await conn.fetch_one(
        "SELECT * FROM selector_options WHERE id = :id AND workspace_id = :ws AND kind = :kind",
        {"id": option_id, "ws": who.workspace_id, "kind": kind},
    )
    if row is None:
        raise NotFoundError(f"No such option in {kind}")
    return row


async def siblings(conn: Conn, who: Principal, kind: str, parent_id: int | None) -> list[Row]:
    """The options of `kind` under `parent_id` (none for a top-level kind), in order."""
    under = "parent_id IS NULL" if parent_id is None else "parent_id = :parent"
    return await conn.fetch_all(
        "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
        f"AND {under} ORDER BY position, id",
        {"ws": who.workspace_id, "kind": kind, "parent": parent_id},
    )


async def add_option(
    conn: Conn, who: Principal, kind: str, data: dict[str, Any], parent_id: int | None = None
) -> int:
    """A new option, placed last among its siblings; answers its id."""
    _admin(who)
    await _check_parent(conn, who, kind, parent_id)
    others = await siblings(conn, who, kind, parent_id)
    name = _name(data.get("name"), others, None)
    now = utcnow()
    row: dict[str, Any] = {
        "workspace_id": who.workspace_id,
        "kind": kind,
        "name": name,
        "position": len(others) + 1,
        "parent_id": parent_id,
        "is_default": False,
        "created_at": now,
        "updated_at": now,
        **_attributes(kind, data, None),
    }
    return int(await conn.fetch_val(insert_sql("selector_options", list(row)), row))


async def update_option(
    conn: Conn, who: Principal, kind: str, option_id: int, data: dict[str, Any]
) -> None:
    """Rename an option, or change its attributes (a stage's probability and type...)."""
    _admin(who)
    row = await find(conn, who, kind, option_id)
    changes: dict[str, Any] = _attributes(kind, data, row)
    if "name" in data:
        others = await siblings(conn, who, kind, row["parent_id"])
        changes["name"] = _name(data["name"], others, row["id"])
    changes["updated_at"] = utcnow()
    sets = ", ".join(f"{c} = :{c}" for c in changes)
    await conn.execute(
        f"UPDATE selector_options SET {sets} WHERE id = :id", {**changes, "id": row["id"]}
    )


async def move_option(conn: Conn, who: Principal, kind: str, option_id: int, step: int) -> None:
    """Move an option `step` places (-1: up, 1: down) among its siblings."""
    _admin(who)
    row = await find(conn, who, kind, option_id)
    order = [r["id"] for r in await siblings(conn, who, kind, row["parent_id"])]
    index = order.index(row["id"])
    target = min(max(index + step, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    await _renumber(conn, order)


async def delete_option(conn: Conn, who: Principal, kind: str, option_id: int) -> None:
    _admin(who)
    row = await find(conn, who, kind, option_id)
    if row["is_default"]:
        raise ValidationError(f"{row['name']} is the default: it cannot be deleted")
    others = await siblings(conn, who, kind, row["parent_id"])
    if kind in PARENTS and len(others) == 1:
        raise ValidationError(f"{row['name']} is the last of its list: it cannot be deleted")
    for table, column in IN_USE.get(kind, ()):
        used = await conn.fetch_val(
            f"SELECT count(*) FROM {table} WHERE workspace_id = :ws AND {column} = :id",
            {"ws": who.workspace_id, "id": row["id"]},
        )
        if used:
            raise ValidationError(
                f"{row['name']} is in use by {used} {table}: it cannot be deleted"
            )
    await conn.execute("DELETE FROM selector_options WHERE id = :id", {"id": row["id"]})
    await _renumber(conn, [r["id"] for r in others if r["id"] != row["id"]])


async def _check_parent(conn: Conn, who: Principal, kind: str, parent_id: int | None) -> None:
    if kind not in KINDS:
        raise NotFoundError(f"Unknown selector: {kind}")
    parent_kind = PARENTS.get(kind)
    if (parent_kind is None) != (parent_id is None):
        raise _bad("parent", f"{kind} belong to {parent_kind}" if parent_kind else "none")
    if parent_kind is not None and parent_id is not None:
        await find(conn, who, parent_kind, parent_id)


def _name(value: Any, others: list[Row], own_id: int | None) -> str:
    try:
        name = (to_text(value) or "").strip()
    except ValueError as exc:
        raise _bad("name", str(exc)) from None
    if not name:
        raise _bad("name", "is required")
    if len(name) > MAX_NAME:
        raise _bad("name", f"must be at most {MAX_NAME} characters")
    if any(r["name"].casefold() == name.casefold() and r["id"] != own_id for r in others):
        raise _bad("name", f"{name} is already in the list")
    return name


def _attributes(kind: str, data: dict[str, Any], row: Row | None) -> dict[str, Any]:
    """The kind's own attributes sent in `data` (all of them for a new option)."""
    if kind == "deal_stages":
        return _stage_attributes(data, row)
    if kind == "currencies":
        return _currency_attributes(data, row)
    return {}


def _stage_attributes(data: dict[str, Any], row: Row | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row is None or "probability" in data:
        try:
            out["probability"] = to_int(data.get("probability"), minimum=0, maximum=100)
        except ValueError:
            raise _bad("probability", "must be a whole number from 0 to 100") from None
    if row is None or "forecast_type" in data:
        forecast = data.get("forecast_type") or "open"
        if forecast not in FORECAST_TYPES:
            raise _bad("forecast_type", f"must be one of {', '.join(FORECAST_TYPES)}")
        out["forecast_type"] = forecast
    return out


def _currency_attributes(data: dict[str, Any], row: Row | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row is None or "code" in data:
        code = str(data.get("code") or "").strip().upper()
        if not (len(code) == 3 and code.isalpha()):
            raise _bad("code", "must be a three-letter currency code (EUR)")
        out["code"] = code
    if row is None or "exchange_rate" in data:
        try:
            rate = to_decimal(data.get("exchange_rate"), digits=19, places=6)
        except ValueError:
            rate = None
        if rate is None or rate <= Decimal(0):
            raise _bad("exchange_rate", "must be a positive number")
        out["exchange_rate"] = rate
    return out


async def _renumber(conn: Conn, ids: list[int]) -> None:
    for position, option_id in enumerate(ids, 1):
        await conn.execute(
            "UPDATE selector_options SET position = :p WHERE id = :id",
            {"p": position, "id": option_id},
        )


async def tree(conn: Conn, who: Principal, kind: str) -> tuple[list[Row], dict[int, list[Row]]]:
    """The kind's options, and (for a kind with children) each one's children, in order."""
    top = await siblings(conn, who, kind, None)
    nested: dict[int, list[Row]] = {r["id"]: [] for r in top}
    if kind in CHILDREN:
        for row in await conn.fetch_all(
            "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
            "ORDER BY position, id",
            {"ws": who.workspace_id, "kind": CHILDREN[kind]},
        ):
            nested.setdefault(row["parent_id"], []).append(row)
    return top, nested
